"""An outbox row that cannot be rendered fails with its reason; it never stays "sending"."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import select, update

from bot.domain.outbox import MAX_ATTEMPTS, OutboxMessage, OutboxStatus, Priority
from bot.sandbox.harness import Harness
from storage.tables import outbox, plans
from tests.conftest import ROSTER
from tests.handlers.test_plan import plan_of, signed_in


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


async def test_a_document_that_cannot_be_drawn_fails_after_its_attempts(bot: Harness) -> None:
    """A plan stored before answers were scrubbed (U+FFFE in it) breaks the DOCX: the row is
    retried with pauses, then marked failed with the reason (it used to loop forever)."""
    await bot.load_roster(ROSTER)
    await bot.open_campaign()
    chat = await signed_in(bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    plan = await plan_of(bot, chat)
    assert plan is not None
    answers = {**plan.draft.answers, "study": "Học tập\ufffe chuyên đề\uffff"}
    async with bot.store.engine.begin() as conn:
        await conn.execute(
            update(plans).where(plans.c.id == plan.id).values(answers=json.dumps(answers))
        )
    row = OutboxMessage(
        key="doc:bad",
        person_id=plan.person_id,
        payload={
            "template": "notify.document",
            "params": {"form": "Mẫu 01"},
            "document_plan": plan.id,
        },
        priority=Priority.URGENT,
    )
    await bot.store.outbox.add([row], bot.clock.now())
    for _ in range(MAX_ATTEMPTS + 2):
        await bot.drain_outbox()
        status, error, _ = await _status(bot, "doc:bad")
        assert status != OutboxStatus.SENDING.value
        bot.clock.advance(timedelta(minutes=10))
    status, error, attempts = await _status(bot, "doc:bad")
    assert status == OutboxStatus.FAILED.value and attempts == MAX_ATTEMPTS
    assert "gave up" in error and "ValueError" in error
    bot.errors.clear()  # the failure was logged, as it should be


async def test_a_row_whose_sender_keeps_dying_is_failed_not_requeued(bot: Harness) -> None:
    """A row left "sending" by a dead process comes back, but not forever: after its attempts
    the sweep marks it failed."""
    await bot.load_roster(ROSTER)
    note = OutboxMessage(
        key="n", person_id=1, payload={"template": "notify.confirmed", "params": {}}
    )
    await bot.store.outbox.add([note], bot.clock.now())
    for attempt in range(1, MAX_ATTEMPTS + 1):
        [claimed] = await bot.store.outbox.claim(1, bot.clock.now(), timedelta(minutes=3))
        assert claimed.attempts == attempt
        bot.clock.advance(timedelta(minutes=5))  # the process died: the lease runs out
        await bot.store.outbox.requeue_stuck(bot.clock.now())
    status, error, _ = await _status(bot, "n")
    assert status == OutboxStatus.FAILED.value and "gave up" in error
    assert await bot.store.outbox.claim(1, bot.clock.now(), timedelta(minutes=3)) == []
