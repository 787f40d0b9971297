"""The SQLite thread: every query and write of a SQLite database, one after another, in order."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

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


async def test_each_caller_gets_its_own_result_or_error_when_many_ask_at_once(
    tmp_path: Path,
) -> None:
    """200 reads at once, every third raising: each caller gets its own answer or its own
    error (the results of the operations done in one turn go back together)."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    try:
        await store.database.write(
            lambda conn: execute_one(conn, insert(audit).values(**_entry(5)))
        )

        def work(n: int) -> Callable[[Connection], int]:
            def run(conn: Connection) -> int:
                if n % 3 == 0:
                    raise LookupError(f"no {n}")
                return n * 1000 + _targets(conn)[0]

            return run

        outcomes = await asyncio.gather(
            *(store.database.read(work(n)) for n in range(200)), return_exceptions=True
        )
        for n, outcome in enumerate(outcomes):
            if n % 3 == 0:
                assert isinstance(outcome, LookupError) and str(outcome) == f"no {n}"
            else:
                assert outcome == n * 1000 + 5
    finally:
        await store.close()


async def test_a_connection_an_error_broke_is_replaced_by_the_next_operation(
    tmp_path: Path,
) -> None:
    """Work that breaks the kept connection (its driver connection closed) and raises: the error
    reaches its caller, and the next read and write go through on a new connection."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    try:

        def breaks(conn: Connection) -> None:
            conn.execute(select(audit.c.target))
            driver = conn.connection.driver_connection
            assert driver is not None
            driver.close()
            raise LookupError("broken")

        with pytest.raises(LookupError, match="broken"):
            await store.database.read(breaks)
        await store.database.write_one(
            lambda conn: execute_one(conn, insert(audit).values(**_entry(3)))
        )
        assert await store.database.read(_targets) == [3]
    finally:
        await store.close()


async def test_an_operation_whose_caller_gave_up_before_it_began_is_not_done(
    tmp_path: Path,
) -> None:
    """While the thread is busy, a write is asked for and its caller cancelled: the write is
    never made (as with an executor's queued work), and the next one is."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'w.db'}")
    try:
        started, release = threading.Event(), threading.Event()

        def busy(conn: Connection) -> None:
            started.set()
            release.wait(PATIENCE)

        holding = asyncio.ensure_future(store.database.read(busy))
        await asyncio.to_thread(started.wait, PATIENCE)
        given_up = asyncio.ensure_future(
            store.database.write_one(
                lambda conn: execute_one(conn, insert(audit).values(**_entry(1)))
            )
        )
        await asyncio.sleep(0)  # one turn of the loop: the write is queued behind ``busy``
        given_up.cancel()
        release.set()
        await holding
        await store.database.write_one(
            lambda conn: execute_one(conn, insert(audit).values(**_entry(2)))
        )
        assert given_up.cancelled()
        assert await store.database.read(_targets) == [2]
    finally:
        await store.close()


async def test_closing_finishes_the_work_already_asked_for(tmp_path: Path) -> None:
    """50 writes asked for, then the database closed: every one is stored (read back from the
    file afterwards), and work asked for after closing is refused."""
    path = tmp_path / "w.db"
    store = await Store.open(f"sqlite+aiosqlite:///{path}")

    def write(n: int) -> Awaitable[list[Any]]:
        statement = insert(audit).values(**_entry(n))
        return store.database.write_one(lambda conn: execute_one(conn, statement))

    writes = [asyncio.ensure_future(write(n)) for n in range(50)]
    await asyncio.sleep(0)  # one turn of the loop: all 50 are queued
    await store.close()
    await asyncio.gather(*writes)
    with pytest.raises(RuntimeError, match="closed"):
        await store.database.read(_targets)
    reopened = await Store.open(f"sqlite+aiosqlite:///{path}")
    try:
        assert await reopened.database.read(_targets) == list(range(50))
    finally:
        await reopened.close()
