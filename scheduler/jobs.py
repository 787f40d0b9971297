"""The named sweeps APScheduler runs, rebuilt at every start (nothing is stored in APScheduler).

- ``enqueue-due`` every minute, and once at start: catches up on what fell due while the bot
  was down (the sweep itself decides what is still useful). ``coalesce`` folds runs missed
  while the event loop was busy into one, ``max_instances=1`` never overlaps two sweeps, and
  ``misfire_grace_time`` lets a late run still happen: a sweep is always safe to run.
- ``drain-outbox`` starts once and runs until the bot stops, sending at the allowed pace.
- ``tidy`` every hour, and once at start: old event keys and dead download links are deleted.

The sweeps read the injected clock; APScheduler only decides how often they look.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime, tzinfo

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from bot.services.reminders import ReminderService
from scheduler.sender import OutboxSender

log = logging.getLogger(__name__)
ENQUEUE_EVERY = 60.0  # seconds
TIDY_EVERY = 3600.0  # seconds
STOP_TIMEOUT = 30.0  # seconds to let the messages in flight finish at shutdown


class Sweeps:
    """Starts and stops the scheduler with the application."""

    def __init__(
        self,
        reminders: ReminderService,
        sender: OutboxSender,
        tz: tzinfo,
        every: float = ENQUEUE_EVERY,
        tidy: Callable[[], Awaitable[object]] | None = None,
    ) -> None:
        self._tidy = tidy
        self._reminders = reminders
        self._sender = sender
        self._tz = tz
        self._every = every
        self._stop = asyncio.Event()
        self._drained = asyncio.Event()
        self._scheduler: AsyncIOScheduler | None = None

    def jobs(self) -> list[str]:
        """Ids of the scheduled jobs (for tests and the log)."""
        return [] if self._scheduler is None else [j.id for j in self._scheduler.get_jobs()]

    def start(self) -> None:
        """Schedule the sweeps; the first enqueue runs at once."""
        scheduler = AsyncIOScheduler(timezone=self._tz)
        now = datetime.now(self._tz)
        scheduler.add_job(
            self.enqueue_due,
            IntervalTrigger(seconds=self._every, timezone=self._tz),
            id="enqueue-due",
            name="enqueue what is due",
            coalesce=True,
            max_instances=1,
            misfire_grace_time=int(self._every),
            next_run_time=now,
        )
        scheduler.add_job(
            self._drain,
            id="drain-outbox",
            name="drain the outbox",
            max_instances=1,
            misfire_grace_time=None,
            next_run_time=now,
        )
        if self._tidy is not None:
            scheduler.add_job(
                self.tidy,
                IntervalTrigger(seconds=TIDY_EVERY, timezone=self._tz),
                id="tidy",
                name="delete what is kept only for a while",
                coalesce=True,
                max_instances=1,
                misfire_grace_time=int(TIDY_EVERY),
                next_run_time=now,
            )
        scheduler.start()
        self._scheduler = scheduler

    async def tidy(self) -> None:
        """One housekeeping round; an error is logged and the next hour tries again."""
        if self._tidy is None:
            return
        try:
            await self._tidy()
        except Exception:
            log.exception("housekeeping failed; it runs again in an hour")

    async def enqueue_due(self) -> None:
        """One sweep; an error is logged and the next minute tries again."""
        try:
            report = await self._reminders.enqueue_due()
        except Exception:
            log.exception("the enqueue sweep failed; it runs again in a minute")
            return
        if report.sent or report.skipped or report.expired or report.requeued:
            log.info(
                "sweep: sent %s (%d messages), skipped %s, expired %s, requeued %d",
                report.sent,
                report.messages,
                report.skipped,
                report.expired,
                report.requeued,
            )

    async def _drain(self) -> None:
        try:
            await self._sender.run(self._stop)
        except Exception:
            log.exception("the outbox sender stopped")
        finally:
            self._drained.set()

    async def stop(self) -> None:
        """Stop sweeping; let the messages in flight finish (a while at most)."""
        self._stop.set()
        if self._scheduler is None:
            return
        if any(job.id == "drain-outbox" for job in self._scheduler.get_jobs()):
            self._drained.set()  # never started
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._drained.wait(), STOP_TIMEOUT)
        self._scheduler.shutdown(wait=False)
        self._scheduler = None
