"""Draining the inbox in one process: each lane in seq order, one task per lane, stop in time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.inbox import MAX_ATTEMPTS, REORDER_HOLD, InboxRow
from bot.services.clock import ManualClock
from handlers.inbox import Drainer, LocalLanes
from storage.inbox_repo import READY_LIMIT
from storage.store import Store
from tests.waiting import PATIENCE

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TG = "telegram"


class Handler:
    """Records what it handled; can hold a seq in hand until released, or fail on one."""

    def __init__(self) -> None:
        self.handled: list[tuple[str, int]] = []
        self.tries: dict[int, int] = {}
        self.holding: dict[int, asyncio.Event] = {}
        self.in_hand: dict[int, asyncio.Event] = {}
        self.failing: set[int] = set()
        self.changed = asyncio.Event()
        self.at_once: dict[str, int] = {}
        self.most_at_once = 0
        self.drained: list[tuple[str, float | None]] = []

    def hold(self, seq: int) -> None:
        self.holding[seq], self.in_hand[seq] = asyncio.Event(), asyncio.Event()

    async def __call__(self, row: InboxRow) -> None:
        self.tries[row.seq] = self.tries.get(row.seq, 0) + 1
        self.at_once[row.lane] = self.at_once.get(row.lane, 0) + 1
        self.most_at_once = max(self.most_at_once, self.at_once[row.lane])
        try:
            if row.seq in self.holding:
                self.in_hand[row.seq].set()
                await self.holding[row.seq].wait()
            if row.seq in self.failing:
                raise RuntimeError(f"update {row.seq} breaks its handler")
            self.handled.append((row.lane, row.seq))
        finally:
            self.at_once[row.lane] -= 1
            self.changed.set()

    async def until(self, check: Callable[[], bool]) -> None:
        async with asyncio.timeout(PATIENCE):
            while not check():
                self.changed.clear()
                await self.changed.wait()

    def seqs(self, lane: str) -> list[int]:
        return [seq for where, seq in self.handled if where == lane]


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated store on a SQLite file."""
    opened = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'inbox.db'}")
    try:
        yield opened
    finally:
        await opened.close()


async def put(store: Store, seq: int, lane: str, at: datetime = NOW - REORDER_HOLD) -> None:
    """Record Telegram update ``seq`` for ``lane`` (by default old enough not to be held)."""
    await store.inbox.record(TG, str(seq), lane, seq, "{}", at)


def runner(store: Store, handler: Handler, clock: ManualClock) -> tuple[Drainer, LocalLanes]:
    """A drainer with ``handler`` and the local runner on it (each drain's answer noted)."""
    drainer = Drainer(store.inbox, handler, clock)

    async def drain(lane: str) -> float | None:
        wait = await drainer.drain(lane)
        handler.drained.append((lane, wait))
        handler.changed.set()
        return wait

    return drainer, LocalLanes(drain, store.inbox.lanes_with_todo, drainer.halt)


async def test_a_lane_is_drained_in_seq_order_and_each_row_marked_done(store: Store) -> None:
    """Rows recorded 3, 1, 2 are handled 1, 2, 3 and left done; nothing is held."""
    handler = Handler()
    for seq in (3, 1, 2):
        await put(store, seq, "t:1")
    drainer, _ = runner(store, handler, ManualClock(NOW))
    assert await drainer.drain("t:1") is None
    assert handler.seqs("t:1") == [1, 2, 3]
    assert await store.inbox.counts() == {"done": 3}


async def test_drain_says_when_to_come_back_for_rows_held_by_a_gap(store: Store) -> None:
    """Row 3 waits for 2: drain handles 1 and answers the seconds the gap still holds."""
    handler = Handler()
    await put(store, 1, "t:1")
    await put(store, 3, "t:1", at=NOW)
    drainer, _ = runner(store, handler, ManualClock(NOW))
    assert await drainer.drain("t:1") == REORDER_HOLD.total_seconds()
    assert handler.seqs("t:1") == [1]


