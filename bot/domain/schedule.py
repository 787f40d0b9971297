"""Reminder rules as campaign data, and the occasions they make: when each is due, when stale.

An occasion is one planned wave (the T-7 deadline reminder, Monday's digest, the 2-hour reminder
before a meeting). The sweep sends an occasion once, when it is due and not yet stale; of several
due occasions of one series (after downtime) only the newest is sent, the older ones are skipped:
nobody wants three reminders in a row after the bot was down for a week. After the deadline the
chase goes on (weekly late reminders, weekly digests) until the end of the campaign's year.

What a reminder says about the time left is worked out when it is sent (``days_until``,
``hours_until``), so a message held by quiet hours or downtime never lies.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

MAX_DAYS_BEFORE = 90
MAX_HOURS_BEFORE = 14 * 24


class Schedule(BaseModel):
    """When reminders, digests and quiet hours happen; stored with the campaign."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    deadline_days: tuple[int, ...] = (14, 7, 3, 1)  # deadline reminders, days before
    remind_at: time = time(8, 0)  # local time of deadline and returned-plan reminders
    returned_after_days: int = Field(default=2, ge=1, le=30)
    quiet_start: time = time(21, 0)  # nothing proactive is sent from here ...
    quiet_end: time = time(7, 0)  # ... to here (local time)
    meeting_hours: tuple[int, ...] = (72, 2)  # meeting reminders, hours before
    digest_weekday: int = Field(default=0, ge=0, le=6)  # 0 = Monday
    digest_at: time = time(7, 30)
    daily_digest_days: int = Field(default=7, ge=0, le=60)  # daily digests in the last N days
    # After the deadline: a late reminder every N days to those who still owe a plan, and weekly
    # digests while a unit has someone missing, until 31/12 of the campaign's year; 0 = off.
    late_every_days: int = Field(default=7, ge=0, le=60)
    # Progress on the plan's concrete actions is asked of those who handed in a plan: this many
    # days before each thematic meeting of their cell (0 = not), at mid-year (dd/mm, "" = not)
    # and ``progress_review_days`` before the year-end review (dd/mm, "" = not); never more than
    # once every ``progress_gap_days`` days per person.
    progress_meeting_days: int = Field(default=3, ge=0, le=30)
    midyear: str = "30/06"
    year_review: str = "15/12"
    progress_review_days: int = Field(default=7, ge=0, le=60)
    progress_gap_days: int = Field(default=7, ge=1, le=60)
    # The mid-year self-check (one screen per action, then "tự đánh giá giữa kỳ"): offered to
    # those who handed in a plan, under the plan and with the mid-year prompt, when on.
    midyear_check: bool = False

    @field_validator("deadline_days")
    @classmethod
    def _days(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 0 <= day <= MAX_DAYS_BEFORE for day in value):
            raise PydanticCustomError(
                "reminder_days",
                "reminder days must be between 0 and {limit}",
                {"limit": MAX_DAYS_BEFORE},
            )
        return tuple(sorted(set(value), reverse=True))

    @field_validator("meeting_hours")
    @classmethod
    def _hours(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if any(not 1 <= hours <= MAX_HOURS_BEFORE for hours in value):
            raise PydanticCustomError(
                "meeting_hours",
                "meeting reminder hours must be between 1 and {limit}",
                {"limit": MAX_HOURS_BEFORE},
            )
        return tuple(sorted(set(value), reverse=True))

    @field_validator("midyear", "year_review")
    @classmethod
    def _day_month(cls, value: str) -> str:
        value = value.strip()
        if value and day_month(value, 2024) is None:  # a leap year: 29/02 is a day
            raise PydanticCustomError("day_month", "expected dd/mm, got {value}", {"value": value})
        return value

    def midyear_day(self, year: int) -> date | None:
        """The mid-year progress prompt's day in ``year``; None when there is none."""
        return day_month(self.midyear, year) if self.midyear else None

    def review_day(self, year: int) -> date | None:
        """The year-end review's day in ``year``; None when not set."""
        return day_month(self.year_review, year) if self.year_review else None

    def is_quiet(self, moment: datetime, tz: tzinfo) -> bool:
        """True when ``moment`` falls in the quiet hours (local time)."""
        local = moment.astimezone(tz).time()
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= local < end
        return local >= start or local < end

    def quiet_until(self, moment: datetime, tz: tzinfo) -> datetime:
        """``moment`` itself when sending is allowed, else when the quiet hours end."""
        if not self.is_quiet(moment, tz):
            return moment
        local = moment.astimezone(tz)
        end = datetime.combine(local.date(), self.quiet_end, tz)
        if end <= local:
            end = datetime.combine(local.date() + timedelta(days=1), self.quiet_end, tz)
        return end

    def before_quiet(self, moment: datetime, tz: tzinfo) -> datetime:
        """``moment`` when allowed, else the last minute before the quiet hours began."""
        if not self.is_quiet(moment, tz):
            return moment
        local = moment.astimezone(tz)
        start = datetime.combine(local.date(), self.quiet_start, tz)
        if start > local:
            start = datetime.combine(local.date() - timedelta(days=1), self.quiet_start, tz)
        return start - timedelta(minutes=1)


def day_month(text: str, year: int) -> date | None:
    """ "30/06" as a day of ``year`` (29/02 is 28/02 in a common year); None when not dd/mm."""
    day_text, sep, month_text = text.partition("/")
    if not sep or not (day_text.isascii() and day_text.isdigit()):
        return None
    if not (month_text.isascii() and month_text.isdigit()) or len(day_text + month_text) > 4:
        return None
    day, month = int(day_text), int(month_text)
    if (day, month) == (29, 2):
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    try:
        return date(year, month, day)
    except ValueError:
        return None


def at_local(day: date, moment: time, tz: tzinfo) -> datetime:
    """``day`` at ``moment`` in ``tz`` as an aware datetime."""
    return datetime.combine(day, moment, tz)


def end_of_day(day: date, tz: tzinfo) -> datetime:
    """The first instant after ``day`` (local midnight)."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tz)


def days_until(day: date, now: datetime, tz: tzinfo | None = None) -> int:
    """Days from ``now`` (local time in ``tz``, else in its own zone) to ``day``: 0 on the day
    itself, negative after it."""
    local = now.astimezone(tz) if tz is not None else now
    return (day - local.date()).days


def hours_until(moment: datetime, now: datetime) -> int:
    """Whole hours from ``now`` to ``moment``, rounded, at least 1 (it has not happened yet)."""
    return max(1, round((moment - now).total_seconds() / 3600))


def days_of_hours(hours: int) -> int:
    """``hours`` as days, rounded half up (72 -> 3, 60 -> 3, 47 -> 2)."""
    return (hours + 12) // 24


def chase_ends(year: int) -> date:
    """The last day of the late chase: 31/12 of the campaign's year."""
    return date(year, 12, 31)


@dataclass(frozen=True, slots=True)
class Occasion:
    """One planned wave: sent once when due, never after ``stale``."""

    key: str  # unique, e.g. "deadline:2022:T-7"; the outbox keys of its messages start with it
    series: str  # of several due occasions of one series only the newest is sent
    due: datetime
    stale: datetime
    days_left: int = 0  # negative for a late reminder: days since the deadline
    hours_before: int = 0
    day: date | None = None  # the local day of a digest
    dropped: str = ""  # why it is recorded as expired at ``due`` instead of being sent


QUIET_UNTIL_START = "quiet hours last until the meeting starts"


def deadline_occasions(year: int, deadline: date, schedule: Schedule, tz: tzinfo) -> list[Occasion]:
    """The deadline reminders of a campaign."""
    stale = end_of_day(deadline, tz)
    return [
        Occasion(
            key=f"deadline:{year}:T-{days}",
            series=f"deadline:{year}",
            due=at_local(deadline - timedelta(days=days), schedule.remind_at, tz),
            stale=stale,
            days_left=days,
        )
        for days in schedule.deadline_days
    ]


def late_occasions(year: int, deadline: date, schedule: Schedule, tz: tzinfo) -> list[Occasion]:
    """Reminders after the deadline, every ``late_every_days`` until 31/12 of ``year``.

    Each is stale when the next is due: after downtime the one just missed goes out, once.
    """
    every, last = schedule.late_every_days, chase_ends(year)
    if every <= 0:
        return []
    days = []
    day = deadline + timedelta(days=every)
    while day <= last:
        days.append(day)
        day += timedelta(days=every)
    dues = [at_local(day, schedule.remind_at, tz) for day in days]
    return [
        Occasion(
            key=f"late:{year}:D+{(day - deadline).days}",
            series=f"late:{year}",
            due=due,
            stale=dues[index + 1] if index + 1 < len(dues) else end_of_day(last, tz),
            days_left=(deadline - day).days,
        )
        for index, (day, due) in enumerate(zip(days, dues, strict=True))
    ]


def digest_days(
    opens: date, deadline: date, schedule: Schedule, until: date | None = None
) -> list[date]:
    """Digest days: weekly from ``opens``, daily in the last days up to the deadline, then
    weekly again up to ``until`` (the late chase; default: stop at the deadline)."""
    daily_from = deadline - timedelta(days=max(schedule.daily_digest_days - 1, 0))
    days: list[date] = []
    day = opens
    while day <= max(deadline, until or deadline):
        daily = schedule.daily_digest_days > 0 and daily_from <= day <= deadline
        if daily or day.weekday() == schedule.digest_weekday:
            days.append(day)
        day += timedelta(days=1)
    return days


def digest_occasions(
    year: int, opens: date, deadline: date, schedule: Schedule, tz: tzinfo
) -> list[Occasion]:
    """The secretaries' digests of a campaign; a missed one is still sent until the next is due
    (a weekly digest within its week), and after the deadline they go on weekly while the late
    chase is on."""
    until = chase_ends(year) if schedule.late_every_days > 0 else deadline
    days = digest_days(opens, deadline, schedule, until)
    dues = [at_local(day, schedule.digest_at, tz) for day in days]
    occasions = []
    for index, (day, due) in enumerate(zip(days, dues, strict=True)):
        stale = dues[index + 1] if index + 1 < len(dues) else due + timedelta(days=7)
        occasions.append(
            Occasion(
                key=f"digest:{year}:{day.isoformat()}",
                series=f"digest:{year}",
                due=due,
                stale=min(stale, due + timedelta(days=7)),
                day=day,
            )
        )
    return occasions


def meeting_occasions(
    meeting_id: int,
    version: int,
    starts_at: datetime,
    changed_at: datetime,
    schedule: Schedule,
    tz: tzinfo,
) -> list[Occasion]:
    """Reminders before a meeting; one that fell due before the last change is left out.

    A reminder that would fall in the quiet hours goes out when they end, if the meeting has not
    started by then (the 2-hour reminder of an 08:00 meeting at 07:00, saying one hour is left);
    otherwise it is ``dropped``: recorded as expired at its planned moment, never sent.
    """
    occasions = []
    for hours in schedule.meeting_hours:
        planned = starts_at - timedelta(hours=hours)
        due = schedule.quiet_until(planned, tz)
        dropped = "" if due < starts_at else QUIET_UNTIL_START
        if dropped:
            due = planned
        if due < changed_at:
            continue  # the notice of the change (or of the scheduling) told them already
        occasions.append(
            Occasion(
                key=f"meeting:{meeting_id}:v{version}:H-{hours}",
                series=f"meeting:{meeting_id}:v{version}",
                due=due,
                stale=starts_at,
                hours_before=hours,
                dropped=dropped,
            )
        )
    return occasions


def returned_occasion(
    plan_id: int, rev: int, returned_at: datetime, schedule: Schedule, tz: tzinfo
) -> Occasion:
    """The reminder about a plan returned for changes and not yet sent again."""
    day = returned_at.astimezone(tz).date() + timedelta(days=schedule.returned_after_days)
    due = at_local(day, schedule.remind_at, tz)
    return Occasion(
        key=f"returned:{plan_id}:r{rev}",
        series=f"returned:{plan_id}:r{rev}",
        due=due,
        stale=due + timedelta(days=1),
    )


@dataclass(frozen=True, slots=True)
class DuePick:
    """What the sweep does now: occasions to send, to mark skipped and to mark expired."""

    send: tuple[Occasion, ...]
    skip: tuple[Occasion, ...]
    expire: tuple[Occasion, ...] = ()  # dropped ones now due: counted, with their reason


def pick_due(
    occasions: Iterable[Occasion], done: Sequence[str] | set[str], now: datetime
) -> DuePick:
    """Occasions due at ``now`` and not done: the newest fresh one per series is sent; dropped
    ones are expired (they take no part in their series)."""
    finished = set(done)
    given = list(occasions)
    everything = [o for o in given if not o.dropped]
    expire = tuple(o for o in given if o.dropped and o.key not in finished and o.due <= now)
    latest_done: dict[str, datetime] = {}
    for occasion in everything:
        if occasion.key in finished:
            seen = latest_done.get(occasion.series)
            latest_done[occasion.series] = max(seen, occasion.due) if seen else occasion.due
    by_series: dict[str, list[Occasion]] = {}
    for occasion in everything:
        if occasion.key not in finished and occasion.due <= now:
            by_series.setdefault(occasion.series, []).append(occasion)
    send: list[Occasion] = []
    skip: list[Occasion] = []
    for series, due in by_series.items():
        due.sort(key=lambda o: o.due)
        newest = due[-1]
        behind = series in latest_done and newest.due <= latest_done[series]
        if newest.stale > now and not behind:  # never go back in a series (rules edited)
            send.append(newest)
            skip.extend(due[:-1])
        else:
            skip.extend(due)
    send.sort(key=lambda o: o.due)
    return DuePick(tuple(send), tuple(skip), expire)
