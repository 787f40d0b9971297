"""Where repository work runs: ``fn(connection)``, a plain function, on any of the databases.

One code path for a SQLite file, in-memory SQLite and PostgreSQL: a repository hands a
synchronous ``work(connection)`` to ``Database.read`` / ``write`` / ``write_one``. On SQLite it
runs on one thread of its own (``SqliteThread``), in one hand-over from the event loop; on
PostgreSQL through SQLAlchemy's ``run_sync`` on the async engine (``ServerDatabase``).
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from sqlalchemy import Engine, StaticPool, create_engine, event
from sqlalchemy.engine import Connection, Dialect, make_url

if TYPE_CHECKING:  # the async engine (and SQLAlchemy's ORM under it) is loaded when one is made
    from sqlalchemy.ext.asyncio import AsyncEngine

T = TypeVar("T")
SQLITE_BUSY_TIMEOUT_MS = 15_000
# The async SQLite engine is only a door for tests and tools (the bot's work runs on the
# SqliteThread): few connections, each aiosqlite connection being a thread of its own.
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


def make_engine(url: str, **options: Any) -> AsyncEngine:
    """The async engine for ``url``: PostgreSQL's runner; on SQLite, a door for tests and tools
    to the same file (an in-memory database is another one: use ``Store.database`` there).
    Imported here: a bot on SQLite never makes one, and ``sqlalchemy.ext.asyncio`` brings the
    ORM with it (about 6 MB of an idle bot's memory)."""
    from sqlalchemy.ext.asyncio import create_async_engine

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_async_engine(url, pool_pre_ping=True, **options)

    path = sqlite_file(url)
    if path is None:
        engine = create_async_engine(url, **options)
    else:
        _create_private(path)
        pool = {"pool_size": SQLITE_POOL, "max_overflow": 0}
        engine = create_async_engine(url, **(pool | options))
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


class Database:
    """Runs repository work, a plain ``work(connection)``, and returns what it returns."""

    dialect: Dialect

    async def read(self, work: Callable[[Connection], T]) -> T:
        """Run queries (each sees the latest commit)."""
        raise NotImplementedError

    async def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work`` as one transaction: committed if it returns, rolled back if it raises."""
        raise NotImplementedError

    async def write_one(self, work: Callable[[Connection], T]) -> T:
        """Run one writing statement, atomic by itself: on SQLite without BEGIN/COMMIT, so the
        database is locked only while the statement runs."""
        raise NotImplementedError

    async def close(self) -> None:
        """Finish what is queued, then release the connections."""
        raise NotImplementedError


class SqliteThread(Database):
    """A SQLite database's work: every query, statement and transaction, one after another on
    one thread, each in one hand-over from the event loop.

    Through the async engine a statement costs about six hand-overs between the event loop and
    aiosqlite's thread (cursor, execute, fetch, close, commit, return), each waiting for a turn
    of a busy loop, and writers queued on an asyncio lock waited for all of them: with 300
    members typing, an answer waited ~1.3 s for the lock to save a row that takes SQLite
    microseconds. Here the whole operation (compile, execute, fetch, map, commit) runs on a
    thread of its own, and the next queued one follows at once, without the event loop in
    between; SQLite's one writer at a time is this thread, so no lock is needed in the process.
    Same SQLAlchemy statements, through the synchronous pysqlite driver (what aiosqlite wraps);
    waiting for another process's lock (busy_timeout) holds up this thread, never the loop.
    An in-memory database is one connection kept open (StaticPool) on the same kind of thread.
    """

    def __init__(self, url: str) -> None:
        path = sqlite_file(url)
        sync_url = make_url(url).set(drivername="sqlite")
        if path is None:  # in memory: the database lives as long as its one connection
            self._engine = create_engine(
                sync_url, poolclass=StaticPool, connect_args={"check_same_thread": False}
            )
        else:
            _create_private(path)
            self._engine = create_engine(sync_url, pool_size=1, max_overflow=0)
        _configure_sqlite(self._engine, path is not None)
        self.dialect = self._engine.dialect
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite")

    async def _hand_over(
        self, run: Callable[[Callable[[Connection], T]], T], work: Callable[[Connection], T]
    ) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._thread, run, work)

    async def read(self, work: Callable[[Connection], T]) -> T:
        return await self._hand_over(self._read, work)

    async def write(self, work: Callable[[Connection], T]) -> T:
        return await self._hand_over(self._write, work)

    async def write_one(self, work: Callable[[Connection], T]) -> T:
        return await self._hand_over(self._write_one, work)

    def _read(self, work: Callable[[Connection], T]) -> T:
        with self._engine.connect() as connection:
            return work(connection.execution_options(**{AUTOCOMMIT: True}))

    def _write(self, work: Callable[[Connection], T]) -> T:
        with self._engine.connect() as connection:
            connection = connection.execution_options(**{IMMEDIATE: True})
            with connection.begin():
                return work(connection)

    def _write_one(self, work: Callable[[Connection], T]) -> T:
        with self._engine.connect() as connection:
            connection = connection.execution_options(**{AUTOCOMMIT: True})
            done = work(connection)
            connection.commit()
        return done

    async def close(self) -> None:
        await asyncio.get_running_loop().run_in_executor(self._thread, self._engine.dispose)
        self._thread.shutdown(wait=True)


class ServerDatabase(Database):
    """PostgreSQL: the same work through ``run_sync`` on the async engine (asyncpg)."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine
        self.dialect = engine.dialect

    async def read(self, work: Callable[[Connection], T]) -> T:
        async with self._engine.connect() as connection:
            return await connection.run_sync(work)

    async def write(self, work: Callable[[Connection], T]) -> T:
        async with self._engine.begin() as connection:
            return await connection.run_sync(work)

    async def write_one(self, work: Callable[[Connection], T]) -> T:
        return await self.write(work)

    async def close(self) -> None:
        """The engine is the store's to dispose of."""
