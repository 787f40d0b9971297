"""The SQLite thread: every query and write of a SQLite database, one hand-over each, in order."""

from __future__ import annotations

import asyncio
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import insert, select
from sqlalchemy.engine import Connection

from storage.base import execute_one
from storage.engine import SqliteThread
from storage.store import Store
from storage.tables import audit
from tests.waiting import PATIENCE


def _entry(n: int) -> dict[str, object]:
    return {
        "at": datetime(2026, 1, 1, tzinfo=UTC),
        "actor_id": None,
        "actor": "test",
        "action": "test",
        "target": str(n),
        "detail": "{}",
    }


def _targets(conn: Connection) -> list[int]:
    return sorted(int(t) for t in conn.execute(select(audit.c.target)).scalars())


@pytest.mark.parametrize("where", ["file", "memory"])
async def test_many_concurrent_writes_are_all_stored_and_read_back(
    tmp_path: Path, where: str
) -> None:
    """300 tasks write at once (statements and transactions), on a file and in memory; all are
    read back."""
    url = "sqlite+aiosqlite://" if where == "memory" else f"sqlite+aiosqlite:///{tmp_path / 'w.db'}"
    store = await Store.open(url)
    try:
        database = store.database
        assert isinstance(database, SqliteThread)

        async def one(n: int) -> None:
            statement = insert(audit).values(**_entry(n))
            if n % 2:
                await database.write_one(lambda conn: execute_one(conn, statement))
            else:
                await database.write(lambda conn: execute_one(conn, statement))

        await asyncio.gather(*(one(n) for n in range(300)))
        assert await database.read(_targets) == list(range(300))
    finally:
        await store.close()


async def test_a_transaction_body_that_raises_is_rolled_back(tmp_path: Path) -> None:
    """What a transaction wrote before it raised is not kept, and the error reaches the caller."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    try:

        def work(conn: Connection) -> None:
            conn.execute(insert(audit).values(**_entry(1)))
            raise LookupError("changed meanwhile")

        with pytest.raises(LookupError, match="changed meanwhile"):
            await store.database.write(work)
        assert await store.database.read(_targets) == []
    finally:
        await store.close()


async def test_a_write_waiting_for_another_process_does_not_stop_the_event_loop(
    tmp_path: Path,
) -> None:
    """Another process holds SQLite's write lock; our write waits on its thread while the loop
    keeps answering, then goes through once the lock is released."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    other = sqlite3.connect(tmp_path / "w.db", isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        statement = insert(audit).values(**_entry(7))
        write = asyncio.ensure_future(
            store.database.write_one(lambda conn: execute_one(conn, statement))
        )
        ticks = 0
        while ticks < 20:  # the loop runs while the write waits for the lock
            await asyncio.sleep(0)  # one turn of the loop, not a pause
            ticks += 1
        assert not write.done()
        other.execute("COMMIT")
        await asyncio.wait_for(write, PATIENCE)
        assert await store.database.read(_targets) == [7]
    finally:
        other.close()
        await store.close()
