"""Meetings of units: scheduled, changed, cancelled (with their notices, in a unit of work)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, insert, select, update
from sqlalchemy.engine import Connection, RowMapping

from bot.domain.meetings import Meeting, MeetingKind, MeetingRecord, MeetingStatus, Outcome
from bot.domain.models import Channel
from storage.base import Repository
from storage.tables import accounts, meetings, people, units


def _query() -> Select[Any]:
    return select(meetings, units.c.path.label("unit_path")).join(
        units, units.c.id == meetings.c.unit_id
    )


def _record(row: RowMapping) -> MeetingRecord | None:
    """The stored record of a meeting (0015), or None while it is not recorded."""
    if row.get("outcome") is None:
        return None
    stored = row["absent_ids"]
    absent_ids = tuple(int(i) for i in json.loads(stored)) if stored and stored != "[]" else ()
    return MeetingRecord(
        outcome=Outcome(row["outcome"]),
        held_on=row["held_on"],
        present=row["present"],
        absent=row["absent"],
        absent_ids=absent_ids,
        reason=row["reason"] or "",
        summary=row["summary"] or "",
        conclusion=row["conclusion"] or "",
        minutes_file=row["minutes_file"] or "",
        recorded_by=row["recorded_by"],
        recorded_at=row["recorded_at"],
    )


def _meeting(row: RowMapping) -> Meeting:
    return Meeting(
        id=row["id"],
        unit_id=row["unit_id"],
        unit_path=row["unit_path"],
        kind=MeetingKind(row["kind"]),
        starts_at=row["starts_at"],
        place=row["place"],
        topic=row["topic"],
        status=MeetingStatus(row["status"]),
        version=row["version"],
        updated_at=row["updated_at"],
        record=_record(row),
    )


def _one(conn: Connection, meeting_id: int) -> Meeting:
    return _meeting(conn.execute(_query().where(meetings.c.id == meeting_id)).mappings().one())


def add(
    conn: Connection,
    *,
    unit_id: int,
    kind: MeetingKind,
    starts_at: datetime,
    place: str,
    topic: str,
    by: int,
    now: datetime,
    **extra: Any,
) -> Meeting:
    """Schedule a meeting (``extra``: more columns, such as a record of one already held)."""
    result = conn.execute(
        insert(meetings)
        .values(
            unit_id=unit_id,
            kind=kind.value,
            starts_at=starts_at,
            place=place,
            topic=topic,
            status=MeetingStatus.SCHEDULED.value,
            version=1,
            created_by=by,
            created_at=now,
            updated_at=now,
            **extra,
        )
        .returning(meetings.c.id)
    )
    return _one(conn, result.scalar_one())


def change(
    conn: Connection,
    meeting: Meeting,
    *,
    now: datetime,
    starts_at: datetime | None = None,
    place: str | None = None,
    topic: str | None = None,
    cancel: bool = False,
) -> Meeting | None:
    """Change or cancel ``meeting``; None if somebody changed it meanwhile."""
    values: dict[str, object] = {"version": meeting.version + 1, "updated_at": now}
    if starts_at is not None:
        values["starts_at"] = starts_at
    if place is not None:
        values["place"] = place
    if topic is not None:
        values["topic"] = topic
    if cancel:
        values["status"] = MeetingStatus.CANCELLED.value
    result = conn.execute(
        update(meetings)
        .where(
            meetings.c.id == meeting.id,
            meetings.c.version == meeting.version,
            meetings.c.status == MeetingStatus.SCHEDULED.value,
        )
        .values(**values)
    )
    if result.rowcount != 1:
        return None
    return _one(conn, meeting.id)


class MeetingRepository(Repository):
    """The meetings calendar."""

    async def get(self, meeting_id: int) -> Meeting | None:
        """One meeting."""
        rows = await self._fetch(_query().where(meetings.c.id == meeting_id))
        return _meeting(rows[0]) if rows else None

    async def of_units(self, unit_ids: Sequence[int], since: datetime) -> list[Meeting]:
        """Meetings of these units starting at or after ``since``, soonest first."""
        query = (
            _query()
            .where(meetings.c.unit_id.in_(list(unit_ids)), meetings.c.starts_at >= since)
            .order_by(meetings.c.starts_at, meetings.c.id)
        )
        return [_meeting(row) for row in await self._fetch(query)]

    async def between(self, start: datetime, end: datetime) -> list[Meeting]:
        """Every meeting starting in [start, end), soonest first."""
        query = (
            _query()
            .where(meetings.c.starts_at >= start, meetings.c.starts_at < end)
            .order_by(meetings.c.starts_at, meetings.c.id)
        )
        return [_meeting(row) for row in await self._fetch(query)]

    async def audience(self, unit_ids: Sequence[int], channel: Channel | None = None) -> list[int]:
        """Active people of these units who have linked an account (on ``channel``; by default
        the one their messages go to)."""
        on = accounts.c.channel == (channel.value if channel else people.c.notify_channel)
        query = (
            select(people.c.id)
            .join(accounts, and_(accounts.c.person_id == people.c.id, on))
            .where(people.c.unit_id.in_(list(unit_ids)), people.c.active.is_(True))
            .order_by(people.c.id)
        )
        return [row["id"] for row in await self._fetch(query)]
