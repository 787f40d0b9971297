"""Which message a new screen folds: the chat's current one, while it may still be edited."""

from __future__ import annotations

from bot.domain.models import Channel
from bot.domain.screens import ShownScreen, foldable
from bot.services.ports import Clock, ScreenStore


class Screens:
    """Remembers each chat's current screen (a row: it survives a restart and is shared by
    every worker) and says which one a new screen should fold."""

    def __init__(self, store: ScreenStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def shown(
        self, channel: Channel, chat_id: str, message_id: str | None, folded: str = ""
    ) -> ShownScreen | None:
        """``message_id`` now shows the chat's current screen (None: no message has live
        buttons now); the screen it replaces, to fold, when that one can still be edited (too
        old: its buttons stay, and answer as stale buttons do)."""
        now = self._clock.now()
        shown = ShownScreen(message_id, folded, now) if message_id is not None else None
        before = await self._store.swap(channel, chat_id, shown)
        if before is None or before.message_id == message_id or not foldable(before, now):
            return None
        return before
