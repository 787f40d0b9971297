"""The ports in memory: the services' stores and units of work as dicts, for fast service tests.

Test-only, not shipped: the SQL repositories are the one real implementation, tested on real
databases (tests/storage: a SQLite file, in memory, PostgreSQL). This double lets a service test
run without SQL, and shows which port each service needs. A unit of work here is all or nothing
too: what it wrote is put back if its body raises. Queries that only the SQL side answers (the
roster import, the desk listing, the sweep's standings, erasing a person) raise
NotImplementedError: test those with a real store.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from bot.domain.audit import AuditAction, AuditEntry
from bot.domain.broadcast import BroadcastFile
from bot.domain.directory import InviteRow, Member, RosterStats
from bot.domain.engine import Draft
from bot.domain.meetings import Meeting, MeetingKind, MeetingStatus
from bot.domain.models import Category, Channel, Exemption, Invite, Person, Role, Unit
from bot.domain.outbox import OutboxMessage
from bot.domain.pending import FillingFor, Pending
from bot.domain.plans import Campaign, Confirmation, DeskRow, Plan, PlanStatus
from bot.domain.roster import ImportSummary, RosterRecord
from bot.domain.schedule import Schedule
from bot.services.ports import LinkConflict, UnitOfWork

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of a plan's history."""

    plan_id: int
    at: datetime
    actor_id: int | None
    kind: str
    detail: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class Broadcast:
    """A stored broadcast."""

    id: int
    text: str
    audience: str
    unit_path: str
    recipients: int
    not_before: datetime
    file: BroadcastFile | None


@dataclass
class Memory:
    """Everything the stores hold. Values are frozen objects: a unit's snapshot copies only the
    containers."""

    units: dict[int, Unit] = field(default_factory=dict)
    people: dict[int, Person] = field(default_factory=dict)
    accounts: dict[tuple[Channel, str], tuple[int, str]] = field(default_factory=dict)
    invites: dict[str, Invite] = field(default_factory=dict)
    failures: list[tuple[Channel, str, datetime]] = field(default_factory=list)
    blocked: set[tuple[Channel, str]] = field(default_factory=set)
    campaigns: dict[int, Campaign] = field(default_factory=dict)
    active: int | None = None
    forms: dict[tuple[str, int], str] = field(default_factory=dict)
    plans: dict[int, Plan] = field(default_factory=dict)
    events: list[Event] = field(default_factory=list)
    outbox: dict[str, OutboxMessage] = field(default_factory=dict)
    audit: list[AuditEntry] = field(default_factory=list)
    meetings: dict[int, Meeting] = field(default_factory=dict)
    broadcasts: dict[int, Broadcast] = field(default_factory=dict)
    occasions: dict[str, tuple[str, int]] = field(default_factory=dict)
    pending: dict[int, Pending] = field(default_factory=dict)
    settings: dict[str, str] = field(default_factory=dict)
    last_id: int = 0

    def next_id(self) -> int:
        """A fresh id (shared by every kind of row: ids never collide across kinds)."""
        self.last_id += 1
        return self.last_id

    # ------------------------------------------------------------------ seeding, for tests
    def add_unit(self, name: str, parent: Unit | None = None) -> Unit:
        """A unit under ``parent`` (None: at the top)."""
        path = f"{parent.path} / {name}" if parent else name
        unit = Unit(self.next_id(), parent.id if parent else None, name, path)
        self.units[unit.id] = unit
        return unit

    def add_person(
        self,
        name: str,
        unit: Unit,
        *roles: Role,
        category: Category = Category.PARTY_MEMBER,
        linked: bool = True,
    ) -> Person:
        """An active person of ``unit`` (with a Telegram account unless not ``linked``)."""
        pid = self.next_id()
        person = Person(
            id=pid,
            code=f"P{pid:03d}",
            full_name=name,
            birth_date=None,
            phone=None,
            category=category,
            exemption=Exemption.NONE,
            unit_id=unit.id,
            unit_path=unit.path,
            party_position="",
            gov_position="",
            union_position="",
            roles=frozenset(roles),
            active=True,
        )
        self.people[pid] = person
        if linked:
            self.accounts[(Channel.TELEGRAM, str(1000 + pid))] = (pid, str(1000 + pid))
        return person

    def open_campaign(self, year: int, deadline: date, now: datetime) -> Campaign:
        """The active campaign of ``year``."""
        campaign = Campaign(
            id=self.next_id(),
            year=year,
            title=f"Campaign {year}",
            deadline=deadline,
            place="",
            forms={},
            opened_at=now,
        )
        self.campaigns[campaign.id] = campaign
        self.active = campaign.id
        return campaign

    def add_plan(
        self, person: Person, campaign: Campaign, status: PlanStatus, now: datetime
    ) -> Plan:
        """A plan of ``person`` in ``status``, as if they had got that far."""
        plan = Plan(
            id=self.next_id(),
            person_id=person.id,
            campaign_id=campaign.id,
            form_id=campaign.form_for(person),
            form_version=1,
            status=status,
            draft=Draft(),
            rev=1,
            late=False,
            voluntary=False,
            return_comment="",
            submitted_at=now if status is PlanStatus.SUBMITTED else None,
            updated_at=now,
        )
        self.plans[plan.id] = plan
        return plan

    def subtree(self, unit_id: int) -> list[int]:
        """The unit and every unit below it."""
        found = [unit_id]
        for current in found:
            found += [u.id for u in self.units.values() if u.parent_id == current]
        return found


