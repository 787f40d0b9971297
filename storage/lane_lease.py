"""A lane's lease on PostgreSQL: a session advisory lock per lane, held while the lane drains.

procrastinate keeps one drain job per lane running *as far as it believes*: a live replica
whose heartbeat is late by ``LANES_STALLED_AFTER`` counts as dead and its job is retried
elsewhere while it still runs. The lease does not rely on that belief: a drain first takes
``pg_try_advisory_lock(LEASE_CLASS, hashtext(lane))`` and keeps it until the drain ends.
PostgreSQL grants it to one session at a time, whoever asks.

- Each replica holds all its leases on **one** connection of its own (one more connection per
  replica, not one per drain). A session may take a lock it holds again, so the replica's own
  drains of one lane are kept apart here, by the lanes it holds.
- A replica that dies (SIGKILL, host gone) ends its session: the locks go with it. The session
  lowers the server's TCP keepalives: a host cut off frees its leases ``KEEPALIVE_IDLE`` +
  ``KEEPALIVE_INTERVAL`` x ``KEEPALIVE_COUNT`` seconds after it went silent (not hours).
- While it holds leases, the replica pings its session every ``ping_every`` seconds, each ping
  (and each take or release) given ``timeout`` seconds: a session that ended or went silent is
  dropped and every lease on it is *lost* (``Lease.held()`` turns False; the drain begins no
  further row). ``ping_every + timeout`` is kept well below the server's keepalive limit, so a
  replica knows it lost a lease before another can take it.
- No clock between replicas, nothing to renew per lane: one statement to take and one to
  release per drain (not per row), one ping a second per replica while it drains.

Locks are by a 32-bit hash of the lane: two lanes that share a hash take turns, nothing worse.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import psycopg

log = logging.getLogger(__name__)

LEASE_CLASS = 0x6C61  # first key of the two-key advisory lock ("la"); the second: hashtext(lane)
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 15, 5, 3  # the server's, on the session
PING_EVERY_MAX, TIMEOUT_MAX = 2.0, 5.0  # seconds: together far below KEEPALIVE_IDLE
TAKE = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
RELEASE = "SELECT pg_advisory_unlock(%s, hashtext(%s))"
PING = "SELECT true"


class Lease:
    """A lane's lease, held until the drain ends (``held`` turns False if its session ends)."""

    def __init__(self, lane: str) -> None:
        self.lane = lane
        self._held = True

    def held(self) -> bool:
        """Whether this drain still has the lane to itself."""
        return self._held

    def lose(self) -> None:
        self._held = False


class LaneLeases:
    """This replica's leases of lanes, on one session of its own."""

    def __init__(self, info: str, ping_every: float, timeout: float) -> None:
        self._info = info
        self._ping_every = min(ping_every, PING_EVERY_MAX)
        self._timeout = min(timeout, TIMEOUT_MAX)
        self._conn: psycopg.AsyncConnection | None = None
        self._lock = asyncio.Lock()  # one statement at a time on the session
        self._held: dict[str, Lease] = {}  # lanes held by this replica's drains
        self._taking: set[str] = set()  # lanes whose lock is being asked for
        self._pinging: asyncio.Task[None] | None = None
        self.lost = 0  # leases whose session ended (or went silent) under their drain

    async def open(self) -> None:
        """Start pinging the session while leases are held (it connects at the first take)."""
        self._pinging = asyncio.create_task(self._pings(), name="lane lease pings")

    async def close(self) -> None:
        """Stop pinging and end the session (any lease left on it goes with it)."""
        if self._pinging is not None:
            self._pinging.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pinging
            self._pinging = None
        async with self._lock:
            await self._drop()

    @contextlib.asynccontextmanager
    async def hold(self, lane: str) -> AsyncIterator[Lease | None]:
        """The lane's lease meanwhile, or None when another drain (here or elsewhere) has it."""
        if lane in self._held or lane in self._taking:
            yield None
            return
        self._taking.add(lane)  # before any await: a second drain here sees it taken
        try:
            try:
                taken = await self._run(TAKE, (LEASE_CLASS, lane))
            except psycopg.OperationalError:  # the session had died idle (a server restart)
                taken = await self._run(TAKE, (LEASE_CLASS, lane))  # on a new one
        finally:
            self._taking.discard(lane)
        if not taken:
            yield None
            return
        lease = Lease(lane)
        self._held[lane] = lease
        try:
            yield lease
        finally:
            del self._held[lane]
            if lease.held():
                try:
                    await self._run(RELEASE, (LEASE_CLASS, lane))
                except Exception:
                    log.warning("lane %s: its lease went with its session", lane)

    async def _run(self, sql: str, args: tuple[object, ...]) -> bool:
        """One statement on the session (connected first if need be); its one boolean."""
        async with self._lock:
            try:
                async with asyncio.timeout(self._timeout):
                    if self._conn is None:
                        self._conn = await _connect(self._info)
                    cursor = await self._conn.execute(sql, args)
                    row = await cursor.fetchone()
            except BaseException:
                await self._drop()  # ended, silent or interrupted: trust nothing on it
                raise
            return row is not None and bool(row[0])

    async def _drop(self) -> None:
        """The session is gone or not to be trusted: every lease on it is lost; it is closed."""
        for lease in self._held.values():
            if lease.held():
                lease.lose()
                self.lost += 1
                log.error("lane %s: its lease's session ended; no further row is begun", lease.lane)
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                await conn.close()

    async def _pings(self) -> None:
        while True:
            await asyncio.sleep(self._ping_every)
            if not self._held:
                continue  # nothing to guard: an idle replica sends nothing
            try:
                await self._run(PING, ())
            except Exception:
                log.exception("lane leases: the session did not answer its ping")


async def _connect(info: str) -> psycopg.AsyncConnection:
    """The leases' session: autocommit, never timed out idle, a vanished peer seen in seconds."""
    conn = await psycopg.AsyncConnection.connect(info, autocommit=True)
    try:
        await conn.execute(
            "SELECT set_config('tcp_keepalives_idle', %s, false),"
            " set_config('tcp_keepalives_interval', %s, false),"
            " set_config('tcp_keepalives_count', %s, false)",
            (str(KEEPALIVE_IDLE), str(KEEPALIVE_INTERVAL), str(KEEPALIVE_COUNT)),
        )
        with contextlib.suppress(psycopg.errors.UndefinedObject):  # PostgreSQL 14 and later
            await conn.execute("SET idle_session_timeout = 0")
    except BaseException:
        await conn.close()
        raise
    return conn
