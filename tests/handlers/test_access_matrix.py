"""Who may do what: every command and button, pressed by each kind of person, with forged ids.

Persons: a member (Bình), the secretary of Bình's cell (An), the secretary of another cell
(Giang), an admin (Hoa) and someone not signed in. Only the allowed cells succeed; the others get
a polite refusal (or the sign-in prompt) and nothing changes in the database.
"""

from __future__ import annotations

import pytest

from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import fill_mau_01, plan_of, signed_in

OTHER_SECRETARY = (
    "DV005,Lý Văn Giang,01/01/1970,0911000555,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 2,"
    "Bí thư chi bộ,Bí thư"
)
REFUSED = ("không có quyền", "chưa đăng nhập", "Nút này đã cũ")
PERSONS = ("member", "secretary", "other_secretary", "admin", "guest")

# command -> who may use it
COMMANDS = {
    "/kehoach": {"member", "secretary", "other_secretary", "admin"},
    "/toi": {"member", "secretary", "other_secretary", "admin"},
    "/lichhop": {"member", "secretary", "other_secretary", "admin"},
    "/donvi": {"secretary", "other_secretary"},
    "/duyet": {"secretary", "other_secretary", "admin"},
    "/baocao": {"secretary", "other_secretary", "admin"},
    "/thongke": {"admin"},
    "/tailieu": {"member", "secretary", "other_secretary", "admin"},
}


@pytest.fixture
async def world(bot: Harness) -> dict[str, Chat]:
    """Everyone signed in (but the guest), Bình's plan handed in, a meeting in Bình's cell."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + "\n" + OTHER_SECRETARY)
    chats = {
        "member": await signed_in(bot, "Bình", "0987654321"),
        "secretary": await signed_in(bot, "An", "0912345678"),
        "other_secretary": await signed_in(bot, "Giang", "0911000555"),
        "admin": await signed_in(bot, "Hoa", "0977123456"),
        "guest": bot.chat("Khách", phone="0900000000"),
    }
    await chats["guest"].send("/start")  # a stranger who opened the bot
    await fill_mau_01(chats["member"], actions=1)
    await chats["member"].press("📨 Gửi kế hoạch")
    await chats["secretary"].send("/lichhop")
    await chats["secretary"].press("➕ Quán triệt")
    await chats["secretary"].send("20/04/2022 07:30; Hội trường")
    await bot.drain_outbox()
    return chats


def refused(replies: list) -> bool:  # type: ignore[type-arg]
    return any(marker in r.plain for r in replies for marker in REFUSED)


@pytest.mark.parametrize("command", sorted(COMMANDS))
async def test_commands(bot: Harness, world: dict[str, Chat], command: str) -> None:
    """A command works for exactly the roles allowed to use it."""
    for person in PERSONS:
        replies = await world[person].send(command)
        assert replies, "every command gets an answer"
        outcome = [r.plain for r in replies]
        assert refused(replies) is (person not in COMMANDS[command]), (person, outcome)


@pytest.mark.parametrize("person", PERSONS)
async def test_plan_decisions_only_by_the_units_secretary_or_an_admin(
    bot: Harness, world: dict[str, Chat], person: str
) -> None:
    """Opening, confirming and returning Bình's plan by button data, forged or not."""
    plan = await plan_of(bot, world["member"])
    chat = world[person]
    opened = await chat.press_data(f"r:op:{plan.id}")
    may = person in ("secretary", "admin")
    assert any("Trần Thị Bình" in r.plain and "Chi bộ thôn 1" in r.plain for r in opened) is may
    await chat.press_data(f"r:rt:{plan.id}.{plan.rev}")
    await chat.press_data(f"r:ry:{plan.id}.{plan.rev}")  # "Có" under "Chắc chắn?"
    await chat.send("Trả lại giả")  # a comment only counts after a permitted "Trả lại"
    after = await plan_of(bot, world["member"])
    assert (after.status is PlanStatus.RETURNED) is may
    if not may:
        assert after.status is PlanStatus.SUBMITTED and after.rev == plan.rev
        await chat.press_data(f"r:ok:{plan.id}.{plan.rev}")
        assert (await plan_of(bot, world["member"])).status is PlanStatus.SUBMITTED


