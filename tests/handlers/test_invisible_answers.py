"""An answer that shows nothing (zero-width characters, spaces) is asked again as empty."""

from __future__ import annotations

from bot.locales import Catalog
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.handlers.test_plan import STUDY, plan_of, signed_in


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