async def test_a_row_that_keeps_failing_goes_dead_and_the_lane_moves_on(store: Store) -> None:
    """Update 2 raises every time: tried MAX_ATTEMPTS times, then dead; 3 is handled."""
    handler = Handler()
    handler.failing.add(2)
    for seq in (1, 2, 3):
        await put(store, seq, "t:1")
    drainer, _ = runner(store, handler, ManualClock(NOW))
    await drainer.drain("t:1")
    assert handler.seqs("t:1") == [1, 3] and handler.tries[2] == MAX_ATTEMPTS
    assert await store.inbox.counts() == {"done": 2, "dead": 1}


async def test_a_row_taken_too_often_by_crashes_is_given_up_unhandled(store: Store) -> None:
    """A row already taken MAX_ATTEMPTS times (each a crash) is marked dead, not handled."""
    handler = Handler()
    await put(store, 1, "t:1")
    (row,) = (await store.inbox.ready("t:1", NOW)).rows
    for _ in range(MAX_ATTEMPTS):
        await store.inbox.take(row.id)
    drainer, _ = runner(store, handler, ManualClock(NOW))
    await drainer.drain("t:1")
    assert handler.tries == {} and await store.inbox.counts() == {"dead": 1}


async def test_start_takes_up_the_rows_left_todo(store: Store) -> None:
    """Rows recorded before the runner started (a crash) are handled once it starts."""
    handler = Handler()
    for seq, lane in ((1, "t:a"), (2, "t:b"), (3, "t:a")):
        await put(store, seq, lane)
    _, lanes = runner(store, handler, ManualClock(NOW))
    lanes.wake("t:a")  # before start: nothing runs yet
    assert lanes.busy == 0
    await lanes.start()
    await handler.until(lambda: len(handler.handled) == 3)
    await lanes.stop()
    assert handler.seqs("t:a") == [1, 3] and handler.seqs("t:b") == [2]


async def test_a_wake_while_draining_drains_again_with_one_task_per_lane(store: Store) -> None:
    """Rows woken in while the lane's first is in hand are handled after it, never beside it;
    another lane goes on meanwhile."""
    handler = Handler()
    handler.hold(1)
    _, lanes = runner(store, handler, ManualClock(NOW))
    await lanes.start()
    await put(store, 1, "t:a")
    lanes.wake("t:a")
    await asyncio.wait_for(handler.in_hand[1].wait(), PATIENCE)
    for seq in (2, 3):
        await put(store, seq, "t:a")
        lanes.wake("t:a")
    await put(store, 4, "t:b")
    lanes.wake("t:b")
    await handler.until(lambda: handler.seqs("t:b") == [4])
    assert handler.seqs("t:a") == [] and lanes.busy == 2
    handler.holding[1].set()
    await handler.until(lambda: len(handler.seqs("t:a")) == 3)
    await lanes.stop()
    assert handler.seqs("t:a") == [1, 2, 3] and handler.most_at_once == 1


async def test_a_lane_held_by_a_gap_goes_on_once_the_gap_is_recorded(store: Store) -> None:
    """Lane b's update 3 waits for update 2 (lane a); recording 2 wakes b as well."""
    handler = Handler()
    clock = ManualClock(NOW)
    await put(store, 1, "t:a")
    _, lanes = runner(store, handler, clock)
    await lanes.start()
    await handler.until(lambda: handler.seqs("t:a") == [1])
    await put(store, 3, "t:b", at=NOW)
    lanes.wake("t:b")
    await put(store, 4, "t:c", at=NOW)  # its own task, woken directly: held as well
    lanes.wake("t:c")
    hold = REORDER_HOLD.total_seconds()
    await handler.until(lambda: {("t:b", hold), ("t:c", hold)} <= set(handler.drained))
    assert handler.handled == [("t:a", 1)]  # the clock does not move: only 2 can free them
    await put(store, 2, "t:a", at=NOW)
    lanes.wake("t:a")
    await handler.until(lambda: len(handler.handled) == 4)
    await lanes.stop()
    assert handler.seqs("t:b") == [3] and handler.seqs("t:c") == [4]


