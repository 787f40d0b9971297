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
# characters of the minutes photo's reference: "channel:" and its file id or URL
MAX_MINUTES_REF = 255


class MeetingKind(StrEnum):
    """What kind of session."""

    BRIEFING = "quan_triet"  # the one session that studies the year's chuyên đề
    THEMATIC = "chuyen_de"  # a quarterly thematic meeting
    MONTHLY = "dinh_ky"  # the monthly meeting, the topic woven in


class Outcome(StrEnum):
    """What the secretary recorded after the meeting's time."""

    HELD = "held"
    NOT_HELD = "not_held"


@dataclass(frozen=True, slots=True)
class MeetingRecord:
    """What a cell records of a meeting: held or not (why), when, who was absent, what was
    said and concluded, and the channel's reference of a photo of the minutes (biên bản)."""

    outcome: Outcome
    held_on: date | None = None
    present: int | None = None
    absent: int | None = None
    absent_ids: tuple[int, ...] = ()  # from the roster; the count is ``absent``
    reason: str = ""  # why it was not held
    summary: str = ""  # nội dung
    conclusion: str = ""  # kết luận
    minutes_file: str = ""  # "<channel>:<file id>" of the minutes' photo, or ""
    recorded_by: int | None = None
    recorded_at: datetime | None = None


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
    record: MeetingRecord | None = None  # None until the secretary records it


@dataclass(frozen=True, slots=True)
class MeetingInput:
    """What a secretary typed: when, where, what about."""

    starts_at: datetime
    place: str
    topic: str


def quarter(day: date) -> int:
    """The quarter (1-4) of ``day``."""
    return (day.month - 1) // 3 + 1


def is_held(meeting: Meeting) -> bool:
    """Whether ``meeting`` was held: recorded as held by its secretary (never "its time has
    passed"). Every digest, report and flag asks this."""
    return (
        meeting.status is MeetingStatus.SCHEDULED
        and meeting.record is not None
        and meeting.record.outcome is Outcome.HELD
    )


def held_day(meeting: Meeting, tz: tzinfo) -> date:
    """The local day the meeting took place: the recorded date, else its scheduled day."""
    if meeting.record is not None and meeting.record.held_on is not None:
        return meeting.record.held_on
    return meeting.starts_at.astimezone(tz).date()


def held_of(meetings: Iterable[Meeting], kind: MeetingKind, year: int, tz: tzinfo) -> list[Meeting]:
    """Meetings of ``kind`` recorded as held in ``year``."""
    return [m for m in meetings if m.kind is kind and is_held(m) and held_day(m, tz).year == year]


def quarters_without_thematic(
    meetings: Iterable[Meeting], year: int, today: date, tz: tzinfo, opened: date | None = None
) -> list[int]:
    """Quarters of ``year`` up to today's with no thematic meeting held (today's quarter is
    also covered by one still to come).

    Counting starts with the quarter the campaign ``opened`` in: a quarter that ended before
    the campaign existed is not held against anyone.
    """
    if today.year < year:
        return []
    last = 4 if today.year > year else quarter(today)
    first = 1
    if opened is not None and opened.year >= year:
        first = quarter(opened) if opened.year == year else 5
    found = list(meetings)
    covered = {quarter(held_day(m, tz)) for m in held_of(found, MeetingKind.THEMATIC, year, tz)}
    covered |= {
        quarter(m.starts_at.astimezone(tz).date())
        for m in found
        if m.kind is MeetingKind.THEMATIC
        and m.status is MeetingStatus.SCHEDULED
        and m.record is None
        and m.starts_at.astimezone(tz).date() >= today
        and m.starts_at.astimezone(tz).year == year
    }
    return [q for q in range(first, last + 1) if q not in covered]


def thematic_count(meetings: Iterable[Meeting], year: int, tz: tzinfo) -> int:
    """Thematic meetings recorded as held in ``year``."""
    return len(held_of(meetings, MeetingKind.THEMATIC, year, tz))


@dataclass(frozen=True, slots=True)
class CellFlags:
    """What a cell's secretary (and the district report) is warned of."""

    no_briefing: bool  # the plan deadline passed without a quán triệt recorded as held by then
    thematic_short: int  # 3 or 4: that quarter ended with fewer than 2 thematic meetings; 0: no
    thematic_held: int


def cell_flags(
    meetings: Iterable[Meeting], year: int, deadline: date, today: date, tz: tzinfo
) -> CellFlags:
    """The flags of one cell's meetings of ``year`` as of ``today``."""
    found = list(meetings)
    briefed = any(
        held_day(m, tz) <= deadline for m in held_of(found, MeetingKind.BRIEFING, year, tz)
    )
    held = thematic_count(found, year, tz)
    checkpoint = 0
    if held < MIN_THEMATIC_PER_YEAR:
        if today > date(year, 12, 31):
            checkpoint = 4
        elif today > date(year, 9, 30):
            checkpoint = 3
    return CellFlags(today > deadline and not briefed, checkpoint, held)


def recordable(meeting: Meeting, now: datetime) -> bool:
    """A meeting whose time has come may be recorded (or its record corrected)."""
    return meeting.status is MeetingStatus.SCHEDULED and meeting.starts_at <= now


def next_thematic(meetings: Iterable[Meeting], now: datetime) -> list[Meeting]:
    """Thematic meetings still to come, soonest first."""
    return sorted(
        (
            m
            for m in meetings
            if m.kind is MeetingKind.THEMATIC
            and m.status is MeetingStatus.SCHEDULED
            and m.starts_at > now
        ),
        key=lambda m: m.starts_at,
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
