"""Lanes between replicas on procrastinate: one drain per lane at a time across replicas, in
parallel across lanes, coalesced, revisited, failed over from a SIGKILLed replica, stopped
gracefully. Real PostgreSQL (a fresh database per test), a fake drain that records."""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
import signal
import sys
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from croniter import croniter  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings
from storage.engine import make_engine
from storage.lanes_pg import (
    DRAIN_TASK,
    ORPHANS_TASK,
    STALLED_TASK,
    Drain,
    PgLaneRunner,
    conninfo,
    ensure_schema,
)
from tests.conftest import PG_SKIP, PG_URL
from tests.waiting import PATIENCE

ROOT = Path(__file__).resolve().parents[2]


def quick_settings(url: str, **more: object) -> Settings:
    """Settings with failover thresholds of about a second, for tests."""
    values: dict[str, object] = {
        "database_url": url,
        "lanes_concurrency": 8,
        "lanes_poll": 0.2,
        "lanes_heartbeat": 0.2,
        "lanes_stalled_after": 1.0,
        "lanes_sweep": 1,
        "lanes_orphan_sweep": 1,
        "lanes_stop_grace": 30.0,
    }
    values.update(more)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg,arg-type]


class Drains:
    """A fake drain shared by replicas: records each call, can hold a lane until released."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str]] = []  # (replica, lane) at each start
        self.active: Counter[str] = Counter()
        self.overlaps: list[str] = []
        self.hold: dict[str, asyncio.Event] = {}
        self.delays: dict[str, list[float]] = {}  # lane -> delays to return, first first
        self.todo: list[str] = []
        self._changed = asyncio.Event()

    def for_replica(self, replica: str) -> Drain:
        async def drain(lane: str, held: Callable[[], bool] | None = None) -> float | None:
            self.calls.append((replica, lane))
            self.active[lane] += 1
            if self.active[lane] > 1:
                self.overlaps.append(lane)
            self._changed.set()
            try:
                if lane in self.hold:
                    await self.hold[lane].wait()
                delays = self.delays.get(lane)
                return delays.pop(0) if delays else None
            finally:
                self.active[lane] -= 1
                if lane in self.todo and not self.delays.get(lane):  # its rows are done
                    self.todo.remove(lane)
                self._changed.set()

        return drain

    async def lanes_with_todo(self, limit: int) -> list[str]:
        return self.todo[:limit]

    def count(self, lane: str) -> int:
        return sum(1 for _, name in self.calls if name == lane)

    async def until(self, check: Callable[[], bool], patience: float = PATIENCE) -> None:
        """Return once ``check()`` holds, looking again after each drain starts or ends."""
        async with asyncio.timeout(patience):
            while not check():
                self._changed.clear()
                await self._changed.wait()


@pytest.fixture
async def pg_url() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this test, with procrastinate's schema."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


@pytest.fixture
async def replicas(pg_url: str) -> AsyncIterator[tuple[Drains, list[PgLaneRunner]]]:
    """Two started runners ("replicas") on one database, sharing one recording drain."""
    drains = Drains()
    runners = [
        PgLaneRunner(quick_settings(pg_url), drains.for_replica(n), drains.lanes_with_todo, name=n)
        for n in ("one", "two")
    ]
    for runner in runners:
        await runner.start()
    try:
        yield drains, runners
    finally:
        for held in drains.hold.values():
            held.set()
        for runner in runners:
            await runner.stop()


async def waiting_jobs(runner: PgLaneRunner, lane: str) -> list[str]:
    """The statuses of the drain jobs of ``lane`` still in the database."""
    jobs = await runner.app.job_manager.list_jobs_async(task=DRAIN_TASK, lock=f"lane:{lane}")
    return [job.status for job in jobs if job.status is not None]


async def poll(check: Callable[[], Awaitable[bool]]) -> None:
    """Return once ``await check()`` holds, asking the database every 50 ms: nothing signals
    that procrastinate has queued or deleted a job, so the database is polled."""
    async with asyncio.timeout(PATIENCE):
        while not await check():  # noqa: ASYNC110 - no event to wait on in another process
            await asyncio.sleep(0.05)


async def until_no_drain_job(runner: PgLaneRunner, lane: str) -> None:
    """Wait until no drain job of ``lane`` waits or runs (finished ones are deleted)."""

    async def none_left() -> bool:
        return not await waiting_jobs(runner, lane)

    await poll(none_left)


def test_conninfo_from_the_asyncpg_url() -> None:
    """The psycopg connection string keeps user, password, host, port and database; ssl=
    becomes libpq's sslmode=."""
    got = conninfo("postgresql+asyncpg://bot:s%40cret@db.lan:6543/chuyende?ssl=require")
    assert got == "postgresql://bot:s%40cret@db.lan:6543/chuyende?sslmode=require"
    assert (
        conninfo("postgresql+asyncpg://postgres@127.0.0.1/x") == "postgresql://postgres@127.0.0.1/x"
    )
    with pytest.raises(ValueError, match="PostgreSQL"):
        conninfo("sqlite+aiosqlite:///bot.db")


