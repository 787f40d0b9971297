"""A long digest on Zalo, end to end: Monday's digest job writes it to the outbox, the outbox
sends it on Zalo, and the offline Zalo Bot API receives it as two numbered parts, cut at a line
break, never inside a word."""

from __future__ import annotations

import re
from datetime import datetime
from itertools import product
from zoneinfo import ZoneInfo

from bot.domain.engine import Draft
from bot.domain.plans import PlanStatus
from bot.sandbox.fake_zalo import FakeZaloUser
from storage.plans_repo import change_status
from tests.conftest import ROSTER
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AN = FakeZaloUser(id="a0a0a0a0a0a0a0a0a0a1", display_name="An")
CELL = "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"
FAMILIES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Đặng")
MIDDLES = ("Thị Phương", "Văn Quang", "Ngọc Bảo", "Hữu Thành", "Minh Khánh")
GIVENS = ("Thảo", "Trường", "Nguyên", "Khoa")
PART = re.compile(r"\((\d)/(\d)\)\n")


def members() -> list[tuple[str, str]]:
    """(code, full name) of 95 more party members of An's cell, each name different."""
    names = [f"{f} {m} {g}" for f, m, g in product(FAMILIES, MIDDLES, GIVENS)][:95]
    return [(f"DX{n:03d}", name) for n, name in enumerate(names, start=1)]


async def test_a_long_digest_reaches_a_secretary_on_zalo_in_two_numbered_parts(
    zalo_bot: ZaloBot,
) -> None:
    """95 members: 55 have not handed in, 40 wait for confirmation; the digest is about 2,500
    characters, one message on Telegram, two on Zalo."""
    bot = zalo_bot.bot
    extra = "\n".join(f"{code},{name},,,Đảng viên,,{CELL},," for code, name in members())
    outcome = await bot.load_roster(f"{ROSTER.strip()}\n{extra}")
    assert outcome.summary is not None, outcome.parsed.errors
    an = ZaloChat(zalo_bot, AN)
    await an.send(await invite_code(bot, "DV001"))
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    waiting = members()[55:]
    for code, _ in waiting:
        person = await bot.store.roster.person_by_code(code)
        assert person is not None
        plan = await bot.store.plans.create_plan(
            person_id=person.id,
            campaign_id=campaign.id,
            form_id="mau_01",
            form_version=1,
            draft=Draft(),
            voluntary=False,
            now=bot.clock.now(),
        )
        now = bot.clock.now()
        await bot.store.database.write(
            lambda conn, plan=plan, now=now: change_status(
                conn,
                plan,
                status=PlanStatus.SUBMITTED,
                draft=plan.draft,
                now=now,
                actor_id=None,
                event="submitted",
                detail={},
            )
        )
    before = len(an.received)
    bot.clock.set(datetime(2022, 3, 28, 7, 30, tzinfo=VN))  # a Monday: the digest job's hour
    assert "digest:2022:2022-03-28" in (await bot.sweep()).sent
    assert await zalo_bot.drain_outbox() >= 1
    sent = an.received[before:]

    assert len(sent) == 2, [len(t) for t in sent]
    assert all(len(text) <= 2000 for text in sent)
    assert [PART.match(text).groups() for text in sent] == [("1", "2"), ("2", "2")]  # type: ignore[union-attr]
    first, second = (PART.sub("", text, count=1) for text in sent)
    whole = f"{first}\n{second}"
    assert 2300 <= len(whole) <= 2800  # "a 2,500-character digest"
    assert whole.startswith("📋 Tiến độ kế hoạch cá nhân năm 2022 — " + CELL)  # its year
    assert "<" not in whole  # plain text: no markup shown
    for _, name in members():  # every name once, none cut in two
        assert whole.count(name) == 1, name
    named = [line for line in whole.splitlines() if any(n in line for _, n in members())]
    assert [line.split(":")[0] for line in named] == ["Chưa nộp (57)", "Chờ xác nhận (40)"]
    assert "Chưa nộp (57)" in first and second.startswith("Chờ xác nhận (40)")  # at the break
    assert "Trần Thị Bình" in first  # the cell's own members are there too
