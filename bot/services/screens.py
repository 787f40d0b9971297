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

    async def to_fold(self, channel: Channel, chat_id: str) -> ShownScreen | None:
        """The chat's current screen, when it can still be folded (too old: forgotten, its
        buttons stay and answer as stale buttons do)."""
        screen = await self._store.current(channel, chat_id)
        if screen is None:
            return None
        if not foldable(screen, self._clock.now()):
            await self._store.forget(channel, chat_id)
            return None
        return screen

    async def shown(self, channel: Channel, chat_id: str, message_id: str, folded: str) -> None:
        """``message_id`` now shows the chat's current screen."""
        await self._store.show(channel, chat_id, message_id, folded, self._clock.now())

    async def forget(self, channel: Channel, chat_id: str) -> None:
        """The chat has no current screen to fold (the last one showed no buttons)."""
        await self._store.forget(channel, chat_id)