# ---------------------------------------------------------------------- the unit of work
class MemoryUnit:
    """The ``UnitOfWork`` verbs over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    def change_status(
        self,
        plan: Plan,
        *,
        status: PlanStatus,
        draft: Draft,
        now: datetime,
        actor_id: int | None,
        event: str,
        detail: Mapping[str, Any],
        late: bool | None = None,
        comment: str | None = None,
    ) -> Plan | None:
        """Move the plan to ``status`` and record the event; None if it changed meanwhile."""
        current = self._m.plans.get(plan.id)
        if current is None or current.rev != plan.rev:
            return None
        saved = replace(
            current,
            status=status,
            draft=draft,
            rev=current.rev + 1,
            updated_at=now,
            late=current.late if late is None else late,
            return_comment=current.return_comment if comment is None else comment,
            submitted_at=now if status is PlanStatus.SUBMITTED else current.submitted_at,
        )
        self._m.plans[plan.id] = saved
        self._m.events.append(Event(plan.id, now, actor_id, event, dict(detail)))
        return saved

    def enqueue(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        """Queue the messages whose key is new."""
        new = [m for m in messages if m.key not in self._m.outbox]
        self._m.outbox.update((m.key, m) for m in new)
        return len(new)

    def audit(
        self,
        *,
        actor_id: int | None,
        actor: str,
        action: AuditAction,
        target: str,
        detail: str,
        now: datetime,
    ) -> None:
        """Add one audit entry."""
        self._m.audit.append(AuditEntry(now, actor_id, actor, action, target, detail))

    def add_meeting(
        self,
        *,
        unit_id: int,
        kind: MeetingKind,
        starts_at: datetime,
        place: str,
        topic: str,
        by: int,
        now: datetime,
    ) -> Meeting:
        """Schedule a meeting."""
        meeting = Meeting(
            id=self._m.next_id(),
            unit_id=unit_id,
            unit_path=self._m.units[unit_id].path,
            kind=kind,
            starts_at=starts_at,
            place=place,
            topic=topic,
            status=MeetingStatus.SCHEDULED,
            version=1,
            updated_at=now,
        )
        self._m.meetings[meeting.id] = meeting
        return meeting

    def change_meeting(
        self,
        meeting: Meeting,
        *,
        now: datetime,
        starts_at: datetime | None = None,
        place: str | None = None,
        topic: str | None = None,
        cancel: bool = False,
    ) -> Meeting | None:
        """Change or cancel a meeting; None if it changed meanwhile."""
        current = self._m.meetings.get(meeting.id)
        if (
            current is None
            or current.version != meeting.version
            or current.status is not MeetingStatus.SCHEDULED
        ):
            return None
        changed = replace(
            current,
            version=current.version + 1,
            updated_at=now,
            starts_at=starts_at or current.starts_at,
            place=current.place if place is None else place,
            topic=current.topic if topic is None else topic,
            status=MeetingStatus.CANCELLED if cancel else current.status,
        )
        self._m.meetings[meeting.id] = changed
        return changed

    def add_broadcast(
        self,
        *,
        text: str,
        audience: str,
        unit_path: str,
        recipients: int,
        not_before: datetime,
        now: datetime,
        file: BroadcastFile | None = None,
    ) -> int:
        """Store a broadcast; its id."""
        found = Broadcast(
            self._m.next_id(), text, audience, unit_path, recipients, not_before, file
        )
        self._m.broadcasts[found.id] = found
        return found.id

    def record_occasion(self, key: str, outcome: str, messages: int, now: datetime) -> bool:
        """Mark an occasion handled; False if it was already."""
        if key in self._m.occasions:
            return False
        self._m.occasions[key] = (outcome, messages)
        return True


class MemoryUnits:
    """Runs a unit of work over ``memory``: all of it is kept, or (if it raises) none."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory
        self.runs = 0  # how many units ran: one per service call that writes together

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work``; put everything back as it was if it raises."""
        self.runs += 1
        before = {name: copy.copy(value) for name, value in vars(self._m).items()}
        try:
            return work(MemoryUnit(self._m))
        except BaseException:
            for name, value in before.items():
                setattr(self._m, name, value)
            raise


# ---------------------------------------------------------------------- the stores
class MemoryPlans:
    """``PlanStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def active_campaign(self) -> Campaign | None:
        return self._m.campaigns.get(self._m.active) if self._m.active else None

    async def set_campaign(
        self,
        *,
        year: int,
        title: str,
        deadline: date,
        place: str,
        forms: Mapping[Category, str],
        now: datetime,
        schedule: Schedule | None = None,
    ) -> Campaign:
        existing = await self.campaign_of_year(year)
        campaign = Campaign(
            id=existing.id if existing else self._m.next_id(),
            year=year,
            title=title,
            deadline=deadline,
            place=place,
            forms=dict(forms),
            schedule=schedule or (existing.schedule if existing else Schedule()),
            opened_at=existing.opened_at if existing else now,
        )
        self._m.campaigns[campaign.id] = campaign
        self._m.active = campaign.id
        return campaign

    async def current(self, person_id: int) -> tuple[Campaign | None, Plan | None]:
        campaign = await self.active_campaign()
        if campaign is None:
            return None, None
        return campaign, await self.plan_of(person_id, campaign.id)

    async def campaign_by_id(self, campaign_id: int) -> Campaign | None:
        return self._m.campaigns.get(campaign_id)

    async def campaign_of_year(self, year: int) -> Campaign | None:
        return next((c for c in self._m.campaigns.values() if c.year == year), None)

    async def campaign_years(self) -> list[int]:
        return sorted(c.year for c in self._m.campaigns.values())

    async def register_forms(
        self, definitions: Mapping[tuple[str, int], str], now: datetime
    ) -> list[str]:
        conflicts = [
            f"{fid} v{ver}"
            for (fid, ver), text in definitions.items()
            if self._m.forms.get((fid, ver), text) != text
        ]
        if not conflicts:
            self._m.forms.update(definitions)
        return conflicts

    async def form_versions(self) -> dict[tuple[str, int], str]:
        return dict(self._m.forms)

    async def visit(
        self, channel: Channel, user_id: str
    ) -> tuple[Person | None, Pending | None, Campaign | None, Plan | None]:
        linked = self._m.accounts.get((channel, user_id))
        if linked is None:
            return None, None, None, None
        campaign, plan = await self.current(linked[0])
        return self._m.people[linked[0]], self._m.pending.get(linked[0]), campaign, plan

    async def plan_of(self, person_id: int, campaign_id: int) -> Plan | None:
        return next(
            (
                p
                for p in self._m.plans.values()
                if p.person_id == person_id and p.campaign_id == campaign_id
            ),
            None,
        )

    async def plan(self, plan_id: int) -> Plan | None:
        return self._m.plans.get(plan_id)

    async def plans_of(self, person_ids: Sequence[int], campaign_id: int) -> dict[int, Plan]:
        wanted = set(person_ids)
        return {
            p.person_id: p
            for p in self._m.plans.values()
            if p.person_id in wanted and p.campaign_id == campaign_id
        }

    async def create_plan(
        self,
        *,
        person_id: int,
        campaign_id: int,
        form_id: str,
        form_version: int,
        draft: Draft,
        voluntary: bool,
        now: datetime,
    ) -> Plan:
        found = await self.plan_of(person_id, campaign_id)
        if found is not None:
            return found
        plan = Plan(
            id=self._m.next_id(),
            person_id=person_id,
            campaign_id=campaign_id,
            form_id=form_id,
            form_version=form_version,
            status=PlanStatus.DRAFT,
            draft=draft,
            rev=1,
            late=False,
            voluntary=voluntary,
            return_comment="",
            submitted_at=None,
            updated_at=now,
        )
        self._m.plans[plan.id] = plan
        return plan

    async def save_draft(self, plan: Plan, draft: Draft, now: datetime) -> Plan | None:
        current = self._m.plans.get(plan.id)
        if current is None or current.rev != plan.rev:
            return None
        saved = replace(current, draft=draft, rev=current.rev + 1, updated_at=now)
        self._m.plans[plan.id] = saved
        return saved

    async def last_submission(self, plan_id: int) -> Mapping[str, Any]:
        handed = [
            e
            for e in self._m.events
            if e.plan_id == plan_id and e.kind in ("submitted", "resubmitted")
        ]
        answers = handed[-1].detail.get("answers", {}) if handed else {}
        return answers if isinstance(answers, dict) else {}

    async def confirmation(self, plan_id: int) -> Confirmation | None:
        confirmed = [e for e in self._m.events if e.plan_id == plan_id and e.kind == "confirmed"]
        if not confirmed:
            return None
        who = self._m.people.get(confirmed[-1].actor_id or 0)
        return Confirmation(who.full_name if who else "", confirmed[-1].at)

    async def desk(
        self,
        campaign_id: int,
        unit_ids: Sequence[int] | None,
        status: PlanStatus,
        offset: int,
        limit: int,
        categories: Collection[Category] | None = None,
        besides: int | None = None,
    ) -> tuple[list[DeskRow], dict[PlanStatus, int]]:
        raise NotImplementedError("the desk listing is tested on a real store")


