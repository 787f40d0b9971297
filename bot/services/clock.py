"""Clocks: the system one, and a settable one for tests and the sandbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta


class SystemClock:
    """The real time, in UTC."""

    def now(self) -> datetime:
        """The current instant."""
        return datetime.now(UTC)


class ManualClock:
    """A clock that only moves when told to."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = start

    def now(self) -> datetime:
        """The instant the clock was set to."""
        return self._now

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by ``delta``."""
        self._now += delta

    def set(self, when: datetime) -> None:
        """Jump to ``when``."""
        if when.tzinfo is None:
            raise ValueError("ManualClock needs an aware datetime")
        self._now = when


class ShiftedClock:
    """Real time moved by an offset that can jump forward: the sandbox's clock, so reminders,
    digests and meeting notices can be seen without waiting for them."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        self._offset = start - datetime.now(UTC)

    def now(self) -> datetime:
        """Real time plus the offset (it keeps running)."""
        return datetime.now(UTC) + self._offset

    def jump(self, when: datetime) -> None:
        """Go to ``when`` if it is later; the clock never goes back."""
        if when.tzinfo is None:
            raise ValueError("ShiftedClock needs an aware datetime")
        if when > self.now():
            self._offset = when - datetime.now(UTC)
