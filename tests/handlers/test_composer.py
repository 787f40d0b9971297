"""An admin writes a broadcast in the chat, picks the audience, sees the count, sends it."""

from __future__ import annotations

from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import signed_in


async def test_admin_broadcasts_to_secretaries_from_the_chat(bot: Harness) -> None:
    """Text, audience, preview with the count, send; only secretaries get it; progress shows."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    [ask] = await admin.press("📢 Gửi thông báo")
    assert "nội dung thông báo" in ask.plain
    text = "Họp bí thư lúc 14h & mang theo <danh sách>"
    [choose] = await admin.send(text)
    assert "Gửi cho ai?" in choose.plain
    [preview] = await admin.press("Các bí thư chi bộ")
    assert "Số người nhận: 1" in preview.plain and text in preview.plain
    [back] = await admin.press("↩️ Chọn nhóm khác")
    assert "Gửi cho ai?" in back.plain
    [everyone] = await admin.press("Mọi người")
    assert "Số người nhận: 3" in everyone.plain
    await admin.press("↩️ Chọn nhóm khác")
    await admin.press("Các bí thư chi bộ")
    [queued] = await admin.press("✅ Gửi ngay")
    assert "Thông báo số 1" in queued.plain and "1 người nhận" in queued.plain
    # A second press: the draft went out, and the bot says so (not "Đã thôi").
    [again] = await admin.press_data("b:go:role:secretary")
    assert "đã được gửi" in again.plain and "1 người nhận" in again.plain
    assert "Đã thôi" not in again.plain
    await bot.drain_outbox()
    assert an.last.plain == text
    assert all(text not in m.plain for m in binh.messages)
    assert await admin.press_data("b:pr:1", queued) == []  # the same message shows the count
    progress = next(m for m in admin.messages if m.message_id == queued.message_id)
    assert "đã gửi 1" in progress.plain and progress.edits == 1
    await admin.press_data("b:pr:1", progress)  # unchanged: Telegram's "not modified" is fine
    assert not bot.errors


async def test_members_cannot_broadcast_even_with_forged_buttons(bot: Harness) -> None:
    """/thongbao and every composer button refuse a member; nothing is queued."""
    await bot.open_campaign()
    binh = await signed_in(bot, "Bình", "0987654321")
    [refused] = await binh.send("/thongbao")
    assert "không có quyền" in refused.plain
    for data in (
        "b:au:all",
        "b:go:all",
        "b:pr:1",
        "b:cx:1",
        "b:au:role:king",
        "b:zz:1",
        "b:un:",
        "b:in:1",
        "b:at:all",
    ):
        await binh.press_data(data)
    await binh.send("Tin giả mạo gửi mọi người")
    assert (await bot.store.outbox.counts()).get("queued", 0) == 0


async def test_bad_text_is_explained_and_cancel_forgets_the_draft(bot: Harness) -> None:
    """An over-long text is refused with the reason; /huy drops the draft."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    await admin.send("/thongbao")
    [too_long] = await admin.send("x" * 3600)
    assert "dài quá" in too_long.plain
    [stopped] = await admin.send("/huy")
    assert "không gửi thông báo nào" in stopped.plain
    after = await admin.send("Một câu bình thường")
    assert all("Gửi cho ai?" not in m.plain for m in after)


