"""Filling a plan for someone without a smartphone: the secretary types it in their own chat."""

from __future__ import annotations

from bot.domain.models import Channel
from bot.domain.plans import PlanStatus
from bot.sandbox.harness import Harness
from tests.handlers.test_desk import desk_bot  # noqa: F401  (fixture)
from tests.helpers import fill_mau_01, signed_in

PROXY_BUTTON = "✍️ Điền hộ người chưa có điện thoại"


async def _person_id(bot: Harness, code: str) -> int:
    person = await bot.store.roster.person_by_code(code)
    assert person is not None
    return person.id


async def test_secretary_fills_and_submits_for_a_member_without_a_phone(
    desk_bot: Harness,  # noqa: F811
) -> None:
    """The plan is the member's, the history names the secretary, the document goes to her."""
    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    await an.send("/duyet")
    [listing] = await an.press(PROXY_BUTTON)
    assert "Trần Thị Bình — chưa bắt đầu" in listing.plain
    assert "Lê Văn Cường" in listing.plain
    assert "Phạm Minh Đức" not in listing.plain  # another cell
    assert "Nguyễn Văn An" not in listing.plain  # herself
    [first] = await an.press("✍️ Điền hộ: Trần Thị Bình")
    assert "điền hộ kế hoạch của Trần Thị Bình" in first.plain
    assert "Trần Thị Bình" in first.plain and "02/09/1988" in first.plain  # Bình's identity
    await fill_mau_01(an, actions=1, open_first=False)
    [done] = await an.press("📨 Gửi kế hoạch")
    assert "điền hộ kế hoạch của Trần Thị Bình" in done.plain

    binh_id = await _person_id(bot, "DV002")
    an_id = await _person_id(bot, "DV001")
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    plan = await bot.store.plans.plan_of(binh_id, campaign.id)
    assert plan is not None and plan.status is PlanStatus.SUBMITTED
    assert "Việc làm số 1: thăm hộ dân" in str(plan.draft.answers)
    assert await bot.store.plans.plan_of(an_id, campaign.id) is None  # her own plan untouched
    [event] = [e for e in await bot.store.plans.events(plan.id) if e.kind == "submitted"]
    assert event.actor_id == an_id
    assert event.detail["proxy"] == {"id": an_id, "name": "Nguyễn Văn An"}
    await bot.drain_outbox()
    assert any(m.kind == "document" for m in an.messages[-3:])
    entries = await bot.services.audit.entries()
    assert any(e.action.value == "proxy" and e.target == f"person:{binh_id}" for e in entries)

    # /huy ends the session: an old proxy button is refused and changes nothing.
    old = next(m for m in reversed(an.messages) if m.inline_buttons())
    [stopped] = await an.send("/huy")
    assert "Đã dừng điền hộ" in stopped.plain
    button = old.inline_buttons()[0]["callback_data"]
    [over] = await an.press_data(button, old)
    assert "đã kết thúc" in over.plain
    assert (await bot.store.plans.plan_of(binh_id, campaign.id)).status is PlanStatus.SUBMITTED  # type: ignore[union-attr]


async def test_proxy_is_refused_to_members_other_units_and_signed_in_people(
    desk_bot: Harness,  # noqa: F811
) -> None:
    """Forged presses start nothing; a member who signs in ends the secretary's session."""
    bot = desk_bot
    binh_id = await _person_id(bot, "DV002")
    duc_id = await _person_id(bot, "DV004")
    member = await signed_in(bot, "Em", "0338123456")  # head of the UBND, not of the cell
    [refused] = await member.press_data(f"r:pf:{binh_id}")
    assert "không có quyền" in refused.plain
    an = await signed_in(bot, "An", "0912345678")
    [refused] = await an.press_data(f"r:pf:{duc_id}")  # another cell
    assert "không có quyền" in refused.plain
    [started] = await an.press_data(f"r:pf:{binh_id}")
    assert "điền hộ" in started.plain
    binh = await signed_in(bot, "Bình", "0987654321")
    assert await bot.services.signin.whoami(Channel.TELEGRAM, str(binh.user.id)) is not None
    replies = await an.send("Anything typed now is not Bình's")
    assert not any("điền hộ kế hoạch của" in m.plain for m in replies)
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    plan = await bot.store.plans.plan_of(binh_id, campaign.id)
    assert plan is not None
    assert "Anything typed" not in str(plan.draft.answers)
    [again] = await an.press_data(f"r:pf:{binh_id}")  # she signed in: she writes her own
    assert "không có quyền" in again.plain
