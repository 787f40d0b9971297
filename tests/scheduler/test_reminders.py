"""Deadline and returned-plan reminders, quiet hours, catch-up after downtime, digests."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain.models import Channel
from bot.domain.outbox import OutboxStatus
from bot.domain.schedule import Schedule
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot
from storage.tables import outbox
from tests.conftest import ROSTER
from tests.helpers import fill_mau_01, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")


def local(day: int, month: int, hour: int = 8, minute: int = 0) -> datetime:
    """A local instant of 2022."""
    return datetime(2022, month, day, hour, minute, tzinfo=VN)


def reminders(chat: Chat) -> list[str]:
    """Texts of the deadline reminders this chat received."""
    return [m.plain for m in chat.messages if "hết hạn nộp" in m.plain or "hạn cuối" in m.plain]


async def outbox_keys(bot: Harness) -> list[str]:
    """Every outbox key, oldest first."""
    async with bot.store.engine.connect() as conn:
        return list((await conn.execute(select(outbox.c.key).order_by(outbox.c.id))).scalars())


async def digest_sent(bot: Harness, monday: datetime) -> None:
    """Send that Monday's digest, so a later sweep does not send it late."""
    bot.clock.set(monday)
    assert [k for k in (await bot.sweep()).sent if k.startswith("digest")]
    await bot.drain_outbox()


async def people(bot: Harness) -> dict[str, Chat]:
    """The secretary An, member Bình, exempt Cường and head Em, all signed in."""
    await bot.open_campaign()
    return {
        "an": await signed_in(bot, "An", "0912345678"),
        "binh": await signed_in(bot, "Bình", "0987654321"),
        "cuong": await signed_in(bot, "Cường", "0905111222"),
        "em": await signed_in(bot, "Em", "0338123456"),
    }


async def test_deadline_reminders_reach_only_those_who_owe_a_plan(bot: Harness) -> None:
    """T-14 goes to required, linked people without a handed-in plan; the button resumes."""
    chats = await people(bot)
    await fill_mau_01(chats["an"], actions=1)
    await chats["an"].press("📨 Gửi kế hoạch")
    bot.clock.set(local(16, 4, 7, 59))
    assert (await bot.sweep()).sent == ["digest:2022:2022-04-11"]  # Monday's, missed: sent late
    bot.clock.set(local(16, 4, 8, 0))
    report = await bot.sweep()
    assert report.sent == ["deadline:2022:T-14"]
    await bot.drain_outbox()
    assert reminders(chats["an"]) == []  # handed in
    assert reminders(chats["cuong"]) == []  # exempt
    [text] = reminders(chats["binh"])
    assert "Còn 14 ngày" in text and "30/04/2022" in text
    assert len(reminders(chats["em"])) == 1
    [step] = await chats["binh"].press("📝 Làm tiếp")
    assert "Câu" in step.plain or "Thông tin" in step.plain
    assert (await bot.sweep()).sent == []  # the same minute again: nothing new
    await bot.drain_outbox()
    assert len(reminders(chats["binh"])) == 1


