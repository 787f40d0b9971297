"""The progress prompts: before a thematic meeting of the cell, at mid-year, before the year-end
review; only to those with a handed-in plan, at most once a week, through quiet hours and
downtime once each (the injected clock)."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from bot.domain.schedule import Schedule
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot
from tests.conftest import ROSTER
from tests.helpers import fill_mau_01, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ASKED = "cập nhật tiến độ"


def local(day: int, month: int, hour: int = 8, minute: int = 0) -> datetime:
    """A local instant of 2022."""
    return datetime(2022, month, day, hour, minute, tzinfo=VN)


def prompts(chat: Chat) -> list[str]:
    """The progress prompts this chat received."""
    return [m.plain for m in chat.messages if ASKED in m.plain and "Xin" in m.plain]


async def progress_sent(bot: Harness) -> list[str]:
    """Run the sweep now; the progress occasions it sent."""
    return [k for k in (await bot.sweep()).sent if k.startswith("progress:")]


async def people(bot: Harness, schedule: Schedule | None = None) -> dict[str, Chat]:
    """Secretary An (no plan), Bình (plan handed in), Cường (exempt), head Em (a draft)."""
    if schedule is None:
        await bot.open_campaign()
    else:
        await bot.open_campaign(schedule=schedule)
    chats = {
        "an": await signed_in(bot, "An", "0912345678"),
        "binh": await signed_in(bot, "Bình", "0987654321"),
        "cuong": await signed_in(bot, "Cường", "0905111222"),
        "em": await signed_in(bot, "Em", "0338123456"),
    }
    await fill_mau_01(chats["binh"], actions=2)
    await chats["binh"].press("📨 Gửi kế hoạch")
    await chats["em"].press("📝 Kế hoạch của tôi")
    return chats


async def test_mid_year_asks_only_those_who_handed_in_and_the_button_opens_their_actions(
    bot: Harness,
) -> None:
    """30/06 08:00: Bình is asked (as "đồng chí"); An, Cường and Em have no plan handed in."""
    chats = await people(bot)
    bot.clock.set(local(30, 6, 7, 59))
    assert await progress_sent(bot) == []
    bot.clock.set(local(30, 6, 8, 0))
    assert await progress_sent(bot) == ["progress:midyear:2022"]
    assert await progress_sent(bot) == []  # the same minute again: nothing new
    await bot.drain_outbox()
    [text] = prompts(chats["binh"])
    assert "giữa năm 2022" in text and "Xin đồng chí" in text
    for name in ("an", "cuong", "em"):
        assert prompts(chats[name]) == [], name
    [home] = await chats["binh"].press("📈 Cập nhật tiến độ")
    assert "1. Việc làm số 1: thăm hộ dân — chưa cập nhật" in home.plain


async def test_before_a_thematic_meeting_and_never_twice_in_a_week(bot: Harness) -> None:
    """A thematic meeting on 04/07 asks on 01/07, but Bình was asked on 30/06: skipped. One on
    15/07 asks on 12/07. A quán triệt session asks nothing. The review on 15/12 asks on 08/12."""
    chats = await people(bot)
    an, binh = chats["an"], chats["binh"]
    bot.clock.set(local(20, 6, 9))
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("04/07/2022 08:00; Hội trường thôn")
    await an.send("/lichhop")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("15/07/2022 08:00; Hội trường thôn")
    await an.send("/lichhop")
    await an.press("➕ Quán triệt")
    [scheduled] = await an.send("22/07/2022 08:00; Nhà văn hóa")
    assert "22/07/2022" in scheduled.plain and "quán triệt" in scheduled.plain
    bot.clock.set(local(30, 6, 8))
    assert await progress_sent(bot) == ["progress:midyear:2022"]
    await bot.drain_outbox()
    bot.clock.set(local(1, 7, 8))
    assert await progress_sent(bot) == ["progress:meeting:1:v1"]
    await bot.drain_outbox()
    assert len(prompts(binh)) == 1  # asked two days ago
    bot.clock.set(local(12, 7, 8))
    assert await progress_sent(bot) == ["progress:meeting:2:v1"]
    await bot.drain_outbox()
    [_, meeting] = prompts(binh)
    assert "sinh hoạt chuyên đề ngày 15/07/2022" in meeting
    bot.clock.set(local(19, 7, 8))
    assert await progress_sent(bot) == []  # the quán triệt of 22/07 asks nothing
    bot.clock.set(local(8, 12, 8))
    assert await progress_sent(bot) == ["progress:review:2022"]
    await bot.drain_outbox()
    assert "Ngày 15/12/2022 kiểm điểm, đánh giá cuối năm 2022" in prompts(binh)[-1]
    assert prompts(chats["em"]) == [] and prompts(an) == []


async def test_a_prompt_queued_before_the_quiet_hours_waits_until_morning(bot: Harness) -> None:
    """Mid-year at 20:59 (the campaign's hour) not sent by 21:00 goes at 07:00, once."""
    schedule = Schedule(remind_at=time(20, 59), midyear="30/06")
    chats = await people(bot, schedule)
    bot.clock.set(local(30, 6, 20, 59))
    assert await progress_sent(bot) == ["progress:midyear:2022"]
    bot.clock.set(local(30, 6, 21, 0))
    await bot.drain_outbox()
    assert prompts(chats["binh"]) == []
    bot.clock.set(local(1, 7, 6, 59))
    await bot.drain_outbox()
    assert prompts(chats["binh"]) == []
    bot.clock.set(local(1, 7, 7, 0))
    await bot.drain_outbox()
    assert len(prompts(chats["binh"])) == 1
    assert await progress_sent(bot) == []
    await bot.drain_outbox()
    assert len(prompts(chats["binh"])) == 1


async def test_after_downtime_a_prompt_goes_once_and_a_stale_one_never(
    db_url: str, api: FakeBotApi
) -> None:
    """Down from 29/06 to 03/07: the mid-year prompt goes on restart, once (not again after a
    second restart); down from 01/12 past the review (15/12): it is skipped, never sent."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        chats = await people(bot)
        bot.clock.set(local(29, 6, 9))
        assert await progress_sent(bot) == []
    binh = chats["binh"]
    async with running_bot(db_url, api) as bot:
        bot.clock.set(local(3, 7, 9))
        assert await progress_sent(bot) == ["progress:midyear:2022"]
        await bot.drain_outbox()
        assert len(prompts(binh)) == 1
    async with running_bot(db_url, api) as bot:
        bot.clock.set(local(3, 7, 9, 5))
        assert await progress_sent(bot) == []
        assert await bot.drain_outbox() == 0
        bot.clock.set(local(1, 12, 9))
        await bot.sweep()
    async with running_bot(db_url, api) as bot:
        bot.clock.set(local(16, 12, 9))
        report = await bot.sweep()
        assert "progress:review:2022" in report.skipped
        assert not [k for k in report.sent if k.startswith("progress:")]
        await bot.drain_outbox()
    assert len(prompts(binh)) == 1
    assert api.rejected() == []
