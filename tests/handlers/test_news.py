"""News to everyone (issue 18 §3): a broadcast kept as a bản tin in the library, a broadcast
that links a library material, and forged or non-admin presses on the new buttons."""

from __future__ import annotations

from bot.domain.library import Audience, MaterialKind
from bot.sandbox.harness import Harness
from tests.handlers.test_library import LIBRARY, add_pdf
from tests.helpers import signed_in

SAVE = "📰 Lưu vào thư viện (bản tin)"
LINK = "📚 Đính kèm tài liệu"
OPEN = "📚 Mở tài liệu"


async def test_broadcast_saved_as_news_is_found_later_in_the_library(bot: Harness) -> None:
    """The admin marks the broadcast as a bản tin before sending; a member who signs in only
    afterwards (and so never got it) finds it in the library, of kind "Bản tin"."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    await admin.press("📢 Gửi thông báo")
    text = "Thông báo kết quả học tập chuyên đề\nCác chi bộ hoàn thành trước 15/12."
    await admin.send(text)
    [preview] = await admin.press("Mọi người")
    assert SAVE in admin.buttons() and "bản tin" not in preview.plain
    [toggled] = await admin.press(SAVE)
    assert "lưu vào thư viện thành bản tin" in toggled.plain
    assert "✅ Sẽ lưu vào thư viện (bản tin)" in admin.buttons()
    [queued] = await admin.press("✅ Gửi ngay")
    assert "Đã lưu vào thư viện thành bản tin: «Thông báo kết quả học tập chuyên đề»" in (
        queued.plain
    )
    assert "Lưu ý" not in queued.plain  # "everyone" is a library audience too
    [news] = [m for m in await bot.store.library.all() if m.kind is MaterialKind.NEWS]
    assert news.audience is Audience.EVERYONE and "trước 15/12" in news.summary
    # Bình signs in after the broadcast was queued: not among its recipients.
    binh = await signed_in(bot, "Bình", "0987654321")
    await bot.drain_outbox()
    assert all("trước 15/12" not in m.plain for m in binh.messages)
    [listing] = await binh.press(LIBRARY)
    assert "Thông báo kết quả học tập chuyên đề — Bản tin" in listing.plain
    assert "Bản tin (1)" in binh.buttons()
    [card] = await binh.press("📄 Thông báo kết quả học tập chuyên đề")
    assert "Loại: Bản tin" in card.plain and "Nội dung:" in card.plain
    assert "Các chi bộ hoàn thành trước 15/12." in card.plain
    [done] = await binh.press("✅ Đã học")
    assert "Đã ghi nhận" in done.plain


async def test_a_second_press_turns_news_off_and_other_audiences_are_widened(
    bot: Harness,
) -> None:
    """Pressing twice keeps nothing; an audience the library lacks (secretaries) keeps the
    bản tin for everyone, and the admin is told so."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    await signed_in(bot, "An", "0912345678")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Họp bí thư chi bộ ngày 10/12")
    await admin.press("Các bí thư chi bộ")
    await admin.press(SAVE)
    [off] = await admin.press("✅ Sẽ lưu vào thư viện (bản tin)")
    assert "lưu vào thư viện thành bản tin" not in off.plain
    await admin.press(SAVE)
    [queued] = await admin.press("✅ Gửi ngay")
    assert "Thông báo số 1" in queued.plain and "bản tin dành cho mọi người" in queued.plain
    [news] = await bot.store.library.all()
    assert news.kind is MaterialKind.NEWS and news.audience is Audience.EVERYONE
    # Without the press nothing goes to the library.
    await admin.press("📢 Gửi thông báo")
    await admin.send("Một thông báo thường")
    await admin.press("Mọi người")
    await admin.press("✅ Gửi ngay")
    assert len(await bot.store.library.all()) == 1


