"""The async engine: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL, from one URL."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar, cast
from weakref import WeakKeyDictionary

from sqlalchemy import Engine, Executable, create_engine, event
from sqlalchemy.engine import (
    Connection,
    CursorResult,
    Dialect,
    FrozenResult,
    Result,
    RowMapping,
    make_url,
)
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.util.typing import TupleAny

T = TypeVar("T")
SQLITE_BUSY_TIMEOUT_MS = 15_000
# Few connections: each aiosqlite connection is a thread, and more threads fighting for the GIL
# made the conversation benchmark slower (2-4 connections: ~195 updates/s; 50: ~115).
SQLITE_POOL = 3
IMMEDIATE = "sqlite_immediate"  # execution option: take SQLite's write lock at BEGIN
AUTOCOMMIT = "sqlite_autocommit"  # execution option: no BEGIN; each statement commits by itself


def sqlite_file(url: str) -> Path | None:
    """The database file of a SQLite URL, or None for other engines and in-memory databases."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database or "")


def _create_private(path: Path) -> None:
    """Create the database file readable by its owner only (it holds personal data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))


_WRITE_LOCKS: WeakKeyDictionary[AsyncEngine, asyncio.Lock] = WeakKeyDictionary()


def write_lock(engine: AsyncEngine) -> asyncio.Lock | None:
    """The in-process lock that queues SQLite write transactions (None for PostgreSQL).

    Only in-memory SQLite databases (some tests) still write through the async engine; a SQLite
    file has its writes queued on the SQLite thread instead (``SqliteThread``).
    SQLite allows one writer at a time. Without this lock, concurrent writers of one process
    wait inside SQLite's busy handler, which sleeps in steps of up to 100 ms; queueing them on an
    asyncio lock instead hands the database over as soon as the previous writer commits.
    Other processes (the command line during an import) are still covered by busy_timeout.
    """
    if engine.dialect.name != "sqlite":
        return None
    lock = _WRITE_LOCKS.get(engine)
    if lock is None:
        lock = _WRITE_LOCKS[engine] = asyncio.Lock()
    return lock


def make_engine(url: str, **options: Any) -> AsyncEngine:
    """Build the engine for ``url`` with the settings this project relies on."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **options)

    path = sqlite_file(url)
    if path is not None:
        _create_private(path)
    engine = create_async_engine(url, **({"pool_size": SQLITE_POOL, "max_overflow": 0} | options))
    _configure_sqlite(engine.sync_engine, path is not None)
    return engine


def _configure_sqlite(engine: Engine, on_disk: bool) -> None:
    """Foreign keys, busy timeout, WAL; BEGIN emitted by us so a writer can take the lock."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so a write transaction can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten with zeros, not left in free pages: erasing a person on
        # request (``person forget``) must leave nothing readable in the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if on_disk:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(AUTOCOMMIT, False):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE, False) else "BEGIN")


class Tx:
    """A write transaction's connection as repository code sees it: ``await tx.execute(...)``.

    The same ``async def work(tx)`` runs on PostgreSQL over the async engine (``AsyncTx``) and
    on a SQLite file on the SQLite thread over a synchronous connection (``SyncTx``), where
    nothing ever suspends, so the coroutine completes in one step (``run_to_end``).
    """

    dialect: Dialect

    async def execute(
        self, statement: Executable, parameters: Any = None
    ) -> CursorResult[*TupleAny]:
        """Run one statement in the transaction."""
        raise NotImplementedError


class Reader:
    """A connection for reading as repository code sees it: ``await reader.execute(query)``."""

    dialect: Dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[*TupleAny]:
        """Run one query; its rows, buffered."""
        raise NotImplementedError


class ThreadReader(Reader):
    """Queries run on the SQLite thread, one hand-over each."""

    def __init__(self, thread: SqliteThread) -> None:
        self._thread = thread
        self.dialect = thread.dialect

    async def execute(self, statement: Executable, parameters: Any = None) -> Result[*TupleAny]:
        return (await self._thread.query(statement, parameters))()


class AsyncTx(Tx, Reader):
    """A transaction on the async engine."""

    def __init__(self, connection: AsyncConnection) -> None:
        self._connection = connection
        self.dialect = connection.dialect

    async def execute(
        self, statement: Executable, parameters: Any = None
    ) -> CursorResult[*TupleAny]:
        return await self._connection.execute(statement, parameters)


class SyncTx(Tx):
    """A transaction on a synchronous connection (the SQLite thread)."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self.dialect = connection.dialect

    async def execute(
        self, statement: Executable, parameters: Any = None
    ) -> CursorResult[*TupleAny]:
        return self._connection.execute(statement, parameters)


def run_to_end(coroutine: Coroutine[Any, Any, T]) -> T:
    """Drive a coroutine that never suspends (a transaction body over ``SyncTx``)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise RuntimeError("a transaction body awaited something other than the database")


class SqliteThread:
    """The repositories' work on a SQLite file: every query, statement and transaction, one
    after another on one thread, each in one hand-over from the event loop.

    Through the async engine a statement costs about six hand-overs between the event loop and
    aiosqlite's thread (cursor, execute, fetch, close, commit, return), each waiting for a turn
    of a busy loop, and writers queued on ``write_lock`` waited for all of them: with 300
    members typing, an answer waited ~1.3 s for the lock to save a row that takes SQLite
    microseconds. Here the whole operation (compile, execute, fetch, commit) runs on a thread
    of its own, and the next queued one follows at once, without the event loop in between.
    Same SQLAlchemy statements, through the synchronous pysqlite driver (what aiosqlite wraps);
    waiting for another process's lock (busy_timeout) holds up this thread, never the loop.
    The async engine (aiosqlite) remains for migrations and in-memory databases.
    """

    def __init__(self, url: str) -> None:
        self._engine = create_engine(
            make_url(url).set(drivername="sqlite"), pool_size=1, max_overflow=0
        )
        _configure_sqlite(self._engine, True)
        self.dialect = self._engine.dialect
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")

    async def execute(self, statement: Executable) -> list[RowMapping]:
        """Run one writing statement, atomic by itself; its RETURNING rows."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._run, statement)

    async def query(self, statement: Executable, parameters: Any = None) -> FrozenResult[*TupleAny]:
        """Run one query; its rows, frozen so they can cross over to the event loop."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._query, statement, parameters)

    def _query(self, statement: Executable, parameters: Any) -> FrozenResult[*TupleAny]:
        with self._engine.connect() as connection:
            connection = connection.execution_options(**{AUTOCOMMIT: True})
            return connection.execute(statement, parameters).freeze()

    async def transaction(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        """Run ``work`` in one BEGIN IMMEDIATE ... COMMIT on the SQLite thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._thread, self._run_transaction, work)

    def _run_transaction(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        with self._engine.connect() as connection:
            connection = connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                return run_to_end(work(SyncTx(connection)))

    def _run(self, statement: Executable) -> list[RowMapping]:
        with self._engine.connect() as connection:
            connection = connection.execution_options(**{AUTOCOMMIT: True})
            result = connection.execute(statement)
            rows = list(result.mappings()) if result.returns_rows else []
            connection.commit()
        return rows

    async def close(self) -> None:
        """Finish the queued writes, then close the connection."""
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)


def sqlite_thread(url: str) -> SqliteThread | None:
    """The thread for a SQLite file (None for PostgreSQL and in-memory databases)."""
    return SqliteThread(url) if sqlite_file(url) is not None else None
