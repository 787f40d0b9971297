"""The meetings calendar in the bot: schedule, change, cancel, remind, and who may do what."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sandbox.harness import Harness
from tests.helpers import signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def meeting_notes(texts: list[str]) -> list[str]:
    """Only the calendar notices among a chat's texts."""
    return [t for t in texts if "buổi sinh hoạt" in t or "buổi quán triệt" in t]


async def test_secretary_schedules_changes_and_cancels_and_members_are_told(bot: Harness) -> None:
    """A thematic meeting goes from scheduled to changed to cancelled; Bình hears each step."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    other_cell = await signed_in(bot, "Em", "0338123456")
    [listing] = await an.press("📅 Lịch sinh hoạt")
    assert "Chưa có buổi sinh hoạt nào" in listing.plain
    assert "Quý: I" in listing.plain or "quý: I" in listing.plain  # Q1 2022 has none
    [ask] = await an.press("➕ Sinh hoạt chuyên đề")
    assert "dd/mm/yyyy" not in ask.plain and "15/04/2022 08:00" in ask.plain
    [bad] = await an.send("mai; hội trường")
    assert "Thời gian chưa đúng" in bad.plain
    [past] = await an.send("01/01/2022 08:00; Hội trường")
    assert "đã qua" in past.plain
    [saved] = await an.send("15/04/2022 08:00; Hội trường <UBND> xã; Chuyên đề quý II")
    assert (
        "Đã lên lịch" in saved.plain and "Đã báo cho 1 người" in saved.plain
    )  # Bình: the only other linked member
    await bot.drain_outbox()
    assert "lên lịch buổi sinh hoạt chuyên đề" in binh.last.plain
    assert "Hội trường <UBND> xã" in binh.last.plain and "15/04/2022 08:00" in binh.last.plain
    assert meeting_notes([m.plain for m in other_cell.messages]) == []  # another unit

    [listing] = await an.send("/lichhop")
    assert "Chuyên đề quý II" in listing.plain and "✏️ Sửa 15/04" in an.buttons()
    [ask] = await an.press("✏️ Sửa 15/04")
    assert "15/04/2022 08:00; Hội trường <UBND> xã; Chuyên đề quý II" in ask.plain
    [changed] = await an.send("16/04/2022 14:00; Nhà văn hóa thôn")
    assert "Đã đổi lịch" in changed.plain
    await bot.drain_outbox()
    assert "Thay đổi lịch" in binh.last.plain and "16/04/2022 14:00" in binh.last.plain
    assert "Chuyên đề quý II" in binh.last.plain  # the topic was kept

    # Reminders: 3 days and 2 hours before the (changed) meeting, once each.
    bot.clock.set(datetime(2022, 4, 13, 14, 0, tzinfo=VN))
    report = await bot.sweep()
    assert [k for k in report.sent if k.startswith("meeting")] == ["meeting:1:v2:H-72"]
    await bot.drain_outbox()
    assert "còn 3 ngày" in binh.last.plain
    assert (await bot.sweep()).sent == []

    [listing] = await an.send("/lichhop")
    [confirm] = await an.press("❌ Hủy 16/04")
    assert "Hủy" in confirm.plain
    stale = confirm.inline_buttons()[0]["callback_data"]  # kept: the screen folds next
    [done] = await an.press("❌ Xác nhận hủy")
    assert not confirm.inline_buttons() and not listing.inline_buttons()
    assert "Đã hủy" in done.plain
    await bot.drain_outbox()
    assert "Đã hủy" in binh.last.plain
    [again] = await an.press_data(stale, confirm)
    assert "vừa được thay đổi" in again.plain  # a second press changes nothing
    bot.clock.set(datetime(2022, 4, 16, 12, 0, tzinfo=VN))
    assert [k for k in (await bot.sweep()).sent if k.startswith("meeting")] == []


async def test_members_and_other_secretaries_cannot_touch_a_meeting(bot: Harness) -> None:
    """Forged calendar buttons from a member or another unit's head change nothing."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    em = await signed_in(bot, "Em", "0338123456")
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Quán triệt")
    await an.send("20/04/2022 07:30; Hội trường")
    [listing] = await binh.press("📅 Lịch sinh hoạt")
    assert "buổi quán triệt" in listing.plain and binh.buttons()[:1] != ["➕ Quán triệt"]
    for chat in (binh, em):
        for data in ("m:ed:1", "m:cx:1", "m:cy:1.1", "m:new:chuyen_de", "m:cy:x", "m:zz:1"):
            replies = await chat.press_data(data)
            assert all("Đã hủy" not in r.plain and "Gõ" not in r.plain for r in replies)
        [after] = await chat.send("21/04/2022 08:00; Sân bóng")  # not taken as meeting details
        assert "Đã đổi lịch" not in after.plain
    meeting = await bot.store.meetings.get(1)
    assert meeting is not None and meeting.version == 1 and meeting.place == "Hội trường"


async def test_cancel_command_stops_entering_a_meeting(bot: Harness) -> None:
    """/huy while typing meeting details forgets them; the next text is not a meeting."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Sinh hoạt chuyên đề")
    [stopped] = await an.send("/huy")
    assert "không thay đổi" in stopped.plain
    await an.send("15/04/2022 08:00; Hội trường")
    assert await bot.store.meetings.get(1) is None
