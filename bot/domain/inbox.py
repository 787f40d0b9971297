"""The inbox's rules, apart from any database: what a row is, and how far an ordered channel's
updates may be handled while some of them are still on their way.

Telegram numbers its updates (``update_id``, one sequence per bot) and may deliver them to a
webhook concurrently, so a later one can be recorded before an earlier one. Rows are handled
only up to the channel's *mark*: the highest seq below which nothing is missing. A gap is waited
for ``REORDER_HOLD`` from the moment the row after it arrived, then given up (an id Telegram
never sends, e.g. an update type the bot did not ask for, costs at most that once).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

MAX_ATTEMPTS = 3  # times a row is taken in hand (each crash of its handling counts) before dead
REORDER_HOLD = timedelta(seconds=2)  # a gap in update_ids is waited for this long at most
# A mark that has not moved for this long is started afresh: after a week without updates
# Telegram picks the next update_id at random (getUpdates' documentation), possibly below it.
QUIET_RESET = timedelta(days=1)


# A lane is one sender's updates on one channel: "<prefix>:<sender id>" ("t:-": no sender).
LANE_PREFIXES = {"telegram": "t", "zalo": "z"}


def lane_name(channel: str, sender: object) -> str:
    """The lane of ``sender``'s updates on ``channel`` (the receivers record under it, and
    forgetting a person deletes what they sent by it)."""
    return f"{LANE_PREFIXES[channel]}:{sender}"


def channel_of(lane: str) -> str | None:
    """The channel whose lane ``lane`` is (None: not a lane name of ``lane_name``'s)."""
    prefix = lane.partition(":")[0]
    return next((channel for channel, p in LANE_PREFIXES.items() if p == prefix), None)


class InboxStatus(StrEnum):
    """Where a recorded update stands."""

    TODO = "todo"
    DONE = "done"
    DEAD = "dead"  # taken MAX_ATTEMPTS times without finishing: skipped, logged


@dataclass(frozen=True, slots=True)
class InboxRow:
    """One recorded update, as its lane's drainer takes it."""

    id: int
    channel: str
    key: str
    lane: str
    seq: int
    body: str  # JSON, as delivered
    attempts: int
    received_at: datetime


@dataclass(frozen=True, slots=True)
class Ready:
    """The rows of a lane that may be handled now (in seq order), and, when later rows of the
    lane are held back by a gap, the seconds after which to look again."""

    rows: tuple[InboxRow, ...]
    wait: float | None
    more: bool = False  # the lane has more todo rows than these (the limit was reached)
    taken: int | None = None  # the first row's attempts, when taken by the same transaction


@dataclass(frozen=True, slots=True)
class Mark:
    """Where an ordered channel's mark ends up, and how long the first gap above it still holds."""

    seq: int | None
    wait: float | None  # None: nothing above the mark is held back


def advance(
    mark: int | None,
    above: Iterable[tuple[int, datetime]],
    now: datetime,
    hold: timedelta = REORDER_HOLD,
) -> Mark:
    """Move ``mark`` over the recorded seqs ``above`` it (ascending, with when each arrived):
    over each one that follows on, and over a gap once the row after it is ``hold`` old.
    With no mark yet (nothing handled ever), the first row is held as if after a gap: an
    earlier update may still be on its way."""
    for seq, received_at in above:
        if mark is not None and seq <= mark:
            continue
        if mark is None or seq != mark + 1:
            waited = now - received_at
            if waited < hold:
                return Mark(mark, (hold - waited).total_seconds())
        mark = seq
    return Mark(mark, None)
