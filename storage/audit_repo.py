"""The audit log, and erasing a person on request."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from bot.domain.audit import AuditAction, AuditEntry
from storage.base import Repository
from storage.engine import Tx
from storage.tables import audit, people


class AuditRepository(Repository):
    """Append to the audit log and read it back."""

    async def record(
        self,
        *,
        actor_id: int | None,
        actor: str,
        action: AuditAction,
        target: str,
        detail: str,
        now: datetime,
    ) -> None:
        """Add one entry."""
        await self._write_one(
            insert(audit).values(
                at=now,
                actor_id=actor_id,
                actor=actor[:160],
                action=action.value,
                target=target[:200],
                detail=detail[:2000],
            )
        )

    async def entries(self, limit: int) -> list[AuditEntry]:
        """The latest entries, oldest of them first."""
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        async with self._read() as conn:
            rows = list((await conn.execute(query)).mappings())
        return [
            AuditEntry(
                r["at"],
                r["actor_id"],
                r["actor"],
                AuditAction(r["action"]),
                r["target"],
                r["detail"],
            )
            for r in reversed(rows)
        ]

    async def forget(self, person_id: int, entry: dict[str, object], now: datetime) -> bool:
        """Delete the person and everything that is theirs (accounts, invites, plans, outbox),
        recording the anonymous ``entry`` in the same transaction; False if already gone."""

        async def work(conn: Tx) -> bool:
            await conn.execute(  # their name goes from the log too; the entries stay
                update(audit).where(audit.c.actor_id == person_id).values(actor="-")
            )
            result = await conn.execute(delete(people).where(people.c.id == person_id))
            if result.rowcount != 1:
                return False
            await conn.execute(insert(audit).values(at=now, **entry))
            return True

        return await self._transaction(work)
