"""Events recorded by key the first time they arrive, so a redelivery is taken once."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from bot.domain.models import Channel
from storage.base import Repository
from storage.tables import seen_events

KEY_LENGTH = 200


class SeenRepository(Repository):
    """One row per event taken: its channel, its key, when."""

    async def first_time(self, channel: Channel, key: str, now: datetime) -> bool:
        """Record the event ``key``; True the first time, False for any later delivery."""
        insert = pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(seen_events)
            .values(channel=channel.value, key=key[:KEY_LENGTH], seen_at=now)
            .on_conflict_do_nothing(index_elements=["channel", "key"])
            .returning(seen_events.c.key)
        )
        return bool(await self._write_one(statement))

    async def forget_before(self, cutoff: datetime) -> None:
        """Drop the records of events seen before ``cutoff`` (no channel redelivers that late)."""
        await self._write_one(delete(seen_events).where(seen_events.c.seen_at < cutoff))
