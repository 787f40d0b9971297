"""Seen keys and offered choices asked for at once go in together, and still mean the same."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.domain.choices import Choice
from bot.domain.models import Channel
from storage.batch import Batch
from storage.engine import make_engine
from storage.store import Store
from tests.conftest import PG_SKIP, PG_URL

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(params=["sqlite", "postgresql"])
async def replicas(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[list[Store]]:
    """Two stores on one database, as two bot processes (replicas) would have."""
    if request.param == "sqlite":
        url, options = f"sqlite+aiosqlite:///{tmp_path / 'twins.db'}", {}
        cleanup = None
    else:
        if not PG_URL:
            pytest.skip(PG_SKIP)
        url = PG_URL
        schema = f"t_{uuid.uuid4().hex[:12]}"
        cleanup = make_engine(PG_URL)
        async with cleanup.begin() as conn:
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        options = {"connect_args": {"server_settings": {"search_path": schema}}}
    first = await Store.open(url, **options)
    second = await Store.open(url, migrate=False, **options)
    try:
        yield [first, second]
    finally:
        await first.close()
        await second.close()
        if cleanup is not None:
            async with cleanup.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
            await cleanup.dispose()


async def test_an_event_delivered_to_both_replicas_at_once_is_taken_once(
    replicas: list[Store],
) -> None:
    """Forty events, each delivered twice to each replica at the same moment: one True each."""
    keys = [f"message.text.received:{n}" for n in range(40)]
    calls = [
        store.inbox.record("zalo", key, "z:a", n, "{}", NOW)
        for n, key in enumerate(keys)
        for store in (*replicas, *replicas)
    ]
    answers = await asyncio.gather(*calls)
    taken = [answers[i * 4 : i * 4 + 4].count(True) for i in range(len(keys))]
    assert taken == [1] * len(keys)
    assert not await replicas[1].inbox.record("zalo", keys[0], "z:a", 0, "{}", NOW)
    assert await replicas[1].inbox.record("telegram", keys[0], "t:a", 0, "{}", NOW)


async def test_offers_written_at_once_are_read_back_per_chat(replicas: list[Store]) -> None:
    """Many chats' choices written together land in their own chat; the last write wins."""
    store, other = replicas
    chats = [f"chat{n}" for n in range(30)]
    await asyncio.gather(
        *(
            store.offers.offer(Channel.ZALO, chat, [Choice(f"Mục {chat}", f"p:1:{chat}")], NOW)
            for chat in chats
        )
    )
    await asyncio.gather(
        store.offers.offer(Channel.ZALO, "chat0", [Choice("Cũ", "p:1:old")], NOW),
        store.offers.offer(Channel.ZALO, "chat0", [Choice("Mới", "p:2:new")], NOW),
    )
    read = await asyncio.gather(*(other.offers.offered(Channel.ZALO, chat) for chat in chats))
    assert read[0] == [Choice("Mới", "p:2:new")]
    assert read[1:] == [[Choice(f"Mục {chat}", f"p:1:{chat}")] for chat in chats[1:]]
    assert await other.offers.offered(Channel.TELEGRAM, "chat1") == []
    assert await other.offers.offered(Channel.ZALO, "nobody") == []


class Held:
    """A batch's work, each call held until released; records the batches it was given."""

    def __init__(self, fail: bool = False) -> None:
        self.batches: list[list[int]] = []
        self.release = asyncio.Event()
        self.started = asyncio.Event()
        self.fail = fail

    async def __call__(self, items: list[int]) -> list[int]:
        self.batches.append(items)
        self.started.set()
        await self.release.wait()
        if self.fail:
            raise ValueError("the database is gone")
        return [item * 10 for item in items]


async def test_callers_who_arrive_during_a_write_share_the_next_one() -> None:
    """The first caller's item is written alone; the five who came meanwhile go in together."""
    work = Held()
    batch: Batch[int, int] = Batch(work)
    first = asyncio.ensure_future(batch.submit(1))
    await work.started.wait()
    rest = [asyncio.ensure_future(batch.submit(n)) for n in range(2, 7)]
    work.release.set()
    assert await first == 10
    assert await asyncio.gather(*rest) == [20, 30, 40, 50, 60]
    assert work.batches == [[1], [2, 3, 4, 5, 6]]


async def test_a_failed_write_fails_its_callers_and_the_next_one_runs() -> None:
    """Everyone in a failed batch sees the error; later callers are written as usual."""
    work = Held(fail=True)
    batch: Batch[int, int] = Batch(work)
    first = asyncio.ensure_future(batch.submit(1))
    await work.started.wait()
    second = asyncio.ensure_future(batch.submit(2))
    work.release.set()
    with pytest.raises(ValueError, match="gone"):
        await first
    with pytest.raises(ValueError, match="gone"):
        await second
    work.fail = False
    assert await batch.submit(3) == 30


async def test_a_caller_cancelled_while_waiting_does_not_stop_the_line() -> None:
    """The one due to lead next is cancelled: the one after it leads instead."""
    work = Held()
    batch: Batch[int, int] = Batch(work)
    first = asyncio.ensure_future(batch.submit(1))
    await work.started.wait()
    gone = asyncio.ensure_future(batch.submit(2))
    kept = asyncio.ensure_future(batch.submit(3))
    await asyncio.sleep(0)  # both are waiting in line now
    gone.cancel()
    work.release.set()
    assert await first == 10
    assert await kept == 30
    assert gone.cancelled()
    assert work.batches == [[1], [3]]


async def test_a_limit_splits_a_long_line() -> None:
    """No more than ``limit`` items go in one write."""
    work = Held()
    batch: Batch[int, int] = Batch(work, limit=2)
    first = asyncio.ensure_future(batch.submit(0))
    await work.started.wait()
    rest = [asyncio.ensure_future(batch.submit(n)) for n in range(1, 6)]
    work.release.set()
    assert [await first, *await asyncio.gather(*rest)] == [0, 10, 20, 30, 40, 50]
    assert work.batches == [[0], [1, 2], [3, 4], [5]]
