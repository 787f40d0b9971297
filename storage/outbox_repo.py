"""The outbox: proactive messages written before they are sent, claimed and marked by the sender.

Claims are leases: a row being sent carries ``lease_until``; if its process dies, the row goes
back to the queue once the lease has run out (so at most the messages in flight are repeated).
On PostgreSQL two senders claim with ``FOR UPDATE SKIP LOCKED`` and never take the same row.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from bot.domain.models import Channel
from bot.domain.outbox import (
    MAX_ATTEMPTS,
    Failure,
    OutboxItem,
    OutboxMessage,
    OutboxStatus,
    Unreadable,
)
from bot.domain.payloads import Payload, PayloadError, read_payload, write_payload
from storage.base import Repository
from storage.tables import accounts, outbox, people

INSERT_CHUNK = 5_000
FALLBACK = Channel.TELEGRAM  # the channel of a row for someone who never linked an account


def _payload(text: str) -> Payload | Unreadable:
    """A stored payload, or why it cannot be read (the sender fails that row, not the rest)."""
    try:
        return read_payload(text)
    except PayloadError as error:
        return Unreadable(str(error))


def _channels(conn: Connection, person_ids: set[int]) -> dict[int, str]:
    """The channel each person's proactive messages go to (theirs, where they chose one)."""
    query = select(people.c.id, people.c.notify_channel).where(
        people.c.id.in_(sorted(person_ids)), people.c.notify_channel.is_not(None)
    )
    return {pid: channel for pid, channel in conn.execute(query).all()}


def _row(
    message: OutboxMessage, now: datetime, encoded: dict[int, str], channel: str | None = None
) -> dict[str, object]:
    """The row of ``message``: on its own channel if it names one, else on ``channel`` (the
    person's), else on Telegram (someone never linked: the row fails as not linked)."""
    payload = encoded.get(id(message.payload))
    if payload is None:  # a wave shares one payload object: encode (and check) it once
        payload = encoded[id(message.payload)] = write_payload(message.payload)
    return {
        "key": message.key,
        "person_id": message.person_id,
        "channel": message.channel.value if message.channel else channel or FALLBACK.value,
        "payload": payload,
        "status": OutboxStatus.QUEUED.value,
        "priority": message.priority,
        "attempts": 0,
        "not_before": message.not_before or now,
        "expires_at": message.expires_at,
        "parts_sent": 0,
        "error": "",
        "created_at": now,
    }


def enqueue(conn: Connection, messages: Sequence[OutboxMessage], now: datetime) -> int:
    """Insert messages whose key is new; return how many were new."""
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    added = 0
    encoded: dict[int, str] = {}
    for start in range(0, len(messages), INSERT_CHUNK):
        chunk = messages[start : start + INSERT_CHUNK]
        reach = _channels(conn, {m.person_id for m in chunk if m.channel is None})
        rows = [_row(m, now, encoded, reach.get(m.person_id)) for m in chunk]
        statement = insert(outbox).on_conflict_do_nothing(index_elements=["key"])
        result = conn.execute(statement, rows)
        added += max(result.rowcount, 0)
    return added