def test_the_sweeps_run_every_few_seconds_in_every_minute() -> None:
    """The stalled and orphan sweeps fire every LANES_SWEEP / LANES_ORPHAN_SWEEP seconds, odd
    minutes too (croniter's seconds field is the last: the cron once said "every second of
    every second minute", leaving a killed replica's lanes stuck up to a minute)."""
    settings = Settings(
        _env_file=None,
        database_url="postgresql+asyncpg://postgres@127.0.0.1/x",
        lanes_sweep=2,
        lanes_orphan_sweep=5,
    )

    async def drain(lane: str, held: Callable[[], bool] | None = None) -> None:
        return None

    async def lanes(limit: int) -> list[str]:
        return []

    runner = PgLaneRunner(settings, drain, lanes)  # nothing connects until start()
    every = {STALLED_TASK: 2, ORPHANS_TASK: 5}
    odd_minute = datetime(2026, 12, 1, 18, 19, 46)
    tasks = runner.app.periodic_registry.periodic_tasks.values()
    assert {task.task.name for task in tasks} == set(every)
    for task in tasks:
        fires = croniter(task.cron, odd_minute)
        times = [fires.get_next(datetime) for _ in range(4)]
        steps = {(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)}
        assert steps == {every[task.task.name]}, (task.cron, times)
        assert times[0] - odd_minute <= timedelta(seconds=every[task.task.name])


async def test_schema_is_applied_once(pg_url: str) -> None:
    """Two replicas starting together apply procrastinate's schema once; later starts skip it."""
    info = conninfo(pg_url)
    applied = await asyncio.gather(ensure_schema(info), ensure_schema(info))
    assert sorted(applied) == [False, True]
    assert await ensure_schema(info) is False


async def test_one_drain_per_lane_across_replicas(
    replicas: tuple[Drains, list[PgLaneRunner]],
) -> None:
    """While replica one drains lane A, A's wakes from both replicas wait: twenty other lanes
    drain meanwhile on both, and A is drained once more only after it is released."""
    drains, (one, two) = replicas
    drains.hold["A"] = asyncio.Event()
    one.wake("A")
    await drains.until(lambda: drains.count("A") == 1)
    two.wake("A")
    one.wake("A")
    await until_queued(one, "A")
    others = [f"L{n}" for n in range(20)]
    for n, lane in enumerate(others):
        (one, two)[n % 2].wake(lane)
    await drains.until(lambda: all(drains.count(lane) >= 1 for lane in others))
    assert drains.count("A") == 1  # the workers fetched often meanwhile, and skipped A
    drains.hold["A"].set()
    await drains.until(lambda: drains.count("A") == 2)
    await until_no_drain_job(one, "A")
    assert drains.count("A") == 2 and drains.overlaps == []
    assert {replica for replica, _ in drains.calls} == {"one", "two"}  # both took part


async def until_queued(runner: PgLaneRunner, lane: str) -> None:
    """Wait until a drain of ``lane`` waits in the queue."""

    async def queued() -> bool:
        return "todo" in await waiting_jobs(runner, lane)

    await poll(queued)


async def test_different_lanes_drain_in_parallel(
    replicas: tuple[Drains, list[PgLaneRunner]],
) -> None:
    """Three lanes held at once are all being drained at the same time."""
    drains, (one, two) = replicas
    lanes = ["P", "Q", "R"]
    for lane in lanes:
        drains.hold[lane] = asyncio.Event()
    one.wake("P")
    two.wake("Q")
    one.wake("R")
    await drains.until(lambda: all(drains.active[lane] == 1 for lane in lanes))
    for lane in lanes:
        drains.hold[lane].set()
    await drains.until(lambda: sum(drains.active.values()) == 0)
    assert drains.overlaps == []


