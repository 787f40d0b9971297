"""The meetings calendar as a secretary and a member use it: list, schedule, change, cancel.

Every entry point checks the person's rights against the stored meeting (ids come from callback
data and are never trusted). A change or cancellation is saved together with the notices to the
unit's members, so nobody is told about something that was not saved, or vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum

from bot.domain.meetings import (
    Meeting,
    MeetingInputError,
    MeetingKind,
    MeetingStatus,
    parse_meeting,
    quarters_without_thematic,
)
from bot.domain.models import Channel, Person, Role
from bot.domain.outbox import OutboxMessage, Priority
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

NEW = "meeting:new:"
EDIT = "meeting:edit:"


class Step(StrEnum):
    """What the calendar shows next."""

    LIST = "list"
    ASK = "ask"  # type the details of a new or changed meeting
    INVALID = "invalid"  # what was typed cannot be used; ask again
    SAVED = "saved"
    CONFIRM_CANCEL = "confirm_cancel"
    CANCELLED = "cancelled"
    STOPPED = "stopped"
    NOT_ALLOWED = "not_allowed"
    GONE = "gone"  # the meeting was changed or cancelled meanwhile


@dataclass(frozen=True, slots=True)
class MeetingScreen:
    """The outcome of a calendar action, for the presenter."""

    step: Step
    person: Person
    meetings: tuple[Meeting, ...] = ()
    manage: bool = False
    meeting: Meeting | None = None
    kind: MeetingKind | None = None
    error: str = ""
    told: int = 0
    quarters_without: tuple[int, ...] = ()
    changed: bool = False


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
            return MeetingScreen(Step.NOT_ALLOWED, person)
        meeting = await self._meetings.get(meeting_id)
        if meeting is None or meeting.unit_id != person.unit_id:
            return MeetingScreen(Step.NOT_ALLOWED, person)
        if meeting.status is not MeetingStatus.SCHEDULED or meeting.starts_at <= self._clock.now():
            return MeetingScreen(Step.GONE, person, meeting=meeting)
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
        return MeetingScreen(Step.LIST, person, upcoming, manage, quarters_without=gaps)

    async def start_new(self, person: Person, kind: str) -> MeetingScreen:
        """Ask a secretary for the details of a new meeting of ``kind``."""
        if not self.may_manage(person) or kind not in set(MeetingKind):
            return MeetingScreen(Step.NOT_ALLOWED, person)
        await self._pending.set_pending(person.id, NEW + kind, self._clock.now())
        return MeetingScreen(Step.ASK, person, manage=True, kind=MeetingKind(kind))

    async def start_edit(self, person: Person, meeting_id: int) -> MeetingScreen:
        """Ask a secretary for the new details of one of their unit's meetings."""
        found = await self._own(person, meeting_id)
        if isinstance(found, MeetingScreen):
            return found
        await self._pending.set_pending(person.id, f"{EDIT}{found.id}", self._clock.now())
        return MeetingScreen(Step.ASK, person, manage=True, meeting=found, kind=found.kind)

    async def ask_cancel(self, person: Person, meeting_id: int) -> MeetingScreen:
        """Ask to confirm a cancellation."""
        found = await self._own(person, meeting_id)
        if isinstance(found, MeetingScreen):
            return found
        return MeetingScreen(Step.CONFIRM_CANCEL, person, manage=True, meeting=found)

    async def cancel(self, person: Person, meeting_id: int, version: int) -> MeetingScreen:
        """Cancel the meeting (as shown at ``version``) and tell its members."""
        found = await self._own(person, meeting_id)
        if isinstance(found, MeetingScreen):
            return found
        if found.version != version:
            return MeetingScreen(Step.GONE, person, meeting=found)
        notices = await self._notices(found, "notify.meeting_cancelled", person.id)
        now = self._clock.now()

        def work(unit: UnitOfWork) -> Meeting | None:
            return notices.queue(unit, unit.change_meeting(found, now=now, cancel=True), now)

        saved = await self._units.run(work)
        if saved is None:
            return MeetingScreen(Step.GONE, person, meeting=found)
        return MeetingScreen(Step.CANCELLED, person, meeting=saved, told=notices.count)

    async def stop(self, person: Person) -> MeetingScreen:
        """Stop entering a meeting."""
        await self._pending.set_pending(person.id, None, self._clock.now())
        return MeetingScreen(Step.STOPPED, person)

    async def drop_entry(self, person: Person) -> bool:
        """Forget a meeting being entered; False when none was."""
        if not self.may_manage(person):
            return False
        purpose = await self._pending.pending(person.id)
        if purpose is None or not purpose.startswith((NEW, EDIT)):
            return False
        await self._pending.set_pending(person.id, None, self._clock.now())
        return True

    async def typed(self, person: Person, text: str) -> MeetingScreen | None:
        """Typed details of a meeting, when a secretary was asked for them; else None."""
        if not self.may_manage(person):
            return None
        purpose = await self._pending.pending(person.id)
        if purpose is None:
            return None
        meeting: Meeting | None = None
        if purpose.startswith(NEW) and purpose[len(NEW) :] in set(MeetingKind):
            kind = MeetingKind(purpose[len(NEW) :])
        elif purpose.startswith(EDIT) and purpose[len(EDIT) :].isdigit():
            found = await self._own(person, int(purpose[len(EDIT) :]))
            if isinstance(found, MeetingScreen):
                await self._pending.set_pending(person.id, None, self._clock.now())
                return found
            meeting, kind = found, found.kind
        else:
            return None  # typed input for something else (a comment on a plan)
        campaign = await self._plans.active_campaign()
        default_topic = meeting.topic if meeting else (campaign.title if campaign else "")
        try:
            details = parse_meeting(text, self._tz, self._clock.now(), default_topic[:200])
        except MeetingInputError as error:
            return MeetingScreen(
                Step.INVALID, person, manage=True, meeting=meeting, kind=kind, error=error.code
            )
        now = self._clock.now()
        if meeting is None:
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

        else:
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
            return MeetingScreen(Step.GONE, person, meeting=meeting)
        return MeetingScreen(
            Step.SAVED, person, meeting=saved, told=notices.count, changed=meeting is not None
        )

    async def _notices(self, meeting: Meeting, template: str, actor: int) -> _Notify:
        return await self._notices_for(meeting.unit_id, template, actor)

    async def _notices_for(self, unit_id: int, template: str, actor: int) -> _Notify:
        """Notices to the unit's members (and its sub-units'), the secretary acting excepted."""
        units = await self._tree.subtree(unit_id)
        audience = await self._meetings.audience(units, Channel.TELEGRAM)
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
