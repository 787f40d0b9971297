"""The message showing each chat's current screen: the one the next screen folds."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Insert, bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import RowMapping

from bot.domain.models import Channel
from bot.domain.screens import ShownScreen
from storage.base import Repository
from storage.tables import chat_screens

ID_LENGTH = 64

_C = chat_screens.c
_CHAT = (_C.channel == bindparam("b_channel")) & (_C.chat_id == bindparam("b_chat_id"))
# No screen with live buttons now: the row goes, and says what it held.
_CLEAR = delete(chat_screens).where(_CHAT).returning(_C.message_id, _C.folded, _C.shown_at)


def _swap(maker: Any) -> Insert:
    """One statement (built once, with bound parameters) that makes a screen the chat's
    current one and returns the one it replaced: an upsert whose SET moves the row's screen
    into its ``before_*`` columns (every right-hand side reads the row as it was)."""
    fresh = maker(chat_screens).values(
        channel=bindparam("b_channel"),
        chat_id=bindparam("b_chat_id"),
        message_id=bindparam("b_message_id"),
        folded=bindparam("b_folded"),
        shown_at=bindparam("b_shown_at"),
    )
    statement: Insert = fresh.on_conflict_do_update(
        index_elements=[_C.channel, _C.chat_id],
        set_={
            "before_message_id": _C.message_id,
            "before_folded": _C.folded,
            "before_shown_at": _C.shown_at,
            "message_id": fresh.excluded.message_id,
            "folded": fresh.excluded.folded,
            "shown_at": fresh.excluded.shown_at,
        },
    ).returning(_C.before_message_id, _C.before_folded, _C.before_shown_at)
    return statement


_SWAP = {"sqlite": _swap(sqlite_insert), "postgresql": _swap(pg_insert)}


def _screen(row: RowMapping, prefix: str = "") -> ShownScreen | None:
    if row[f"{prefix}message_id"] is None:
        return None
    return ShownScreen(row[f"{prefix}message_id"], row[f"{prefix}folded"], row[f"{prefix}shown_at"])


class ScreenRepository(Repository):
    """One row per chat: the message of its current screen and the line it folds to."""

    async def current(self, channel: Channel, chat_id: str) -> ShownScreen | None:
        """The screen last shown in the chat, if one is remembered."""
        query = select(chat_screens).where(
            chat_screens.c.channel == channel.value, chat_screens.c.chat_id == chat_id
        )
        rows = await self._fetch(query)
        return _screen(rows[0]) if rows else None

    async def swap(
        self, channel: Channel, chat_id: str, shown: ShownScreen | None
    ) -> ShownScreen | None:
        """Make ``shown`` the chat's current screen (None: it has none now) and return the one
        it replaces, in one statement (atomic by itself: no transaction around it)."""
        chat = {"b_channel": channel.value, "b_chat_id": chat_id}
        if shown is None:
            rows = await self._write_one(_CLEAR, chat)
            return _screen(rows[0]) if rows else None
        parameters = chat | {
            "b_message_id": shown.message_id[:ID_LENGTH],
            "b_folded": shown.folded,
            "b_shown_at": shown.shown_at,
        }
        rows = await self._write_one(_SWAP[self._db.dialect.name], parameters)
        return _screen(rows[0], "before_") if rows else None