@pytest.mark.parametrize("person", PERSONS)
async def test_meetings_only_by_the_units_secretary(
    bot: Harness, world: dict[str, Chat], person: str
) -> None:
    """Editing or cancelling the cell's meeting by button data works only for its secretary."""
    chat = world[person]
    await chat.press_data("m:cy:1.1")
    meeting = await bot.store.meetings.get(1)
    assert meeting is not None
    assert (meeting.status.value == "cancelled") is (person == "secretary")


@pytest.mark.parametrize("person", PERSONS)
async def test_someone_elses_plan_buttons_touch_only_ones_own_plan(
    bot: Harness, world: dict[str, Chat], person: str
) -> None:
    """Plan buttons carry no plan id: pressed by anyone, Bình's plan stays as it is."""
    before = await plan_of(bot, world["member"])
    chat = world[person]
    for data in (f"p:{before.rev}:ro:", f"p:{before.rev}:sb:", "p:0:go:", f"p:{before.rev}:dl:0"):
        await chat.press_data(data)
    after = await plan_of(bot, world["member"])
    if person != "member":
        assert (after.status, after.rev, after.draft.answers) == (
            before.status,
            before.rev,
            before.draft.answers,
        )


@pytest.mark.parametrize("person", PERSONS)
async def test_filling_for_someone_only_by_their_secretary_or_an_admin(
    bot: Harness, world: dict[str, Chat], person: str
) -> None:
    """Cường has no chat account: only his cell's secretary or an admin may type his plan; a
    forged owner in plan buttons (Bình, who is signed in) reaches nobody's plan."""
    cuong = await bot.store.roster.person_by_code("DV003")
    binh = await plan_of(bot, world["member"])
    assert cuong is not None
    chat = world[person]
    replies = await chat.press_data(f"r:pf:{cuong.id}")
    started = any("điền hộ kế hoạch của Lê Văn Cường" in r.plain for r in replies)
    assert started is (person in ("secretary", "admin")), [r.plain for r in replies]
    if person != "guest":  # a stranger's press gets the "old button" toast only
        assert refused(replies) is not started
    for data in (f"p:{binh.person_id}.{binh.rev}:ro:", f"p:{binh.person_id}.{binh.rev}:sb:"):
        await chat.press_data(data)
    after = await plan_of(bot, world["member"])
    assert (after.status, after.rev) == (binh.status, binh.rev)


@pytest.mark.parametrize("person", PERSONS)
async def test_library_presses_by_audience_and_role(
    bot: Harness, world: dict[str, Chat], person: str
) -> None:
    """A material of thôn 1 opens and is marked only by thôn 1 and the admin; adding,
    announcing and "who has studied" only by who may; nothing else changes."""
    cell = "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"
    material = await bot.services.library.add_file(
        None, "a.pdf", b"%PDF-1.4 x", title="Của thôn 1", kind="nam", audience=f"unit:{cell}"
    )
    chat = world[person]
    opened = await chat.press_data(f"l:op:{material.id}")
    sees = person in ("member", "secretary", "admin")
    assert any(r.kind == "document" for r in opened) is sees, [r.plain for r in opened]
    await chat.press_data(f"l:ok:{material.id}")
    marked = await bot.store.library.counts()
    assert marked.get(material.id, 0) == (1 if sees else 0)
    follow = await chat.press_data("l:who:")
    assert any("Của thôn 1: 1/" in r.plain for r in follow) is (person == "secretary")
    none_for_giang = any("Chưa có tài liệu bắt buộc" in r.plain for r in follow)
    assert none_for_giang is (person == "other_secretary")  # thôn 2 is not its audience
    adding = await chat.press_data("l:add:")
    assert any("Thêm tài liệu" in r.plain for r in adding) is (person == "admin")
    notice = await chat.press_data(f"l:ns:{material.id}")
    assert any("Đã xếp" in r.plain for r in notice) is (person == "admin")
