"""Where repository work runs: ``fn(connection)``, a plain function, on any of the databases.

One code path for a SQLite file, in-memory SQLite and PostgreSQL: a repository hands a
synchronous ``work(connection)`` to ``Database.read`` / ``write`` / ``write_one``. On SQLite it
runs on one thread of its own (``SqliteThread``), in one hand-over from the event loop; on
PostgreSQL through SQLAlchemy's ``run_sync`` on the async engine (``ServerDatabase``).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections import deque
from collections.abc import Callable
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


class _Job:
    """One operation handed to the SQLite thread, and the future its caller awaits."""

    __slots__ = ("future", "run", "work")

    def __init__(
        self, run: Callable[[Callable[[Connection], Any]], Any], work: Callable[[Connection], Any]
    ) -> None:
        self.run, self.work = run, work
        self.future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()


class SqliteThread(Database):
    """A SQLite database's work: every query, statement and transaction, one after another on
    one thread of its own, over one connection kept open.

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

    The hand-overs are coalesced both ways: the thread is woken only when it is idle (work
    queued while it is busy is picked up by it next), and results go back to the loop in one
    wake-up for all those finished since the loop last took them (``call_soon_threadsafe``
    writes to the loop's wake-up pipe each time: with many people typing, one write for several
    results). The connection is the thread's for its life: no pool checkout, reset (a
    ROLLBACK) and check-in around every operation; a connection that an error left unusable is
    closed and the next operation opens another. The thread is a daemon: ``close`` finishes
    what was asked for; a process that ends without it loses what a SIGKILL would, nothing a
    caller was told is saved.
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
        self._connection: Connection | None = None  # the thread's own, opened on first use
        self._immediate: bool | None = None  # how ``_connection`` is set (None: not yet)
        self._lock = threading.Lock()  # guards the three fields below, between loops and thread
        self._jobs: deque[_Job | None] = deque()  # None: finish
        self._idle = True  # the thread waits on ``_wake`` for work
        # Finished jobs not yet settled, by the loop awaiting them; a loop is a key while a
        # delivery to it is scheduled.
        self._done: dict[asyncio.AbstractEventLoop, list[tuple[_Job, Any, BaseException | None]]]
        self._done = {}
        self._wake = threading.Semaphore(0)
        self._thread = threading.Thread(target=self._serve, name="sqlite", daemon=True)
        self._started = False
        self._closed = False

    async def _hand_over(
        self, run: Callable[[Callable[[Connection], T]], T], work: Callable[[Connection], T]
    ) -> T:
        if self._closed:
            raise RuntimeError("the database is closed")
        if not self._started:
            self._started = True
            self._thread.start()
        job = _Job(run, work)
        self._submit(job)
        result: T = await job.future
        return result

    async def read(self, work: Callable[[Connection], T]) -> T:
        return await self._hand_over(self._read, work)

    async def write(self, work: Callable[[Connection], T]) -> T:
        return await self._hand_over(self._write, work)

    async def write_one(self, work: Callable[[Connection], T]) -> T:
        return await self._hand_over(self._write_one, work)

    def _submit(self, job: _Job | None) -> None:
        with self._lock:
            self._jobs.append(job)
            wake, self._idle = self._idle, False
        if wake:
            self._wake.release()

    def _serve(self) -> None:
        """The thread: run the queued jobs one after another; wait when there are none."""
        while True:
            self._wake.acquire()
            while True:
                with self._lock:
                    if not self._jobs:
                        self._idle = True
                        break
                    job = self._jobs.popleft()
                if job is None:
                    self._finish()
                    return
                if job.future.cancelled():  # its caller gave up before it began
                    continue
                try:
                    result, error = job.run(job.work), None
                except BaseException as exc:  # handed to the caller, as raised
                    result, error = None, exc
                loop = job.future.get_loop()
                with self._lock:
                    deliver = loop not in self._done
                    self._done.setdefault(loop, []).append((job, result, error))
                if deliver:
                    with contextlib.suppress(RuntimeError):  # that loop is closed: nobody waits
                        loop.call_soon_threadsafe(self._deliver, loop)

    def _deliver(self, loop: asyncio.AbstractEventLoop) -> None:
        """On ``loop``: settle every job of it finished since its last delivery."""
        with self._lock:
            done = self._done.pop(loop, [])
        for job, result, error in done:
            if job.future.cancelled():
                continue
            if error is None:
                job.future.set_result(result)
            else:
                job.future.set_exception(error)

    def _finish(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None
        self._engine.dispose()

    def _open(self, immediate: bool) -> Connection:
        """The thread's connection, set for a transaction that takes the write lock at BEGIN
        (``immediate``) or for statements that each commit by themselves."""
        connection = self._connection
        if connection is None or connection.closed or connection.invalidated:
            connection = self._connection = self._engine.connect()
            self._immediate = None
        if self._immediate is not immediate:  # only when it changes: most operations are reads
            connection.execution_options(**{IMMEDIATE: immediate, AUTOCOMMIT: not immediate})
            self._immediate = immediate
        return connection

    def _after_error(self, connection: Connection) -> None:
        """End what an operation that raised left open; drop the connection if that fails."""
        try:
            if connection.in_transaction():
                connection.rollback()
        except Exception:  # the operation's own error is the one to report
            self._drop()

    def _drop(self) -> None:
        if self._connection is not None:
            with contextlib.suppress(Exception):
                self._connection.close()
            self._connection = None

    def _read(self, work: Callable[[Connection], T]) -> T:
        connection = self._open(immediate=False)
        try:
            done = work(connection)
        except BaseException:
            self._after_error(connection)
            raise
        connection.rollback()  # ends SQLAlchemy's transaction: no BEGIN was sent
        return done

    def _write(self, work: Callable[[Connection], T]) -> T:
        connection = self._open(immediate=True)
        try:
            with connection.begin():
                return work(connection)
        except BaseException:
            self._after_error(connection)
            raise

    def _write_one(self, work: Callable[[Connection], T]) -> T:
        connection = self._open(immediate=False)
        try:
            done = work(connection)
            connection.commit()
        except BaseException:
            self._after_error(connection)
            raise
        return done

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if not self._started:  # never used: nothing runs on a thread
            self._engine.dispose()
            return
        self._submit(None)
        await asyncio.to_thread(self._thread.join)


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
