"""The meetings calendar: a unit's quán triệt session and its quarterly thematic meetings."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import StrEnum

from bot.domain.text import parse_when, tidy

MIN_THEMATIC_PER_YEAR = 2
MAX_PLACE = 120
MAX_TOPIC = 200


class MeetingKind(StrEnum):
    """What kind of session."""

    BRIEFING = "quan_triet"  # the one session that studies the year's chuyên đề
    THEMATIC = "chuyen_de"  # a quarterly thematic meeting


class MeetingStatus(StrEnum):
    """Whether the meeting still takes place."""

    SCHEDULED = "scheduled"
    CANCELLED = "cancelled"


@dataclass(frozen=True, slots=True)
class Meeting:
    """A scheduled (or cancelled) meeting of one unit."""

    id: int
    unit_id: int
    unit_path: str
    kind: MeetingKind
    starts_at: datetime
    place: str
    topic: str
    status: MeetingStatus
    version: int  # grows with every change; reminders of an older version are not sent
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class MeetingInput:
    """What a secretary typed: when, where, what about."""

    starts_at: datetime
    place: str
    topic: str


def quarter(day: date) -> int:
    """The quarter (1-4) of ``day``."""
    return (day.month - 1) // 3 + 1


def quarters_without_thematic(
    meetings: Iterable[Meeting], year: int, today: date, tz: tzinfo, opened: date | None = None
) -> list[int]:
    """Quarters of ``year`` up to today's with no thematic meeting scheduled.

    Counting starts with the quarter the campaign ``opened`` in: a quarter that ended before
    the campaign existed is not held against anyone.
    """
    if today.year < year:
        return []
    last = 4 if today.year > year else quarter(today)
    first = 1
    if opened is not None and opened.year >= year:
        first = quarter(opened) if opened.year == year else 5
    held = {
        quarter(m.starts_at.astimezone(tz).date())
        for m in meetings
        if m.kind is MeetingKind.THEMATIC
        and m.status is MeetingStatus.SCHEDULED
        and m.starts_at.astimezone(tz).year == year
    }
    return [q for q in range(first, last + 1) if q not in held]


def thematic_count(meetings: Iterable[Meeting], year: int, tz: tzinfo) -> int:
    """Thematic meetings scheduled in ``year`` (cancelled ones do not count)."""
    return sum(
        1
        for m in meetings
        if m.kind is MeetingKind.THEMATIC
        and m.status is MeetingStatus.SCHEDULED
        and m.starts_at.astimezone(tz).year == year
    )


class MeetingInputError(ValueError):
    """The typed meeting details are not usable; ``code`` names the catalog message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_meeting(text: str, tz: tzinfo, now: datetime, default_topic: str) -> MeetingInput:
    """Read "dd/mm/yyyy HH:MM; place; topic" (lines work too); the topic may be left out."""
    parts = [tidy(part) for part in re.split(r"[;\n]", text)]
    parts = [part for part in parts if part]
    if len(parts) < 2 or len(parts) > 3:
        raise MeetingInputError("format")
    starts = parse_when(parts[0], tz)
    if starts is None:
        raise MeetingInputError("when")
    if starts <= now:
        raise MeetingInputError("past")
    if starts.year > now.astimezone(tz).year + 1:
        raise MeetingInputError("far")
    place = parts[1]
    topic = parts[2] if len(parts) == 3 else default_topic
    if len(place) > MAX_PLACE:
        raise MeetingInputError("place_long")
    if len(topic) > MAX_TOPIC:
        raise MeetingInputError("topic_long")
    return MeetingInput(starts, place, topic)
