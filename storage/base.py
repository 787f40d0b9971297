"""Transactions and row mapping shared by the repositories."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from sqlalchemy import Executable, Select, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.models import Category, Exemption, Person, Role
from storage.engine import (
    AUTOCOMMIT,
    IMMEDIATE,
    AsyncTx,
    Reader,
    SqliteThread,
    ThreadReader,
    Tx,
    write_lock,
)
from storage.tables import people, units

T = TypeVar("T")


class Repository:
    """Base of the repositories: one engine, short transactions."""

    def __init__(self, engine: AsyncEngine, thread: SqliteThread | None = None) -> None:
        self._engine = engine
        self._thread = thread

    async def _transaction(self, work: Callable[[Tx], Coroutine[Any, Any, T]]) -> T:
        """Run ``work`` as one write transaction: on a SQLite file on the SQLite thread in one
        hand-over (see ``SqliteThread``), elsewhere as ``_write()`` on the async engine."""
        if self._thread is not None:
            return await self._thread.transaction(work)
        async with self._write() as connection:
            return await work(AsyncTx(connection))

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction (SQLite: queued in-process, then BEGIN IMMEDIATE)."""
        lock = write_lock(self._engine)
        queue = lock if lock is not None else contextlib.nullcontext()
        async with queue, self._engine.connect() as connection:
            connection = await connection.execution_options(**{IMMEDIATE: True})
            async with connection.begin():
                yield connection

    async def _write_one(self, statement: Executable) -> list[RowMapping]:
        """Run one writing statement, atomic by itself, and return its RETURNING rows.

        On SQLite it runs without BEGIN/COMMIT, so the database is locked only while the
        statement itself runs, not across the event loop turns a transaction would span; on a
        SQLite file it goes to the SQLite thread (see ``SqliteThread``).
        """
        if self._thread is not None:
            return await self._thread.execute(statement)
        lock = write_lock(self._engine)
        if lock is not None:
            await lock.acquire()  # always the lock first, then a connection: no lock-order cycle
        try:
            async with self._engine.connect() as connection:
                connection = await connection.execution_options(**{AUTOCOMMIT: True})
                try:
                    result = await connection.execute(statement)
                    rows = list(result.mappings()) if result.returns_rows else []
                finally:
                    if lock is not None:
                        lock.release()  # the statement has committed: let the next writer in
                        lock = None
                await connection.commit()
        finally:
            if lock is not None:
                lock.release()
        return rows

    async def _fetch(
        self, query: Executable, parameters: dict[str, Any] | None = None
    ) -> list[RowMapping]:
        """The rows of one query, as mappings."""
        async with self._read() as reader:
            return list((await reader.execute(query, parameters)).mappings())

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Reader]:
        """Reads (each statement sees the latest commit). On a SQLite file each query runs on
        the SQLite thread in one hand-over; elsewhere on the async engine."""
        if self._thread is not None:
            yield ThreadReader(self._thread)
            return
        async with self._engine.connect() as connection:
            connection = await connection.execution_options(**{AUTOCOMMIT: True})
            async with connection.begin():
                yield AsyncTx(connection)


def roles_to_text(roles: frozenset[Role]) -> str:
    """Store roles as a sorted comma list."""
    return ",".join(sorted(role.value for role in roles))


def roles_from_text(text: str) -> frozenset[Role]:
    """Read roles stored by ``roles_to_text``."""
    return frozenset(Role(part) for part in text.split(",") if part)


def person_query() -> Select[Any]:
    """People joined with their unit's path."""
    return select(people, units.c.path.label("unit_path")).join(
        units, units.c.id == people.c.unit_id
    )


def to_person(row: RowMapping) -> Person:
    """Map a ``person_query`` row to a Person."""
    return Person(
        id=row["id"],
        code=row["code"],
        full_name=row["full_name"],
        birth_date=row["birth_date"],
        phone=row["phone"],
        category=Category(row["category"]),
        exemption=Exemption(row["exemption"]),
        unit_id=row["unit_id"],
        unit_path=row["unit_path"],
        party_position=row["party_position"],
        gov_position=row["gov_position"],
        union_position=row["union_position"],
        roles=roles_from_text(row["roles"]),
        active=bool(row["active"]),
        workplace=row["workplace"],
    )
