"""What the sweeps read and record: everyone's standing, the unit tree, occasions already done."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from bot.domain.digest import Forgotten, ReturnedPlan, Standing, UnitNode
from bot.domain.models import Category, Channel, Exemption, Role
from bot.domain.pending import FillingFor, Pending, parse_pending
from bot.domain.plans import PlanStatus
from storage.base import Repository, roles_from_text
from storage.tables import (
    accounts,
    forgotten,
    occasions,
    pending_inputs,
    people,
    plan_events,
    plans,
    units,
)


def record_occasion(conn: Connection, key: str, outcome: str, messages: int, now: datetime) -> bool:
    """Mark an occasion handled (its ``messages`` go in the same unit of work); False if it was
    done already: two processes sweeping at once both try, the key lets only one through."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    statement = (
        insert(occasions)
        .values(key=key, outcome=outcome, messages=messages, done_at=now)
        .on_conflict_do_nothing(index_elements=["key"])
    )
    return bool(conn.execute(statement).rowcount == 1)


class ScheduleRepository(Repository):
    """Reads for reminders and digests; the record of which occasions were handled."""

    async def standings(
        self,
        campaign_id: int,
        unit_ids: Sequence[int] | None = None,
        channel: Channel | None = None,
        *,
        person_ids: Sequence[int] | None = None,
    ) -> list[Standing]:
        """Every active person (of ``unit_ids``, or only ``person_ids``) with their account (on
        ``channel``; by default the one their messages go to) and plan status, in one query."""
        on = accounts.c.channel == (channel.value if channel else people.c.notify_channel)
        query = (
            select(
                people.c.id,
                people.c.full_name,
                people.c.unit_id,
                people.c.exemption,
                people.c.roles,
                accounts.c.chat_id,
                accounts.c.blocked_at,
                plans.c.status,
                people.c.category,
                plans.c.late,
            )
            .outerjoin(accounts, and_(accounts.c.person_id == people.c.id, on))
            .outerjoin(
                plans, and_(plans.c.person_id == people.c.id, plans.c.campaign_id == campaign_id)
            )
            .where(people.c.active.is_(True))
            .order_by(people.c.full_name, people.c.id)
        )
        if unit_ids is not None:
            query = query.where(people.c.unit_id.in_(list(unit_ids)))
        if person_ids is not None:
            query = query.where(people.c.id.in_(list(person_ids)))
        exemptions = {e.value: e for e in Exemption}
        statuses = {s.value: s for s in PlanStatus}
        role_cache: dict[str, frozenset[Role]] = {}

        categories = {c.value: c for c in Category}

        def work(conn: Connection) -> list[Standing]:
            # Each row becomes a Standing as it is read: the rows are never all held at once
            # (100,000 of them beside their Standings were ~50 MB more at a sweep's peak).
            result = []
            for row in conn.execute(query):
                pid, name, unit_id, exemption, roles, chat_id, blocked, status, category, late = row
                parsed = role_cache.get(roles)
                if parsed is None:
                    parsed = role_cache[roles] = roles_from_text(roles)
                result.append(
                    Standing(
                        person_id=pid,
                        full_name=name,
                        unit_id=unit_id,
                        exemption=exemptions[exemption],
                        roles=parsed,
                        chat_id=chat_id,
                        unreachable=blocked is not None,
                        status=statuses.get(status) if status else None,
                        category=categories[category],
                        late=bool(late),
                    )
                )
            return result

        return await self._db.read(work)

    async def forgotten(
        self, campaign_id: int, unit_ids: Sequence[int] | None = None
    ) -> list[Forgotten]:
        """Erased people's kept standings in the campaign (of ``unit_ids``): counts only."""
        query = select(
            forgotten.c.unit_id,
            forgotten.c.category,
            forgotten.c.exempt,
            forgotten.c.status,
            forgotten.c.late,
        ).where(forgotten.c.campaign_id == campaign_id)
        if unit_ids is not None:
            query = query.where(forgotten.c.unit_id.in_(list(unit_ids)))

        def work(conn: Connection) -> list[Any]:
            return list(conn.execute(query).all())

        rows = await self._db.read(work)
        return [
            Forgotten(
                unit_id,
                Category(category),
                bool(exempt),
                PlanStatus(status) if status else None,
                bool(late),
            )
            for unit_id, category, exempt, status, late in rows
        ]

    async def unit_nodes(self) -> list[UnitNode]:
        """Every unit."""
        query = select(units.c.id, units.c.parent_id, units.c.path, units.c.depth)
        return await self._db.read(lambda conn: [UnitNode(*row) for row in conn.execute(query)])

    async def done_occasions(self, prefix: str) -> set[str]:
        """Keys of occasions already handled whose key starts with ``prefix``."""
        query = select(occasions.c.key).where(occasions.c.key.startswith(prefix, autoescape=True))
        return {row["key"] for row in await self._fetch(query)}

    async def returned_plans(self, campaign_id: int) -> list[ReturnedPlan]:
        """Plans now returned, with when they were returned."""
        latest = (
            select(plan_events.c.plan_id, func.max(plan_events.c.at).label("at"))
            .where(plan_events.c.kind == "returned")
            .group_by(plan_events.c.plan_id)
            .subquery()
        )
        query = (
            select(plans.c.id, plans.c.person_id, plans.c.rev, latest.c.at, plans.c.return_comment)
            .join(latest, latest.c.plan_id == plans.c.id)
            .join(people, people.c.id == plans.c.person_id)
            .where(
                plans.c.campaign_id == campaign_id,
                plans.c.status == PlanStatus.RETURNED.value,
                people.c.active.is_(True),
            )
        )
        return await self._db.read(lambda conn: [ReturnedPlan(*row) for row in conn.execute(query)])

    # ------------------------------------------------------------------ pending typed input
    async def pending(self, person_id: int) -> Pending | None:
        """What the person's next typed text is for (a secretary entering a meeting)."""
        query = select(pending_inputs.c.purpose).where(pending_inputs.c.person_id == person_id)
        rows = await self._fetch(query)
        return parse_pending(rows[0]["purpose"]) if rows else None

    async def filling_for(self, person_id: int) -> list[int]:
        """Who is filling the plan of ``person_id`` for them now (their proxy sessions)."""
        purpose = FillingFor(person_id).pack()
        query = select(pending_inputs.c.person_id).where(pending_inputs.c.purpose == purpose)
        return sorted(int(row["person_id"]) for row in await self._fetch(query))

    async def set_pending(self, person_id: int, pending: Pending | None, now: datetime) -> None:
        """Expect typed input for ``pending`` (None: expect nothing)."""
        purpose = pending.pack() if pending is not None else None

        def work(conn: Connection) -> None:
            conn.execute(delete(pending_inputs).where(pending_inputs.c.person_id == person_id))
            if purpose is not None:
                conn.execute(
                    pending_inputs.insert().values(
                        person_id=person_id, purpose=purpose, created_at=now
                    )
                )

        await self._db.write(work)
