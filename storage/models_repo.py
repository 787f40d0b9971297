"""Exemplary models: nominations, their review, and the published list."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, insert, or_, select, update
from sqlalchemy.engine import Connection, RowMapping

from bot.domain.exemplars import Draft, ModelStatus, Nomination
from bot.domain.models import Person
from storage.base import Repository, person_query, to_person
from storage.tables import exemplars, people, units


def _nomination(row: RowMapping) -> Nomination:
    return Nomination(
        id=row["id"],
        unit_path=row["unit_path"],
        year=row["year"],
        who=row["who"],
        deed=row["deed"],
        result=row["result"],
        person_id=row["person_id"],
        status=ModelStatus(row["status"]),
        comment=row["comment"],
        nominated_by_id=row["nominated_by_id"],
        nominated_by=row["nominated_by"],
        nominated_at=row["nominated_at"],
        approved_by=row["approved_by"],
        approved_at=row["approved_at"],
        photo_id=row["photo_id"],
    )


# A model of a member shows only while they are on the roster (removed: inactive; erased: the
# row went with them).
_LIVE = or_(
    exemplars.c.person_id.is_(None),
    exemplars.c.person_id.in_(select(people.c.id).where(people.c.active.is_(True))),
)


class ModelsRepository(Repository):
    """Add, edit, review and list nominations."""

    async def add(
        self,
        draft: Draft,
        *,
        unit_path: str,
        year: int,
        person_id: int | None,
        by: Person,
        now: datetime,
        photo_id: str | None = None,
    ) -> Nomination:
        """Store a new nomination waiting for the admin."""

        def work(conn: Connection) -> Nomination:
            new_id = conn.execute(
                insert(exemplars)
                .values(
                    unit_path=unit_path,
                    year=year,
                    who=draft.who,
                    deed=draft.deed,
                    result=draft.result,
                    person_id=person_id,
                    photo_id=photo_id,
                    status=ModelStatus.PENDING.value,
                    comment="",
                    nominated_by_id=by.id,
                    nominated_by=by.full_name,
                    nominated_at=now,
                    approved_by="",
                )
                .returning(exemplars.c.id)
            ).scalar_one()
            row = conn.execute(select(exemplars).where(exemplars.c.id == new_id))
            return _nomination(row.mappings().one())

        return await self._db.write(work)

    async def get(self, model_id: int) -> Nomination | None:
        """One nomination (a member's only while they are on the roster)."""
        rows = await self._fetch(select(exemplars).where(exemplars.c.id == model_id, _LIVE))
        return _nomination(rows[0]) if rows else None

    async def edit(
        self,
        model_id: int,
        draft: Draft,
        person_id: int | None,
        status: ModelStatus,
        photo_id: str | None = None,
    ) -> bool:
        """Replace the text of a nomination not yet published (and its photo, when given)."""
        photo = {"photo_id": photo_id} if photo_id else {}
        rows = await self._write_one(
            update(exemplars)
            .where(exemplars.c.id == model_id, exemplars.c.status != ModelStatus.APPROVED.value)
            .values(
                who=draft.who,
                deed=draft.deed,
                result=draft.result,
                person_id=person_id,
                status=status.value,
                **photo,
            )
            .returning(exemplars.c.id)
        )
        return bool(rows)

    async def decide(
        self, model_id: int, status: ModelStatus, *, comment: str, by: str, now: datetime
    ) -> bool:
        """Approve or return a nomination waiting for the admin; False when it is not."""
        values: dict[str, object] = {"status": status.value, "comment": comment}
        if status is ModelStatus.APPROVED:
            values |= {"approved_by": by, "approved_at": now}
        rows = await self._write_one(
            update(exemplars)
            .where(exemplars.c.id == model_id, exemplars.c.status == ModelStatus.PENDING.value)
            .values(**values)
            .returning(exemplars.c.id)
        )
        return bool(rows)

    async def listed(
        self, status: ModelStatus, *, unit_path: str | None = None, year: int | None = None
    ) -> list[Nomination]:
        """Nominations at ``status`` (in a unit and those under it; of a year), newest first."""
        query = select(exemplars).where(exemplars.c.status == status.value, _LIVE)
        if unit_path is not None:
            query = query.where(
                or_(
                    exemplars.c.unit_path == unit_path,
                    exemplars.c.unit_path.startswith(f"{unit_path} / "),
                )
            )
        if year is not None:
            query = query.where(exemplars.c.year == year)
        newest = func.coalesce(exemplars.c.approved_at, exemplars.c.nominated_at)
        query = query.order_by(newest.desc(), exemplars.c.id.desc())
        return [_nomination(row) for row in await self._fetch(query)]

    async def counts(self, year: int) -> dict[str, dict[ModelStatus, int]]:
        """Per unit path (that unit itself, not below), how many nominations of ``year`` stand
        at each status (a removed or forgotten member's not counted, as not listed)."""
        query = (
            select(exemplars.c.unit_path, exemplars.c.status, func.count().label("n"))
            .where(exemplars.c.year == year, _LIVE)
            .group_by(exemplars.c.unit_path, exemplars.c.status)
        )
        found: dict[str, dict[ModelStatus, int]] = {}
        for row in await self._fetch(query):
            found.setdefault(row["unit_path"], {})[ModelStatus(row["status"])] = int(row["n"])
        return found

    async def years(self) -> list[int]:
        """The years that have a published model, newest first."""
        query = (
            select(exemplars.c.year)
            .where(exemplars.c.status == ModelStatus.APPROVED.value, _LIVE)
            .distinct()
            .order_by(exemplars.c.year.desc())
        )
        return [int(row["year"]) for row in await self._fetch(query)]

    async def person_named(self, name: str, unit_path: str | None) -> Person | None:
        """The one active person with this full name (in the unit and under it), if only one."""
        query = person_query().where(
            func.lower(people.c.full_name) == name.lower(), people.c.active.is_(True)
        )
        if unit_path is not None:
            query = query.where(
                or_(units.c.path == unit_path, units.c.path.startswith(f"{unit_path} / "))
            )
        found = [to_person(row) for row in await self._fetch(query.limit(2))]
        return found[0] if len(found) == 1 else None
