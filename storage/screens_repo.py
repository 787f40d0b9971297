"""The message showing each chat's current screen: the one the next screen folds."""

from __future__ import annotations

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

    async def swap(
        self, channel: Channel, chat_id: str, shown: ShownScreen | None
    ) -> ShownScreen | None:
        """Make ``shown`` the chat's current screen (None: it has none now) and return the one
        it replaces, in one transaction (one hand-over to the database per screen)."""
        where = (chat_screens.c.channel == channel.value) & (chat_screens.c.chat_id == chat_id)

        def work(conn: Connection) -> ShownScreen | None:
            row = conn.execute(select(chat_screens).where(where)).mappings().first()
            if row is not None:
                conn.execute(delete(chat_screens).where(where))
            if shown is not None:
                conn.execute(
                    insert(chat_screens).values(
                        channel=channel.value,
                        chat_id=chat_id,
                        message_id=shown.message_id[:ID_LENGTH],
                        folded=shown.folded,
                        shown_at=shown.shown_at,
                    )
                )
            if row is None:
                return None
            return ShownScreen(row["message_id"], row["folded"], row["shown_at"])

        return await self._db.write(work)
