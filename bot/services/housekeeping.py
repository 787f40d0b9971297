"""Housekeeping: what is kept only for a while is deleted once its while is over."""

from __future__ import annotations

from datetime import timedelta

from bot.services.downloads import DownloadService
from bot.services.ports import Clock, InboxStore

SEEN_KEEP = timedelta(days=7)  # no channel redelivers an event later than this


class Housekeeping:
    """Forgets handled inbox rows (their keys recognise redeliveries for a while), deletes
    dead download links with their files."""

    def __init__(
        self,
        downloads: DownloadService,
        clock: Clock,
        inbox: InboxStore | None = None,
    ) -> None:
        self._downloads = downloads
        self._clock = clock
        self._inbox = inbox

    async def tidy(self) -> int:
        """One round; how many download links were deleted."""
        now = self._clock.now()
        if self._inbox is not None:  # a redelivery older than this is not recognised: none comes
            await self._inbox.forget_before(now - SEEN_KEEP)
        return await self._downloads.purge(now)
