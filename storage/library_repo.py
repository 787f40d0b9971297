"""The study library: materials (a stored file or a link) and the "đã học" marks."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping

from bot.domain.library import Audience, Material, MaterialKind, NewMaterial
from bot.domain.models import Person
from storage.base import Repository, person_query, to_person
from storage.tables import library_items, library_studied, people, units

_COLUMNS = [c for c in library_items.c if c.name != "file_data"]


def _material(row: RowMapping) -> Material:
    return Material(
        id=row["id"],
        title=row["title"],
        summary=row["summary"],
        year=row["year"],
        kind=MaterialKind(row["kind"]),
        audience=Audience(row["audience"]),
        unit_path=row["unit_path"],
        file_name=row["file_name"],
        url=row["url"],
        file_id=row["file_id"],
        added_by=row["added_by"],
        added_at=row["added_at"],
    )


class LibraryRepository(Repository):
    """Add, list, remove materials; mark them studied."""

    async def add(
        self, material: NewMaterial, *, by_id: int | None, by: str, now: datetime
    ) -> Material:
        """Store ``material``; the stored row."""

        def work(conn: Connection) -> Material:
            new_id = conn.execute(
                insert(library_items)
                .values(
                    title=material.title,
                    summary=material.summary,
                    year=material.year,
                    kind=material.kind.value,
                    audience=material.audience.value,
                    unit_path=material.unit_path,
                    url=material.url,
                    file_name=material.file_name,
                    file_data=material.data,
                    file_id=material.file_id,
                    added_by_id=by_id,
                    added_by=by,
                    added_at=now,
                )
                .returning(library_items.c.id)
            ).scalar_one()
            row = conn.execute(select(*_COLUMNS).where(library_items.c.id == new_id))
            return _material(row.mappings().one())

        return await self._db.write(work)

    async def get(self, item_id: int) -> Material | None:
        """One material not removed."""
        query = select(*_COLUMNS).where(
            library_items.c.id == item_id, library_items.c.removed_at.is_(None)
        )
        rows = await self._fetch(query)
        return _material(rows[0]) if rows else None

    async def all(self) -> list[Material]:
        """Every material not removed, in the order added."""
        query = (
            select(*_COLUMNS)
            .where(library_items.c.removed_at.is_(None))
            .order_by(library_items.c.id)
        )
        return [_material(row) for row in await self._fetch(query)]

    async def content(self, item_id: int) -> bytes | None:
        """A stored file's bytes (None for a link, or a material removed)."""
        query = select(library_items.c.file_data).where(
            library_items.c.id == item_id, library_items.c.removed_at.is_(None)
        )
        rows = await self._fetch(query)
        data = rows[0]["file_data"] if rows else None
        return bytes(data) if data is not None else None

    async def learn_file_id(self, item_id: int, file_id: str) -> None:
        """Telegram has the file: it is sent by this id from now on (the bytes stay, for the
        download links of channels without documents)."""
        await self._write_one(
            update(library_items)
            .where(library_items.c.id == item_id, library_items.c.file_id.is_(None))
            .values(file_id=file_id)
        )

    async def remove(self, item_id: int, now: datetime) -> bool:
        """Stop showing a material; False when there is none (or it was removed)."""
        rows = await self._write_one(
            update(library_items)
            .where(library_items.c.id == item_id, library_items.c.removed_at.is_(None))
            .values(removed_at=now, file_data=None)
            .returning(library_items.c.id)
        )
        return bool(rows)

    async def unit_exists(self, path: str) -> bool:
        """Whether a unit has this path."""
        return bool(await self._fetch(select(units.c.id).where(units.c.path == path)))

    async def mark(self, item_id: int, person_id: int, now: datetime) -> None:
        """Note that ``person_id`` studied ``item_id`` (a second mark keeps the first time)."""

        def work(conn: Connection) -> None:
            values = {"item_id": item_id, "person_id": person_id, "at": now}
            maker = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
            conn.execute(maker(library_studied).values(**values).on_conflict_do_nothing())

        await self._db.write_one(work)

    async def studied_by(self, person_id: int) -> set[int]:
        """The materials ``person_id`` marked as studied."""
        query = select(library_studied.c.item_id).where(library_studied.c.person_id == person_id)
        return {int(row["item_id"]) for row in await self._fetch(query)}

    async def studied_in(
        self, unit_path: str, item_ids: Sequence[int]
    ) -> tuple[list[Person], dict[int, set[int]]]:
        """The active people of a unit (and the units under it), and for each of ``item_ids``
        the ids among them who studied it."""
        in_unit = or_(units.c.path == unit_path, units.c.path.startswith(f"{unit_path} / "))

        def work(conn: Connection) -> tuple[list[Person], dict[int, set[int]]]:
            query = (
                person_query()
                .where(in_unit, people.c.active.is_(True))
                .order_by(people.c.full_name, people.c.id)
            )
            members = [to_person(row) for row in conn.execute(query).mappings()]
            ids = [m.id for m in members]
            marks: dict[int, set[int]] = {item: set() for item in item_ids}
            if ids and item_ids:
                for row in conn.execute(
                    select(library_studied.c.item_id, library_studied.c.person_id).where(
                        library_studied.c.item_id.in_(list(item_ids)),
                        library_studied.c.person_id.in_(ids),
                    )
                ):
                    marks[int(row.item_id)].add(int(row.person_id))
            return members, marks

        return await self._db.read(work)

    async def studied_everywhere(
        self, item_ids: Sequence[int]
    ) -> tuple[list[Person], dict[int, set[int]]]:
        """Every active person, and for each of ``item_ids`` the ids of those who studied it
        (the district report's count)."""

        def work(conn: Connection) -> tuple[list[Person], dict[int, set[int]]]:
            query = person_query().where(people.c.active.is_(True))
            members = [to_person(row) for row in conn.execute(query).mappings()]
            marks: dict[int, set[int]] = {item: set() for item in item_ids}
            if item_ids:
                for row in conn.execute(
                    select(library_studied.c.item_id, library_studied.c.person_id).where(
                        library_studied.c.item_id.in_(list(item_ids))
                    )
                ):
                    marks[int(row.item_id)].add(int(row.person_id))
            return members, marks

        return await self._db.read(work)

    async def counts(self) -> dict[int, int]:
        """How many people marked each material studied."""
        query = select(library_studied.c.item_id, func.count().label("n")).group_by(
            library_studied.c.item_id
        )
        return {int(row["item_id"]): int(row["n"]) for row in await self._fetch(query)}
