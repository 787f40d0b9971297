"""Events recorded by key the first time they arrive, so a redelivery is taken once.

The keys asked for at about the same time go in together (``storage/batch.py``): one statement,
one hand-over to the database for all of them, each caller answered once it has committed.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from bot.domain.models import Channel
from storage.base import Repository
from storage.batch import Batch
from storage.engine import Database
from storage.tables import seen_events

KEY_LENGTH = 200

Seen = tuple[str, str, datetime]  # channel, key, when


class SeenRepository(Repository):
    """One row per event taken: its channel, its key, when."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self._batch: Batch[Seen, bool] = Batch(self._first_times)

    async def first_time(self, channel: Channel, key: str, now: datetime) -> bool:
        """Record the event ``key``; True the first time, False for any later delivery."""
        return await self._batch.submit((channel.value, key[:KEY_LENGTH], now))

    async def _first_times(self, items: list[Seen]) -> list[bool]:
        """Record the keys in one statement; True for each one new (its first caller only)."""
        rows = {(channel, key): now for channel, key, now in reversed(items)}  # earliest wins
        insert = pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert
        statement = (
            insert(seen_events)
            .values(
                # in key order: two replicas inserting the same keys take their locks alike
                [{"channel": c, "key": k, "seen_at": rows[c, k]} for c, k in sorted(rows)]
            )
            .on_conflict_do_nothing(index_elements=["channel", "key"])
            .returning(seen_events.c.channel, seen_events.c.key)
        )

        def work(connection: Connection) -> set[tuple[str, str]]:
            return {(row.channel, row.key) for row in connection.execute(statement)}

        new = await self._db.write_one(work)
        answers = []
        for channel, key, _ in items:
            answers.append((channel, key) in new)
            new.discard((channel, key))  # the same key twice in one batch: taken once
        return answers

    async def forget_before(self, cutoff: datetime) -> None:
        """Drop the records of events seen before ``cutoff`` (no channel redelivers that late)."""
        await self._write_one(delete(seen_events).where(seen_events.c.seen_at < cutoff))
