"""The choices last shown in a chat without buttons: the numbered lines a typed answer names.

Reads and writes asked for at about the same time go in together (``storage/batch.py``): one
statement, one hand-over to the database for all the chats, each caller answered once done.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import select, tuple_
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from bot.domain.choices import Choice
from bot.domain.models import Channel
from storage.base import Repository
from storage.batch import Batch
from storage.engine import Database
from storage.tables import offered_choices

MAX_CHOICES = 100  # more lines than any screen shows: a row beyond it was not written by us

Chat = tuple[str, str]  # channel, chat id
Offer = tuple[str, str, str, datetime]  # channel, chat id, the choices as JSON, when


class OfferRepository(Repository):
    """One row per chat: the last choices shown there, in their numbered order."""

    def __init__(self, database: Database) -> None:
        super().__init__(database)
        self._reads: Batch[Chat, list[Choice]] = Batch(self._offered_in)
        self._writes: Batch[Offer, None] = Batch(self._offer_all)

    async def offered(self, channel: Channel, chat_id: str) -> list[Choice]:
        """The choices last shown in the chat (none when nothing was, or the row is unreadable)."""
        return await self._reads.submit((channel.value, chat_id))

    async def offer(
        self, channel: Channel, chat_id: str, choices: list[Choice], now: datetime
    ) -> None:
        """Remember ``choices`` as the ones now shown in the chat."""
        value = json.dumps([[c.label, c.data] for c in choices], ensure_ascii=False)
        await self._writes.submit((channel.value, chat_id, value, now))

    async def _offered_in(self, chats: list[Chat]) -> list[list[Choice]]:
        query = select(
            offered_choices.c.channel, offered_choices.c.chat_id, offered_choices.c.choices
        ).where(tuple_(offered_choices.c.channel, offered_choices.c.chat_id).in_(set(chats)))

        def work(connection: Connection) -> dict[Chat, str]:
            return {(row.channel, row.chat_id): row.choices for row in connection.execute(query)}

        found = await self._db.read(work)
        return [_choices(found.get(chat)) for chat in chats]

    async def _offer_all(self, offers: list[Offer]) -> list[None]:
        latest = {(channel, chat): (value, now) for channel, chat, value, now in offers}
        insert = pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert
        rows = [
            {"channel": c, "chat_id": chat, "choices": value, "offered_at": now}
            # in chat order: two replicas writing the same chats take their locks alike
            for (c, chat), (value, now) in sorted(latest.items())
        ]
        statement = insert(offered_choices).values(rows)
        statement = statement.on_conflict_do_update(
            index_elements=["channel", "chat_id"],
            set_={
                "choices": statement.excluded.choices,
                "offered_at": statement.excluded.offered_at,
            },
        )

        def work(connection: Connection) -> None:
            connection.execute(statement)

        await self._db.write_one(work)
        return [None] * len(offers)


def _choices(stored: str | None) -> list[Choice]:
    """The choices of a stored row; none for no row or one that is unreadable."""
    if stored is None:
        return []
    try:
        pairs = json.loads(stored)
    except ValueError:
        return []
    if not isinstance(pairs, list):
        return []
    return [
        Choice(label, data)
        for pair in pairs[:MAX_CHOICES]
        if isinstance(pair, list)
        and len(pair) == 2
        and isinstance(label := pair[0], str)
        and isinstance(data := pair[1], str)
    ]