async def test_broadcast_links_a_material_that_the_member_opens(bot: Harness) -> None:
    """The admin links a PDF; the member's message says which and carries "📚 Mở tài liệu",
    which sends the file (through the library's own checks)."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    material = await add_pdf(bot, "Chuyên đề năm 2022")
    await add_pdf(bot, "Hướng dẫn", kind="chi-dao")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Mời các đồng chí học chuyên đề năm")
    await admin.press("Mọi người")
    [items] = await admin.press(LINK)
    assert "Chọn tài liệu" in items.plain
    assert {"📄 Chuyên đề năm 2022", "📄 Hướng dẫn"} <= set(admin.buttons())
    [preview] = await admin.press("📄 Chuyên đề năm 2022")
    assert "Kèm tài liệu: «Chuyên đề năm 2022»" in preview.plain
    await admin.press("✅ Gửi ngay")
    await bot.drain_outbox()
    got = binh.last
    assert "Mời các đồng chí học chuyên đề năm" in got.plain
    assert "Tài liệu kèm theo: «Chuyên đề năm 2022»" in got.plain
    assert OPEN in binh.buttons()
    file, card = await binh.press(OPEN)
    assert file.kind == "document" and bot.api.uploads == 1
    assert "Chuyên đề năm 2022" in card.plain and material.title in card.plain


async def test_linked_material_out_of_audience_or_removed(bot: Harness) -> None:
    """A linked material of another unit opens for nobody outside it; a material removed
    before sending stops the send with the reason."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    other = await add_pdf(
        bot, "Của chi bộ thôn 2", audience="unit:Đảng bộ xã Phú Lạc / Chi bộ thôn 2"
    )
    await admin.press("📢 Gửi thông báo")
    await admin.send("Tài liệu riêng của thôn 2")
    await admin.press("Mọi người")
    await admin.press(LINK)
    await admin.press("📄 Của chi bộ thôn 2")
    await admin.press("✅ Gửi ngay")
    await bot.drain_outbox()
    [refused] = await binh.press(OPEN)
    assert "không còn trong thư viện" in refused.plain
    assert bot.api.uploads == 0
    gone = await add_pdf(bot, "Sẽ gỡ")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Thông báo thứ hai")
    await admin.press("Mọi người")
    await admin.press(LINK)
    await admin.press("📄 Sẽ gỡ")
    assert await bot.services.library.remove(gone.id)
    [stopped] = await admin.press("✅ Gửi ngay")
    assert "không còn trong thư viện" in stopped.plain
    assert (await bot.store.outbox.counts()).get("queued", 0) == 0  # the first one went out
    [queued] = await admin.press("✅ Gửi ngay")  # now without the material
    assert "Thông báo số 2" in queued.plain
    await bot.drain_outbox()
    assert "Thông báo thứ hai" in binh.last.plain and "Tài liệu kèm theo" not in binh.last.plain
    assert binh.last.inline_buttons() == []  # no "📚 Mở tài liệu" under this one
    assert other.id != gone.id


async def test_new_buttons_refuse_members_and_forged_ids(bot: Harness) -> None:
    """A member's presses on the new composer buttons are refused and change nothing; the
    admin's forged item ids and audiences are refused too."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    material = await add_pdf(bot, "Chuyên đề")
    an = await signed_in(bot, "An", "0912345678")  # a secretary: no broadcasts either
    for chat in (binh, an):
        for data in ("b:nw:all", "b:li:all", f"b:lk:{material.id}.all", "b:lk:x.all"):
            [refused] = await chat.press_data(data)
            assert "không có quyền" in refused.plain, data
    await admin.press("📢 Gửi thông báo")
    await admin.send("Nội dung")
    await admin.press("Mọi người")
    for data in (
        "b:nw:role:king",
        "b:li:role:king",
        "b:lk:999999.all",
        f"b:lk:{material.id}.role:king",
        "b:lk:²1.all",
        "b:lk:1",
    ):
        [refused] = await admin.press_data(data)
        assert "không có quyền" in refused.plain, data
    [preview] = await admin.press_data("b:au:all")
    assert "Kèm tài liệu" not in preview.plain and "bản tin" not in preview.plain
    await admin.press("✅ Gửi ngay")
    assert await bot.store.library.all() == [material]
