"""Meetings that really happened: the secretary records them step by step, the bot asks for it
after each meeting's time (through the outbox), and members read what was concluded.

Every entry point re-checks the presser against the stored meeting and the stored draft: ids in
callback data name a choice, never whose data to touch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol

from pydantic import ValidationError

from bot.domain.callbacks import MeetingCode, MeetingPress, number
from bot.domain.meeting_steps import RecordDraft, StepError, long_text, parse_counts, record_day
from bot.domain.meetings import (
    MAX_MINUTES_REF,
    Meeting,
    MeetingKind,
    MeetingRecord,
    MeetingStatus,
    Outcome,
    held_day,
    recordable,
)
from bot.domain.models import Person, Role
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import Button, DigestData, Notice
from bot.domain.pending import RecordMeeting
from bot.domain.schedule import Occasion, Schedule
from bot.services.digests import local_text
from bot.services.ports import Clock, MeetingStore, PendingStore, PlanStore

ASK_AFTER = timedelta(hours=2)  # the secretary is asked this long after the meeting's start
ASK_UNTIL = timedelta(days=14)  # after that the ask is stale (downtime): recorded as skipped
PAST_SHOWN = 10
ASK_SERIES = "mrecord"


class MeetingBookStore(Protocol):
    """Records of meetings, drafts of entering one, and what the flows offer."""

    async def record(
        self, meeting_id: int, unit_id: int, record: MeetingRecord, now: datetime
    ) -> Meeting | None: ...

    async def add_recorded(
        self,
        *,
        unit_id: int,
        kind: MeetingKind,
        starts_at: datetime,
        place: str,
        topic: str,
        by: int,
        record: MeetingRecord,
        now: datetime,
    ) -> Meeting: ...

    async def awaiting(self, start: datetime, end: datetime) -> list[Meeting]: ...

    async def draft(self, person_id: int) -> str | None: ...

    async def set_draft(self, person_id: int, data: str | None, now: datetime) -> None: ...

    async def roster(self, unit_id: int) -> list[tuple[int, str]]: ...

    async def places(self, unit_id: int, limit: int) -> list[str]: ...

    async def secretaries(self, unit_ids: Sequence[int]) -> dict[int, list[int]]: ...


@dataclass(frozen=True, slots=True)
class RecordStep:
    """The next step of recording ``meeting`` (None: one never entered), ``error`` from the
    last answer; ``roster`` for the attendance step."""

    person: Person
    meeting: Meeting | None
    draft: RecordDraft
    roster: tuple[tuple[int, str], ...] = ()
    error: str = ""
    today: date | None = None
    in_place: bool = False  # a toggle: shown in place of the pressed message where possible


@dataclass(frozen=True, slots=True)
class Recorded:
    """The record was saved."""

    person: Person
    meeting: Meeting


@dataclass(frozen=True, slots=True)
class PastMeetings:
    """The person's cell's past meetings (newest first) with what was concluded."""

    person: Person
    meetings: tuple[Meeting, ...]


@dataclass(frozen=True, slots=True)
class BookRefused:
    """The person may not do this (or the meeting is not theirs to record)."""

    person: Person


@dataclass(frozen=True, slots=True)
class BookGone:
    """What was being recorded is no longer there (a stale button, a finished draft)."""

    person: Person


BookScreen = RecordStep | Recorded | PastMeetings | BookRefused | BookGone


def flagged(data: DigestData) -> bool:
    """Whether a unit's digest carries a meeting flag (it is then sent after the deadline too)."""
    return data.no_briefing or data.thematic_flag != 0


def compact_day(day: date) -> str:
    """yyyymmdd, as a button carries a day."""
    return day.strftime("%Y%m%d")


def day_of(arg: str) -> date | None:
    """The day a button carries, or None for a forged one."""
    if len(arg) != 8 or number(arg) is None:
        return None
    try:
        return date(int(arg[:4]), int(arg[4:6]), int(arg[6:]))
    except ValueError:
        return None