class MemoryAccounts:
    """``AccountStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def person_for_account(self, channel: Channel, user_id: str) -> Person | None:
        linked = self._m.accounts.get((channel, user_id))
        return self._m.people.get(linked[0]) if linked else None

    async def people_by_phone(self, phone: str) -> list[Person]:
        return [p for p in self._m.people.values() if p.phone == phone]

    async def person(self, person_id: int) -> Person | None:
        return self._m.people.get(person_id)

    async def chat_of(self, channel: Channel, person_id: int) -> str | None:
        return next(
            (
                chat
                for (ch, _), (pid, chat) in self._m.accounts.items()
                if (ch, pid) == (channel, person_id)
            ),
            None,
        )

    async def invite(self, code: str) -> Invite | None:
        return self._m.invites.get(code)

    async def mark_reachable(self, channel: Channel, user_id: str) -> None:
        self._m.blocked.discard((channel, user_id))

    async def link(
        self,
        channel: Channel,
        user_id: str,
        chat_id: str,
        person_id: int,
        *,
        method: str,
        now: datetime,
        invite_code: str | None = None,
    ) -> str | None:
        if invite_code is not None:
            invite = self._m.invites.get(invite_code)
            if invite is None or invite.used:
                raise LinkConflict(invite_code)
        for code, invite in list(self._m.invites.items()):
            if invite.person_id == person_id:
                self._m.invites[code] = replace(invite, used=True)
        previous = None
        for key, (pid, chat) in list(self._m.accounts.items()):
            if key[0] == channel and (pid == person_id or key[1] == user_id):
                if pid == person_id and key[1] != user_id:
                    previous = chat
                del self._m.accounts[key]
        self._m.accounts[(channel, user_id)] = (person_id, chat_id)
        return previous

    async def record_failure(self, channel: Channel, user_id: str, now: datetime) -> None:
        self._m.failures.append((channel, user_id, now))

    async def count_failures(self, channel: Channel, user_id: str, since: datetime) -> int:
        return sum(
            1 for c, u, at in self._m.failures if (c, u) == (channel, user_id) and at >= since
        )

    async def issue_invites(self, codes: dict[int, str], now: datetime) -> None:
        for code, invite in list(self._m.invites.items()):
            if invite.person_id in codes:
                self._m.invites[code] = replace(invite, used=True)
        self._m.invites.update((code, Invite(code, pid, False)) for pid, code in codes.items())

    async def people_needing_invites(self, unit_ids: Sequence[int] | None) -> list[Person]:
        linked = {pid for pid, _ in self._m.accounts.values()}
        pending = {i.person_id for i in self._m.invites.values() if not i.used}
        return [
            p
            for p in self._m.people.values()
            if p.active
            and p.id not in linked | pending
            and (unit_ids is None or p.unit_id in unit_ids)
        ]

    async def open_invites(self, unit_ids: Sequence[int] | None) -> list[InviteRow]:
        rows = [
            InviteRow(i.code, p.code, p.full_name, p.unit_path)
            for i in self._m.invites.values()
            if not i.used
            and (p := self._m.people[i.person_id]).active
            and (unit_ids is None or p.unit_id in unit_ids)
        ]
        return sorted(rows, key=lambda r: (r.unit_path, r.full_name))


class MemoryDirectory:
    """``DirectoryStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def unit_by_path(self, path: tuple[str, ...]) -> Unit | None:
        return next((u for u in self._m.units.values() if u.path == " / ".join(path)), None)

    async def subtree(self, unit_id: int) -> list[int]:
        return self._m.subtree(unit_id)

    async def members(self, unit_ids: list[int]) -> list[Member]:
        linked = {pid for pid, _ in self._m.accounts.values()}
        return [
            Member(p, p.id in linked)
            for p in sorted(self._m.people.values(), key=lambda p: (p.unit_path, p.full_name))
            if p.active and p.unit_id in unit_ids
        ]

    async def stats(self) -> RosterStats:
        raise NotImplementedError("the roster counts are tested on a real store")

    async def ancestors(self, unit_id: int) -> list[int]:
        found: list[int] = []
        parent = self._m.units[unit_id].parent_id
        while parent is not None:
            found.append(parent)
            parent = self._m.units[parent].parent_id
        return found

    async def holders(self, unit_id: int, role: Role) -> list[Person]:
        for current in [unit_id, *await self.ancestors(unit_id)]:
            found = [
                p
                for p in self._m.people.values()
                if p.unit_id == current and p.active and p.has(role)
            ]
            if found:
                return found
        return []

    async def all_holders(self, role: Role) -> list[Person]:
        return sorted(
            (p for p in self._m.people.values() if p.active and p.has(role)), key=lambda p: p.id
        )

    async def get_setting(self, key: str) -> str | None:
        return self._m.settings.get(key)

    async def set_setting(self, key: str, value: str) -> None:
        self._m.settings[key] = value


