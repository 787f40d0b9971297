"""Broadcasts: the announcement (its outbox rows are written with it, in a unit of work)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import case, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.domain.broadcast import BroadcastFile, BroadcastRow, FileKind, outbox_prefix
from bot.domain.models import Channel
from bot.domain.outbox import Failure, OutboxStatus
from storage.base import Repository
from storage.tables import broadcasts, outbox


def create(
    conn: Connection,
    *,
    text: str,
    audience: str,
    unit_path: str,
    recipients: int,
    not_before: datetime,
    now: datetime,
    file: BroadcastFile | None = None,
) -> int:
    """Store the broadcast (its outbox rows go in the same unit of work); its id."""
    result = conn.execute(
        insert(broadcasts)
        .values(
            text=text,
            audience=audience,
            unit_path=unit_path,
            recipients=recipients,
            not_before=not_before,
            created_at=now,
            file_kind=file.kind.value if file else None,
            file_name=file.name if file else None,
            file_id=file.file_id if file else None,
            file_data=file.data if file else None,
        )
        .returning(broadcasts.c.id)
    )
    return int(result.scalar_one())


class BroadcastRepository(Repository):
    """Follow and cancel broadcasts."""

    async def file(self, broadcast_id: int) -> BroadcastFile | None:
        """The broadcast's document or photo: Telegram's file id, or the bytes until it has one."""
        query = select(
            broadcasts.c.file_kind,
            broadcasts.c.file_name,
            broadcasts.c.file_id,
            case((broadcasts.c.file_id.is_(None), broadcasts.c.file_data)).label("data"),
        ).where(broadcasts.c.id == broadcast_id)
        rows = await self._fetch(query)
        if not rows or rows[0]["file_kind"] not in set(FileKind):
            return None
        row = rows[0]
        return BroadcastFile(
            FileKind(row["file_kind"]), row["file_name"] or "", row["file_id"], row["data"]
        )

    async def learn_file_id(self, broadcast_id: int, file_id: str) -> None:
        """Telegram has the file: later recipients get it by id, and the bytes are let go."""
        await self._write_one(
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id, broadcasts.c.file_id.is_(None))
            .values(file_id=file_id, file_data=None)
        )

    async def latest_same(self, text: str, audience: str, unit_path: str) -> datetime | None:
        """When the latest broadcast of this very text to this audience went (or goes) out."""
        query = select(func.max(broadcasts.c.not_before).label("at")).where(
            broadcasts.c.text == text,
            broadcasts.c.audience == audience,
            broadcasts.c.unit_path == unit_path,
        )
        rows = await self._fetch(query)
        found = rows[0]["at"] if rows else None
        return found if isinstance(found, datetime) else None

    async def audience(self, broadcast_id: int) -> tuple[str, str] | None:
        """The audience and unit path a broadcast was written for."""
        query = select(broadcasts.c.audience, broadcasts.c.unit_path).where(
            broadcasts.c.id == broadcast_id
        )
        rows = await self._fetch(query)
        return (str(rows[0]["audience"]), str(rows[0]["unit_path"])) if rows else None

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        """One broadcast with its delivery counts."""
        columns = [c for c in broadcasts.c if c.name != "file_data"]

        def work(conn: Connection) -> BroadcastRow | None:
            row = conn.execute(select(*columns).where(broadcasts.c.id == broadcast_id)).first()
            if row is None:
                return None
            counts: dict[str, int] = {}
            channels: dict[Channel, dict[str, int]] = {}
            for channel, status, n in conn.execute(
                select(outbox.c.channel, outbox.c.status, func.count())
                .where(outbox.c.key.startswith(outbox_prefix(broadcast_id), autoescape=True))
                .group_by(outbox.c.channel, outbox.c.status)
            ):
                counts[status] = counts.get(status, 0) + int(n)
                channels.setdefault(Channel(channel), {})[status] = int(n)
            return BroadcastRow(
                row.id,
                row.audience,
                row.unit_path,
                row.recipients,
                row.not_before,
                row.created_at,
                counts,
                BroadcastFile(FileKind(row.file_kind), row.file_name or "", row.file_id)
                if row.file_kind in set(FileKind)
                else None,
                channels,
            )

        return await self._db.read(work)

    async def failures(self, broadcast_id: int, limit: int = 20) -> list[Failure]:
        """Recipients the broadcast did not reach, with the reason."""
        query = (
            select(
                outbox.c.key,
                outbox.c.status,
                outbox.c.error,
                outbox.c.created_at,
                outbox.c.channel,
            )
            .where(
                outbox.c.key.startswith(outbox_prefix(broadcast_id), autoescape=True),
                outbox.c.status.in_([OutboxStatus.FAILED.value, OutboxStatus.EXPIRED.value]),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        return [
            Failure(
                row["key"], row["status"], row["error"], row["created_at"], Channel(row["channel"])
            )
            for row in await self._fetch(query)
        ]

    async def cancel(self, broadcast_id: int) -> int:
        """Stop what has not been sent yet; return how many messages were withdrawn."""
        rows = await self._write_one(
            update(outbox)
            .where(
                outbox.c.key.startswith(outbox_prefix(broadcast_id), autoescape=True),
                outbox.c.status == OutboxStatus.QUEUED.value,
            )
            .values(status=OutboxStatus.CANCELLED.value, error="cancelled")
            .returning(outbox.c.id)
        )
        return len(rows)