class MeetingBook:
    """Record meetings after their time; show members what their cell concluded."""

    def __init__(
        self,
        book: MeetingBookStore,
        meetings: MeetingStore,
        pending: PendingStore,
        plans: PlanStore,
        clock: Clock,
        tz: tzinfo,
    ) -> None:
        self._book = book
        self._meetings = meetings
        self._pending = pending
        self._plans = plans
        self._clock = clock
        self._tz = tz

    @staticmethod
    def may_record(person: Person) -> bool:
        """Secretaries record the meetings of their own unit."""
        return person.active and person.has(Role.SECRETARY)

    def _today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    async def past(self, person: Person) -> BookScreen:
        """The past meetings of the person's unit (any member may read them)."""
        now = self._clock.now()
        found = await self._meetings.of_units([person.unit_id], now - timedelta(days=400))
        past = [
            m
            for m in found
            if m.status is MeetingStatus.SCHEDULED and m.starts_at <= now and m.record is not None
        ]
        past.sort(key=lambda m: (held_day(m, self._tz), m.id), reverse=True)
        return PastMeetings(person, tuple(past[:PAST_SHOWN]))

    async def _own(self, person: Person, meeting_id: int) -> Meeting | BookScreen:
        if not self.may_record(person):
            return BookRefused(person)
        if meeting_id == 0:
            return BookGone(person)
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.unit_id != person.unit_id:
            return BookRefused(person)
        if not recordable(meeting, self._clock.now()):
            return BookGone(person)
        return meeting

    async def start(self, person: Person, arg: str) -> BookScreen:
        """Start recording meeting ``arg`` (pressed under the ask or the calendar)."""
        meeting_id = number(arg)
        if meeting_id is None:
            return BookRefused(person)
        found = await self._own(person, meeting_id)
        if not isinstance(found, Meeting):
            return found
        return await self._save_draft(person, RecordMeeting(found.id), RecordDraft())

    async def start_new(self, person: Person) -> BookScreen:
        """Start recording a meeting that was held but never entered beforehand."""
        if not self.may_record(person):
            return BookRefused(person)
        return await self._save_draft(person, RecordMeeting(0), RecordDraft(new=True))

    async def _save_draft(
        self, person: Person, pending: RecordMeeting, draft: RecordDraft, error: str = ""
    ) -> BookScreen:
        now = self._clock.now()
        await self._pending.set_pending(person.id, pending, now)
        await self._book.set_draft(person.id, draft.model_dump_json(), now)
        return await self._screen(person, pending, draft, error)

    async def _screen(
        self, person: Person, pending: RecordMeeting, draft: RecordDraft, error: str = ""
    ) -> BookScreen:
        meeting = await self._meetings.get(pending.meeting_id) if pending.meeting_id else None
        roster: tuple[tuple[int, str], ...] = ()
        if draft.step() in ("attendance", "preview"):
            roster = tuple(await self._book.roster(person.unit_id))
        return RecordStep(person, meeting, draft, roster, error, self._today())

    async def _current(self, person: Person) -> tuple[RecordMeeting, RecordDraft] | BookScreen:
        """The record being entered: the pending input and its draft, re-checked."""
        if not self.may_record(person):
            return BookRefused(person)
        pending = await self._pending.pending(person.id)
        if not isinstance(pending, RecordMeeting):
            return BookGone(person)
        if pending.meeting_id:
            found = await self._own(person, pending.meeting_id)
            if not isinstance(found, Meeting):
                await self.drop(person)
                return found
        data = await self._book.draft(person.id)
        try:
            draft = RecordDraft.model_validate_json(data) if data else RecordDraft()
        except ValidationError:
            draft = RecordDraft()
        if draft.new != (pending.meeting_id == 0):
            draft = RecordDraft(new=pending.meeting_id == 0)
        return pending, draft

    async def drop(self, person: Person) -> None:
        """Forget the record being entered."""
        now = self._clock.now()
        await self._pending.set_pending(person.id, None, now)
        await self._book.set_draft(person.id, None, now)

    async def press(self, person: Person, code: MeetingCode, arg: str) -> BookScreen:
        """A button of the recording flow (the step it belongs to is checked)."""
        current = await self._current(person)
        if not isinstance(current, tuple):
            return current
        pending, draft = current
        step = draft.step()
        roster_size = 0
        if code is MeetingCode.RECORD_KIND and step == "kind" and arg in set(MeetingKind):
            draft = draft.model_copy(update={"kind": MeetingKind(arg), "outcome": Outcome.HELD})
        elif code is MeetingCode.OUTCOME and step == "outcome" and arg in set(Outcome):
            draft = draft.model_copy(update={"outcome": Outcome(arg)})
        elif code is MeetingCode.RECORD_DAY and step == "day" and (day := day_of(arg)):
            try:
                draft = draft.model_copy(
                    update={"held_on": record_day(day.strftime("%d/%m/%Y"), self._today())}
                )
            except StepError as error:
                return await self._screen(person, pending, draft, error.code)
        elif code is MeetingCode.ABSENT and step == "attendance":
            roster = await self._book.roster(person.unit_id)
            who = number(arg)
            if who is None or who not in {pid for pid, _ in roster}:
                return BookRefused(person)  # not a member of this unit: a forged press
            toggled = set(draft.absent_ids) ^ {who}
            draft = draft.model_copy(update={"absent_ids": tuple(sorted(toggled))})
            await self._book.set_draft(person.id, draft.model_dump_json(), self._clock.now())
            screen = await self._screen(person, pending, draft)
            return replace(screen, in_place=True) if isinstance(screen, RecordStep) else screen
        elif code is MeetingCode.ATTENDANCE_DONE and step == "attendance":
            roster_size = len(await self._book.roster(person.unit_id))
            absent = len(draft.absent_ids)
            draft = draft.model_copy(
                update={
                    "attendance_done": True,
                    "absent": absent,
                    "present": max(roster_size - absent, 0),
                }
            )
        elif code is MeetingCode.NO_PHOTO and step == "photo":
            draft = draft.model_copy(update={"photo": ""})
        elif code is MeetingCode.RECORD_SAVE and step == "preview":
            return await self._save(person, pending, draft)
        else:
            return await self._screen(person, pending, draft)  # a press of an earlier step
        return await self._save_draft(person, pending, draft)

    async def typed(self, person: Person, pending: RecordMeeting, text: str) -> BookScreen | None:
        """A typed answer to the current step; None when the person no longer records."""
        if not self.may_record(person):
            return None
        current = await self._current(person)
        if not isinstance(current, tuple):
            return current
        pending, draft = current
        step = draft.step()
        try:
            if step == "reason":
                draft = draft.model_copy(update={"reason": long_text(text)})
            elif step == "day":
                draft = draft.model_copy(update={"held_on": record_day(text, self._today())})
            elif step == "attendance":
                draft = self._counts(draft, text)
            elif step == "summary":
                draft = draft.model_copy(update={"summary": long_text(text)})
            elif step == "conclusion":
                draft = draft.model_copy(update={"conclusion": long_text(text)})
            elif step == "photo":
                raise StepError("photo")
            else:
                raise StepError("press")
        except StepError as error:
            return await self._screen(person, pending, draft, error.code)
        return await self._save_draft(person, pending, draft)

    @staticmethod
    def _counts(draft: RecordDraft, text: str) -> RecordDraft:
        counts = parse_counts(text)
        if counts is None:
            raise StepError("counts")
        return draft.model_copy(
            update={
                "attendance_done": True,
                "present": counts[0],
                "absent": counts[1],
                "absent_ids": (),
            }
        )

    async def photo(self, person: Person, reference: str) -> BookScreen | None:
        """A photo of the minutes (the channel's file reference); None when not asked for."""
        if not self.may_record(person):
            return None
        current = await self._current(person)
        if not isinstance(current, tuple):
            return None
        pending, draft = current
        if draft.step() != "photo":
            return await self._screen(person, pending, draft, "photo_not_now")
        if len(reference) > MAX_MINUTES_REF:  # cut short, it would point at nothing
            return await self._screen(person, pending, draft, "photo_long")
        draft = draft.model_copy(update={"photo": reference})
        return await self._save_draft(person, pending, draft)

    async def _save(self, person: Person, pending: RecordMeeting, draft: RecordDraft) -> BookScreen:
        now = self._clock.now()
        if draft.outcome is None:
            return BookGone(person)
        record = MeetingRecord(
            outcome=draft.outcome,
            held_on=draft.held_on if draft.outcome is Outcome.HELD else None,
            present=draft.present,
            absent=draft.absent,
            absent_ids=draft.absent_ids,
            reason=draft.reason or "",
            summary=draft.summary or "",
            conclusion=draft.conclusion or "",
            minutes_file=draft.photo or "",
            recorded_by=person.id,
        )
        saved: Meeting | None
        if pending.meeting_id:
            saved = await self._book.record(pending.meeting_id, person.unit_id, record, now)
        elif draft.kind is not None and draft.held_on is not None:
            campaign = await self._plans.active_campaign()
            saved = await self._book.add_recorded(
                unit_id=person.unit_id,
                kind=draft.kind,
                starts_at=datetime.combine(draft.held_on, time(0, 0), self._tz),
                place="",
                topic=campaign.title[:200] if campaign else "",
                by=person.id,
                record=record,
                now=now,
            )
        else:
            saved = None
        await self.drop(person)
        if saved is None:
            return BookGone(person)
        return Recorded(person, saved)


