"""Housekeeping: what is kept only for a while is deleted once its while is over."""

from __future__ import annotations

from datetime import timedelta

from bot.services.downloads import DownloadService
from bot.services.ports import Clock, InboxStore, SeenStore

SEEN_KEEP = timedelta(days=7)  # no channel redelivers an event later than this


class Housekeeping:
    """Forgets old event keys and handled inbox rows, deletes dead download links with their
    files."""

    def __init__(
        self,
        seen: SeenStore,
        downloads: DownloadService,
        clock: Clock,
        inbox: InboxStore | None = None,
    ) -> None:
        self._seen = seen
        self._downloads = downloads
        self._clock = clock
        self._inbox = inbox

    async def tidy(self) -> int:
        """One round; how many download links were deleted."""
        now = self._clock.now()
        await self._seen.forget_before(now - SEEN_KEEP)
        if self._inbox is not None:  # a redelivery older than this is not recognised: none comes
            await self._inbox.forget_before(now - SEEN_KEEP)
        return await self._downloads.purge(now)
