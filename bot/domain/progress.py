"""Progress on a plan's concrete actions: each update a dated row, and when the bot asks for it.

A member records, for each *việc làm cụ thể* of a plan they handed in, where it stands (đã / đang
/ chưa thực hiện), a short note and optionally a photo as evidence. Nothing is overwritten: the
latest row of an action is its current state, the others are its history.

The bot asks for progress through the outbox at three kinds of moments, all campaign settings
(``Schedule``): a few days before each thematic meeting of the person's cell, at mid-year and
before the year-end review. Only people with a handed-in plan are asked, and nobody more than
once every ``progress_gap_days``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.address import Address
from bot.domain.callbacks import ProgressCode, ProgressPress
from bot.domain.digest import Standing
from bot.domain.meetings import Meeting, MeetingKind, MeetingStatus
from bot.domain.models import Category, Role
from bot.domain.payloads import Button
from bot.domain.plans import Plan
from bot.domain.schedule import Occasion, Schedule, at_local, end_of_day

MAX_NOTE = 1000  # characters of a note
MAX_ACTION = 500  # characters of the action's text kept with each update
MAX_PICTURE = 1000  # characters of a channel's picture reference (Telegram file id, Zalo URL)
SERIES = "progress"  # the head of the occasions' and the outbox messages' keys
# Questions whose answer of last year's plan is offered when this year's asks them again: the
# shortcomings to overcome come from last year's self-criticism (DOMAIN.md, Mẫu 01 III).
LAST_YEAR_QUESTIONS = frozenset({"shortcomings"})
MIDYEAR_STALE = timedelta(days=7)  # a mid-year prompt missed by a week is not sent any more
# "Cập nhật tiến độ" under a prompt: the press opens the presser's own plan's actions.
UPDATE_BUTTON = Button(label="progress.button.update", data=ProgressPress(ProgressCode.HOME).pack())


class ProgressStatus(StrEnum):
    """Where one concrete action stands."""

    DONE = "done"  # đã thực hiện
    DOING = "doing"  # đang thực hiện
    TODO = "todo"  # chưa thực hiện


@dataclass(frozen=True, slots=True)
class ProgressEntry:
    """One update of one action of a plan (``item``: its place in the plan's list, from 0)."""

    id: int
    plan_id: int
    item: int
    action: str  # the action's text when the update was made
    status: ProgressStatus
    note: str
    picture: str  # the channel's reference to the photo sent as evidence; "" for none
    picture_channel: str
    by_id: int | None
    at: datetime


@dataclass(frozen=True, slots=True)
class HandedInPlan:
    """A handed-in plan with its author's name and unit, for the secretary's view."""

    person_id: int
    full_name: str
    unit_path: str
    plan: Plan


@dataclass(frozen=True, slots=True)
class Tally:
    """How a plan's actions stand: counted on each action's latest update."""

    actions: int
    done: int
    doing: int
    todo: int  # never updated, or last said not started
    last: datetime | None  # the latest update of any action


def latest(entries: Iterable[ProgressEntry]) -> dict[int, ProgressEntry]:
    """The latest update of each action (by item)."""
    found: dict[int, ProgressEntry] = {}
    for entry in entries:
        seen = found.get(entry.item)
        if seen is None or (entry.at, entry.id) > (seen.at, seen.id):
            found[entry.item] = entry
    return found


def tally(actions: int, entries: Iterable[ProgressEntry]) -> Tally:
    """Counts of a plan with ``actions`` actions; updates of items it no longer has are ignored."""
    kept = [e for e in entries if 0 <= e.item < actions]
    now = latest(kept)
    done = sum(1 for e in now.values() if e.status is ProgressStatus.DONE)
    doing = sum(1 for e in now.values() if e.status is ProgressStatus.DOING)
    last = max((e.at for e in kept), default=None)
    return Tally(actions, done, doing, actions - done - doing, last)


# ---------------------------------------------------------------------------- when to ask
def asks_before(meeting: Meeting) -> bool:
    """Whether a meeting is one before which progress is asked for: a scheduled thematic one
    (*sinh hoạt chuyên đề*). The one place that says so."""
    return meeting.kind is MeetingKind.THEMATIC and meeting.status is MeetingStatus.SCHEDULED


def campaign_occasions(year: int, schedule: Schedule, tz: tzinfo) -> list[Occasion]:
    """The mid-year prompt and the one before the year-end review, when the campaign has them."""
    found: list[Occasion] = []
    midyear = schedule.midyear_day(year)
    if midyear is not None:
        due = at_local(midyear, schedule.remind_at, tz)
        key = f"{SERIES}:midyear:{year}"
        found.append(Occasion(key=key, series=key, due=due, stale=due + MIDYEAR_STALE))
    review = schedule.review_day(year)
    if review is not None:
        day = review - timedelta(days=schedule.progress_review_days)
        key = f"{SERIES}:review:{year}"
        due = at_local(day, schedule.remind_at, tz)
        found.append(
            Occasion(key=key, series=key, due=due, stale=end_of_day(review, tz), day=review)
        )
    return found


def meeting_occasion(meeting: Meeting, schedule: Schedule, tz: tzinfo) -> Occasion | None:
    """The prompt ``progress_meeting_days`` before a thematic meeting (at the reminders' hour);
    None when off, or when it fell due before the meeting was scheduled or last changed."""
    days = schedule.progress_meeting_days
    if days <= 0 or not asks_before(meeting):
        return None
    day = meeting.starts_at.astimezone(tz).date() - timedelta(days=days)
    due = at_local(day, schedule.remind_at, tz)
    if due < meeting.updated_at or due >= meeting.starts_at:
        return None
    key = f"{SERIES}:meeting:{meeting.id}:v{meeting.version}"
    return Occasion(key=key, series=key, due=due, stale=meeting.starts_at)


def meeting_horizon(schedule: Schedule) -> timedelta:
    """How far ahead the sweep looks for meetings whose prompt may be due now."""
    return timedelta(days=schedule.progress_meeting_days + 1)


def audience(
    standings: Sequence[Standing],
    recent: set[int] | frozenset[int],
    units: set[int] | None = None,
) -> list[Standing]:
    """Who is asked: linked people (of ``units``; None: everyone) with a handed-in plan, not
    asked in the last ``progress_gap_days`` (``recent``)."""
    return [
        s
        for s in standings
        if s.handed_in
        and s.chat_id is not None
        and s.person_id not in recent
        and (units is None or s.unit_id in units)
    ]


def address_labels_of(standing: Standing) -> dict[str, str]:
    """The catalog keys that fill ``{you}`` / ``{You}`` of a prompt to ``standing``'s person
    (as ``bot.domain.address`` picks them for a Person)."""
    party = (
        standing.category is Category.PARTY_MEMBER
        or Role.SECRETARY in standing.roles
        or Role.ADMIN in standing.roles
    )
    address = Address.PARTY if party else Address.NEUTRAL
    return {"you": f"address.{address.value}", "You": f"address.{address.value}_start"}