class RecordAsks:
    """After a meeting's time its unit's secretaries are asked, once, to record it."""

    def __init__(self, book: MeetingBookStore, tz: tzinfo) -> None:
        self._book = book
        self._tz = tz

    def occasion(self, meeting: Meeting, schedule: Schedule) -> Occasion:
        """The ask about ``meeting``: due after its time (out of the quiet hours), stale after
        two weeks."""
        start = meeting.starts_at
        key = f"{ASK_SERIES}:{meeting.id}"
        due = schedule.quiet_until(start + ASK_AFTER, self._tz)
        return Occasion(key=key, series=key, due=due, stale=start + ASK_UNTIL)

    async def batch(self, now: datetime, schedule: Schedule) -> AskBatch:
        """The asks that may be due now (the sweep picks those due and not yet sent)."""
        found = await self._book.awaiting(now - ASK_UNTIL, now - ASK_AFTER + timedelta(minutes=1))
        return AskBatch(self, {m.id: m for m in found}, [self.occasion(m, schedule) for m in found])

    async def secretaries(self, unit_ids: Sequence[int]) -> dict[int, list[int]]:
        """The linked secretaries of these units, read in one query per 500 units."""
        found: dict[int, list[int]] = {}
        ids = sorted(set(unit_ids))
        for start in range(0, len(ids), 500):
            found.update(await self._book.secretaries(ids[start : start + 500]))
        return found

    def messages(
        self, occasion: Occasion, meeting: Meeting, secretaries: Sequence[int]
    ) -> list[OutboxMessage]:
        """One ask per secretary of the meeting's unit (none once it is recorded)."""
        if meeting.record is not None:
            return []
        payload = Notice(
            template="notify.meet.record",
            params={
                "when": local_text(meeting.starts_at, self._tz),
                "place": meeting.place,
                "topic": meeting.topic,
            },
            labels={"kind": f"label.meeting.{meeting.kind.value}"},
            buttons=(
                Button(
                    label="meet.button.record",
                    data=MeetingPress(MeetingCode.RECORD, str(meeting.id)).pack(),
                ),
            ),
        )
        return [
            OutboxMessage(
                key=f"{occasion.key}:person:{pid}",
                person_id=pid,
                payload=payload,
                priority=Priority.WAVE,
                expires_at=occasion.stale,
            )
            for pid in secretaries
        ]


class AskBatch:
    """One sweep's asks: their occasions, and the messages of those sent (the secretaries of
    every unit concerned are read once, when the first is sent)."""

    def __init__(
        self, asks: RecordAsks, meetings: dict[int, Meeting], occasions: list[Occasion]
    ) -> None:
        self._asks = asks
        self._meetings = meetings
        self.occasions = occasions
        self._secretaries: dict[int, list[int]] | None = None

    async def messages(self, occasion: Occasion) -> list[OutboxMessage]:
        """The messages of ``occasion`` (one of this batch's)."""
        meeting = self._meetings.get(int(occasion.key.split(":")[1]))
        if meeting is None:
            return []
        if self._secretaries is None:
            units = [m.unit_id for m in self._meetings.values()]
            self._secretaries = await self._asks.secretaries(units)
        return self._asks.messages(occasion, meeting, self._secretaries.get(meeting.unit_id, []))
