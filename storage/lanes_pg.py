"""Lanes between replicas on PostgreSQL, scheduled by procrastinate.

A *lane* is one person's queue of recorded updates (the ``inbox`` table keeps the rows, their
dedupe and their ``update_id`` order). This runner only decides *who drains which lane when*:

- ``wake(lane)`` defers a ``drain_lane`` job with ``lock=lane:<lane>`` (procrastinate runs one
  job of a lock at a time across every replica) and ``queueing_lock=lane:<lane>`` (at most one
  such job waits: a burst of wakes while one waits is one drain).
- Every replica runs a procrastinate worker in-process; the job calls the injected ``drain``.
  If ``drain`` asks to come back later, a ``revisit_lane`` job is deferred *without* the lock,
  ``schedule_in`` that delay, and it wakes the lane then. (A drain job deferred for later with
  the lock would hold the lane: procrastinate's fetch skips a job while an earlier ``todo`` job
  of the same lock exists, scheduled in the future or not.)
- Replicas heartbeat; a periodic job (once across replicas) retries the jobs of a replica whose
  heartbeat stopped, and another wakes ``lanes_with_todo()`` (a replica that died between its
  inbox commit and its wake).
- A drain job first takes the lane's lease (``storage/lane_lease.py``, a session advisory
  lock): procrastinate may believe a live replica dead and run its lane's job again elsewhere;
  the lease makes that second drain leave at once, with a ``revisit_lane`` in ``LEASE_RETRY``
  seconds (the holder may have looked at the lane's rows before the ones that woke it).
- A wake whose defer fails (the database away a moment) is deferred again, after 0.2 s
  doubling to ``WAKE_RETRY_LAST``, until it goes through or the runner stops (the orphan sweep
  is the net for a wake lost with its replica, not for one this replica still has in hand).
- ``stop()`` stops taking jobs and waits for the ones in hand (``lanes_stop_grace``).

procrastinate's schema is applied at ``start()`` when missing, under an advisory lock so that
replicas starting together apply it once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Protocol
from urllib.parse import quote

import procrastinate
import psycopg
from procrastinate import exceptions as pq_exceptions
from procrastinate import jobs as pq_jobs
from procrastinate.schema import SchemaManager
from sqlalchemy.engine import make_url

from bot.config import Settings
from storage.lane_lease import LaneLeases

log = logging.getLogger(__name__)

QUEUE = "chuyende_lanes"
DRAIN_TASK = "chuyende.drain_lane"
REVISIT_TASK = "chuyende.revisit_lane"
STALLED_TASK = "chuyende.retry_stalled_lanes"
ORPHANS_TASK = "chuyende.wake_orphan_lanes"
ORPHANS_LIMIT = 500  # lanes woken per orphan sweep; the next sweep takes the rest
SCHEMA_LOCK = 0x6368_7579_656E  # pg_advisory_xact_lock key while procrastinate's schema goes in
EARLIER = timedelta(milliseconds=50)  # a waiting revisit later than this by more gets a twin
RESTART_FIRST, RESTART_LAST = 0.5, 30.0  # seconds before the worker is run again, doubling
LEASE_RETRY = 0.5  # seconds before a drain that found its lane's lease held looks again
WAKE_RETRY_FIRST, WAKE_RETRY_LAST = 0.2, 5.0  # seconds before a failed wake is deferred again


class Drain(Protocol):
    """Drain a lane's ready rows, stopping before a row once ``held()`` is False; the seconds
    after which to look again, or None."""

    async def __call__(self, lane: str, held: Callable[[], bool] | None = None) -> float | None: ...


LanesWithTodo = Callable[[int], Awaitable[list[str]]]


class LaneRunner(Protocol):
    """Who drains which lane when (the inbox engineer defines it too; unified at merge)."""

    async def start(self) -> None: ...
    def wake(self, lane: str) -> None: ...  # non-blocking: a lane has new rows
    async def stop(self) -> None: ...  # graceful: finish the job in hand, take no new ones


def conninfo(database_url: str) -> str:
    """The libpq connection string for SQLAlchemy's ``postgresql+asyncpg://`` URL.

    asyncpg's ``ssl=`` query parameter is libpq's ``sslmode=``; other parameters pass as given.
    """
    url = make_url(database_url)
    if not url.drivername.startswith("postgresql"):
        raise ValueError("lanes on procrastinate need a PostgreSQL DATABASE_URL")
    query = {("sslmode" if key == "ssl" else key): value for key, value in url.query.items()}
    plain = url.set(drivername="postgresql", query={})
    base = plain.render_as_string(hide_password=False)
    if not query:
        return base
    pairs = []
    for key, value in query.items():
        for one in (value,) if isinstance(value, str) else value:
            pairs.append(f"{quote(key)}={quote(one)}")
    return base + "?" + "&".join(pairs)


async def ensure_schema(info: str) -> bool:
    """Apply procrastinate's schema unless it is there; True when this call applied it."""
    async with await psycopg.AsyncConnection.connect(info) as conn, conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        cursor = await conn.execute("SELECT to_regclass('procrastinate_jobs') IS NOT NULL")
        row = await cursor.fetchone()
        if row is not None and row[0]:
            return False
        await conn.execute(SchemaManager.get_schema())
        log.info("procrastinate's schema applied")
        return True


