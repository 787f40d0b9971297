"""Housekeeping: what is kept only for a while is deleted once its while is over."""

from __future__ import annotations

from datetime import timedelta

from bot.services.downloads import DownloadService
from bot.services.ports import Clock, SeenStore

SEEN_KEEP = timedelta(days=7)  # no channel redelivers an event later than this


class Housekeeping:
    """Forgets old event keys and deletes dead download links with their files."""

    def __init__(self, seen: SeenStore, downloads: DownloadService, clock: Clock) -> None:
        self._seen = seen
        self._downloads = downloads
        self._clock = clock

    async def tidy(self) -> int:
        """One round; how many download links were deleted."""
        now = self._clock.now()
        await self._seen.forget_before(now - SEEN_KEEP)
        return await self._downloads.purge(now)