async def test_downtime_sends_the_newest_useful_reminder_once_and_drops_stale_ones(
    db_url: str, api: FakeBotApi
) -> None:
    """After a week down only T-3 goes out (T-7 skipped); after the deadline nothing does."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        chats = await people(bot)
        bot.clock.set(local(16, 4, 9))
        await bot.sweep()
        await bot.drain_outbox()
    binh = chats["binh"]
    assert len(reminders(binh)) == 1
    # Down from 16/04 to 27/04 09:00: T-7 (23/04) and T-3 (27/04 08:00) fell due meanwhile.
    async with running_bot(db_url, api) as bot:
        bot.clock.set(local(27, 4, 9))
        report = await bot.sweep()
        assert [k for k in report.sent if k.startswith("deadline")] == ["deadline:2022:T-3"]
        assert "deadline:2022:T-7" in report.skipped
        assert report.sent == ["digest:2022:2022-04-27", "deadline:2022:T-3"]  # today's digest
        await bot.drain_outbox()
        assert "Còn 3 ngày" in reminders(binh)[-1] and len(reminders(binh)) == 2
    async with running_bot(db_url, api) as bot:  # a second restart sends nothing again
        bot.clock.set(local(27, 4, 9, 5))
        assert (await bot.sweep()).sent == []  # nothing twice because of a restart
        assert await bot.drain_outbox() == 0
        bot.clock.set(local(2, 5, 9))  # down across the deadline: T-1 is stale
        report = await bot.sweep()
        assert "deadline:2022:T-1" in report.skipped and not any(
            k.startswith("deadline") for k in report.sent
        )
    assert len(reminders(binh)) == 2
    assert api.rejected() == []


async def test_quiet_hours_hold_waves_until_morning(bot: Harness) -> None:
    """A wave queued before 21:00 and not sent by then waits until 07:00."""
    chats = await people(bot)
    custom = Schedule(deadline_days=(14,), remind_at=datetime(2022, 1, 1, 20, 59).time())
    await bot.open_campaign(schedule=custom)
    await digest_sent(bot, local(11, 4, 7, 30))
    bot.clock.set(local(16, 4, 20, 59))
    assert (await bot.sweep()).sent == ["deadline:2022:T-14"]
    bot.clock.set(local(16, 4, 21, 0))  # the queue was not drained in time
    assert await bot.drain_outbox() == 0
    assert reminders(chats["binh"]) == []
    bot.clock.set(local(17, 4, 6, 59))
    assert await bot.drain_outbox() == 0
    bot.clock.set(local(17, 4, 7, 0))
    assert await bot.drain_outbox() == 3
    assert len(reminders(chats["binh"])) == 1


async def test_returned_plan_gets_its_own_reminder(bot: Harness) -> None:
    """Two days after a plan is returned, its author is reminded with the comment."""
    chats = await people(bot)
    binh = chats["binh"]
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    an = await bot.services.signin.whoami(Channel.TELEGRAM, str(chats["an"].user.id))
    plan = await bot.store.plans.plan_of(2, (await bot.services.plans.campaign()).id)  # type: ignore[union-attr]
    assert an is not None and plan is not None
    bot.clock.set(local(1, 4, 10))
    await bot.services.review.decide(an, plan.id, confirm=False, comment="Ghi rõ <thời gian>")
    bot.clock.set(local(3, 4, 8))
    report = await bot.sweep()
    assert f"returned:{plan.id}:r{plan.rev + 1}" in report.sent
    await bot.drain_outbox()
    assert "vẫn đang chờ sửa" in binh.last.plain and "Ghi rõ <thời gian>" in binh.last.plain
    bot.clock.set(local(16, 4, 8))  # in the deadline wave a returned plan has its own wording
    await bot.sweep()
    await bot.drain_outbox()
    assert "đang được trả lại để sửa" in binh.last.plain


async def test_digest_counts_names_and_flags_for_a_known_roster(bot: Harness) -> None:
    """Monday's digest tells the cell secretary who is missing, waiting and unreachable."""
    chats = await people(bot)
    await fill_mau_01(chats["binh"], actions=1)
    await chats["binh"].press("📨 Gửi kế hoạch")
    bot.api.blocked.add(chats["cuong"].user.id)
    bot.clock.set(local(28, 3, 7, 30))  # a Monday
    report = await bot.sweep()
    assert report.sent == ["digest:2022:2022-03-28"]
    await bot.drain_outbox()
    digest = next(m.plain for m in reversed(chats["an"].messages) if "Tiến độ" in m.plain)
    assert "Chi bộ thôn 1" in digest
    assert "Phải nộp: 2 · Đã nộp: 1 (đã xác nhận 0) · Trả lại: 0" in digest
    assert "Chưa nộp (1): Nguyễn Văn An" in digest
    assert "Chờ xác nhận (1): Trần Thị Bình" in digest
    assert "Được miễn: 1" in digest
    assert "Chưa có buổi sinh hoạt nào sắp tới" in digest
    assert "0/2" in digest  # no thematic meeting yet this year
    head = next(m.plain for m in reversed(chats["em"].messages) if "Tiến độ" in m.plain)
    assert "UBND xã" in head and "Chưa nộp (1): Võ Thị Em" in head
    # Cường blocked the bot: a message to him fails and the next digest names him.
    bot.clock.set(local(29, 3, 9))
    await bot.store.outbox.add([_note(3)], bot.clock.now())
    await bot.drain_outbox()
    assert (await bot.store.outbox.counts()).get(OutboxStatus.FAILED.value) == 1
    bot.clock.set(local(4, 4, 7, 30))
    await bot.sweep()
    await bot.drain_outbox()
    digest = next(m.plain for m in reversed(chats["an"].messages) if "Tiến độ" in m.plain)
    assert "Không liên lạc được: 1" in digest and "Lê Văn Cường" in digest
    bot.api.blocked.clear()
    await chats["cuong"].send("/start")  # he unblocked the bot: reachable again
    [reply] = await chats["an"].send("/baocao")
    assert "Không liên lạc được: 0" in reply.plain
    assert [c for c in bot.api.rejected() if c.status != 403] == []
    bot.api.calls.clear()


