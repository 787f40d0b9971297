"""The meetings calendar as a secretary and a member use it: list, schedule, change, cancel.

Every entry point checks the person's rights against the stored meeting (ids come from callback
data and are never trusted). A change or cancellation is saved together with the notices to the
unit's members, so nobody is told about something that was not saved, or vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.domain.meetings import (
    Meeting,
    MeetingInputError,
    MeetingKind,
    MeetingStatus,
    next_thematic,
    parse_meeting,
    quarters_without_thematic,
)
from bot.domain.meetings import (
    MeetingInput as Details,
)
from bot.domain.models import Person, Role
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.pending import EditMeeting, NewMeeting
from bot.services.ports import (
    Clock,
    DirectoryStore,
    MeetingStore,
    PendingStore,
    PlanStore,
    UnitOfWork,
    Units,
)
from bot.services.reminders import meeting_payload


@dataclass(frozen=True, slots=True)
class MeetingList:
    """Upcoming meetings; for a secretary (``manage``) the buttons to add, change, cancel."""

    person: Person
    meetings: tuple[Meeting, ...]
    manage: bool
    quarters_without: tuple[int, ...] = ()  # quarters of this year with no thematic meeting
    to_record: tuple[Meeting, ...] = ()  # the unit's past meetings not recorded yet (newest first)


@dataclass(frozen=True, slots=True)
class MeetingRefused:
    """The person may not do this."""

    person: Person


@dataclass(frozen=True, slots=True)
class MeetingGone:
    """The meeting was changed or cancelled meanwhile (or has begun)."""

    person: Person


@dataclass(frozen=True, slots=True)
class MeetingStopped:
    """Entering a meeting was given up."""

    person: Person


@dataclass(frozen=True, slots=True)
class AskDetails:
    """Type the details of a new meeting of ``kind`` (or new ones for ``meeting``); ``error``
    names what was wrong with the last attempt."""

    person: Person
    kind: MeetingKind
    meeting: Meeting | None = None
    error: str = ""


@dataclass(frozen=True, slots=True)
class ConfirmCancel:
    """Press once more to cancel ``meeting``."""

    person: Person
    meeting: Meeting


@dataclass(frozen=True, slots=True)
class Cancelled:
    """The meeting was cancelled; ``told`` members hear of it."""

    person: Person
    meeting: Meeting
    told: int


@dataclass(frozen=True, slots=True)
class Saved:
    """The meeting was scheduled (or ``changed``); ``told`` members hear of it."""

    person: Person
    meeting: Meeting
    told: int
    changed: bool


MeetingScreen = (
    MeetingList
    | MeetingRefused
    | MeetingGone
    | MeetingStopped
    | AskDetails
    | ConfirmCancel
    | Cancelled
    | Saved
)


class MeetingService:
    """Schedule, change and cancel meetings; list those that concern a person."""

    def __init__(
        self,
        meetings: MeetingStore,
        units: Units,
        pending: PendingStore,
        tree: DirectoryStore,
        plans: PlanStore,
        clock: Clock,
        tz: tzinfo,
    ) -> None:
        self._meetings = meetings
        self._units = units
        self._pending = pending
        self._tree = tree
        self._plans = plans
        self._clock = clock
        self._tz = tz

    @staticmethod
    def may_manage(person: Person) -> bool:
        """Secretaries schedule the meetings of their own unit."""
        return person.active and person.has(Role.SECRETARY)

    async def _own(self, person: Person, meeting_id: int) -> Meeting | MeetingScreen:
        if not self.may_manage(person):
            return MeetingRefused(person)
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.unit_id != person.unit_id:
            return MeetingRefused(person)
        if meeting.status is not MeetingStatus.SCHEDULED or meeting.starts_at <= self._clock.now():
            return MeetingGone(person)
        return meeting

    async def overview(self, person: Person) -> MeetingScreen:
        """Upcoming meetings of the person's unit and the units above it."""
        now = self._clock.now()
        units = [person.unit_id, *await self._tree.ancestors(person.unit_id)]
        found = await self._meetings.of_units(units, now - timedelta(days=366))
        upcoming = tuple(
            m for m in found if m.status is MeetingStatus.SCHEDULED and m.starts_at > now
        )
        manage = self.may_manage(person)
        gaps: tuple[int, ...] = ()
        to_record: tuple[Meeting, ...] = ()
        if manage:
            own = [m for m in found if m.unit_id == person.unit_id]
            today = now.astimezone(self._tz).date()
            campaign = await self._plans.active_campaign()
            opened = (
                campaign.opened_at.astimezone(self._tz).date()
                if campaign is not None and campaign.opened_at is not None
                else None
            )
            gaps = tuple(quarters_without_thematic(own, today.year, today, self._tz, opened))
            waiting = [
                m
                for m in own
                if m.status is MeetingStatus.SCHEDULED and m.starts_at <= now and m.record is None
            ]
            to_record = tuple(sorted(waiting, key=lambda m: m.starts_at, reverse=True)[:4])
        return MeetingList(person, upcoming, manage, quarters_without=gaps, to_record=to_record)

    async def next_thematic(self, unit_id: int) -> list[Meeting]:
        """The cell's upcoming thematic (chuyên đề) meetings, soonest first (cancelled and past
        ones left out): what the progress prompts are timed by."""
        now = self._clock.now()
        return next_thematic(await self._meetings.of_units([unit_id], now), now)

    async def start_new(self, person: Person, kind: str) -> MeetingScreen:
        """Ask a secretary for the details of a new meeting of ``kind``."""
        if not self.may_manage(person) or kind not in set(MeetingKind):
            return MeetingRefused(person)
        await self._pending.set_pending(person.id, NewMeeting(MeetingKind(kind)), self._clock.now())
        return AskDetails(person, MeetingKind(kind))

    async def start_edit(self, person: Person, meeting_id: int) -> MeetingScreen:
        """Ask a secretary for the new details of one of their unit's meetings."""
        found = await self._own(person, meeting_id)
        if not isinstance(found, Meeting):
            return found
        await self._pending.set_pending(person.id, EditMeeting(found.id), self._clock.now())
        return AskDetails(person, found.kind, found)

    async def ask_cancel(self, person: Person, meeting_id: int) -> MeetingScreen:
        """Ask to confirm a cancellation."""
        found = await self._own(person, meeting_id)
        if not isinstance(found, Meeting):
            return found
        return ConfirmCancel(person, found)

    async def cancel(self, person: Person, meeting_id: int, version: int) -> MeetingScreen:
        """Cancel the meeting (as shown at ``version``) and tell its members."""
        found = await self._own(person, meeting_id)
        if not isinstance(found, Meeting):
            return found
        if found.version != version:
            return MeetingGone(person)
        notices = await self._notices(found, "notify.meeting_cancelled", person.id)
        now = self._clock.now()

        def work(unit: UnitOfWork) -> Meeting | None:
            return notices.queue(unit, unit.change_meeting(found, now=now, cancel=True), now)

        saved = await self._units.run(work)
        if saved is None:
            return MeetingGone(person)
        return Cancelled(person, saved, notices.count)

    async def stop(self, person: Person) -> MeetingScreen:
        """Stop entering a meeting."""
        await self._pending.set_pending(person.id, None, self._clock.now())
        return MeetingStopped(person)

    async def drop_entry(self, person: Person) -> None:
        """Forget the meeting being entered (/huy)."""
        await self._pending.set_pending(person.id, None, self._clock.now())

    async def typed(
        self, person: Person, pending: NewMeeting | EditMeeting, text: str
    ) -> MeetingScreen | None:
        """Typed details of the meeting a secretary was asked for (``pending``, read with the
        person); None when they no longer manage meetings."""
        if not self.may_manage(person):
            return None
        meeting: Meeting | None = None
        if isinstance(pending, NewMeeting):
            kind = pending.kind
        else:
            found = await self._own(person, pending.meeting_id)
            if not isinstance(found, Meeting):
                await self._pending.set_pending(person.id, None, self._clock.now())
                return found
            meeting, kind = found, found.kind
        campaign = await self._plans.active_campaign()
        default_topic = meeting.topic if meeting else (campaign.title if campaign else "")
        try:
            details = parse_meeting(text, self._tz, self._clock.now(), default_topic[:200])
        except MeetingInputError as error:
            return AskDetails(person, kind, meeting, error=error.code)
        if meeting is None:
            return await self.save_new(person, kind, details)
        now = self._clock.now()
        notices = await self._notices(meeting, "notify.meeting_changed", person.id)
        changing = meeting

        def work(unit: UnitOfWork) -> Meeting | None:
            changed = unit.change_meeting(
                changing,
                now=now,
                starts_at=details.starts_at,
                place=details.place,
                topic=details.topic,
            )
            return notices.queue(unit, changed, now)

        saved = await self._units.run(work)
        await self._pending.set_pending(person.id, None, now)
        if saved is None:
            return MeetingGone(person)
        return Saved(person, saved, notices.count, changed=True)

    async def save_new(self, person: Person, kind: MeetingKind, details: Details) -> MeetingScreen:
        """Schedule a new meeting of the secretary's unit and tell its members (the one-line
        form and the step-by-step one both end here)."""
        if not self.may_manage(person):
            return MeetingRefused(person)
        now = self._clock.now()
        notices = await self._notices_for(person.unit_id, "notify.meeting_scheduled", person.id)

        def work(unit: UnitOfWork) -> Meeting | None:
            added = unit.add_meeting(
                unit_id=person.unit_id,
                kind=kind,
                starts_at=details.starts_at,
                place=details.place,
                topic=details.topic,
                by=person.id,
                now=now,
            )
            return notices.queue(unit, added, now)

        saved = await self._units.run(work)
        await self._pending.set_pending(person.id, None, now)
        if saved is None:
            return MeetingGone(person)
        return Saved(person, saved, notices.count, changed=False)

    async def _notices(self, meeting: Meeting, template: str, actor: int) -> _Notify:
        return await self._notices_for(meeting.unit_id, template, actor)

    async def _notices_for(self, unit_id: int, template: str, actor: int) -> _Notify:
        """Notices to the unit's members (and its sub-units'), the secretary acting excepted."""
        units = await self._tree.subtree(unit_id)
        audience = await self._meetings.audience(units)
        return _Notify([pid for pid in audience if pid != actor], template, self._tz)


class _Notify:
    """Builds the notices of a meeting once its id and version are known."""

    def __init__(self, audience: list[int], template: str, tz: tzinfo) -> None:
        self._audience = audience
        self._template = template
        self._tz = tz
        self.count = 0

    def queue(self, unit: UnitOfWork, meeting: Meeting | None, now: datetime) -> Meeting | None:
        """Queue the notices of ``meeting`` in ``unit`` (none when it was not saved)."""
        if meeting is not None:
            unit.enqueue(self.build(meeting), now)
        return meeting

    def build(self, meeting: Meeting) -> list[OutboxMessage]:
        payload = meeting_payload(meeting, self._template, self._tz)
        action = self._template.rsplit("_", 1)[-1]
        messages = [
            OutboxMessage(
                key=f"meeting:{meeting.id}:v{meeting.version}:{action}:person:{pid}",
                person_id=pid,
                payload=payload,
                priority=Priority.NOTICE,
                expires_at=meeting.starts_at,
            )
            for pid in self._audience
        ]
        self.count = len(messages)
        return messages
