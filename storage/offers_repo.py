"""The choices last shown in a chat without buttons: the numbered lines a typed answer names."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from bot.domain.choices import Choice
from bot.domain.models import Channel
from storage.base import Repository
from storage.tables import offered_choices

MAX_CHOICES = 100  # more lines than any screen shows: a row beyond it was not written by us


class OfferRepository(Repository):
    """One row per chat: the last choices shown there, in their numbered order."""

    async def offered(self, channel: Channel, chat_id: str) -> list[Choice]:
        """The choices last shown in the chat (none when nothing was, or the row is unreadable)."""
        query = select(offered_choices.c.choices).where(
            offered_choices.c.channel == channel.value, offered_choices.c.chat_id == chat_id
        )
        rows = await self._fetch(query)
        if not rows:
            return []
        try:
            pairs = json.loads(rows[0]["choices"])
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

    async def offer(
        self, channel: Channel, chat_id: str, choices: list[Choice], now: datetime
    ) -> None:
        """Remember ``choices`` as the ones now shown in the chat."""
        value = json.dumps([[c.label, c.data] for c in choices], ensure_ascii=False)

        def work(conn: Connection) -> None:
            conn.execute(
                delete(offered_choices).where(
                    offered_choices.c.channel == channel.value,
                    offered_choices.c.chat_id == chat_id,
                )
            )
            conn.execute(
                insert(offered_choices).values(
                    channel=channel.value, chat_id=chat_id, choices=value, offered_at=now
                )
            )

        await self._db.write(work)