def every_seconds(seconds: int) -> str:
    """procrastinate's cron (croniter's six fields) for "every ``seconds`` seconds".

    croniter puts the seconds field *last*: ``*/2 * * * * *`` would be every second of every
    second minute (the sweeps silent for a minute at a time, a dead replica's lanes stuck that
    long)."""
    return f"* * * * * */{seconds}"


class PgLaneRunner:
    """A :class:`LaneRunner` on procrastinate: one per replica, all on one PostgreSQL."""

    def __init__(
        self,
        settings: Settings,
        drain: Drain,
        lanes_with_todo: LanesWithTodo,
        *,
        name: str = "lanes",
    ) -> None:
        self._settings = settings
        self._drain = drain
        self._lanes_with_todo = lanes_with_todo
        self._name = name
        self._info = conninfo(settings.database_url)
        pool_size = settings.lanes_concurrency + 4  # jobs' own queries, defers, heartbeat
        self.app = procrastinate.App(
            connector=procrastinate.PsycopgConnector(
                conninfo=self._info,
                min_size=1,
                max_size=pool_size,
                # no connection for this long: fail, and the worker is run again (a replica
                # cut off that long counts as dead to the others anyway)
                timeout=settings.lanes_stalled_after,
            )
        )
        self._drain_task = self.app.task(name=DRAIN_TASK, queue=QUEUE)(self._run_drain)
        self._revisit_task = self.app.task(name=REVISIT_TASK, queue=QUEUE)(self._revisit)
        # The sweeps go ahead of waiting drains (priority): failover should not queue behind
        # the work it recovers.
        stalled = self.app.task(name=STALLED_TASK, queue=QUEUE)(self._retry_stalled)
        self.app.periodic(
            cron=every_seconds(settings.lanes_sweep), queueing_lock=STALLED_TASK, priority=1
        )(stalled)
        orphans = self.app.task(name=ORPHANS_TASK, queue=QUEUE)(self._wake_orphans)
        self.app.periodic(
            cron=every_seconds(settings.lanes_orphan_sweep),
            queueing_lock=ORPHANS_TASK,
            priority=1,
        )(orphans)
        # Pinged like the heartbeat; given up on within the time a replica counts as dead.
        self.leases = LaneLeases(
            self._info, ping_every=settings.lanes_heartbeat, timeout=settings.lanes_stalled_after
        )
        self.contended = 0  # drains that found their lane's lease held and left
        self.wake_retries = 0  # defers of a wake tried again after failing
        self._worker: asyncio.Task[None] | None = None
        self._quit = asyncio.Event()
        self._dirty: set[str] = set()  # lanes woken while their wake was being deferred
        self._deferring: dict[str, asyncio.Task[None]] = {}
        self._opened = False
        self.restarts = 0  # times the worker was run again after ending by itself

    async def start(self) -> None:
        """Apply the schema if missing, open the pool and run the worker in this process."""
        await ensure_schema(self._info)
        await self.app.open_async()
        await self.leases.open()
        self._opened = True
        self._quit.clear()
        self._worker = asyncio.create_task(self._keep_working(), name=f"lanes {self._name}")

    async def _keep_working(self) -> None:
        """Run procrastinate's worker; run it again when it ends by itself.

        The worker stops when its heartbeat or LISTEN connection fails (the database restarted
        or was out of reach): this replica would then drain nothing until it is restarted."""
        settings = self._settings
        backoff = RESTART_FIRST
        while True:
            began = asyncio.get_running_loop().time()
            try:
                await self.app.run_worker_async(
                    queues=[QUEUE],
                    name=self._name,
                    concurrency=settings.lanes_concurrency,
                    fetch_job_polling_interval=settings.lanes_poll,
                    listen_notify=settings.lanes_listen_notify,
                    update_heartbeat_interval=settings.lanes_heartbeat,
                    stalled_worker_timeout=settings.lanes_stalled_after,
                    shutdown_graceful_timeout=settings.lanes_stop_grace,
                    delete_jobs=pq_jobs.DeleteJobCondition.ALWAYS,
                    install_signal_handlers=False,
                )
                log.warning("lane worker %s stopped by itself; running it again", self._name)
            except Exception:
                log.exception("lane worker %s failed; running it again", self._name)
            if asyncio.get_running_loop().time() - began > RESTART_LAST:
                backoff = RESTART_FIRST  # it ran a good while: this is a new outage
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, RESTART_LAST)
            self.restarts += 1

    def wake(self, lane: str) -> None:
        """Make sure a drain of ``lane`` runs after now, on some replica; returns at once.

        Wakes of one lane while its defer is on the way are one more defer after it (the rows
        they announce may have been committed after the first defer's drain began)."""
        if lane in self._deferring:
            self._dirty.add(lane)
            return
        if self._quit.is_set():
            return  # stopping: the row is recorded, the orphan sweep of a replica takes it
        self._deferring[lane] = asyncio.create_task(self._defer_loop(lane))

    async def stop(self) -> None:
        """Take no new job, wait for the ones in hand, then close the pools."""
        self._quit.set()  # wakes still failing give up (their rows are recorded)
        if self._worker is not None:
            self._worker.cancel()  # procrastinate turns this into its graceful stop
            with contextlib.suppress(asyncio.CancelledError):
                await self._worker
            self._worker = None
        while self._deferring:
            await asyncio.gather(*self._deferring.values(), return_exceptions=True)
        if self._opened:
            await self.leases.close()
            await self.app.close_async()
            self._opened = False

    async def _defer_loop(self, lane: str) -> None:
        backoff = WAKE_RETRY_FIRST
        try:
            while True:
                self._dirty.discard(lane)
                try:
                    await self._defer_drain(lane)
                except Exception:
                    if self._quit.is_set():
                        log.exception("could not wake lane %s while stopping", lane)
                        return
                    log.warning("could not wake lane %s; again in %.1f s", lane, backoff)
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._quit.wait(), backoff)
                    backoff = min(backoff * 2, WAKE_RETRY_LAST)
                    self.wake_retries += 1
                    self._dirty.add(lane)  # the loop's test below: defer again
                else:
                    backoff = WAKE_RETRY_FIRST
                if lane not in self._dirty:
                    return
        finally:
            del self._deferring[lane]
            self._dirty.discard(lane)

    async def _defer_drain(self, lane: str) -> None:
        key = f"lane:{lane}"
        # AlreadyEnqueued: a drain of this lane waits and will start after now; enough.
        with contextlib.suppress(pq_exceptions.AlreadyEnqueued):
            await self._drain_task.configure(lock=key, queueing_lock=key).defer_async(lane=lane)

    async def _run_drain(self, lane: str) -> None:
        """The drain job: drain ``lane`` under its lease, or leave it to the drain holding it."""
        async with self.leases.hold(lane) as lease:
            if lease is None:
                # Another drain of this lane runs (procrastinate retried a live replica's job):
                # it may have read the lane's rows before the ones this job was woken for.
                self.contended += 1
                log.warning("lane %s is drained elsewhere; again in %.1f s", lane, LEASE_RETRY)
                delay: float | None = LEASE_RETRY
            else:
                delay = await self._drain(lane, held=lease.held)
                if not lease.held():
                    delay = LEASE_RETRY  # it stopped early: the rest after the new holder
        if delay is not None:
            await self._defer_revisit(lane, max(0.0, delay))

    async def run_drain(self, lane: str) -> None:
        """What a drain job of ``lane`` does, called directly (tests: two at once, whatever
        procrastinate would allow)."""
        await self._run_drain(lane)

    async def _defer_revisit(self, lane: str, delay: float) -> None:
        key = f"revisit:{lane}"
        when = datetime.now(UTC) + timedelta(seconds=delay)
        try:
            await self._revisit_task.configure(queueing_lock=key, schedule_at=when).defer_async(
                lane=lane
            )
        except pq_exceptions.AlreadyEnqueued:
            # One revisit waits; if it is due later than this one, add one for then, without
            # the queueing lock.
            waiting = await self.app.job_manager.list_jobs_async(queueing_lock=key, status="todo")
            if all(
                job.scheduled_at is not None and job.scheduled_at > when + EARLIER
                for job in waiting
            ):
                await self._revisit_task.configure(schedule_at=when).defer_async(lane=lane)

    async def _revisit(self, lane: str) -> None:
        await self._defer_drain(lane)

    async def _retry_stalled(self, timestamp: int) -> None:
        """Give the jobs of replicas whose heartbeat stopped to the living."""
        manager = self.app.job_manager
        stalled = await manager.get_stalled_jobs(
            queue=QUEUE, seconds_since_heartbeat=self._settings.lanes_stalled_after
        )
        for job in stalled:
            try:
                await manager.retry_job(job)
                log.warning("lane job %s of a dead replica retried", job.call_string)
            except pq_exceptions.UniqueViolation:
                # A newer drain of that lane already waits (its queueing lock): it covers the
                # rows; end the dead one's job so the lane's lock is free for it.
                with contextlib.suppress(pq_exceptions.ConnectorException):
                    await manager.finish_job(job, status=pq_jobs.Status.FAILED, delete_job=True)
                    log.warning("lane job %s of a dead replica replaced", job.call_string)
            except pq_exceptions.ConnectorException:
                pass  # it changed meanwhile (finished, or retried by a sweep that ran late)
        await manager.prune_stalled_workers(self._settings.lanes_stalled_after)

    async def _wake_orphans(self, timestamp: int) -> None:
        await self.wake_orphans()

    async def wake_orphans(self) -> list[str]:
        """Wake the lanes with unhandled rows and no drain job waiting or running (a wake lost
        with the replica that recorded them); the lanes woken.

        Under load most lanes with todo rows have their drain queued: deferring it again for
        each of them (one round trip and one ``AlreadyEnqueued`` each, up to 500 a sweep) took
        half the CPU of a replica with 200 members; one query sets those lanes aside."""
        lanes = await self._lanes_with_todo(ORPHANS_LIMIT)
        if not lanes:
            return []
        locks = [f"lane:{lane}" for lane in lanes]
        rows = await self.app.connector.execute_query_all_async(
            "SELECT queueing_lock AS lock FROM procrastinate_jobs"
            " WHERE status = 'todo' AND queueing_lock = ANY(%(locks)s)"
            " UNION SELECT lock FROM procrastinate_jobs"
            " WHERE status = 'doing' AND lock = ANY(%(locks)s)",
            locks=locks,
        )
        queued = {row["lock"] for row in rows}
        woken = [lane for lane, lock in zip(lanes, locks, strict=True) if lock not in queued]
        for lane in woken:
            await self._defer_drain(lane)
        return woken
