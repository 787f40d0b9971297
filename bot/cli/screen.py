"""What the admin sees: rich tables and progress bars on a terminal, plain lines off one.

Off a terminal (a pipe, cron, CI) nothing here writes a control code: tables print as plain
aligned columns, and a progress bar becomes one line per phase with its counts.
``CHUYENDE_TERMINAL=1`` draws as on a terminal (80 columns) whatever the output is, ``=0``
never does; unset, the output's own ``isatty()`` decides.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TextIO, TypeAlias

# rich is imported where something is drawn: ``chuyende run`` imports the command line (this
# module with it) and then only waits for messages (about 2 MB of an idle bot's memory).
if TYPE_CHECKING:
    from rich.console import Console
    from rich.progress import Progress, TaskID
    from rich.text import Text

TERMINAL_ENV = "CHUYENDE_TERMINAL"
WIDTH = 80  # what a table fits when the terminal's own width is unknown
BAR_CELLS = 10  # the width of the completion bar in the report's table

Cell: TypeAlias = "str | int | Text"
Tick = Callable[[int, int], None]
"""A progress callback: ``tick(done, total)``."""


def on_terminal(out: TextIO) -> bool:
    """Whether ``out`` is a terminal (or ``CHUYENDE_TERMINAL`` says to draw as on one)."""
    forced = os.environ.get(TERMINAL_ENV, "").strip()
    if forced in ("0", "1"):
        return forced == "1"
    isatty = getattr(out, "isatty", None)
    return bool(isatty is not None and isatty())


def console(out: TextIO, terminal: bool) -> Console:
    """A rich console on ``out``: colours and boxes on a terminal, none off one."""
    from rich.console import Console

    if terminal:
        real = getattr(out, "isatty", None)
        width = None if real is not None and real() else WIDTH
        return Console(file=out, force_terminal=True, width=width, highlight=False)
    return Console(
        file=out, force_terminal=False, no_color=True, width=WIDTH, highlight=False, soft_wrap=True
    )


def table(
    out: TextIO,
    terminal: bool,
    headers: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    numbers: Sequence[int] = (),
    title: str | None = None,
    whole: Sequence[int] = (),
) -> None:
    """Print ``rows`` under ``headers``; the ``numbers`` columns right-aligned, they and the
    ``whole`` ones never wrapped."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    grid = Table(
        box=box.ROUNDED if terminal else None,
        header_style="bold" if terminal else "",
        show_edge=terminal,
        pad_edge=terminal,
        expand=False,
    )
    for at, name in enumerate(headers):
        if at in numbers:
            grid.add_column(name, justify="right", no_wrap=True)
        elif at in whole:
            grid.add_column(name, no_wrap=True)
        else:
            grid.add_column(name, overflow="fold")  # between words; a long word is folded
    for row in rows:
        grid.add_row(*(cell if isinstance(cell, Text) else str(cell) for cell in row))
    screen = console(out, terminal)
    if not terminal:  # a pipe keeps every line whole, at the table's natural width
        unbounded = screen.options.update(max_width=10_000)  # measured beyond the 80 columns
        screen.width = max(WIDTH, screen.measure(grid, options=unbounded).maximum)
    if title:  # above the table, not squeezed into its width
        screen.print(Text(title, style="bold" if terminal else ""))
    screen.print(grid)


def rate_bar(rate: float, terminal: bool) -> Text:
    """A small completion bar coloured like the report's chart, with its percentage."""
    filled = round(BAR_CELLS * min(max(rate, 0.0), 100.0) / 100)
    from rich.text import Text

    colour = "green" if rate >= 90 else "yellow" if rate >= 50 else "red"
    bar = Text()
    if terminal:
        bar.append("█" * filled, style=colour)
        bar.append("░" * (BAR_CELLS - filled), style="dim")
    else:
        bar.append("#" * filled + "." * (BAR_CELLS - filled))
    bar.append(f" {rate:.0f}%")
    return bar


def print_json(out: TextIO, document: object) -> None:
    """One JSON document on ``out`` (Vietnamese kept as it is, not escaped)."""
    print(json.dumps(document, ensure_ascii=False, indent=2), file=out)


class Phases:
    """Progress of a job in phases: a live bar on a terminal, one plain line per phase off it."""

    def __init__(
        self, out: TextIO, terminal: bool, lines: bool, line: Callable[[str, int, int], str]
    ) -> None:
        """``line(label, done, total)`` is the plain line printed when a phase ends (off a
        terminal, if ``lines``)."""
        self._out, self._terminal, self._line = out, terminal, line
        self._lines = lines
        self._progress: Progress | None = None
        self._task: TaskID | None = None
        self._label, self._done, self._total = "", 0, 0

    @contextmanager
    def running(self) -> Iterator[Phases]:
        """Show the bar while the job runs; end the last phase on the way out."""
        if self._terminal:
            from rich.progress import (
                BarColumn,
                MofNCompleteColumn,
                Progress,
                SpinnerColumn,
                TextColumn,
                TimeRemainingColumn,
            )

            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                BarColumn(bar_width=24),
                MofNCompleteColumn(),
                TimeRemainingColumn(),
                console=console(self._out, True),
                transient=False,
            )
            self._progress.start()
        try:
            yield self
        finally:
            self._end()
            if self._progress is not None:
                self._progress.stop()

    def phase(self, label: str, total: int = 0) -> Tick:
        """Start a phase (ending the one before, unless it has the same label); the tick to
        call as it goes."""
        if label == self._label:
            self.tick(self._done, total)
            return self.tick
        self._end()
        self._label, self._done, self._total = label, 0, total
        if self._progress is not None:
            self._task = self._progress.add_task(label, total=total or None)
        return self.tick

    def follow(self, labels: Mapping[str, str]) -> Callable[[str, int, int], None]:
        """A service's ``progress(phase, done, total)``: a new phase each time ``phase`` changes,
        shown under ``labels[phase]``."""
        current = [""]

        def heard(phase: str, done: int, total: int) -> None:
            if phase != current[0]:
                current[0] = phase
                self.phase(labels.get(phase, phase), total)
            self.tick(done, total)

        return heard

    def tick(self, done: int, total: int) -> None:
        """``done`` of ``total`` items of the current phase are through."""
        self._done, self._total = done, total
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, completed=done, total=total or None)

    def _end(self) -> None:
        if not self._label:
            return
        if self._progress is not None and self._task is not None:
            total = self._total or self._done
            self._progress.update(self._task, completed=self._done, total=total or 1)
        elif self._lines:
            print(self._line(self._label, self._done, self._total), file=self._out)
        self._label, self._task = "", None


@contextmanager
def spinner(out: TextIO, terminal: bool, label: str) -> Iterator[None]:
    """A spinner with ``label`` while a job without counts runs; nothing off a terminal."""
    if not terminal:
        yield
        return
    with console(out, True).status(label):
        yield
