"""Issue 21 §4: a secretary's own plan is never in their own queue, and every "waiting" count
names the same plans as the list it stands for."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import Channel
from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from bot.services.desk import DeskList
from tests.conftest import ROSTER
from tests.helpers import EXTRA, fill_mau_01, fill_mau_2a, plan_of, signed_in

# The commune committee above the cells, with its own secretary.
ABOVE = (
    "\nDV020,Hà Văn Giang,01/01/1970,0911000020,Đảng viên,,Đảng bộ xã Phú Lạc,Bí thư đảng ủy,Bí thư"
)
VN = ZoneInfo("Asia/Ho_Chi_Minh")


@pytest.fixture
async def queue_bot(bot: Harness) -> Harness:
    """The campaign open; the extra people and the commune secretary on the roster."""
    await bot.open_campaign()
    outcome = await bot.load_roster(ROSTER.strip() + EXTRA + ABOVE)
    assert outcome.summary is not None, outcome.parsed.errors
    return bot


async def submitted(chat: Chat) -> None:
    await fill_mau_01(chat, actions=1)
    await chat.press("📨 Gửi kế hoạch")


def waiting_count(listing: str) -> int:
    """The desk's "waiting" count (its title and its tab say the same)."""
    found = re.search(r"đã gửi, chờ xác nhận: (\d+)", listing)
    assert found is not None, listing
    return int(found.group(1))


def listed(listing: str) -> list[str]:
    return [line[2:].split(" — ")[0] for line in listing.splitlines() if line.startswith("• ")]


def digest_waiting(text: str) -> tuple[int, str]:
    found = re.search(r"Chờ xác nhận \((\d+)\): (.*)", text)
    return (int(found.group(1)), found.group(2)) if found else (0, "")