async def test_stop_finishes_the_row_in_hand_and_leaves_the_rest_todo(store: Store) -> None:
    """Stopping while update 1 is in hand: 1 is finished and done, 2 and 3 wait for a start."""
    handler = Handler()
    handler.hold(1)
    for seq in (1, 2, 3):
        await put(store, seq, "t:a")
    _, lanes = runner(store, handler, ManualClock(NOW))
    await lanes.start()
    await asyncio.wait_for(handler.in_hand[1].wait(), PATIENCE)
    stopping = asyncio.create_task(lanes.stop())
    lanes.wake("t:a")  # ignored once stopping
    handler.holding[1].set()
    await asyncio.wait_for(stopping, PATIENCE)
    assert handler.seqs("t:a") == [1] and lanes.busy == 0
    assert await store.inbox.counts() == {"done": 1, "todo": 2}


async def test_one_drain_goes_past_a_batch_of_rows(store: Store) -> None:
    """More todo rows than one batch hands out: a single drain handles them all, in order."""
    handler = Handler()
    count = READY_LIMIT + 7
    for seq in range(count, 0, -1):
        await put(store, seq, "t:1")
    drainer, _ = runner(store, handler, ManualClock(NOW))
    assert await drainer.drain("t:1") is None
    assert handler.seqs("t:1") == list(range(1, count + 1))


async def test_a_row_whose_wake_was_lost_is_taken_up_by_the_next_sweep(store: Store) -> None:
    """A row recorded with nobody told (as while a runner stops) is found by the periodic sweep."""
    handler = Handler()
    drainer = Drainer(store.inbox, handler, ManualClock(NOW))
    lanes = LocalLanes(drainer.drain, store.inbox.lanes_with_todo, drainer.halt, sweep_every=0.01)
    await lanes.start()
    await put(store, 1, "t:a")
    await handler.until(lambda: handler.seqs("t:a") == [1])
    await lanes.stop()


async def test_a_drain_that_loses_its_lease_begins_no_further_row(store: Store) -> None:
    """The lane's lease is lost while update 1 is in hand: 1 is finished, 2 and 3 stay todo
    for the next holder; with the lease held throughout, all three are handled."""
    handler = Handler()
    handler.hold(1)
    for seq in (1, 2, 3):
        await put(store, seq, "t:a")
    drainer = Drainer(store.inbox, handler, ManualClock(NOW))
    lease = {"held": True}
    draining = asyncio.create_task(drainer.drain("t:a", held=lambda: lease["held"]))
    await asyncio.wait_for(handler.in_hand[1].wait(), PATIENCE)
    lease["held"] = False
    handler.holding[1].set()
    assert await asyncio.wait_for(draining, PATIENCE) is None
    assert handler.seqs("t:a") == [1]
    assert await store.inbox.counts() == {"done": 1, "todo": 2}
    assert await drainer.drain("t:a", held=lambda: True) is None
    assert handler.seqs("t:a") == [1, 2, 3]


async def test_a_lane_of_a_channel_not_served_is_left_untaken(store: Store) -> None:
    """A process serving Zalo only leaves a Telegram lane's rows todo with no attempt counted,
    however often it looks (its sweeps must not use up the rows' attempts)."""
    handler = Handler()
    await put(store, 1, "t:1")
    drainer = Drainer(store.inbox, handler, ManualClock(NOW), serves=lambda c: c == "zalo")
    for _ in range(MAX_ATTEMPTS + 1):
        assert await drainer.drain("t:1") is None
    (row,) = await store.inbox.rows(["1"])
    assert handler.tries == {} and row.attempts == 0
    assert await Drainer(store.inbox, handler, ManualClock(NOW)).drain("t:1") is None
    assert handler.seqs("t:1") == [1] and await store.inbox.counts() == {"done": 1}


async def test_each_row_is_taken_once_before_it_is_handled(store: Store) -> None:
    """Taken by ``ready`` or with the previous row's finish, each row of a drain has one attempt
    counted when its handler runs, and none is counted for a row not reached (a stop)."""
    attempts: dict[int, int] = {}

    async def handle(row: InboxRow) -> None:
        (stored,) = await store.inbox.rows([row.key])
        attempts[row.seq] = stored.attempts
        if row.seq == 2:
            drainer.halt()

    for seq in (1, 2, 3):
        await put(store, seq, "t:1")
    drainer = Drainer(store.inbox, handle, ManualClock(NOW))
    await drainer.drain("t:1")
    assert attempts == {1: 1, 2: 1}
    assert {row.seq: row.attempts for row in await store.inbox.rows(["1", "2", "3"])} == {
        1: 1,
        2: 1,
        3: 0,
    }
