"""Broadcasts: the announcement, and one outbox row per recipient written with it."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import case, func, insert, select, update

from bot.domain.broadcast import BroadcastFile, BroadcastRow, FileKind
from bot.domain.models import Channel
from bot.domain.outbox import Failure, OutboxMessage, OutboxStatus, Priority
from bot.domain.payloads import Broadcast
from storage.base import Repository
from storage.engine import Tx
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
        file: BroadcastFile | None = None,
    ) -> int:
        """Store the broadcast and queue it for each person, in one transaction."""

        async def work(conn: Tx) -> int:
            result = await conn.execute(
                insert(broadcasts)
                .values(
                    text=text,
                    audience=audience,
                    unit_path=unit_path,
                    recipients=len(people),
                    not_before=not_before,
                    created_at=now,
                    file_kind=file.kind.value if file else None,
                    file_name=file.name if file else None,
                    file_id=file.file_id if file else None,
                    file_data=file.data if file else None,
                )
                .returning(broadcasts.c.id)
            )
            broadcast_id = int(result.scalar_one())
            # One object for the wave: encoded once. The id lets the sender find the file and
            # check, at each send, that the person is still in the audience.
            payload = Broadcast(html=text, broadcast=broadcast_id)
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

        return await self._transaction(work)

    async def file(self, broadcast_id: int) -> BroadcastFile | None:
        """The broadcast's document or photo: Telegram's file id, or the bytes until it has one."""
        query = select(
            broadcasts.c.file_kind,
            broadcasts.c.file_name,
            broadcasts.c.file_id,
            case((broadcasts.c.file_id.is_(None), broadcasts.c.file_data)).label("data"),
        ).where(broadcasts.c.id == broadcast_id)
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        if row is None or row.file_kind not in set(FileKind):
            return None
        return BroadcastFile(FileKind(row.file_kind), row.file_name or "", row.file_id, row.data)

    async def learn_file_id(self, broadcast_id: int, file_id: str) -> None:
        """Telegram has the file: later recipients get it by id, and the bytes are let go."""
        await self._write_one(
            update(broadcasts)
            .where(broadcasts.c.id == broadcast_id, broadcasts.c.file_id.is_(None))
            .values(file_id=file_id, file_data=None)
        )

    async def latest_same(self, text: str, audience: str, unit_path: str) -> datetime | None:
        """When the latest broadcast of this very text to this audience went (or goes) out."""
        query = select(func.max(broadcasts.c.not_before)).where(
            broadcasts.c.text == text,
            broadcasts.c.audience == audience,
            broadcasts.c.unit_path == unit_path,
        )
        async with self._read() as conn:
            found = (await conn.execute(query)).scalar_one_or_none()
        return found if isinstance(found, datetime) else None

    async def audience(self, broadcast_id: int) -> tuple[str, str] | None:
        """The audience and unit path a broadcast was written for."""
        query = select(broadcasts.c.audience, broadcasts.c.unit_path).where(
            broadcasts.c.id == broadcast_id
        )
        async with self._read() as conn:
            row = (await conn.execute(query)).first()
        return None if row is None else (str(row.audience), str(row.unit_path))

    async def get(self, broadcast_id: int) -> BroadcastRow | None:
        """One broadcast with its delivery counts."""
        columns = [c for c in broadcasts.c if c.name != "file_data"]
        async with self._read() as conn:
            row = (
                await conn.execute(select(*columns).where(broadcasts.c.id == broadcast_id))
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
                BroadcastFile(FileKind(row.file_kind), row.file_name or "", row.file_id)
                if row.file_kind in set(FileKind)
                else None,
            )

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
                outbox.c.key.startswith(prefix(broadcast_id), autoescape=True),
                outbox.c.status.in_([OutboxStatus.FAILED.value, OutboxStatus.EXPIRED.value]),
            )
            .order_by(outbox.c.id)
            .limit(limit)
        )
        async with self._read() as conn:
            return [
                Failure(r.key, r.status, r.error, r.created_at, Channel(r.channel))
                for r in await conn.execute(query)
            ]

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
