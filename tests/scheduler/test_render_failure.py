"""An outbox row that cannot be rendered fails with its reason; it never stays "sending"."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from bot.domain.outbox import MAX_ATTEMPTS, OutboxMessage, OutboxStatus, Priority
from bot.domain.payloads import Notice, PlanDocument
from bot.sandbox.harness import Harness
from storage.tables import outbox, plans
from tests.conftest import ROSTER
from tests.helpers import plan_of, signed_in


async def _status(bot: Harness, key: str) -> tuple[str, str, int]:
    async with bot.store.engine.connect() as conn:
        row = (
            await conn.execute(
                select(outbox.c.status, outbox.c.error, outbox.c.attempts).where(
                    outbox.c.key == key
                )
            )
        ).one()
    return row.status, row.error or "", row.attempts


async def _plan_with(
    bot: Harness, *, answers: dict[str, str] | None = None, form_id: str | None = None
) -> None:
    """Bình's draft plan as an older version might have left it, and its document queued."""
    await bot.load_roster(ROSTER)
    await bot.open_campaign()
    chat = await signed_in(bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    plan = await plan_of(bot, chat)
    assert plan is not None
    values: dict[str, object] = {}
    if answers is not None:
        values["answers"] = json.dumps({**plan.draft.answers, **answers})
    if form_id is not None:
        values["form_id"] = form_id
    async with bot.store.engine.begin() as conn:
        await conn.execute(update(plans).where(plans.c.id == plan.id).values(**values))
    document = OutboxMessage(
        key="doc",
        person_id=plan.person_id,
        payload=PlanDocument(
            template="notify.document", params={"form": "Mẫu 01"}, document_plan=plan.id
        ),
        priority=Priority.URGENT,
    )
    await bot.store.outbox.add([document], bot.clock.now())


async def test_a_document_that_cannot_be_built_fails_after_its_attempts(bot: Harness) -> None:
    """A plan whose document cannot be built (its form is gone) is retried with pauses, then
    marked failed with the reason; it used to stay "sending" and come back forever."""
    await _plan_with(bot, form_id="mau_gone")
    for _ in range(MAX_ATTEMPTS + 2):
        await bot.drain_outbox()
        status, error, _ = await _status(bot, "doc")
        assert status != OutboxStatus.SENDING.value
        bot.clock.advance(timedelta(minutes=10))
    status, error, attempts = await _status(bot, "doc")
    assert status == OutboxStatus.FAILED.value and attempts == MAX_ATTEMPTS
    assert "gave up" in error and "KeyError" in error
    bot.errors.clear()  # each failure was logged, as it should be


async def test_an_old_answer_with_a_noncharacter_still_gets_its_document(bot: Harness) -> None:
    """U+FFFE stored before answers were scrubbed no longer breaks the DOCX: it is sent."""
    await _plan_with(bot, answers={"study": "Học tập\ufffe chuyên đề\uffff\x01"})
    await bot.drain_outbox()
    assert (await _status(bot, "doc"))[0] == OutboxStatus.SENT.value


async def test_a_row_whose_sender_keeps_dying_is_failed_not_requeued(bot: Harness) -> None:
    """A row left "sending" by a dead process comes back, but not forever: after its attempts
    the sweep marks it failed."""
    await bot.load_roster(ROSTER)
    note = OutboxMessage(key="n", person_id=1, payload=Notice(template="notify.confirmed"))
    await bot.store.outbox.add([note], bot.clock.now())
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [claimed] = await bot.store.outbox.claim(1, bot.clock.now(), timedelta(minutes=3))
        assert claimed.attempts == attempt
        bot.clock.advance(timedelta(minutes=5))  # the process died: the lease runs out
        await bot.store.outbox.requeue_stuck(bot.clock.now())
    status, error, _ = await _status(bot, "n")
    assert status == OutboxStatus.FAILED.value and "gave up" in error
    assert await bot.store.outbox.claim(1, bot.clock.now(), timedelta(minutes=3)) == []
