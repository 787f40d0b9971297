"""Long polling confirms a batch only once it was taken, and the elected poller stops at once
when its lock is lost, without confirming: against the fake Bot API, with a lock in memory."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from telegram import Bot

from bot.sandbox.fake_api import FakeBotApi
from handlers.telegram.elected import poll_when_elected
from handlers.telegram.polling import confirm, poll, sender_of
from handlers.telegram.webhook import WEBHOOK_UPDATES
from tests.waiting import PATIENCE

Batch = list[dict[str, Any]]


@pytest.fixture
async def bot(api: FakeBotApi) -> AsyncIterator[Bot]:
    async with Bot(api.token, base_url=f"{api.url}/bot") as made:
        yield made


def _ids(batch: Batch) -> list[int]:
    return [int(update["update_id"]) for update in batch]


def _polls(api: FakeBotApi) -> list[tuple[Any, Any]]:
    return [(c.params.get("offset"), c.params.get("timeout")) for c in api.calls_of("getUpdates")]


async def _push(api: FakeBotApi, count: int) -> None:
    for n in range(count):
        await api.push_update(api.new_update({"message": {"from": {"id": 7 + n}, "text": "a"}}))


def test_the_sender_of_a_message_or_a_press() -> None:
    """A message's and a press's sender is their ``from``; anything else has none."""
    assert sender_of({"message": {"from": {"id": 5}}}) == 5
    assert sender_of({"callback_query": {"from": {"id": 6}}}) == 6
    assert sender_of({"channel_post": {"text": "x"}}) is None
    assert sender_of({"message": {"from": {"id": "7"}}}) is None


async def test_a_batch_not_taken_is_asked_for_again_and_confirmed_once_taken(
    api: FakeBotApi, bot: Bot
) -> None:
    """``take`` says False (the database failed): the next getUpdates has the same offset and
    gets the same batch; once taken, the offset moves past it and the stop confirms it."""
    await _push(api, 2)
    stop = asyncio.Event()
    seen: list[list[int]] = []

    async def take(batch: Batch) -> bool:
        seen.append(_ids(batch))
        if len(seen) == 2:
            stop.set()
        return len(seen) == 2

    offset = await asyncio.wait_for(poll(bot, take, stop, backoff=0.0), PATIENCE)
    assert seen == [[1, 2], [1, 2]] and offset == 3
    assert [o for o, _ in _polls(api)] == [None, None]  # never past what was not taken
    await confirm(bot, offset)
    assert _polls(api)[-1] == (3, 0)


class MemoryLock:
    """The poller's lock as an object in memory: always granted, ``lost`` set by the test."""

    def __init__(self) -> None:
        self.lost = asyncio.Event()
        self.acquired = self.released = 0

    async def acquire(self, stop: asyncio.Event) -> bool:
        if stop.is_set():
            return False
        self.acquired += 1
        self.lost.clear()
        return True

    async def release(self) -> None:
        self.released += 1


async def test_a_lost_lock_stops_polling_unconfirmed_and_the_next_election_polls_again(
    api: FakeBotApi, bot: Bot
) -> None:
    """The lock is lost while a batch is being recorded: no more getUpdates (its offset would
    confirm), no confirming call; elected again, the same batch comes again, and a stop then
    confirms it and releases the lock."""
    await _push(api, 2)
    lock, stop = MemoryLock(), asyncio.Event()
    seen: list[list[int]] = []

    async def take(batch: Batch) -> bool:
        seen.append(_ids(batch))
        if len(seen) == 1:
            lock.lost.set()  # e.g. the database restarted meanwhile
        else:
            stop.set()
        return True

    await asyncio.wait_for(poll_when_elected(bot, lock, take, stop), PATIENCE)
    assert seen == [[1, 2], [1, 2]]  # unconfirmed, handed out again to the next poller
    assert _polls(api) == [(None, 10), (None, 10), (3, 0)]
    assert len(api.calls_of("deleteWebhook")) == lock.acquired == 2
    assert lock.released >= 2
    [first, *_] = api.calls_of("getUpdates")
    assert first.params["allowed_updates"] == WEBHOOK_UPDATES  # as the webhook asks: fewer gaps


async def test_a_stop_while_waiting_for_the_lock_polls_nothing(api: FakeBotApi, bot: Bot) -> None:
    """A replica stopped before it was elected never calls getUpdates."""
    stop = asyncio.Event()
    stop.set()

    async def take(batch: Batch) -> bool:
        raise AssertionError("nothing to take")

    await poll_when_elected(bot, MemoryLock(), take, stop)
    assert api.calls_of("getUpdates") == [] and api.calls_of("deleteWebhook") == []