def _note(person_id: int):  # type: ignore[no-untyped-def]
    from bot.domain.outbox import OutboxMessage
    from bot.domain.payloads import Notice

    return OutboxMessage(
        key=f"test:note:{person_id}",
        person_id=person_id,
        payload=Notice(template="notify.confirmed"),
    )


async def test_daily_digests_in_the_last_week_and_on_demand_report(bot: Harness) -> None:
    """From 24/04 a digest goes out every morning; /baocao answers at once; members may not."""
    chats = await people(bot)
    sent = []
    for day in range(22, 31):
        bot.clock.set(local(day, 4, 7, 30))
        sent += (await bot.sweep()).sent
    digests = [k for k in sent if k.startswith("digest")]
    missed = ["digest:2022:2022-04-18"]  # Monday's, not swept that day: sent late on Friday
    assert digests == missed + [f"digest:2022:2022-04-{d}" for d in range(24, 31)]
    [reply] = await chats["an"].send("/baocao")
    assert "hạn cuối" in reply.plain and "Chi bộ thôn 1" in reply.plain
    [refused] = await chats["binh"].send("/baocao")
    assert "không có quyền" in refused.plain
    admin = await signed_in(bot, "Hoa", "0977123456")
    [everyone] = await admin.send("/baocao")
    assert "Toàn bộ tổ chức" in everyone.plain and "Phải nộp: 5" in everyone.plain
    assert "Tin gửi đi — chờ gửi: " in everyone.plain  # the outbox, as on the command line


