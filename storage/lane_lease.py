"""A lane's lease on PostgreSQL: a session advisory lock per lane, held while the lane drains.

procrastinate keeps one drain job per lane running *as far as it believes*: a live replica
whose heartbeat is late by ``LANES_STALLED_AFTER`` counts as dead and its job is retried
elsewhere while it still runs. The lease does not rely on that belief: a drain first takes
``pg_try_advisory_lock(LEASE_CLASS, hashtext(lane))`` on a connection of its own and keeps it
until the drain ends. PostgreSQL grants it to one session at a time, whoever asks.

- A replica that dies (SIGKILL, host gone) ends its sessions: the lock goes with them. The
  connection lowers the server's TCP keepalives, so a host cut off frees its leases in about
  ``KEEPALIVE_IDLE + KEEPALIVE_INTERVAL * KEEPALIVE_COUNT`` seconds, not the kernel's hours.
- A lease whose session ends under a living drain (an administrator's
  ``pg_terminate_backend``, the server restarting) is *lost*: the connection waits for input
  while the drain runs, so its end is seen at once, and the drain stops before its next row.
- No clock, nothing to renew, one statement to take and one to release per drain (not per row).

Locks are by a 32-bit hash of the lane: two lanes that share a hash take turns, nothing worse.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

import psycopg
from psycopg_pool import AsyncConnectionPool

log = logging.getLogger(__name__)

LEASE_CLASS = 0x6C61  # first key of the two-key advisory lock ("la"); the second: hashtext(lane)
KEEPALIVE_IDLE, KEEPALIVE_INTERVAL, KEEPALIVE_COUNT = 10, 5, 3  # seconds, seconds, probes
TAKE = "SELECT pg_try_advisory_lock(%s, hashtext(%s))"
RELEASE = "SELECT pg_advisory_unlock(%s, hashtext(%s))"
TAKE_ATTEMPTS = 3  # connections tried for one take (idle ones dead after a server restart)


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
    """Leases of lanes, each on its own connection from a pool of ``size`` (one per drain that
    may run at once in this replica: the lane worker's concurrency)."""

    def __init__(self, info: str, size: int, timeout: float) -> None:
        self._pool: AsyncConnectionPool[psycopg.AsyncConnection] = AsyncConnectionPool(
            info,
            min_size=1,
            max_size=size,
            open=False,
            timeout=timeout,
            kwargs={"autocommit": True},
            configure=_configure,
            name="lane leases",
        )
        self.lost = 0  # leases whose session ended under their drain

    async def open(self) -> None:
        await self._pool.open()

    async def close(self) -> None:
        await self._pool.close()

    @contextlib.asynccontextmanager
    async def hold(self, lane: str) -> AsyncIterator[Lease | None]:
        """The lane's lease meanwhile, or None when another drain holds it now."""
        conn, taken = await self._take(lane)
        try:
            if not taken:
                yield None
                return
            lease = Lease(lane)
            watch = asyncio.create_task(self._watch(conn, lease), name=f"lease {lane}")
            try:
                yield lease
            finally:
                watch.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await watch
                if lease.held():
                    try:
                        await conn.execute(RELEASE, (LEASE_CLASS, lane))
                    except BaseException:
                        await conn.close()  # a lock must not go back to the pool: end it
                        raise
        finally:
            await self._pool.putconn(conn)  # a broken or closed one is discarded

    async def _take(self, lane: str) -> tuple[psycopg.AsyncConnection, bool]:
        """A connection and whether it took the lane's lock. A pooled connection may have died
        idle (the server restarted): the pool discards it and another is tried."""
        for attempt in range(1, TAKE_ATTEMPTS + 1):
            conn = await self._pool.getconn()
            try:
                cursor = await conn.execute(TAKE, (LEASE_CLASS, lane))
                row = await cursor.fetchone()
                return conn, row is not None and bool(row[0])
            except psycopg.OperationalError:
                await self._pool.putconn(conn)
                if attempt == TAKE_ATTEMPTS:
                    raise
            except BaseException:
                await self._pool.putconn(conn)
                raise
        raise AssertionError("unreachable")  # pragma: no cover

    async def _watch(self, conn: psycopg.AsyncConnection, lease: Lease) -> None:
        """Wait for input on the lease's idle connection: only its end (or an error) comes."""
        try:
            async for _ in conn.notifies():
                pass
        except psycopg.Error:
            pass
        lease.lose()
        self.lost += 1
        log.error("lane %s: its lease's session ended; the drain stops after its row", lease.lane)


async def _configure(conn: psycopg.AsyncConnection) -> None:
    """The lease's session never times out idle; a vanished peer is noticed in seconds."""
    await conn.execute(
        "SELECT set_config('tcp_keepalives_idle', %s, false),"
        " set_config('tcp_keepalives_interval', %s, false),"
        " set_config('tcp_keepalives_count', %s, false),"
        " set_config('idle_in_transaction_session_timeout', '0', false)",
        (str(KEEPALIVE_IDLE), str(KEEPALIVE_INTERVAL), str(KEEPALIVE_COUNT)),
    )
    with contextlib.suppress(psycopg.errors.UndefinedObject):  # PostgreSQL 14 and later
        await conn.execute("SET idle_session_timeout = 0")
