"""Progress updates of plans' concrete actions (appended, never changed), and who was asked."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.engine import Connection, RowMapping

from bot.domain.plans import PlanStatus
from bot.domain.progress import SERIES, HandedInPlan, ProgressEntry, ProgressStatus
from storage.base import Repository
from storage.plans_repo import _plan
from storage.tables import outbox, pending_inputs, people, plans, progress_updates, units

CHUNK = 500  # plan ids per query (SQLite's bound parameters stay well under its limit)
HANDED_IN = (PlanStatus.SUBMITTED.value, PlanStatus.CONFIRMED.value)


def _entry(row: RowMapping) -> ProgressEntry:
    return ProgressEntry(
        id=row["id"],
        plan_id=row["plan_id"],
        item=row["item"],
        action=row["action"],
        status=ProgressStatus(row["status"]),
        note=row["note"],
        picture=row["picture"],
        picture_channel=row["picture_channel"],
        by_id=row["by_id"],
        at=row["created_at"],
    )


class ProgressRepository(Repository):
    """The progress log."""

    async def add(
        self,
        *,
        plan_id: int,
        item: int,
        action: str,
        status: ProgressStatus,
        note: str,
        picture: str,
        picture_channel: str,
        by_id: int,
        now: datetime,
    ) -> ProgressEntry:
        """Append one update; whatever ``by_id`` was asked to type is done with (one
        transaction)."""

        def work(conn: Connection) -> ProgressEntry:
            new_id = conn.execute(
                insert(progress_updates)
                .values(
                    plan_id=plan_id,
                    item=item,
                    action=action,
                    status=status.value,
                    note=note,
                    picture=picture,
                    picture_channel=picture_channel,
                    by_id=by_id,
                    created_at=now,
                )
                .returning(progress_updates.c.id)
            ).scalar_one()
            conn.execute(delete(pending_inputs).where(pending_inputs.c.person_id == by_id))
            row = conn.execute(
                select(progress_updates).where(progress_updates.c.id == new_id)
            ).mappings()
            return _entry(row.one())

        return await self._db.write(work)

    async def of_plan(self, plan_id: int) -> list[ProgressEntry]:
        """Every update of a plan, oldest first."""
        query = (
            select(progress_updates)
            .where(progress_updates.c.plan_id == plan_id)
            .order_by(progress_updates.c.created_at, progress_updates.c.id)
        )
        return [_entry(row) for row in await self._fetch(query)]

    async def of_plans(self, plan_ids: Sequence[int]) -> dict[int, list[ProgressEntry]]:
        """Every update of these plans, by plan, oldest first."""
        found: dict[int, list[ProgressEntry]] = {plan_id: [] for plan_id in plan_ids}
        ids = list(dict.fromkeys(plan_ids))
        for start in range(0, len(ids), CHUNK):
            query = (
                select(progress_updates)
                .where(progress_updates.c.plan_id.in_(ids[start : start + CHUNK]))
                .order_by(progress_updates.c.created_at, progress_updates.c.id)
            )
            for row in await self._fetch(query):
                found[row["plan_id"]].append(_entry(row))
        return found

    async def handed_in(
        self, campaign_id: int, unit_ids: Sequence[int] | None, offset: int, limit: int
    ) -> tuple[list[HandedInPlan], int]:
        """Handed-in plans of active people of these units (None: all), by unit and name, a
        page at a time, and how many there are in all."""
        scope = [
            plans.c.campaign_id == campaign_id,
            plans.c.status.in_(HANDED_IN),
            people.c.active.is_(True),
        ]
        if unit_ids is not None:
            scope.append(people.c.unit_id.in_(list(unit_ids)))
        listing = (
            select(
                plans,
                people.c.full_name.label("p_full_name"),
                units.c.path.label("u_path"),
            )
            .join(people, people.c.id == plans.c.person_id)
            .join(units, units.c.id == people.c.unit_id)
            .where(*scope)
            .order_by(units.c.path, people.c.full_name, plans.c.id)
            .offset(offset)
            .limit(limit)
        )
        counted = (
            select(func.count().label("n"))
            .select_from(plans)
            .join(people, people.c.id == plans.c.person_id)
            .where(*scope)
        )
        rows = await self._fetch(listing)
        total = (await self._fetch(counted))[0]["n"] if limit else 0
        found = [
            HandedInPlan(row["person_id"], row["p_full_name"], row["u_path"], _plan(row))
            for row in rows
        ]
        return found, int(total)

    async def recently_asked(self, since: datetime) -> set[int]:
        """People sent a progress prompt (queued) at or after ``since``: their outbox keys
        start with ``progress:`` (a LIKE, not a range on the key: under a PostgreSQL collation
        such as en_US the punctuation of a range's bounds does not order as in C)."""
        query = (
            select(outbox.c.person_id)
            .where(outbox.c.created_at >= since, outbox.c.key.startswith(f"{SERIES}:"))
            .distinct()
        )
        return {row["person_id"] for row in await self._fetch(query)}