async def test_a_bot_killed_while_draining_loses_nothing(db_url: str, api: FakeBotApi) -> None:
    """Rows leased by a dead process come back after the lease; every reminder arrives once."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        chats = await people(bot)
        await digest_sent(bot, local(11, 4, 7, 30))
        bot.clock.set(local(16, 4, 8))
        await bot.sweep()
        from datetime import timedelta as td

        leased = await bot.store.outbox.claim(2, bot.clock.now(), td(minutes=3))
        assert len(leased) == 2  # ... and the process dies before sending them
    async with running_bot(db_url, api) as bot:
        bot.clock.set(local(16, 4, 8, 1))
        await bot.drain_outbox()
        assert sum(len(reminders(c)) for c in chats.values()) == 1  # the unleased one
        bot.clock.set(local(16, 4, 8, 4))  # the lease ran out
        assert (await bot.sweep()).requeued == 2
        await bot.drain_outbox()
    assert [len(reminders(c)) for c in chats.values()] == [1, 1, 0, 1]
    keys = await _keys(db_url)
    assert len(keys) == len(set(keys))


async def _keys(db_url: str) -> list[str]:
    from storage.store import Store

    store = await Store.open(db_url)
    try:
        async with store.engine.connect() as conn:
            return list((await conn.execute(select(outbox.c.key))).scalars())
    finally:
        await store.close()


def test_clock_helper_is_local() -> None:
    """The helper builds Vietnamese local time (UTC+7)."""
    assert local(16, 4).utcoffset() == timedelta(hours=7)


async def test_admin_takes_the_district_table_from_the_report(bot: Harness) -> None:
    """Under the admin's /baocao a button sends the XLSX by unit; a member's forged press fails."""
    import io

    from openpyxl import load_workbook

    chats = await people(bot)
    admin = await signed_in(bot, "Hoa", "0977123456")
    [report] = await admin.send("/baocao")
    assert "📊 Tải bảng theo đơn vị (XLSX, có biểu đồ)" in admin.buttons()
    [chart, table] = await admin.press("📊 Tải bảng theo đơn vị (XLSX, có biểu đồ)")
    assert chart.kind == "photo" and (chart.file_bytes or b"")[:8] == b"\x89PNG\r\n\x1a\n"
    assert "Tỷ lệ nộp kế hoạch" in chart.plain
    assert table.kind == "document" and table.file_name == "bao-cao-theo-don-vi.xlsx"
    book = load_workbook(io.BytesIO(table.file_bytes or b""))
    units = [str(r[0]).strip() for r in book.worksheets[0].iter_rows(min_row=2, values_only=True)]
    assert "Chi bộ thôn 1" in units and "Ban Tuyên giáo" in units
    [refused] = await chats["binh"].press_data("u:rep:")
    assert "không có quyền" in refused.plain
    assert "Toàn bộ tổ chức" in report.plain


def late_reminders(chat: Chat) -> list[str]:
    """Texts of the reminders after the deadline this chat received."""
    return [m.plain for m in chat.messages if "hạn đã qua ngày" in m.plain]


def digests(chat: Chat) -> list[str]:
    """Texts of the digests this chat received."""
    return [m.plain for m in chat.messages if "Tiến độ" in m.plain]


async def test_a_reminder_held_for_a_day_says_the_days_left_when_it_arrives(bot: Harness) -> None:
    """T-7 queued on 23/04 but sent on 24/04 (the sender was down) says 6 days, not 7."""
    chats = await people(bot)
    bot.clock.set(local(23, 4, 8))
    assert "deadline:2022:T-7" in (await bot.sweep()).sent
    bot.clock.set(local(24, 4, 8))
    await bot.drain_outbox()
    [text] = reminders(chats["binh"])
    assert "Còn 6 ngày" in text and "30/04/2022" in text


async def test_a_meeting_reminder_in_quiet_hours_goes_at_seven_or_is_dropped(bot: Harness) -> None:
    """2 h before an 08:00 meeting: nothing the evening before, at 07:00 '1 hour left'; 2 h
    before a 07:00 meeting: recorded as expired with the reason, never sent."""
    chats = await people(bot)
    an, binh = chats["an"], chats["binh"]
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("15/04/2022 08:00; Hội trường thôn")
    await an.send("/lichhop")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("16/04/2022 07:00; Nhà văn hóa")
    bot.clock.set(local(13, 4, 8))
    await bot.sweep()  # the 72-hour reminders
    await bot.drain_outbox()
    told = len(binh.messages)
    bot.clock.set(local(14, 4, 20, 59))
    assert [k for k in (await bot.sweep()).sent if k.startswith("meeting")] == []
    bot.clock.set(local(15, 4, 6, 0))
    assert [k for k in (await bot.sweep()).sent if k.startswith("meeting")] == []
    bot.clock.set(local(15, 4, 7, 0))
    assert [k for k in (await bot.sweep()).sent if k.startswith("meeting")] == ["meeting:1:v1:H-2"]
    await bot.drain_outbox()
    [soon] = [m.plain for m in binh.messages[told:]]
    assert "còn 1 giờ" in soon and "15/04/2022 08:00" in soon
    bot.clock.set(local(16, 4, 5, 0))
    report = await bot.sweep()
    assert (
        list(report.expired) == ["meeting:2:v1:H-2"]
        and "quiet" in report.expired["meeting:2:v1:H-2"]
    )
    bot.clock.set(local(16, 4, 7, 0))
    assert [k for k in (await bot.sweep()).sent if k.startswith("meeting")] == []
    await bot.drain_outbox()
    assert len(binh.messages) == told + 1


async def test_after_the_deadline_the_chase_goes_on_weekly(bot: Harness) -> None:
    """From 07/05 those who still owe a plan get a weekly late reminder (a non-party head in
    neutral words); secretaries whose unit is not complete still get Monday's digest."""
    chats = await people(bot)
    await fill_mau_01(chats["an"], actions=1)
    await chats["an"].press("📨 Gửi kế hoạch")
    bot.clock.set(local(1, 5, 9))
    await bot.sweep()
    await bot.drain_outbox()
    bot.clock.set(local(7, 5, 8))
    assert "late:2022:D+7" in (await bot.sweep()).sent
    await bot.drain_outbox()
    [late] = late_reminders(chats["binh"])
    assert late.startswith("⏰ Đồng chí chưa gửi kế hoạch cá nhân; hạn đã qua ngày 30/04/2022")
    assert "(7 ngày trước)" in late
    [neutral] = late_reminders(chats["em"])
    assert "Đồng chí" not in neutral and "Kế hoạch cá nhân chưa được gửi" in neutral
    assert late_reminders(chats["an"]) == late_reminders(chats["cuong"]) == []
    [step] = await chats["binh"].press("📝 Làm tiếp")
    assert "Câu" in step.plain or "Thông tin" in step.plain
    before = len(digests(chats["an"]))
    bot.clock.set(local(9, 5, 7, 30))  # a Monday
    assert "digest:2022:2022-05-09" in (await bot.sweep()).sent
    await bot.drain_outbox()
    assert len(digests(chats["an"])) == before + 1
    assert "Đã quá hạn nộp" in digests(chats["an"])[-1]
    bot.clock.set(local(14, 5, 8))
    assert "late:2022:D+14" in (await bot.sweep()).sent
    await bot.drain_outbox()
    assert "(14 ngày trước)" in late_reminders(chats["binh"])[-1]


