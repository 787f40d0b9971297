"""The async engine: SQLite (WAL, foreign keys, busy timeout) or PostgreSQL, from one URL."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

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

    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy emit BEGIN itself so a write transaction can take the lock up front.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if path is not None:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        options = connection.get_execution_options()
        if options.get(AUTOCOMMIT, False):
            return
        connection.exec_driver_sql("BEGIN IMMEDIATE" if options.get(IMMEDIATE, False) else "BEGIN")

    return engine
