"""A lane's lease on PostgreSQL: two drains of one lane never overlap, whatever procrastinate
believes; a holder whose session ends hands the lane over. Real PostgreSQL, the real inbox and
``Drainer``, two replicas each with its own engine, a handler that records overlap."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime

import pytest
from sqlalchemy import text

from bot.domain.inbox import REORDER_HOLD, InboxRow
from bot.services.clock import ManualClock
from handlers.inbox import Drainer
from storage.engine import make_engine
from storage.lane_lease import LEASE_CLASS
from storage.lanes_pg import DRAIN_TASK, PgLaneRunner
from storage.store import Store
from tests.storage.test_lanes_pg import pg_url, poll, quick_settings
from tests.waiting import PATIENCE

__all__ = ["pg_url"]  # the fixture, imported

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
LANE = "t:1"


class Handler:
    """Records the seqs handled and by whom; fails the test's check if two run at once; can
    hold a seq in hand until released."""

    def __init__(self) -> None:
        self.handled: list[tuple[str, int]] = []
        self.running = 0
        self.overlapped: list[int] = []
        self.holding: dict[int, asyncio.Event] = {}
        self.in_hand: dict[int, asyncio.Event] = {}
        self.changed = asyncio.Event()

    def hold(self, seq: int) -> None:
        self.holding[seq], self.in_hand[seq] = asyncio.Event(), asyncio.Event()

    def for_replica(self, replica: str) -> Callable[[InboxRow], Awaitable[None]]:
        async def handle(row: InboxRow) -> None:
            self.running += 1
            if self.running > 1:
                self.overlapped.append(row.seq)
            try:
                if row.seq in self.holding:
                    self.in_hand[row.seq].set()
                    await self.holding[row.seq].wait()
                await asyncio.sleep(0)  # a real handler awaits: let another drain interleave
                self.handled.append((replica, row.seq))
            finally:
                self.running -= 1
                self.changed.set()

        return handle

    def seqs(self) -> list[int]:
        return [seq for _, seq in self.handled]

    async def until(self, check: Callable[[], bool]) -> None:
        async with asyncio.timeout(PATIENCE):
            while not check():
                self.changed.clear()
                await self.changed.wait()


async def no_orphans(limit: int) -> list[str]:
    """No orphan sweep: a wake lost would not be made up for."""
    return []


@pytest.fixture
async def two(pg_url: str) -> AsyncIterator[tuple[Handler, Store, list[PgLaneRunner]]]:
    """Two started replicas on one database, each with its own store (engine) and drainer."""
    handler = Handler()
    stores = [await Store.open(pg_url) for _ in range(2)]
    clock = ManualClock(NOW)
    runners = []
    for name, store in zip(("one", "two"), stores, strict=True):
        drainer = Drainer(store.inbox, handler.for_replica(name), clock)
        runners.append(PgLaneRunner(quick_settings(pg_url), drainer.drain, no_orphans, name=name))
    for runner in runners:
        await runner.start()
    try:
        yield handler, stores[0], runners
    finally:
        for held in handler.holding.values():
            held.set()
        for runner in runners:
            await runner.stop()
        for store in stores:
            await store.close()


async def put(store: Store, *seqs: int) -> None:
    for seq in seqs:
        await store.inbox.record("telegram", str(seq), LANE, seq, "{}", NOW - REORDER_HOLD)


async def test_a_retried_live_drain_leaves_the_lane_to_its_holder(
    two: tuple[Handler, Store, list[PgLaneRunner]],
) -> None:
    """Replica one drains the lane, its row 1 in hand; procrastinate retries that job as if one
    were dead (what its stalled sweep does when a heartbeat is late) and a replica runs it
    again at once: that drain finds the lease held and leaves. Rows 1-6 are handled one at a
    time, in order, once; row 7, recorded after one read the lane, is drained by the revisit
    the loser left (there is no orphan sweep here)."""
    handler, store, (one, other) = two
    await put(store, 1, 2, 3, 4, 5, 6)
    handler.hold(1)
    one.wake(LANE)
    async with asyncio.timeout(PATIENCE):
        await handler.in_hand[1].wait()
    manager = one.app.job_manager
    [job] = await manager.list_jobs_async(task=DRAIN_TASK, status="doing")
    await manager.retry_job(job)  # procrastinate now believes one's drain dead

    async def contended() -> bool:
        return one.contended + other.contended >= 1

    await poll(contended)
    await put(store, 7)
    handler.holding[1].set()
    await handler.until(lambda: len(handler.handled) == 7)
    assert handler.seqs() == [1, 2, 3, 4, 5, 6, 7]
    assert handler.overlapped == []


async def test_two_drains_called_at_once_take_turns(
    two: tuple[Handler, Store, list[PgLaneRunner]],
) -> None:
    """The drain jobs of both replicas run at once on one lane, procrastinate bypassed: one
    drains, the other leaves; every row once, in order, never two at a time."""
    handler, store, (one, other) = two
    await put(store, *range(1, 21))
    await asyncio.gather(one.run_drain(LANE), other.run_drain(LANE))
    await handler.until(lambda: len(handler.handled) == 20)
    assert handler.seqs() == list(range(1, 21)) and handler.overlapped == []
    assert one.contended + other.contended >= 1  # (a revisit may find it held again)
    assert len({replica for replica, _ in handler.handled}) == 1  # the holder drained them all


async def test_two_drains_of_one_lane_in_one_replica_take_turns(
    two: tuple[Handler, Store, list[PgLaneRunner]],
) -> None:
    """Both drains on one replica (one session, where an advisory lock may be taken twice):
    the second leaves all the same."""
    handler, store, (one, _) = two
    await put(store, *range(1, 21))
    await asyncio.gather(one.run_drain(LANE), one.run_drain(LANE))
    await handler.until(lambda: len(handler.handled) == 20)
    assert handler.seqs() == list(range(1, 21)) and handler.overlapped == []
    assert one.contended >= 1
    assert len({replica for replica, _ in handler.handled}) == 1  # the holder drained them all


async def test_a_holder_whose_session_ends_hands_the_lane_over(
    pg_url: str, two: tuple[Handler, Store, list[PgLaneRunner]]
) -> None:
    """The session holding one's lease is terminated while row 1 is in hand: one notices,
    finishes that row and begins no other; the lane's next drain (replica two's, or the
    revisit one left) takes the lease and drains the rest, in order, without overlap."""
    handler, store, (one, other) = two
    await put(store, 1, 2, 3, 4)
    handler.hold(1)
    holder = asyncio.create_task(one.run_drain(LANE))
    async with asyncio.timeout(PATIENCE):
        await handler.in_hand[1].wait()
    admin = make_engine(pg_url, isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks"
                    " WHERE locktype = 'advisory' AND classid = :c AND objsubid = 2 AND granted"
                ),
                {"c": LEASE_CLASS},
            )
            assert ended.scalars().all() == [True]
    finally:
        await admin.dispose()

    async def lost() -> bool:
        return one.leases.lost == 1

    await poll(lost)
    handler.holding[1].set()
    async with asyncio.timeout(PATIENCE):
        await holder
    assert handler.handled == [("one", 1)]  # no row begun once the lease was gone
    await other.run_drain(LANE)
    await handler.until(lambda: len(handler.handled) == 4)
    assert handler.seqs() == [1, 2, 3, 4]
    assert handler.overlapped == []
