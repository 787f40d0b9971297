"""The repositories' base (one database runner) and row mapping shared by them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import Executable, Select, select
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.domain.models import Category, Exemption, Person, Role
from storage.engine import Database
from storage.tables import people, units

T = TypeVar("T")


class Repository:
    """Base of the repositories: their work, plain functions over a connection, run by one
    ``Database`` (the same code on a SQLite file, in memory and on PostgreSQL)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def _fetch(
        self, query: Executable, parameters: dict[str, Any] | None = None
    ) -> list[RowMapping]:
        """The rows of one query, as mappings."""

        def work(connection: Connection) -> list[RowMapping]:
            return list(connection.execute(query, parameters).mappings())

        return await self._db.read(work)

    async def _write_one(
        self, statement: Executable, parameters: dict[str, Any] | None = None
    ) -> list[RowMapping]:
        """Run one writing statement, atomic by itself, and return its RETURNING rows."""
        return await self._db.write_one(
            lambda connection: execute_one(connection, statement, parameters)
        )

    async def _insert_or_found(
        self,
        statement: Executable,
        convert: Callable[[RowMapping], T],
        found: Callable[[], Awaitable[T | None]],
    ) -> T:
        """The row an INSERT ... RETURNING made; when a unique key refused it (another device
        made the row meanwhile), the row ``found`` reads instead."""
        try:
            return convert((await self._write_one(statement))[0])
        except IntegrityError:
            existing = await found()
            if existing is None:
                raise
            return existing


def execute_one(
    connection: Connection, statement: Executable, parameters: dict[str, Any] | None = None
) -> list[RowMapping]:
    """Run one statement; its RETURNING rows, if any."""
    result = connection.execute(statement, parameters)
    return list(result.mappings()) if result.returns_rows else []


def roles_to_text(roles: frozenset[Role]) -> str:
    """Store roles as a sorted comma list."""
    return ",".join(sorted(role.value for role in roles))


@lru_cache(maxsize=256)
def roles_from_text(text: str) -> frozenset[Role]:
    """Read roles stored by ``roles_to_text``."""
    return frozenset(Role(part) for part in text.split(",") if part)


def person_query() -> Select[Any]:
    """People joined with their unit's path."""
    return select(people, units.c.path.label("unit_path")).join(
        units, units.c.id == people.c.unit_id
    )


# By stored value: a dictionary look-up costs a fraction of an enum call, once per person read.
_CATEGORY = {category.value: category for category in Category}
_EXEMPTION = {exemption.value: exemption for exemption in Exemption}


def to_person(row: RowMapping) -> Person:
    """Map a ``person_query`` row to a Person (a value no member has still raises ValueError)."""
    category, exemption = row["category"], row["exemption"]
    return Person(
        id=row["id"],
        code=row["code"],
        full_name=row["full_name"],
        birth_date=row["birth_date"],
        phone=row["phone"],
        category=_CATEGORY.get(category) or Category(category),
        exemption=_EXEMPTION.get(exemption) or Exemption(exemption),
        unit_id=row["unit_id"],
        unit_path=row["unit_path"],
        party_position=row["party_position"],
        gov_position=row["gov_position"],
        union_position=row["union_position"],
        roles=roles_from_text(row["roles"]),
        active=bool(row["active"]),
        workplace=row["workplace"],
    )
