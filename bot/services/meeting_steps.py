"""Scheduling a meeting by choosing: kind -> day -> time -> place -> topic -> preview -> confirm.

The one-line form ("dd/mm/yyyy HH:MM; place; topic") stays a shortcut: typed at the first step it
schedules at once, as before. The draft is a stored row (``MeetingBookStore.set_draft``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from pydantic import ValidationError

from bot.domain.callbacks import MeetingCode, number
from bot.domain.meeting_steps import (
    COMMON_TIMES,
    RECENT_PLACES,
    PlanDraft,
    StepError,
    day_options,
    parse_clock,
    place_text,
    schedule_day,
    topic_text,
)
from bot.domain.meetings import MeetingInput, MeetingKind
from bot.domain.models import Person
from bot.domain.pending import NewMeeting
from bot.domain.text import parse_when
from bot.services.meeting_book import MeetingBookStore, day_of
from bot.services.meetings import MeetingRefused, MeetingScreen, MeetingService
from bot.services.ports import Clock, PendingStore, PlanStore


@dataclass(frozen=True, slots=True)
class PlanStep:
    """The next step of scheduling a meeting of ``kind``; ``error`` from the last answer."""

    person: Person
    kind: MeetingKind
    draft: PlanDraft
    days: tuple[date, ...] = ()
    times: tuple[time, ...] = COMMON_TIMES
    default_topic: str = ""
    error: str = ""


StepScreen = PlanStep | MeetingScreen


def clock_of(arg: str) -> time | None:
    """The time a button carries (HHMM), or None for a forged one."""
    if len(arg) != 4 or number(arg) is None:
        return None
    hour, minute = int(arg[:2]), int(arg[2:])
    return time(hour, minute) if hour < 24 and minute < 60 else None


class MeetingSteps:
    """The step-by-step scheduling of a new meeting."""

    def __init__(
        self,
        meetings: MeetingService,
        book: MeetingBookStore,
        pending: PendingStore,
        plans: PlanStore,
        clock: Clock,
        tz: tzinfo,
    ) -> None:
        self._meetings = meetings
        self._book = book
        self._pending = pending
        self._plans = plans
        self._clock = clock
        self._tz = tz

    def _now(self) -> datetime:
        return self._clock.now()

    def _today(self) -> date:
        return self._now().astimezone(self._tz).date()

    async def start(self, person: Person, kind: str) -> StepScreen:
        """The kind is chosen: ask for the day."""
        if not self._meetings.may_manage(person) or kind not in set(MeetingKind):
            return MeetingRefused(person)
        places = tuple(await self._book.places(person.unit_id, RECENT_PLACES))
        return await self._save(person, MeetingKind(kind), PlanDraft(places=places))

    async def _save(
        self, person: Person, kind: MeetingKind, draft: PlanDraft, error: str = ""
    ) -> StepScreen:
        now = self._now()
        await self._pending.set_pending(person.id, NewMeeting(kind), now)
        await self._book.set_draft(person.id, draft.model_dump_json(), now)
        return await self._screen(person, kind, draft, error)

    async def _screen(
        self, person: Person, kind: MeetingKind, draft: PlanDraft, error: str = ""
    ) -> PlanStep:
        campaign = await self._plans.active_campaign()
        return PlanStep(
            person,
            kind,
            draft,
            days=tuple(day_options(self._today())),
            default_topic=campaign.title[:200] if campaign else "",
            error=error,
        )

    async def _current(self, person: Person) -> tuple[MeetingKind, PlanDraft] | None:
        pending = await self._pending.pending(person.id)
        if not isinstance(pending, NewMeeting):
            return None
        return pending.kind, await self._draft(person)

    async def _draft(self, person: Person) -> PlanDraft:
        data = await self._book.draft(person.id)
        try:
            return PlanDraft.model_validate_json(data) if data else PlanDraft()
        except ValidationError:
            return PlanDraft()

    async def typed(self, person: Person, pending: NewMeeting, text: str) -> StepScreen | None:
        """A typed answer to the current step (the one-line form at the first); None when the
        person no longer manages meetings."""
        if not self._meetings.may_manage(person):
            return None
        draft = await self._draft(person)
        step = draft.step()
        if step == "day" and (";" in text or "\n" in text.strip()):
            return await self._meetings.typed(person, pending, text)  # the one-line shortcut
        try:
            draft = self._answer(draft, step, text)
        except StepError as error:
            return await self._screen(person, pending.kind, draft, error.code)
        return await self._save(person, pending.kind, draft)

    def _answer(self, draft: PlanDraft, step: str, text: str) -> PlanDraft:
        today = self._today()
        if step == "day":
            when = parse_when(text, self._tz)
            if when is not None and when.time() != time(0, 0):  # a day and a time at once
                day = schedule_day(when.strftime("%d/%m/%Y"), today)
                return self._timed(draft.model_copy(update={"day": day}), when.time())
            return draft.model_copy(update={"day": schedule_day(text, today)})
        if step == "time":
            at = parse_clock(text)
            if at is None:
                raise StepError("time")
            return self._timed(draft, at)
        if step == "place":
            return draft.model_copy(update={"place": place_text(text)})
        if step == "topic":
            return draft.model_copy(update={"topic": topic_text(text)})
        raise StepError("press")

    def _timed(self, draft: PlanDraft, at: time) -> PlanDraft:
        if draft.day is None or datetime.combine(draft.day, at, self._tz) <= self._now():
            raise StepError("time_past")
        return draft.model_copy(update={"at": at})

    async def press(self, person: Person, code: MeetingCode, arg: str) -> StepScreen:
        """A button of the scheduling steps (checked against the step it belongs to)."""
        if not self._meetings.may_manage(person):
            return MeetingRefused(person)
        current = await self._current(person)
        if current is None:
            return await self._meetings.overview(person)  # an old button: the calendar again
        kind, draft = current
        step = draft.step()
        try:
            if code is MeetingCode.DAY and step == "day" and (day := day_of(arg)):
                draft = draft.model_copy(
                    update={"day": schedule_day(day.strftime("%d/%m/%Y"), self._today())}
                )
            elif code is MeetingCode.TIME and step == "time" and (at := clock_of(arg)):
                draft = self._timed(draft, at)
            elif code is MeetingCode.PLACE and step == "place":
                index = number(arg)
                if index is None or index >= len(draft.places):
                    raise StepError("press")
                draft = draft.model_copy(update={"place": draft.places[index]})
            elif code is MeetingCode.TOPIC and step == "topic":
                campaign = await self._plans.active_campaign()
                if campaign is None or not campaign.title:
                    raise StepError("press")
                draft = draft.model_copy(update={"topic": campaign.title[:200]})
            elif code is MeetingCode.SAVE and step == "preview":
                return await self._confirm(person, kind, draft)
            else:
                return await self._screen(person, kind, draft)  # a press of an earlier step
        except StepError as error:
            return await self._screen(person, kind, draft, error.code)
        return await self._save(person, kind, draft)

    async def _confirm(self, person: Person, kind: MeetingKind, draft: PlanDraft) -> StepScreen:
        if draft.day is None or draft.at is None or draft.place is None or draft.topic is None:
            return await self._screen(person, kind, draft)
        starts = datetime.combine(draft.day, draft.at, self._tz)
        if starts <= self._now():
            return await self._screen(
                person, kind, draft.model_copy(update={"at": None}), "time_past"
            )
        await self._book.set_draft(person.id, None, self._now())
        return await self._meetings.save_new(
            person, kind, MeetingInput(starts, draft.place, draft.topic)
        )
