"""Watching deliveries live: ``broadcast send --follow``, ``broadcast status --follow``,
``outbox --watch``.

The command line only reads: the outbox sender (``chuyende run``) does the sending, so stopping
the watching (Ctrl+C) never stops a broadcast. Each look reads the counts from the database,
then the watcher pauses ``EVERY`` seconds through ``Cli.pause`` (``asyncio.sleep`` unless a test
gives its own) and reads the time from ``Cli.clock``: the pace and the time left are measured
on that clock, so a test drives the sender in its pause and never waits on the wall.

On a terminal one live bar is redrawn in place; off it (a pipe, cron) a plain line is printed
each time the counts change.
"""

from __future__ import annotations

import asyncio
import math
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from bot.cli.context import Cli
from bot.cli.screen import console
from bot.domain.outbox import Failure

if TYPE_CHECKING:  # rich is imported when a watch is drawn (see bot.cli.screen)
    from rich.console import Group

EVERY = 1.0  # seconds between two looks
WINDOW = timedelta(seconds=60)  # the pace is measured over the looks of the last minute
REASONS = ("blocked", "rejected", "gave_up", "bad_payload", "expired", "other")
BAR_WIDTH = 40


@dataclass(frozen=True, slots=True)
class Reading:
    """How a wave stands at one look: its size and where each message is."""

    total: int
    sent: int
    waiting: int  # queued or being sent
    withdrawn: int  # cancelled by an admin, or no longer in the audience when its turn came
    failed: Mapping[str, int] = field(default_factory=dict)  # by reason (``Failure.reason``)

    @property
    def failures(self) -> int:
        """How many could not be delivered, whatever the reason."""
        return sum(self.failed.values())

    @property
    def settled(self) -> int:
        """How many are through: sent, failed or withdrawn."""
        return self.sent + self.failures + self.withdrawn


def by_reason(failures: list[Failure], counted: int) -> dict[str, int]:
    """Failures counted by reason; those beyond the rows read (``counted`` in all) are
    ``other``."""
    kinds = Counter(failure.reason()[0] for failure in failures)
    if counted > len(failures):
        kinds["other"] += counted - len(failures)
    return {kind: kinds[kind] for kind in REASONS if kinds[kind]}


class Pace:
    """Messages settled per minute over the looks of the last ``WINDOW``, and the time left."""

    def __init__(self, window: timedelta = WINDOW) -> None:
        self._window = window
        self._seen: deque[tuple[datetime, int]] = deque()

    def add(self, at: datetime, settled: int) -> None:
        """A look at ``at`` found ``settled`` messages through."""
        self._seen.append((at, settled))
        while len(self._seen) > 2 and at - self._seen[1][0] >= self._window:
            self._seen.popleft()

    def per_minute(self) -> float | None:
        """The pace, None before two looks some time apart."""
        if len(self._seen) < 2:
            return None
        (first, before), (last, now) = self._seen[0], self._seen[-1]
        seconds = (last - first).total_seconds()
        if seconds <= 0:
            return None
        return max(now - before, 0) * 60 / seconds

    def left(self, waiting: int) -> timedelta | None:
        """The time the ``waiting`` messages take at the current pace (None: unknown)."""
        pace = self.per_minute()
        if waiting == 0:
            return timedelta(0)
        if not pace:
            return None
        return timedelta(seconds=math.ceil(waiting * 60 / pace))


def clock_text(left: timedelta) -> str:
    """``h:mm:ss`` (``m:ss`` under an hour)."""
    seconds = int(left.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


class Watch:
    """Look, show, pause, until nothing of the wave waits."""

    def __init__(
        self,
        cli: Cli,
        title: str,
        look: Callable[[], Awaitable[Reading]],
        quiet: bool = False,
    ) -> None:
        """``look`` reads the wave; ``quiet``: draw nothing (under ``--json``)."""
        self._cli, self._title, self._look = cli, title, look
        self._quiet = quiet
        self._pace = Pace()
        self._last_line = ""
        self.stopped = False

    def counts(self, reading: Reading) -> str:
        """The reading in words: sent, waiting, failed by reason, withdrawn."""
        t = self._cli.c.plain
        reasons = ", ".join(
            t("cli.live.reason_count", reason=t(f"cli.live.reason.{kind}"), count=count)
            for kind, count in reading.failed.items()
        )
        return t(
            "cli.live.counts",
            sent=reading.sent,
            total=reading.total,
            waiting=reading.waiting,
            failed=reading.failures,
            reasons=t("cli.live.reasons", reasons=reasons) if reasons else "",
            withdrawn=reading.withdrawn,
        )

    def timing(self, reading: Reading) -> str:
        """The pace and the time left at it, in words."""
        t = self._cli.c.plain
        pace = self._pace.per_minute()
        left = self._pace.left(reading.waiting)
        return t(
            "cli.live.timing",
            pace=t("cli.live.pace", pace=f"{pace:.0f}")
            if pace is not None
            else t("cli.live.pace_unknown"),
            left=t("cli.live.left", left=clock_text(left))
            if left is not None
            else t("cli.live.left_unknown"),
        )

    def _bar(self, reading: Reading) -> Group:
        from rich.console import Group
        from rich.progress_bar import ProgressBar
        from rich.table import Table
        from rich.text import Text

        total = max(reading.total, 1)
        row = Table.grid(padding=(0, 1))
        row.add_column(no_wrap=True)
        row.add_column(no_wrap=True)
        row.add_row(
            ProgressBar(total=total, completed=min(reading.settled, total), width=BAR_WIDTH),
            Text(f"{reading.settled}/{reading.total}"),
        )
        return Group(
            Text(self._title, style="bold"),
            row,
            Text(self.counts(reading)),
            Text(self.timing(reading), style="dim"),
        )

    def _line(self, reading: Reading) -> None:
        line = self._cli.c.plain(
            "cli.live.line",
            title=self._title,
            counts=self.counts(reading),
            timing=self.timing(reading),
        )
        if line != self._last_line:
            print(line, file=self._cli.out, flush=True)
            self._last_line = line

    async def run(self) -> Reading | None:
        """Watch until done, or until Ctrl+C (``stopped``), which ends only the watching; the
        last reading (None if stopped before the first)."""
        cli = self._cli
        live = None
        if cli.terminal and not self._quiet:
            from rich.live import Live

            live = Live(console=console(cli.out, True), auto_refresh=False, transient=False)
            live.start()
        reading: Reading | None = None
        try:
            while True:
                reading = await self._look()
                self._pace.add(cli.clock.now(), reading.settled)
                if live is not None:
                    live.update(self._bar(reading), refresh=True)
                elif not self._quiet:
                    self._line(reading)
                if reading.waiting == 0:
                    break
                await cli.pause(EVERY)
        except (KeyboardInterrupt, asyncio.CancelledError):
            task = asyncio.current_task()
            if task is not None:
                task.uncancel()  # the watching ends here, the command normally
            self.stopped = True
        finally:
            if live is not None:
                live.stop()
        if self.stopped:
            cli.say("cli.live.stopped")
        return reading