async def test_a_burst_of_wakes_is_one_more_drain(
    replicas: tuple[Drains, list[PgLaneRunner]],
) -> None:
    """Fifty wakes of a lane while it is being drained make one more drain, not fifty."""
    drains, (one, two) = replicas
    drains.hold["B"] = asyncio.Event()
    one.wake("B")
    await drains.until(lambda: drains.count("B") == 1)
    for n in range(50):
        (one, two)[n % 2].wake("B")
    await until_queued(one, "B")
    await asyncio.gather(*one._deferring.values(), *two._deferring.values())
    drains.hold["B"].set()
    await drains.until(lambda: drains.count("B") == 2)
    await until_no_drain_job(one, "B")
    assert drains.count("B") == 2


async def test_a_returned_delay_comes_back(
    replicas: tuple[Drains, list[PgLaneRunner]],
) -> None:
    """A drain that asks to come back in 0.2 s is drained again, once, without a wake."""
    drains, (one, _) = replicas
    drains.delays["D"] = [0.2]
    one.wake("D")
    await drains.until(lambda: drains.count("D") == 2)
    await until_no_drain_job(one, "D")
    assert drains.count("D") == 2


async def test_a_later_revisit_does_not_hold_the_lane(
    replicas: tuple[Drains, list[PgLaneRunner]],
) -> None:
    """A drain that asks to come back in an hour leaves the lane free: a wake drains it now."""
    drains, (one, two) = replicas
    drains.delays["E"] = [3600.0]
    one.wake("E")
    await drains.until(lambda: drains.count("E") == 1)
    await until_no_drain_job(one, "E")  # its own job is done; the revisit waits unlocked
    revisits = await one.app.job_manager.list_jobs_async(queueing_lock="revisit:E")
    assert [job.status for job in revisits] == ["todo"]
    two.wake("E")
    await drains.until(lambda: drains.count("E") == 2)


async def test_a_killed_replicas_lanes_are_taken_over(pg_url: str) -> None:
    """Replica "doomed" (a subprocess) is SIGKILLed while it drains lanes K and J, J with a newer
    wake already queued; once its heartbeat is older than LANES_STALLED_AFTER the survivor
    retries K's stalled job and, for J, ends the stalled one so the queued one runs: each lane
    is drained once more, by the survivor."""
    await ensure_schema(conninfo(pg_url))
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    doomed = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.storage.lane_replica",
        pg_url,
        "K",
        "J",
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
    )
    drains = Drains()
    survivor = PgLaneRunner(
        quick_settings(pg_url), drains.for_replica("survivor"), drains.lanes_with_todo
    )
    try:
        assert doomed.stdout is not None
        started: set[bytes] = set()
        async with asyncio.timeout(PATIENCE):
            while started != {b"started K\n", b"started J\n"}:
                line = await doomed.stdout.readline()
                assert line, "the doomed replica ended early"
                if line.startswith(b"started"):
                    started.add(line)
        await survivor.start()
        survivor.wake("J")
        await until_queued(survivor, "J")
        doomed.send_signal(signal.SIGKILL)
        await doomed.wait()
        await drains.until(lambda: drains.count("K") == 1 and drains.count("J") == 1)
        await until_no_drain_job(survivor, "K")
        await until_no_drain_job(survivor, "J")
    finally:
        if doomed.returncode is None:
            doomed.kill()
            await doomed.wait()
        await survivor.stop()
    assert sorted(drains.calls) == [("survivor", "J"), ("survivor", "K")]


async def test_the_orphan_sweep_wakes_lanes_with_rows(
    replicas: tuple[Drains, list[PgLaneRunner]],
) -> None:
    """Lanes that have unhandled rows but no wake (the recording replica died) are drained."""
    drains, _ = replicas
    drains.todo = ["O1", "O2"]
    await drains.until(lambda: drains.count("O1") >= 1 and drains.count("O2") >= 1)
    drains.todo = []


