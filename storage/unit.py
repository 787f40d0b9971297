"""The unit of work: the write verbs of the repositories, bound to one transaction.

A service composes ``work(unit)`` (a plan's new status, its event, the audit entry, the outbox
rows) and runs it with ``await store.units.run(work)``: one transaction, one hand-over to the
database, nothing passed into a repository to be called back.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Connection

from bot.domain.audit import AuditAction
from bot.domain.broadcast import BroadcastFile
from bot.domain.engine import Draft
from bot.domain.meetings import Meeting, MeetingKind
from bot.domain.outbox import OutboxMessage
from bot.domain.plans import Plan, PlanStatus
from bot.services.ports import UnitOfWork
from storage import audit_repo, broadcasts_repo, meetings_repo, plans_repo, schedule_repo
from storage.engine import Database
from storage.outbox_repo import enqueue

T = TypeVar("T")


class SqlUnit:
    """The ``UnitOfWork`` port over one connection inside a transaction."""

    def __init__(self, connection: Connection) -> None:
        self._conn = connection

    def change_status(
        self,
        plan: Plan,
        *,
        status: PlanStatus,
        draft: Draft,
        now: datetime,
        actor_id: int | None,
        event: str,
        detail: Mapping[str, Any],
        late: bool | None = None,
        comment: str | None = None,
    ) -> Plan | None:
        """Move the plan to ``status`` and record the event (see ``plans_repo``)."""
        return plans_repo.change_status(
            self._conn,
            plan,
            status=status,
            draft=draft,
            now=now,
            actor_id=actor_id,
            event=event,
            detail=detail,
            late=late,
            comment=comment,
        )

    def enqueue(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        """Queue outbox messages; how many were new."""
        return enqueue(self._conn, messages, now) if messages else 0

    def audit(
        self,
        *,
        actor_id: int | None,
        actor: str,
        action: AuditAction,
        target: str,
        detail: str,
        now: datetime,
    ) -> None:
        """Add one audit entry."""
        audit_repo.record(
            self._conn,
            actor_id=actor_id,
            actor=actor,
            action=action,
            target=target,
            detail=detail,
            now=now,
        )

    def add_meeting(
        self,
        *,
        unit_id: int,
        kind: MeetingKind,
        starts_at: datetime,
        place: str,
        topic: str,
        by: int,
        now: datetime,
    ) -> Meeting:
        """Schedule a meeting."""
        return meetings_repo.add(
            self._conn,
            unit_id=unit_id,
            kind=kind,
            starts_at=starts_at,
            place=place,
            topic=topic,
            by=by,
            now=now,
        )

    def change_meeting(
        self,
        meeting: Meeting,
        *,
        now: datetime,
        starts_at: datetime | None = None,
        place: str | None = None,
        topic: str | None = None,
        cancel: bool = False,
    ) -> Meeting | None:
        """Change or cancel a meeting; None if it changed meanwhile."""
        return meetings_repo.change(
            self._conn,
            meeting,
            now=now,
            starts_at=starts_at,
            place=place,
            topic=topic,
            cancel=cancel,
        )

    def add_broadcast(
        self,
        *,
        text: str,
        audience: str,
        unit_path: str,
        recipients: int,
        not_before: datetime,
        now: datetime,
        file: BroadcastFile | None = None,
    ) -> int:
        """Store a broadcast; its id."""
        return broadcasts_repo.create(
            self._conn,
            text=text,
            audience=audience,
            unit_path=unit_path,
            recipients=recipients,
            not_before=not_before,
            now=now,
            file=file,
        )

    def record_occasion(self, key: str, outcome: str, messages: int, now: datetime) -> bool:
        """Mark an occasion handled; False if it was already."""
        return schedule_repo.record_occasion(self._conn, key, outcome, messages, now)


class SqlUnits:
    """Runs units of work on the database (the ``Units`` port)."""

    def __init__(self, database: Database) -> None:
        self._db = database

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in one write transaction."""
        return await self._db.write(lambda connection: work(SqlUnit(connection)))
