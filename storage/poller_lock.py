"""Which replica long-polls Telegram: the one holding a PostgreSQL session advisory lock.

Telegram gives ``getUpdates`` to one caller at a time (a second one cuts the first off with 409
Conflict), so replicas of one deployment elect a poller instead of fighting: each tries
``pg_try_advisory_lock`` on a connection of its own every ``retry`` seconds; the one that gets it
polls while it holds it. The lock belongs to that connection's session:

- a graceful stop unlocks it (``release``) after its last confirming ``getUpdates``;
- a killed process's connection closes and PostgreSQL ends the session, releasing the lock at
  once; a host that vanishes without closing its connections is found out by the TCP keepalives
  asked of the server for this session (``KEEPALIVE``: about 10 s);
- the holder checks its connection every ``check`` seconds; one that fails (the database
  restarted, the network cut) sets ``lost``, and the replica stops polling at once, since
  another one may hold the lock by then.

Which replica polls: ``SELECT application_name FROM pg_stat_activity JOIN pg_locks USING (pid)
WHERE locktype = 'advisory' AND granted AND application_name LIKE 'chuyende poller %'``.

Two pollers for a moment (a holder that has not yet seen its loss) cost a 409 and a poll again,
never an update: each batch is recorded in the inbox before it is confirmed, and recorded once.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import os
import socket

import psycopg

log = logging.getLogger(__name__)

APPLICATION = "chuyende poller"  # the lock's session in pg_stat_activity: "<this> <host>:<pid>"
RETRY = 1.0  # seconds between two tries of a replica that does not hold the lock
CHECK = 1.0  # seconds between two checks of the holder's connection
CHECK_TIMEOUT = 5.0  # a check not answered within this counts as the connection lost
# The server's keepalives on this session (seconds idle, between probes, probes): a holder whose
# host vanished is dropped, and its lock released, after about idle + interval * count.
KEEPALIVE = {"tcp_keepalives_idle": 4, "tcp_keepalives_interval": 2, "tcp_keepalives_count": 3}


def lock_key(token: str) -> int:
    """The advisory lock's key for a bot (a signed 64-bit number from its id, the part of the
    token before ``:``): two bots on one database elect their pollers apart, and the key never
    carries the token's secret part."""
    bot_id = token.partition(":")[0]
    digest = hashlib.sha256(f"chuyende poller {bot_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


class PollerLock:
    """One replica's place in the election of the poller (``storage/lanes_pg.conninfo``)."""

    def __init__(self, info: str, key: int, *, retry: float = RETRY, check: float = CHECK) -> None:
        self._info = info
        self._key = key
        self._retry = retry
        self._check = check
        self._conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        self._watch: asyncio.Task[None] | None = None
        self.lost = asyncio.Event()  # set when the held lock can no longer be vouched for

    @property
    def held(self) -> bool:
        return self._conn is not None and not self.lost.is_set()

    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this replica holds the lock (True) or ``stop`` is set (False). A database
        that does not answer is tried again, as a lock held by another replica is."""
        while not stop.is_set():
            if await self.try_acquire():
                return True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self._retry)
        return False

    async def try_acquire(self) -> bool:
        """Try once: True when this replica holds the lock now (it watches it from then on)."""
        if self._conn is not None:  # held already (or lost, until released)
            return not self.lost.is_set()
        conn: psycopg.AsyncConnection[tuple[object, ...]] | None = None
        try:
            conn = await psycopg.AsyncConnection.connect(
                self._info,
                autocommit=True,
                application_name=f"{APPLICATION} {socket.gethostname()}:{os.getpid()}"[:63],
            )
            for name, value in KEEPALIVE.items():
                await conn.execute(f"SET {name} = {int(value)}")
            cursor = await conn.execute("SELECT pg_try_advisory_lock(%s)", (self._key,))
            row = await cursor.fetchone()
        except (psycopg.Error, OSError) as error:
            log.warning("poller election: the database did not answer (%s)", error)
            if conn is not None:
                with contextlib.suppress(psycopg.Error, OSError):
                    await conn.close()
            return False
        if row is None or not row[0]:
            await conn.close()
            return False
        self._conn = conn
        self.lost.clear()
        self._watch = asyncio.create_task(self._watch_over(conn))
        return True

    async def _watch_over(self, conn: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
        """Check the holder's connection until it fails; then ``lost``."""
        try:
            while True:
                await asyncio.sleep(self._check)
                async with asyncio.timeout(CHECK_TIMEOUT):
                    await conn.execute("SELECT 1")
        except (psycopg.Error, OSError, TimeoutError) as error:
            log.warning("poller: the connection holding the lock failed (%s)", error)
            self.lost.set()

    async def release(self) -> None:
        """Unlock (when still held) and close the connection."""
        watch, self._watch = self._watch, None
        if watch is not None:
            watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await watch
        conn, self._conn = self._conn, None
        if conn is None:
            return
        with contextlib.suppress(psycopg.Error, OSError):
            if not self.lost.is_set():
                await conn.execute("SELECT pg_advisory_unlock(%s)", (self._key,))
        with contextlib.suppress(psycopg.Error, OSError):
            await conn.close()
