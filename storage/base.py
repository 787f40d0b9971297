"""Transactions and row mapping shared by the repositories."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from bot.domain.models import Category, Exemption, Person, Role
from storage.engine import IMMEDIATE
from storage.tables import people, units


class Repository:
    """Base of the repositories: one engine, short transactions."""

    def __init__(self, engine: AsyncEngine) -> None:
        self._engine = engine

    @asynccontextmanager
    async def _write(self) -> AsyncIterator[AsyncConnection]:
        """A write transaction (SQLite: takes the write lock at BEGIN, so no upgrade deadlock)."""
        async with self._engine.connect() as connection:
            connection = await connection.execution_options(**{IMMEDIATE: True})
            async with connection.begin():
                yield connection

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[AsyncConnection]:
        """A read-only transaction."""
        async with self._engine.connect() as connection, connection.begin():
            yield connection


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
    )
