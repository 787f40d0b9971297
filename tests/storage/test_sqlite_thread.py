"""The SQLite thread: every query and write of a file database, one hand-over each, in order."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from storage.engine import Tx
from storage.store import Store
from storage.tables import audit
from tests.waiting import PATIENCE


async def _store(tmp_path: Path) -> Store:
    return await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")


def _entry(n: int) -> dict[str, object]:
    return {
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor_id": None,
        "actor": "test",
        "action": "test",
        "target": str(n),
        "detail": "{}",
    }


async def test_many_concurrent_writes_are_all_stored_and_read_back(tmp_path: Path) -> None:
    """300 tasks write at once (statements and transactions); the async readers see all."""
    store = await _store(tmp_path)
    try:
        assert store.thread is not None
        repo = store.audit

        async def one(n: int) -> None:
            if n % 2:
                await repo._write_one(insert(audit).values(**_entry(n)))
            else:

                async def work(conn: Tx) -> None:
                    await conn.execute(insert(audit).values(**_entry(n)))

                await repo._transaction(work)

        await asyncio.gather(*(one(n) for n in range(300)))
        async with repo._read() as conn:
            targets = sorted(int(t) for t in (await conn.execute(select(audit.c.target))).scalars())
        assert targets == list(range(300))
    finally:
        await store.close()


async def test_a_transaction_body_that_awaits_something_else_is_refused_and_rolled_back(
    tmp_path: Path,
) -> None:
    """Only database calls may be awaited inside a transaction run on the SQLite thread."""
    store = await _store(tmp_path)
    try:

        async def work(conn: Tx) -> None:
            await conn.execute(insert(audit).values(**_entry(1)))
            await asyncio.sleep(0)  # not the database: would need the event loop

        with pytest.raises(RuntimeError, match="awaited something other than the database"):
            await store.audit._transaction(work)
        async with store.audit._read() as conn:
            assert (await conn.execute(select(audit.c.id))).first() is None
    finally:
        await store.close()


async def test_a_write_waiting_for_another_process_does_not_stop_the_event_loop(
    tmp_path: Path,
) -> None:
    """Another process holds SQLite's write lock; our write waits on its thread while the loop
    keeps answering, then goes through once the lock is released."""
    store = await _store(tmp_path)
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        write = asyncio.ensure_future(store.audit._write_one(insert(audit).values(**_entry(7))))
        ticks = 0
        while ticks < 20:  # the loop runs while the write waits for the lock
            await asyncio.sleep(0)  # one turn of the loop, not a pause
            ticks += 1
        assert not write.done()
        other.execute("COMMIT")
        await asyncio.wait_for(write, PATIENCE)
        async with store.audit._read() as conn:
            assert (await conn.execute(select(audit.c.target))).scalar_one() == "7"
    finally:
        other.close()
        await store.close()
