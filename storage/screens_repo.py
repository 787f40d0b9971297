"""The message showing each chat's current screen: the one the next screen folds."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.engine import Connection

from bot.domain.models import Channel
from bot.domain.screens import ShownScreen
from storage.base import Repository
from storage.tables import chat_screens

ID_LENGTH = 64


class ScreenRepository(Repository):
    """One row per chat: the message of its current screen and the line it folds to."""

    async def current(self, channel: Channel, chat_id: str) -> ShownScreen | None:
        """The screen last shown in the chat, if one is remembered."""
        query = select(chat_screens).where(
            chat_screens.c.channel == channel.value, chat_screens.c.chat_id == chat_id
        )
        rows = await self._fetch(query)
        if not rows:
            return None
        row = rows[0]
        return ShownScreen(row["message_id"], row["folded"], row["shown_at"])

    async def show(
        self, channel: Channel, chat_id: str, message_id: str, folded: str, now: datetime
    ) -> None:
        """Remember ``message_id`` as the chat's current screen."""

        def work(conn: Connection) -> None:
            conn.execute(
                delete(chat_screens).where(
                    chat_screens.c.channel == channel.value, chat_screens.c.chat_id == chat_id
                )
            )
            conn.execute(
                insert(chat_screens).values(
                    channel=channel.value,
                    chat_id=chat_id,
                    message_id=message_id[:ID_LENGTH],
                    folded=folded,
                    shown_at=now,
                )
            )

        await self._db.write(work)

    async def forget(self, channel: Channel, chat_id: str) -> None:
        """The chat has no current screen any more (it was folded)."""
        await self._write_one(
            delete(chat_screens).where(
                chat_screens.c.channel == channel.value, chat_screens.c.chat_id == chat_id
            )
        )