async def test_admin_sends_a_document_with_its_caption_as_the_announcement(bot: Harness) -> None:
    """A file sent while composing goes to everyone by Telegram's file id, caption included."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    cuong = await signed_in(bot, "Cường", "0905111222")
    bot.api.blocked.add(cuong.user.id)
    await admin.send("/thongbao")
    [choose] = await admin.send_other("document", caption="Tài liệu chuyên đề 2022")
    assert "Gửi cho ai?" in choose.plain
    [preview] = await admin.press("Mọi người")
    assert "📎 Kèm tài liệu: a.pdf" in preview.plain and "Tài liệu chuyên đề 2022" in preview.plain
    uploads = bot.api.uploads
    await admin.press("✅ Gửi ngay")
    await bot.drain_outbox()
    for chat in (an, binh):
        message = chat.last
        assert message.kind == "document" and message.file_name == "a.pdf"
        assert message.file_bytes == b"document-bytes"
        assert message.plain == "Tài liệu chuyên đề 2022"
    assert bot.api.uploads == uploads  # never uploaded again: sent by its file id
    queued = next(m for m in reversed(admin.messages) if "📊 Tiến độ" in str(m.inline_buttons()))
    await admin.press("📊 Tiến độ")  # refreshed in place; it names why Cường got nothing
    report = next(m for m in admin.messages if m.message_id == queued.message_id)
    assert "đã gửi 3 · lỗi 1" in report.plain and "blocked" in report.plain, report.plain
    bot.api.calls.clear()  # the 403 was expected
    await admin.send("/thongbao")
    [photo] = await admin.send_other("photo")  # a photo needs no caption
    assert "Gửi cho ai?" in photo.plain
    [sticker] = await admin.send_other("sticker")
    assert "Gửi cho ai?" not in sticker.plain


async def test_admin_limits_to_a_unit_and_schedules_for_later(bot: Harness) -> None:
    """Within Chi bộ thôn 1 only its people count; a typed time holds the wave until then."""
    from datetime import timedelta

    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    em = await signed_in(bot, "Em", "0338123456")  # UBND xã, outside the cell
    await admin.send("/thongbao")
    await admin.send("Họp chi bộ thôn 1")
    [units] = await admin.press("🏢 Chỉ gửi trong một đơn vị")
    assert "Chọn đơn vị" in units.plain and "🌐 Toàn tổ chức" in admin.buttons()
    [choose] = await admin.press(next(b for b in admin.buttons() if b.endswith("Chi bộ thôn 1")))
    assert "Chỉ trong: Đảng bộ xã Phú Lạc / Chi bộ thôn 1" in choose.plain
    [preview] = await admin.press("Mọi người")
    assert "Số người nhận: 2" in preview.plain  # An and Bình (Cường has not signed in)
    [ask] = await admin.press("🕗 Hẹn giờ gửi")
    assert "dd/mm/yyyy HH:MM" in ask.plain
    [bad] = await admin.send("ngày mai")
    assert "Không đọc được" in bad.plain
    [past] = await admin.send("01/01/2020 08:00")
    assert "đã qua" in past.plain
    later = (bot.clock.now() + timedelta(hours=2)).astimezone(bot.settings.tz)
    [queued] = await admin.send(later.strftime("%d/%m/%Y %H:%M"))
    assert "2 người nhận" in queued.plain and "Hẹn gửi lúc" in queued.plain
    await bot.drain_outbox()
    assert all("Họp chi bộ thôn 1" not in m.plain for m in an.messages)
    bot.clock.advance(timedelta(hours=2, minutes=1))
    await bot.drain_outbox()
    assert an.last.plain == binh.last.plain == "Họp chi bộ thôn 1"
    assert all("Họp chi bộ thôn 1" not in m.plain for m in em.messages)
    await admin.send("/thongbao")
    await admin.send("Một thông báo khác")
    forged = await admin.press_data("b:in:99999")  # no such unit
    assert any("không có quyền" in m.plain for m in forged)


async def test_a_secretary_revoked_before_the_send_is_skipped_and_counted(bot: Harness) -> None:
    """The role is taken away while the message waits: not sent; the progress says why."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Họp bí thư lúc 14h")
    await admin.press("Các bí thư chi bộ")
    [queued] = await admin.press("✅ Gửi ngay")
    outcome = await bot.load_roster(ROSTER.replace(",Bí thư chi bộ,Bí thư\n", ",Bí thư chi bộ,\n"))
    assert outcome.summary is not None, outcome.parsed.errors
    await bot.drain_outbox()
    assert all("Họp bí thư" not in m.plain for m in an.messages)
    await admin.press_data("b:pr:1", queued)
    progress = next(m for m in admin.messages if m.message_id == queued.message_id)
    assert "đã gửi 0" in progress.plain and "không còn thuộc đối tượng 1" in progress.plain


async def test_a_repeat_within_a_day_warns_in_the_preview_and_asks_to_confirm(
    bot: Harness,
) -> None:
    """The same text to the same people again: the preview says when it went, "Gửi ngay" is
    replaced by an explicit "Vẫn gửi lại", and only that sends it."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    for _ in range(2):
        await admin.press("📢 Gửi thông báo")
        await admin.send("Nộp kế hoạch trước 30/4")
        [preview] = await admin.press("Các bí thư chi bộ")
        if "✅ Gửi ngay" in admin.buttons():
            assert "đã được gửi" not in preview.plain
            await admin.press("✅ Gửi ngay")
    assert "đã được gửi cho cùng nhóm người nhận lúc" in preview.plain
    assert "✅ Gửi ngay" not in admin.buttons() and "✅ Vẫn gửi lại" in admin.buttons()
    [warned] = await admin.press_data("b:go:role:secretary", preview)  # the old button: no
    assert "Đồng chí có chắc muốn gửi lại" in warned.plain
    [queued] = await admin.press("✅ Vẫn gửi lại")
    assert "Thông báo số 2" in queued.plain
    await bot.drain_outbox()
    assert [m.plain for m in an.messages].count("Nộp kế hoạch trước 30/4") == 2


async def test_an_old_preview_never_sends_a_draft_changed_since(bot: Harness) -> None:
    """Preview A, then write B: the "Gửi ngay" under A's preview shows B's preview with a
    warning instead of sending B unseen; B's own button sends B."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Bản A: họp lúc 8h")
    [old] = await admin.press("Các bí thư chi bộ")
    [send_a] = [b for b in old.inline_buttons() if b["text"] == "✅ Gửi ngay"]
    await admin.press("📢 Gửi thông báo")
    await admin.send("Bản B: họp lúc 14h")
    [shown] = await admin.press_data(str(send_a["callback_data"]), old)
    assert "đã thay đổi sau lần xem trước" in shown.plain and "Bản B" in shown.plain
    await bot.drain_outbox()
    assert all("Bản B" not in m.plain for m in an.messages)  # nothing went out
    [queued] = await admin.press("✅ Gửi ngay")
    assert "Thông báo số 1" in queued.plain
    await bot.drain_outbox()
    assert an.last.plain == "Bản B: họp lúc 14h"
    assert all("Bản A" not in m.plain for m in an.messages)
    assert not bot.errors
