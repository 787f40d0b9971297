"""The Telegram update processor counts each update handled: ok, error or dropped, timed."""

from __future__ import annotations

import asyncio

from bot.services.metrics import Metrics
from handlers.telegram.concurrency import MAX_PENDING_PER_PERSON, PerPersonUpdateProcessor
from tests.handlers.test_concurrency import update


class Stopwatch:
    """A monotonic clock that moves one second each time it is read."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 1.0
        return self.now


async def test_updates_handled_are_counted_with_their_outcome_and_time() -> None:
    """A flood past the cap: the extra ones are ``dropped`` (not timed); one whose handler
    failed (the error handler said so) is an ``error``; the rest ``ok``, each timed."""
    metrics = Metrics(monotonic=Stopwatch())
    processor = PerPersonUpdateProcessor(metrics=metrics)
    gate = asyncio.Event()
    updates = [update(i, 7) for i in range(MAX_PENDING_PER_PERSON + 5)]

    async def handle(index: int) -> None:
        await gate.wait()
        if index == 0:
            processor.failed(updates[index])  # as PTB's error handler does (bot.app)

    tasks = [
        asyncio.create_task(processor.process_update(one, handle(index)))
        for index, one in enumerate(updates)
    ]
    await asyncio.sleep(0)  # one turn of the loop: every task reaches its lock or is dropped
    gate.set()
    await asyncio.gather(*tasks)

    def handled(result: str) -> float:
        return metrics.value("chuyende_updates_handled_total", channel="telegram", result=result)

    assert (handled("ok"), handled("error"), handled("dropped")) == (
        MAX_PENDING_PER_PERSON - 1,
        1,
        5,
    )
    count = metrics.value("chuyende_handling_seconds_count", channel="telegram")
    assert count == MAX_PENDING_PER_PERSON
    assert metrics.value("chuyende_handling_seconds_sum", channel="telegram") >= count