class MemoryRoster:
    """``RosterStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def import_roster(
        self, records: Sequence[RosterRecord], *, remove_missing: bool, dry_run: bool, now: datetime
    ) -> ImportSummary:
        raise NotImplementedError("the roster import is tested on a real store")

    async def list_people(self, *, active_only: bool = True) -> list[Person]:
        found = [p for p in self._m.people.values() if p.active or not active_only]
        return sorted(found, key=lambda p: (p.unit_path, p.code))

    async def count_people(self) -> int:
        return sum(1 for p in self._m.people.values() if p.active)

    async def person_by_code(self, code: str) -> Person | None:
        return next((p for p in self._m.people.values() if p.code == code), None)


class MemoryAudit:
    """``AuditStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def record(
        self,
        *,
        actor_id: int | None,
        actor: str,
        action: AuditAction,
        target: str,
        detail: str,
        now: datetime,
    ) -> None:
        self._m.audit.append(AuditEntry(now, actor_id, actor, action, target, detail))

    async def entries(self, limit: int) -> list[AuditEntry]:
        return self._m.audit[-limit:]

    async def forget(self, person_id: int, entry: dict[str, object], now: datetime) -> bool:
        raise NotImplementedError("erasing a person is tested on a real store")


class MemoryMeetings:
    """``MeetingStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def get(self, meeting_id: int) -> Meeting | None:
        return self._m.meetings.get(meeting_id)

    async def of_units(self, unit_ids: Sequence[int], since: datetime) -> list[Meeting]:
        found = [
            m for m in self._m.meetings.values() if m.unit_id in unit_ids and m.starts_at >= since
        ]
        return sorted(found, key=lambda m: (m.starts_at, m.id))

    async def between(self, start: datetime, end: datetime) -> list[Meeting]:
        found = [m for m in self._m.meetings.values() if start <= m.starts_at < end]
        return sorted(found, key=lambda m: (m.starts_at, m.id))

    async def audience(self, unit_ids: Sequence[int], channel: Channel | None = None) -> list[int]:
        linked = {pid for (ch, _), (pid, _) in self._m.accounts.items() if channel in (None, ch)}
        return sorted(
            p.id
            for p in self._m.people.values()
            if p.active and p.unit_id in unit_ids and p.id in linked
        )


class MemoryPending:
    """``PendingStore`` over the dicts."""

    def __init__(self, memory: Memory) -> None:
        self._m = memory

    async def pending(self, person_id: int) -> Pending | None:
        return self._m.pending.get(person_id)

    async def filling_for(self, person_id: int) -> list[int]:
        return sorted(viewer for viewer, p in self._m.pending.items() if p == FillingFor(person_id))

    async def set_pending(self, person_id: int, pending: Pending | None, now: datetime) -> None:
        if pending is None:
            self._m.pending.pop(person_id, None)
        else:
            self._m.pending[person_id] = pending


@dataclass
class MemoryStore:
    """The stores and units of work over one ``Memory``, wired like ``storage.store.Store``."""

    memory: Memory = field(default_factory=Memory)

    def __post_init__(self) -> None:
        self.units = MemoryUnits(self.memory)
        self.plans = MemoryPlans(self.memory)
        self.accounts = MemoryAccounts(self.memory)
        self.directory = MemoryDirectory(self.memory)
        self.roster = MemoryRoster(self.memory)
        self.audit = MemoryAudit(self.memory)
        self.meetings = MemoryMeetings(self.memory)
        self.pending = MemoryPending(self.memory)