async def test_a_secretarys_own_plan_goes_to_the_committee_above(queue_bot: Harness) -> None:
    """An (cell secretary) and Bình hand in: An's desk and digest wait for Bình only; the
    commune secretary is told of An's plan, lists both, and confirms An's."""
    bot = queue_bot
    an = await signed_in(bot, "An", "0912345678")
    giang = await signed_in(bot, "Giang", "0911000020")
    hoa = await signed_in(bot, "Hoa", "0977123456")  # admin
    binh = await signed_in(bot, "Bình", "0987654321")
    await submitted(an)
    await submitted(binh)
    await bot.drain_outbox()
    assert any("Nguyễn Văn An" in m.plain and "vừa gửi" in m.plain for m in giang.messages)
    assert not any("Nguyễn Văn An" in m.plain and "vừa gửi" in m.plain for m in hoa.messages)
    assert not any("Nguyễn Văn An" in m.plain and "vừa gửi" in m.plain for m in an.messages)

    [mine] = await an.send("/duyet")
    assert waiting_count(mine.plain) == 1 and listed(mine.plain) == ["Trần Thị Bình"]
    report = "\n".join(m.plain for m in await an.send("/baocao"))
    assert digest_waiting(report) == (1, "Trần Thị Bình")

    [above] = await giang.send("/duyet")
    assert waiting_count(above.plain) == 2
    assert sorted(listed(above.plain)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    report = "\n".join(m.plain for m in await giang.send("/baocao"))
    count, names = digest_waiting(report)
    assert count == 2 and "Nguyễn Văn An (Chi bộ thôn 1)" in names

    own = await plan_of(bot, an)
    forged = await an.press_data(f"r:ok:{own.id}.{own.rev}")  # An cannot confirm her own
    assert any("không có quyền" in m.plain for m in forged)
    assert (await plan_of(bot, an)).status is PlanStatus.SUBMITTED
    await giang.press("Xem: Nguyễn Văn An")
    [done] = await giang.press("✅ Xác nhận")
    assert "Đã xác nhận kế hoạch của Nguyễn Văn An" in done.plain
    assert (await plan_of(bot, an)).status is PlanStatus.CONFIRMED


async def test_the_weekly_digest_waits_on_what_each_reader_decides(queue_bot: Harness) -> None:
    """Monday's digest: the cell secretary's copy names only Bình as waiting (her own plan is
    the commune's to confirm), the commune secretary's names both; each equals their desk."""
    bot = queue_bot
    an = await signed_in(bot, "An", "0912345678")
    giang = await signed_in(bot, "Giang", "0911000020")
    binh = await signed_in(bot, "Bình", "0987654321")
    await submitted(an)
    await submitted(binh)
    await bot.drain_outbox()
    bot.clock.set(datetime(2022, 3, 28, 7, 30, tzinfo=VN))  # a Monday
    await bot.sweep()
    await bot.drain_outbox()
    for chat, expected in ((an, ["Trần Thị Bình"]), (giang, ["Nguyễn Văn An", "Trần Thị Bình"])):
        digest = next(m.plain for m in reversed(chat.messages) if "Tiến độ" in m.plain)
        count, names = digest_waiting(digest)
        [desk] = await chat.send("/duyet")
        assert count == waiting_count(desk.plain) == len(expected)
        assert sorted(n.split(" (")[0] for n in names.split(", ")) == expected
        assert sorted(listed(desk.plain)) == expected


async def test_every_reviewers_desk_is_exactly_their_queue(queue_bot: Harness) -> None:
    """For each reviewer (cell and commune secretaries, heads, the admin) the desk's waiting
    list and count are the handed-in plans the core's queue holds, and nothing else."""
    bot = queue_bot
    chats = {
        name: await signed_in(bot, name, phone)
        for name, phone in (
            ("An", "0912345678"),
            ("Giang", "0911000020"),
            ("Hoa", "0977123456"),
            ("Em", "0338123456"),
            ("Khải", "0355000333"),
            ("Bình", "0987654321"),
            ("Phú", "0355000111"),
            ("Lan", "0355000222"),
        )
    }
    for name in ("An", "Giang", "Bình"):
        await submitted(chats[name])
    await chats["Phú"].press("📝 Kế hoạch của tôi")
    await fill_mau_2a(chats["Phú"])
    await chats["Phú"].press("📨 Gửi kế hoạch")
    lan = chats["Lan"]
    await lan.press("📝 Kế hoạch của tôi")
    await lan.press("✅ Thông tin đúng")
    await lan.send("Số 12, khu phố 1")
    await lan.press("Hội Phụ nữ")
    for n in (1, 2):
        if n == 2:
            await lan.press("➕ Thêm Việc")
        await lan.send(f"Giữ vệ sinh đường làng, việc {n}")
        await lan.send("Hằng tuần")
    await lan.press("✅ Xong, sang phần tiếp")
    await lan.press("📨 Gửi kế hoạch")
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    standings = await bot.store.schedule.standings(campaign.id)
    handed_in = [s for s in standings if s.status is PlanStatus.SUBMITTED]
    assert len(handed_in) == 5
    for name in ("An", "Giang", "Hoa", "Em", "Khải"):
        viewer = await bot.services.signin.whoami(Channel.TELEGRAM, str(chats[name].user.id))
        assert viewer is not None
        queue = await bot.services.review.queue(viewer)
        assert queue is not None
        expected = {
            s.full_name for s in handed_in if queue.holds(s.person_id, s.unit_id, s.category)
        }
        screen = await bot.services.desk.listing(viewer, "submitted")
        assert isinstance(screen, DeskList)
        assert {r.full_name for r in screen.rows} == expected, name
        assert dict(screen.counts)[PlanStatus.SUBMITTED] == len(expected), name
        assert viewer.full_name not in expected
        [desk] = await chats[name].send("/duyet")
        assert waiting_count(desk.plain) == len(expected)
        report = "\n".join(m.plain for m in await chats[name].send("/baocao"))
        count, names = digest_waiting(report)
        assert count == len(expected), (name, report)
        assert {n.split(" (")[0] for n in names.split(", ") if n} == expected, name
