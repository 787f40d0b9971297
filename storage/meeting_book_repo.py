"""What cells record of their meetings, the drafts of step-by-step entry, and the rows the two
flows offer (the unit's roster, its last places, its secretaries)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from bot.domain.meetings import Meeting, MeetingKind, MeetingRecord, MeetingStatus
from storage.base import Repository
from storage.meetings_repo import _meeting, _one, _query, add
from storage.tables import accounts, meeting_drafts, meetings, people

MAX_ROSTER = 200  # members listed for one press each; a larger unit types the numbers


def _record_values(record: MeetingRecord, now: datetime) -> dict[str, Any]:
    return {
        "outcome": record.outcome.value,
        "held_on": record.held_on,
        "present": record.present,
        "absent": record.absent,
        "absent_ids": json.dumps(list(record.absent_ids)),
        "reason": record.reason,
        "summary": record.summary,
        "conclusion": record.conclusion,
        "minutes_file": record.minutes_file[:255],
        "recorded_by": record.recorded_by,
        "recorded_at": now,
    }


class MeetingBookRepository(Repository):
    """Records of meetings and the drafts of entering one."""

    async def record(
        self, meeting_id: int, unit_id: int, record: MeetingRecord, now: datetime
    ) -> Meeting | None:
        """Store the record of a meeting of ``unit_id`` whose time has come; None if there is
        no such meeting (another unit's, cancelled, not begun)."""

        def work(conn: Connection) -> Meeting | None:
            result = conn.execute(
                update(meetings)
                .where(
                    meetings.c.id == meeting_id,
                    meetings.c.unit_id == unit_id,
                    meetings.c.status == MeetingStatus.SCHEDULED.value,
                    meetings.c.starts_at <= now,
                )
                .values(**_record_values(record, now), updated_at=now)
            )
            return _one(conn, meeting_id) if result.rowcount == 1 else None

        return await self._db.write(work)

    async def add_recorded(
        self,
        *,
        unit_id: int,
        kind: MeetingKind,
        starts_at: datetime,
        place: str,
        topic: str,
        by: int,
        record: MeetingRecord,
        now: datetime,
    ) -> Meeting:
        """A meeting held but never entered beforehand, with its record."""

        def work(conn: Connection) -> Meeting:
            return add(
                conn,
                unit_id=unit_id,
                kind=kind,
                starts_at=starts_at,
                place=place,
                topic=topic,
                by=by,
                now=now,
                **_record_values(record, now),
            )

        return await self._db.write(work)

    async def awaiting(self, start: datetime, end: datetime) -> list[Meeting]:
        """Scheduled meetings that started in [start, end) and are not recorded yet."""
        query = (
            _query()
            .where(
                meetings.c.starts_at >= start,
                meetings.c.starts_at < end,
                meetings.c.status == MeetingStatus.SCHEDULED.value,
                meetings.c.outcome.is_(None),
            )
            .order_by(meetings.c.starts_at, meetings.c.id)
        )
        return [_meeting(row) for row in await self._fetch(query)]

    async def draft(self, person_id: int) -> str | None:
        """The stored draft (JSON) of what the person is entering."""
        rows = await self._fetch(
            select(meeting_drafts.c.data).where(meeting_drafts.c.person_id == person_id)
        )
        return str(rows[0]["data"]) if rows else None

    async def set_draft(self, person_id: int, data: str | None, now: datetime) -> None:
        """Replace the person's draft (None: forget it)."""

        def work(conn: Connection) -> None:
            conn.execute(delete(meeting_drafts).where(meeting_drafts.c.person_id == person_id))
            if data is not None:
                conn.execute(
                    insert(meeting_drafts).values(person_id=person_id, data=data, updated_at=now)
                )

        await self._db.write(work)

    async def roster(self, unit_id: int) -> list[tuple[int, str]]:
        """Active people of the unit itself: (id, full name), by name."""
        query = (
            select(people.c.id, people.c.full_name)
            .where(people.c.unit_id == unit_id, people.c.active.is_(True))
            .order_by(people.c.full_name, people.c.id)
            .limit(MAX_ROSTER + 1)
        )
        return [(row["id"], row["full_name"]) for row in await self._fetch(query)]

    async def places(self, unit_id: int, limit: int) -> list[str]:
        """The unit's last distinct meeting places, newest first."""
        query = (
            select(meetings.c.place)
            .where(meetings.c.unit_id == unit_id, meetings.c.place != "")
            .order_by(meetings.c.starts_at.desc(), meetings.c.id.desc())
            .limit(50)
        )
        found: list[str] = []
        for row in await self._fetch(query):
            if row["place"] not in found:
                found.append(row["place"])
        return found[:limit]

    async def secretaries(self, unit_ids: Sequence[int]) -> dict[int, list[int]]:
        """Active secretaries of these units who have linked an account, by unit."""
        query = (
            select(people.c.id, people.c.unit_id, people.c.roles)
            .join(
                accounts,
                (accounts.c.person_id == people.c.id)
                & (accounts.c.channel == people.c.notify_channel),
            )
            .where(
                people.c.unit_id.in_(list(unit_ids)),
                people.c.active.is_(True),
                people.c.roles.contains("secretary"),
            )
            .order_by(people.c.id)
        )
        found: dict[int, list[int]] = {}
        for row in await self._fetch(query):
            if "secretary" in str(row["roles"]).split(","):
                found.setdefault(row["unit_id"], []).append(row["id"])
        return found
