"""Broadcasts: the announcement, and one outbox row per recipient written with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, insert, select, update

from bot.domain.broadcast import BroadcastRow
from bot.domain.outbox import Failure, OutboxMessage, OutboxStatus, Priority
from storage.base import Repository
from storage.outbox_repo import enqueue
from storage.tables import broadcasts, outbox


def prefix(broadcast_id: int) -> str:
    """The outbox key prefix of a broadcast's rows."""
    return f"broadcast:{broadcast_id}:"


class BroadcastRepository(Repository):
    """Write, follow and cancel broadcasts."""

    async def create(
        self,
        *,
        text: str,
        audience: str,
        unit_path: str,
        people: Sequence[int],
        not_before: datetime,
        now: datetime,
    ) -> int:
        """Store the broadcast and queue it for each person, in one transaction."""
        async with self._write() as conn:
            result = await conn.execute(
                insert(broadcasts)
                .values(
                    text=text,
                    audience=audience,
                    unit_path=unit_path,
                    recipients=len(people),
                    not_before=not_before,
                    created_at=now,
                )
                .returning(broadcasts.c.id)
            )
            broadcast_id = int(result.scalar_one())
            payload = {"html": text}  # one object for the whole wave: encoded once
            await enqueue(
                conn,
                [
                    OutboxMessage(
                        key=f"{prefix(broadcast_id)}person:{pid}",
                        person_id=pid,
                        payload=payload,
                        priority=Priority.WAVE,
                        not_before=not_before,
                    )
                    for pid in people
                ],
                now,
            )
            return broadcast_id

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        """One broadcast with its delivery counts."""
        async with self._read() as conn:
            row = (
                await conn.execute(select(broadcasts).where(broadcasts.c.id == broadcast_id))
            ).first()
            if row is None:
                return None
            counts = await conn.execute(
                select(outbox.c.status, func.count())
                .where(outbox.c.key.startswith(prefix(broadcast_id), autoescape=True))
                .group_by(outbox.c.status)
            )
            return BroadcastRow(
                row.id,
                row.audience,
                row.unit_path,
                row.recipients,
                row.not_before,
                row.created_at,
                {status: int(n) for status, n in counts},
            )

    async def failures(self, broadcast_id: int, limit: int = 20) -> list[Failure]:
        """Recipients the broadcast did not reach, with the reason."""
        query = (
            select(outbox.c.key, outbox.c.status, outbox.c.error, outbox.c.created_at)
            .where(
                outbox.c.key.startswith(prefix(broadcast_id), autoescape=True),
                outbox.c.status.in_([OutboxStatus.FAILED.value, OutboxStatus.EXPIRED.value]),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        async with self._read() as conn:
            return [Failure(*row) for row in await conn.execute(query)]

    async def cancel(self, broadcast_id: int) -> int:
        """Stop what has not been sent yet; return how many messages were withdrawn."""
        rows = await self._write_one(
            update(outbox)
            .where(
                outbox.c.key.startswith(prefix(broadcast_id), autoescape=True),
                outbox.c.status == OutboxStatus.QUEUED.value,
            )
            .values(status=OutboxStatus.CANCELLED.value, error="cancelled")
            .returning(outbox.c.id)
        )
        return len(rows)
