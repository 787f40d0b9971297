"""Entering a meeting by choosing: the drafts of the two step-by-step flows, and what they read.

Scheduling: kind -> day -> time -> place -> topic -> preview. Recording after its time: held or
not (a reason) -> day -> who was absent (or the numbers) -> content -> conclusion -> a photo of
the minutes -> preview. The draft is a stored row; which step comes next follows from what it
holds, so a restart or a second worker carries on at the same step.
"""

from __future__ import annotations

import re
from datetime import date, time, timedelta

from pydantic import BaseModel, ConfigDict

from bot.domain.meetings import MAX_PLACE, MAX_TOPIC, MeetingKind, Outcome
from bot.domain.text import tidy

COMMON_TIMES = (time(7, 0), time(7, 30), time(8, 0), time(14, 0), time(19, 30))
DAYS_AHEAD = 6  # buttons for the next days ...
WEEKS_AHEAD = 4  # ... and the same weekday of the next weeks
RECENT_PLACES = 4
MAX_TEXT = 1000  # content, conclusion, reason
MAX_PEOPLE = 9999

_DAY = re.compile(r"^\s*(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{4})\s*$", re.ASCII)
_CLOCK = re.compile(r"^\s*(\d{1,2})\s*(?:[:h.]\s*(\d{2})?)?\s*$", re.IGNORECASE | re.ASCII)
_TWO = re.compile(r"^\D*?(\d{1,4})\D+?(\d{1,4})\D*$", re.ASCII)


class StepError(ValueError):
    """A typed answer that does not fit the step; ``code`` names the catalog message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def parse_day(text: str) -> date | None:
    """A day typed as dd/mm/yyyy (also d/m/yyyy, with dots or dashes); None otherwise."""
    match = _DAY.match(text)
    if match is None:
        return None
    day, month, year = (int(g) for g in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


def parse_clock(text: str) -> time | None:
    """A time of day typed as HH:MM (also 7h30, 7h, 19.30); None otherwise."""
    match = _CLOCK.match(text)
    if match is None:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def parse_counts(text: str) -> tuple[int, int] | None:
    """ "18/2", "18 2", "có mặt 18, vắng 2": (present, absent); None otherwise."""
    match = _TWO.match(text)
    if match is None:
        return None
    present, absent = int(match.group(1)), int(match.group(2))
    if present + absent == 0 or present > MAX_PEOPLE or absent > MAX_PEOPLE:
        return None
    return present, absent


def day_options(today: date) -> list[date]:
    """The days offered as buttons: the next days, then the same weekday of the next weeks."""
    days = [today + timedelta(days=n) for n in range(1, DAYS_AHEAD + 1)]
    days += [today + timedelta(weeks=n) for n in range(1, WEEKS_AHEAD + 1)]
    return days


def schedule_day(text: str, today: date) -> date:
    """A typed day for a meeting to come: today or later, this year or the next."""
    day = parse_day(text)
    if day is None:
        raise StepError("day")
    if day < today:
        raise StepError("day_past")
    if day.year > today.year + 1:
        raise StepError("day_far")
    return day


def record_day(text: str, today: date) -> date:
    """A typed day a meeting took place: not in the future, this year or the last."""
    day = parse_day(text)
    if day is None:
        raise StepError("day")
    if day > today:
        raise StepError("day_future")
    if day.year < today.year - 1:
        raise StepError("day_old")
    return day


def short_text(text: str, limit: int, code: str) -> str:
    """A typed line kept tidy; too long or empty is refused."""
    clean = tidy(text)
    if not clean:
        raise StepError("empty")
    if len(clean) > limit:
        raise StepError(code)
    return clean


def place_text(text: str) -> str:
    """A typed place."""
    return short_text(text, MAX_PLACE, "place_long")


def topic_text(text: str) -> str:
    """A typed topic."""
    return short_text(text, MAX_TOPIC, "topic_long")


def long_text(text: str) -> str:
    """A typed content, conclusion or reason (several lines kept)."""
    clean = "\n".join(tidy(line) for line in text.strip().splitlines()).strip()
    if not clean:
        raise StepError("empty")
    if len(clean) > MAX_TEXT:
        raise StepError("text_long")
    return clean


class _Draft(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")


class PlanDraft(_Draft):
    """A meeting being scheduled step by step."""

    day: date | None = None
    at: time | None = None
    place: str | None = None
    topic: str | None = None
    places: tuple[str, ...] = ()  # the unit's last places, as offered (pressed by index)

    def step(self) -> str:
        """The next step: day, time, place, topic or preview."""
        if self.day is None:
            return "day"
        if self.at is None:
            return "time"
        if self.place is None:
            return "place"
        if self.topic is None:
            return "topic"
        return "preview"


class RecordDraft(_Draft):
    """A meeting being recorded after its time (``kind`` set: one never entered beforehand)."""

    new: bool = False
    kind: MeetingKind | None = None
    outcome: Outcome | None = None
    held_on: date | None = None
    attendance_done: bool = False
    absent_ids: tuple[int, ...] = ()
    present: int | None = None
    absent: int | None = None
    reason: str | None = None
    summary: str | None = None
    conclusion: str | None = None
    photo: str | None = None  # "" skipped

    def step(self) -> str:
        """The next step of the record."""
        if self.new and self.kind is None:
            return "kind"
        if self.outcome is None:
            return "outcome"
        if self.outcome is Outcome.NOT_HELD:
            return "reason" if self.reason is None else "preview"
        if self.held_on is None:
            return "day"
        if not self.attendance_done:
            return "attendance"
        if self.summary is None:
            return "summary"
        if self.conclusion is None:
            return "conclusion"
        if self.photo is None:
            return "photo"
        return "preview"
