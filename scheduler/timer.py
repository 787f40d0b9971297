"""The outbox's stopwatch: monotonic seconds and waiting until one of them.

The pacer and the sender read time and wait only through a ``Timer``, so tests give them a
``VirtualTimer`` whose waits take no time and whose seconds are exact, on any machine, however
loaded: a test asserts on the seconds the outbox would have waited, never on how long it took.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Timer(Protocol):
    """Where the outbox reads monotonic time and waits."""

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back."""
        ...

    async def sleep_until(self, deadline: float) -> None:
        """Return once ``monotonic()`` has reached ``deadline``."""
        ...


class RealTimer:
    """The machine's monotonic clock."""

    def monotonic(self) -> float:
        """``time.monotonic()``."""
        return time.monotonic()

    async def sleep_until(self, deadline: float) -> None:
        """Sleep for what is left until ``deadline``."""
        left = deadline - time.monotonic()
        if left > 0:
            await asyncio.sleep(left)


class VirtualTimer:
    """Time that moves only when someone waits: a wait jumps straight to its deadline.

    Waits given as deadlines overlap as they would in real time (two tasks waiting for the same
    second end at that second, not two seconds later).
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.waits: list[float] = []  # every wait that moved time, in seconds

    def monotonic(self) -> float:
        """The virtual seconds."""
        return self.now

    async def sleep_until(self, deadline: float) -> None:
        """Move time to ``deadline`` (if it is later) and let the other tasks run once."""
        if deadline > self.now:
            self.waits.append(deadline - self.now)
            self.now = deadline
        await asyncio.sleep(0)
