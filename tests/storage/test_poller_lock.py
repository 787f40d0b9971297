"""The poller's lock on real PostgreSQL: one holder at a time, handed over on release, lost
(and free for another replica) when the holder's session ends."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import text

from storage.engine import make_engine
from storage.lanes_pg import conninfo
from storage.poller_lock import APPLICATION, PollerLock, lock_key
from tests.conftest import PG_SKIP, PG_URL
from tests.waiting import PATIENCE

TOKEN = "123456:AAAA-the-secret-part"
pg = pytest.mark.skipif(not PG_URL, reason=PG_SKIP)


def test_the_key_is_the_bots_own_and_not_its_secret() -> None:
    """One key per bot id, whatever its secret part; another bot gets another key."""
    assert lock_key(TOKEN) == lock_key("123456:a-new-secret-after-a-reset")
    assert lock_key(TOKEN) != lock_key("654321:AAAA-the-secret-part")
    assert -(2**63) <= lock_key(TOKEN) < 2**63


def _lock(key: int, check: float = 0.01) -> PollerLock:
    assert PG_URL is not None
    return PollerLock(conninfo(PG_URL), key, retry=0.01, check=check)


@pg
async def test_one_replica_holds_the_lock_and_a_release_hands_it_over() -> None:
    """The first holds it, the second is refused until the first releases it."""
    key = lock_key("1001:x")
    first, second = _lock(key), _lock(key)
    try:
        assert await first.try_acquire() and first.held
        assert not await second.try_acquire() and not second.held
        await first.release()
        assert not first.held
        assert await second.acquire(asyncio.Event())  # taken at its next try
    finally:
        await first.release()
        await second.release()


@pg
async def test_a_stop_ends_the_wait_for_the_lock() -> None:
    """A replica waiting to poll stops waiting when it is stopped."""
    key = lock_key("1002:x")
    holder, waiter = _lock(key), _lock(key)
    stop = asyncio.Event()
    try:
        assert await holder.try_acquire()
        waiting = asyncio.ensure_future(waiter.acquire(stop))
        stop.set()
        assert await asyncio.wait_for(waiting, PATIENCE) is False
    finally:
        await holder.release()
        await waiter.release()


@pg
async def test_a_holder_whose_session_ends_knows_it_and_another_takes_the_lock() -> None:
    """The holder's backend terminated (as when its connection breaks): ``lost`` is set, and
    the lock is free for another replica."""
    assert PG_URL is not None
    key = lock_key("1003:x")
    holder, other = _lock(key), _lock(key)
    admin = make_engine(PG_URL)
    try:
        assert await holder.try_acquire()
        async with admin.connect() as conn:
            ended = await conn.execute(
                text(
                    "SELECT pg_terminate_backend(l.pid) FROM pg_locks l"
                    " JOIN pg_stat_activity a ON a.pid = l.pid"
                    " WHERE l.locktype = 'advisory' AND l.granted"
                    " AND a.application_name LIKE :name"
                    " AND (l.classid::bigint << 32 | l.objid::bigint) = :key"
                ),
                {"name": f"{APPLICATION} %", "key": key},
            )
            assert ended.scalars().all() == [True]
        await asyncio.wait_for(holder.lost.wait(), PATIENCE)
        assert not holder.held
        assert await other.acquire(asyncio.Event())
    finally:
        await holder.release()
        await other.release()
        await admin.dispose()
