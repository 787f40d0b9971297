"""Pacing: the outbox's own pace, and a channel's overall limit shared with replies.

Each channel has its own ``Pacer`` (the sender keeps one per channel): a pause or a slow pace on
one never holds up another. The numbers below are Telegram's; a second channel's pacer is made
with its own.

Telegram allows a bot about 30 messages a second overall. Replies to members must never wait, so
they only *record* that they used part of the budget; the outbox books a slot for each message
and waits for it. The arithmetic is the generic cell-rate algorithm (each budget keeps the
"theoretical arrival time" of its next message) and takes the time as an argument, so it is
tested without sleeping. The outbox reads the time from the pacer's ``timer`` too, so a test
gives both one virtual stopwatch.
"""

from __future__ import annotations

from collections.abc import Callable

from scheduler.timer import RealTimer, Timer

TELEGRAM_LIMIT = 30.0  # messages per second over all chats
SHARED_CEILING = 29.0  # what we allow ourselves overall: a little under Telegram's limit
PER_CHAT_GAP = 1.0  # seconds between two outbox messages to one chat
MAX_DEBT = 1.0  # replies may push the outbox back by at most this many seconds at once
OWN_SLACK = 0.5  # seconds of its own pace the outbox may make up after replies pushed it back


class Pacer:
    """Books send slots for the outbox; replies are counted against the shared budget."""

    def __init__(
        self,
        pace: float,
        ceiling: float = SHARED_CEILING,
        monotonic: Callable[[], float] | None = None,
        timer: Timer | None = None,
    ) -> None:
        if pace <= 0 or ceiling <= 0:
            raise ValueError("pace and ceiling must be positive")
        self.pace = pace
        self._own_gap = 1.0 / pace
        self._shared_gap = 1.0 / ceiling
        self.timer: Timer = timer or RealTimer()
        self._now = monotonic or self.timer.monotonic
        self._own_next = 0.0  # when the outbox may send its next message
        self._shared_next = 0.0  # when anyone may, after the replies and the outbox so far
        self._held_until = 0.0  # a 429 asked everyone to wait until then

    def note_reply(self) -> None:
        """A reply to a member went out (it did not wait): the outbox yields that slot."""
        now = self._now()
        start = max(self._shared_next, now)
        self._shared_next = max(self._shared_next, min(start + self._shared_gap, now + MAX_DEBT))

    def hold(self, seconds: float) -> None:
        """The channel said 429: nothing more from the outbox on it for ``seconds``."""
        self._held_until = max(self._held_until, self._now() + seconds)

    def delay(self) -> float:
        """Seconds until the outbox's next slot is free (nothing is booked)."""
        now = self._now()
        return max(0.0, self._own_next - now, self._shared_next - now, self._held_until - now)

    def reserve(self) -> float:
        """Book the outbox's next slot; return the seconds to wait for it."""
        now = self._now()
        slot = max(now, self._own_next, self._shared_next, self._held_until)
        # A slot pushed back by replies does not push the outbox's own schedule back with it:
        # the outbox may catch up (at the overall ceiling) on up to OWN_SLACK seconds it lost.
        own_due = max(self._own_next, self._held_until)
        pushed = self._shared_next > own_due and self._shared_next > now - self._own_gap
        start = max(own_due, slot - OWN_SLACK) if pushed else slot
        self._own_next = start + self._own_gap
        self._shared_next = slot + self._shared_gap
        return slot - now

    def held_for(self) -> float:
        """Seconds until a 429 pause ends (0 when there is none)."""
        return max(0.0, self._held_until - self._now())

    def backlog(self) -> float:
        """Seconds of outbox slots already booked ahead of now."""
        return max(0.0, self._own_next - self._now())
