"""Typed text that shows nothing is empty; what XML or Telegram refuse is cleaned away."""

from __future__ import annotations

from bot.locales import Catalog
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import STUDY, plan_of, signed_in


async def test_an_invisible_answer_is_asked_again(bot: Harness) -> None:
    """Zero-width space, joiners, BOM and word joiner count as nothing typed."""
    await bot.load_roster(ROSTER)
    await bot.open_campaign()
    empty = Catalog.load().plain("plan.invalid.empty")
    chat = await signed_in(bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    for typed in ("\u200b", "\u200c \u200d", "\ufeff\u2060", " \u200b\n\u200b "):
        replies = await chat.send(typed)
        assert any(empty in reply.plain for reply in replies), typed
    plan = await plan_of(bot, chat)
    assert plan is not None and plan.draft.buffer == ""
    await chat.send(STUDY + "\ufffe")
    plan = await plan_of(bot, chat)
    assert plan is not None and plan.draft.buffer == STUDY


async def test_an_invisible_return_comment_is_no_comment(bot: Harness) -> None:
    """A secretary's comment of zero-width characters does not return the plan; control
    characters in a real one are dropped before the member sees it."""
    from bot.domain.plans import PlanStatus
    from tests.helpers import fill_mau_01

    await bot.load_roster(ROSTER)
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    await an.send("/duyet")
    await an.press("Xem: Trần Thị Bình")
    await an.press("↩️ Trả lại")  # "Chắc chắn?" first
    await an.press("Có")
    await an.send("\u200b\ufeff")
    plan = await plan_of(bot, binh)
    assert plan is not None and plan.status is PlanStatus.SUBMITTED
    await an.send("Cần\x00 cụ thể\ufffe hơn")
    plan = await plan_of(bot, binh)
    assert plan is not None and plan.status is PlanStatus.RETURNED
    assert plan.return_comment == "Cần cụ thể hơn"


async def test_a_campaign_title_is_scrubbed(bot: Harness) -> None:
    """The campaign's title and place are printed in every document: no control characters."""
    from datetime import date

    campaign = await bot.services.plans.set_campaign(
        year=2022,
        title="Chuyên đề\x0b 2022\ufffe",
        deadline=date(2022, 4, 30),
        place="Tuy\x01 Phong",
    )
    assert (campaign.title, campaign.place) == ("Chuyên đề 2022", "Tuy Phong")


async def test_a_campaign_cannot_name_the_year_review_as_a_plan_form(bot: Harness) -> None:
    """The year-end review draft (kiem_diem) is a form file too, but never anyone's plan form."""
    from datetime import date

    import pytest

    from bot.domain.models import Category

    with pytest.raises(ValueError, match="not plan forms"):
        await bot.services.plans.set_campaign(
            year=2022,
            title="Chuyên đề 2022",
            deadline=date(2022, 4, 30),
            place="Tuy Phong",
            forms={Category.PARTY_MEMBER: "kiem_diem"},
        )
    assert await bot.services.plans.campaign() is None


async def test_broadcast_text_is_scrubbed_and_an_invisible_one_is_empty(bot: Harness) -> None:
    """A broadcast (composer or command line: the same service) loses its control characters;
    one of zero-width characters alone is refused as empty."""
    import pytest

    from bot.services.broadcasts import BroadcastError

    await bot.load_roster(ROSTER)
    binh = await signed_in(bot, "Bình", "0987654321")
    with pytest.raises(BroadcastError) as refused:
        await bot.services.broadcasts.preview("\u200b\u2060", "all")
    assert refused.value.code == "empty"
    _, preview = await bot.services.broadcasts.send("<b>Họp\x00 chi bộ</b>\ufffe\x1f", "all")
    assert preview.text == "Họp chi bộ"
    await bot.drain_outbox()
    assert binh.last.plain == "Họp chi bộ"
