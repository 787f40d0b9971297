"""The outbox: proactive messages written before they are sent, claimed and marked by the sender."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.domain.outbox import OutboxItem, OutboxMessage, OutboxStatus
from storage.base import Repository
from storage.tables import accounts, outbox


async def enqueue(conn: AsyncConnection, messages: Sequence[OutboxMessage], now: datetime) -> int:
    """Insert messages whose key is new; return how many were new."""
    if not messages:
        return 0
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    rows = [
        {
            "key": m.key,
            "person_id": m.person_id,
            "channel": m.channel.value,
            "payload": json.dumps(dict(m.payload), ensure_ascii=False),
            "status": OutboxStatus.QUEUED.value,
            "priority": m.priority,
            "attempts": 0,
            "not_before": now,
            "error": "",
            "created_at": now,
        }
        for m in messages
    ]
    result = await conn.execute(insert(outbox).on_conflict_do_nothing(index_elements=["key"]), rows)
    return max(result.rowcount, 0)


class OutboxRepository(Repository):
    """Queue, claim and settle outbox rows."""

    async def add(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        """Queue messages (keys already present are skipped); return how many were new."""
        async with self._write() as conn:
            return await enqueue(conn, messages, now)

    async def claim(self, limit: int, now: datetime) -> list[OutboxItem]:
        """Mark up to ``limit`` due rows as sending and return them with their chat ids."""
        due = and_(outbox.c.status == OutboxStatus.QUEUED.value, outbox.c.not_before <= now)
        async with self._write() as conn:
            query = (
                select(outbox.c.id).where(due).order_by(outbox.c.priority, outbox.c.id).limit(limit)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            ids = list((await conn.execute(query)).scalars())
            if not ids:
                return []
            await conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(status=OutboxStatus.SENDING.value, attempts=outbox.c.attempts + 1)
            )
            rows = await conn.execute(
                select(outbox, accounts.c.chat_id)
                .outerjoin(
                    accounts,
                    and_(
                        accounts.c.person_id == outbox.c.person_id,
                        accounts.c.channel == outbox.c.channel,
                    ),
                )
                .where(outbox.c.id.in_(ids))
                .order_by(outbox.c.priority, outbox.c.id)
            )
            return [
                OutboxItem(
                    id=r.id,
                    key=r.key,
                    person_id=r.person_id,
                    chat_id=r.chat_id,
                    payload=json.loads(r.payload),
                    attempts=r.attempts,
                    not_before=r.not_before,
                )
                for r in rows
            ]

    async def settle(
        self, item_id: int, status: OutboxStatus, now: datetime, error: str = ""
    ) -> None:
        """Record the outcome of one send."""
        values: dict[str, object] = {"status": status.value, "error": error[:500]}
        if status is OutboxStatus.SENT:
            values["sent_at"] = now
        async with self._write() as conn:
            await conn.execute(update(outbox).where(outbox.c.id == item_id).values(**values))

    async def retry_later(self, item_id: int, when: datetime, error: str) -> None:
        """Put a row back in the queue to try again at ``when``."""
        async with self._write() as conn:
            await conn.execute(
                update(outbox)
                .where(outbox.c.id == item_id)
                .values(status=OutboxStatus.QUEUED.value, not_before=when, error=error[:500])
            )

    async def counts(self) -> dict[str, int]:
        """Rows per status."""
        query = select(outbox.c.status, func.count()).group_by(outbox.c.status)
        async with self._read() as conn:
            return {status: int(count) for status, count in await conn.execute(query)}

    async def requeue_stuck(self, now: datetime) -> int:
        """After a crash: rows left in 'sending' go back to the queue (sent at most twice)."""
        async with self._write() as conn:
            result = await conn.execute(
                update(outbox)
                .where(outbox.c.status == OutboxStatus.SENDING.value)
                .values(status=OutboxStatus.QUEUED.value, not_before=now)
            )
            return max(result.rowcount, 0)