async def test_late_reminders_can_be_turned_off(bot: Harness) -> None:
    """With late_every_days = 0 nothing is sent after the deadline."""
    chats = await people(bot)
    await bot.open_campaign(schedule=Schedule(late_every_days=0))
    bot.clock.set(local(1, 5, 9))
    await bot.sweep()
    bot.clock.set(local(9, 5, 8))
    assert (await bot.sweep()).sent == []
    await bot.drain_outbox()
    assert late_reminders(chats["binh"]) == []


async def test_a_returned_plan_is_chased_after_the_deadline(bot: Harness) -> None:
    """A plan returned and not sent again gets the late wording for returned plans."""
    chats = await people(bot)
    binh = chats["binh"]
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    an = await bot.services.signin.whoami(Channel.TELEGRAM, str(chats["an"].user.id))
    plan = await bot.store.plans.plan_of(2, (await bot.services.plans.campaign()).id)  # type: ignore[union-attr]
    assert an is not None and plan is not None
    await bot.services.review.decide(an, plan.id, confirm=False, comment="Ghi rõ thời gian")
    bot.clock.set(local(7, 5, 8))
    await bot.sweep()
    await bot.drain_outbox()
    [late] = late_reminders(binh)
    assert "được trả lại để sửa và chưa được gửi lại" in late


async def test_thematic_quarters_count_from_the_campaign_opening(bot: Harness) -> None:
    """A campaign opened in July flags only the third quarter, not I and II."""
    bot.clock.set(local(5, 7, 9))
    chats = await people(bot)
    bot.clock.set(local(20, 8, 9))
    [reply] = await chats["an"].send("/baocao")
    assert "trong quý: III." in reply.plain