class OutboxRepository(Repository):
    """Queue, claim and settle outbox rows."""

    async def add(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        """Queue messages (keys already present are skipped); return how many were new."""
        if not messages:
            return 0

        return await self._db.write(lambda conn: enqueue(conn, messages, now))

    async def claim(
        self, limit: int, now: datetime, lease: timedelta, *, max_priority: int | None = None
    ) -> list[OutboxItem]:
        """Lease up to ``limit`` due rows (lowest priority number first) and return them.

        Rows past their ``expires_at`` are marked expired instead. ``max_priority`` leaves the
        less urgent rows queued (quiet hours).
        """
        due = and_(outbox.c.status == OutboxStatus.QUEUED.value, outbox.c.not_before <= now)
        if max_priority is not None:
            due = and_(due, outbox.c.priority <= max_priority)

        def work(conn: Connection) -> list[OutboxItem]:
            query = (
                select(outbox.c.id, outbox.c.expires_at)
                .where(due)
                .order_by(outbox.c.priority, outbox.c.id)
                .limit(limit)
            )
            if conn.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            picked = conn.execute(query).all()
            if not picked:
                return []
            expired = [r.id for r in picked if r.expires_at is not None and r.expires_at <= now]
            ids = [r.id for r in picked if r.id not in set(expired)]
            if expired:
                conn.execute(
                    update(outbox)
                    .where(outbox.c.id.in_(expired))
                    .values(status=OutboxStatus.EXPIRED.value, error="expired")
                )
            if not ids:
                return []
            conn.execute(
                update(outbox)
                .where(outbox.c.id.in_(ids))
                .values(
                    status=OutboxStatus.SENDING.value,
                    attempts=outbox.c.attempts + 1,
                    lease_until=now + lease,
                )
            )
            rows = conn.execute(
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
                    payload=_payload(r.payload),
                    attempts=r.attempts,
                    not_before=r.not_before,
                    parts_sent=r.parts_sent,
                    expires_at=r.expires_at,
                    channel=Channel(r.channel),
                )
                for r in rows
            ]

        return await self._db.write(work)

    async def settle(
        self, item_id: int, status: OutboxStatus, now: datetime, error: str = ""
    ) -> None:
        """Record the outcome of one send."""
        values: dict[str, object] = {"status": status.value, "error": error[:500]}
        if status is OutboxStatus.SENT:
            values["sent_at"] = now
        await self._write_one(update(outbox).where(outbox.c.id == item_id).values(**values))

    async def progress(self, item_id: int, parts_sent: int) -> None:
        """Remember that the first ``parts_sent`` parts of a long message were delivered."""
        await self._write_one(
            update(outbox).where(outbox.c.id == item_id).values(parts_sent=parts_sent)
        )

    async def blocked(self, item: OutboxItem, now: datetime, error: str) -> None:
        """The person blocked the bot: the row fails and their account is marked unreachable."""

        def work(conn: Connection) -> None:
            conn.execute(
                update(outbox)
                .where(outbox.c.id == item.id)
                .values(status=OutboxStatus.FAILED.value, error=f"blocked: {error}"[:500])
            )
            conn.execute(
                update(accounts)
                .where(
                    accounts.c.person_id == item.person_id,
                    accounts.c.channel == item.channel.value,
                    accounts.c.blocked_at.is_(None),
                )
                .values(blocked_at=now)
            )

        await self._db.write(work)

    async def retry_later(self, item_id: int, when: datetime, error: str) -> None:
        """Put a row back in the queue to try again at ``when``."""
        await self._write_one(
            update(outbox)
            .where(outbox.c.id == item_id)
            .values(status=OutboxStatus.QUEUED.value, not_before=when, error=error[:500])
        )

    async def counts(self) -> dict[str, int]:
        """Rows per status."""
        query = select(outbox.c.status, func.count().label("n")).group_by(outbox.c.status)
        return {row["status"]: int(row["n"]) for row in await self._fetch(query)}

    async def failures(self, limit: int = 10) -> list[Failure]:
        """The latest rows that failed or expired, newest first."""
        query = (
            select(
                outbox.c.key,
                outbox.c.status,
                outbox.c.error,
                outbox.c.created_at,
                outbox.c.channel,
            )
            .where(outbox.c.status.in_([OutboxStatus.FAILED.value, OutboxStatus.EXPIRED.value]))
            .order_by(outbox.c.id.desc())
            .limit(limit)
        )
        return [
            Failure(r["key"], r["status"], r["error"], r["created_at"], Channel(r["channel"]))
            for r in await self._fetch(query)
        ]

    async def requeue_stuck(self, now: datetime) -> int:
        """Rows whose sender died (lease run out) go back to the queue: sent at most twice.

        A row whose sending died ``MAX_ATTEMPTS`` times (it crashes whatever handles it) is
        marked failed instead, so it never loops between "sending" and the queue.
        """
        orphaned = and_(
            outbox.c.status == OutboxStatus.SENDING.value,
            or_(outbox.c.lease_until.is_(None), outbox.c.lease_until <= now),
        )

        def work(conn: Connection) -> int:
            conn.execute(
                update(outbox)
                .where(orphaned, outbox.c.attempts >= MAX_ATTEMPTS)
                .values(
                    status=OutboxStatus.FAILED.value,
                    lease_until=None,
                    error="gave up: the sender stopped while sending it, "
                    + func.coalesce(outbox.c.error, ""),
                )
            )
            rows = conn.execute(
                update(outbox)
                .where(orphaned)
                .values(status=OutboxStatus.QUEUED.value, not_before=now, lease_until=None)
                .returning(outbox.c.id)
            )
            return len(rows.all())

        return await self._db.write(work)