async def test_graceful_stop_finishes_the_drain_in_hand(pg_url: str) -> None:
    """stop() while lane G is drained waits for that drain to end, and takes no new job: lane
    H, waiting behind it, stays queued for another replica."""
    drains = Drains()
    runner = PgLaneRunner(
        quick_settings(pg_url, lanes_concurrency=1),
        drains.for_replica("one"),
        drains.lanes_with_todo,
    )
    stopping = asyncio.Event()

    class Stopping(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if getattr(record, "action", None) == "stopping_worker":
                stopping.set()

    handler = Stopping()
    procrastinate_log = logging.getLogger("procrastinate")
    level = procrastinate_log.level
    procrastinate_log.setLevel(logging.INFO)  # "Stop requested" is an INFO record
    procrastinate_log.addHandler(handler)
    try:
        await runner.start()
        drains.hold["G"] = asyncio.Event()
        runner.wake("G")
        await drains.until(lambda: drains.count("G") == 1)
        runner.wake("H")
        await until_queued(runner, "H")
        stop = asyncio.create_task(runner.stop())
        async with asyncio.timeout(PATIENCE):
            await stopping.wait()
        assert not stop.done()
        drains.hold["G"].set()
        async with asyncio.timeout(PATIENCE):
            await stop
    finally:
        procrastinate_log.removeHandler(handler)
        procrastinate_log.setLevel(level)
        drains.hold["G"].set()
        await runner.stop()
    assert drains.calls == [("one", "G")] and drains.active["G"] == 0
    check = PgLaneRunner(quick_settings(pg_url), drains.for_replica("x"), drains.lanes_with_todo)
    async with check.app.open_async():
        assert await waiting_jobs(check, "G") == []
        assert await waiting_jobs(check, "H") == ["todo"]


async def test_the_worker_runs_again_after_the_database_was_away(pg_url: str) -> None:
    """The database refuses this replica's connections for a while (its worker stops, as
    procrastinate's does when its heartbeat or LISTEN fails): once it is back, lanes drain."""
    assert PG_URL is not None
    drains = Drains()
    runner = PgLaneRunner(quick_settings(pg_url), drains.for_replica("one"), drains.lanes_with_todo)
    name = make_url(pg_url).database
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    await runner.start()
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )

        async def restarted() -> bool:
            return runner.restarts >= 1

        await poll(restarted)
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        drains.todo.append("Z")  # the row the wake announces: a wake lost to a pool still
        runner.wake("Z")  # reconnecting is taken up by the orphan sweep, as in production
        await drains.until(lambda: drains.count("Z") == 1)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        await admin.dispose()
        await runner.stop()


async def test_a_wake_that_fails_is_deferred_again_once_the_database_is_back(
    pg_url: str,
) -> None:
    """A wake while the database refuses connections fails to defer its drain: it is tried
    again with backoff and, once the database is back, the lane is drained, with no orphan
    sweep to make up for it (the lane is not among the lanes with todo rows here)."""
    assert PG_URL is not None
    drains = Drains()
    runner = PgLaneRunner(quick_settings(pg_url), drains.for_replica("one"), drains.lanes_with_todo)
    name = make_url(pg_url).database
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    await runner.start()
    try:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            await conn.execute(
                text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"),
                {"n": name},
            )
        runner.wake("W")

        async def retried() -> bool:
            return runner.wake_retries >= 2

        await poll(retried)
        assert drains.count("W") == 0
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        await drains.until(lambda: drains.count("W") == 1)
        assert drains.todo == []  # drained by the retried wake, not by the orphan sweep
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        await admin.dispose()
        await runner.stop()


async def test_the_orphan_sweep_leaves_lanes_whose_drain_is_queued_or_running(
    pg_url: str, replicas: tuple[Drains, list[PgLaneRunner]]
) -> None:
    """Lane A is being drained and has another drain queued: a sweep seeing A and O with todo
    rows defers a drain for O only (deferring every busy lane again cost half a replica's CPU
    with 200 members); O is then drained."""
    drains, (one, _) = replicas
    drains.hold["A"] = asyncio.Event()
    one.wake("A")
    await drains.until(lambda: drains.count("A") == 1)
    one.wake("A")
    await until_queued(one, "A")

    async def a_and_o(limit: int) -> list[str]:
        return ["A", "O"]

    sweeper = PgLaneRunner(quick_settings(pg_url), drains.for_replica("x"), a_and_o)
    async with sweeper.app.open_async():
        assert await sweeper.wake_orphans() == ["O"]
    await drains.until(lambda: drains.count("O") == 1)
    assert drains.count("A") == 1
    drains.hold["A"].set()
