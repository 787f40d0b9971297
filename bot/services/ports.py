"""What the services need from the outside world, as Protocols the edges implement."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, Protocol, TypeVar

from bot.domain.audit import AuditAction, AuditEntry
from bot.domain.broadcast import BroadcastFile, BroadcastRow
from bot.domain.choices import Choice
from bot.domain.digest import Forgotten, ReturnedPlan, Standing, UnitNode
from bot.domain.directory import InviteRow, Member, RosterStats
from bot.domain.engine import Draft
from bot.domain.forms import FormDef
from bot.domain.inbox import InboxStatus, Ready
from bot.domain.meetings import Meeting, MeetingKind
from bot.domain.models import Category, Channel, Invite, Person, Role, Unit
from bot.domain.outbox import Failure, OutboxItem, OutboxMessage, OutboxStatus
from bot.domain.pending import Pending
from bot.domain.plans import Campaign, Confirmation, DeskRow, Plan, PlanStatus
from bot.domain.roster import ImportSummary, RosterRecord
from bot.domain.schedule import Schedule
from bot.domain.screens import ShownScreen

T = TypeVar("T")


class LinkConflict(Exception):
    """A link lost a race: the invite was spent or the account was linked meanwhile."""


class Clock(Protocol):
    """Where the services read the time from (aware datetimes)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class RosterStore(Protocol):
    """Roster persistence."""

    async def import_roster(
        self, records: Sequence[RosterRecord], *, remove_missing: bool, dry_run: bool, now: datetime
    ) -> ImportSummary: ...

    async def list_people(self, *, active_only: bool = True) -> list[Person]: ...

    async def count_people(self) -> int: ...

    async def person_by_code(self, code: str) -> Person | None: ...


class AccountStore(Protocol):
    """Linked chat accounts and invite codes."""

    async def person_for_account(self, channel: Channel, user_id: str) -> Person | None: ...

    async def people_by_phone(self, phone: str) -> list[Person]: ...

    async def person(self, person_id: int) -> Person | None: ...

    async def chat_of(self, channel: Channel, person_id: int) -> str | None: ...

    async def invite(self, code: str) -> Invite | None: ...

    async def mark_reachable(self, channel: Channel, user_id: str) -> None: ...

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
    ) -> str | None: ...

    async def record_failure(self, channel: Channel, user_id: str, now: datetime) -> None: ...

    async def count_failures(self, channel: Channel, user_id: str, since: datetime) -> int: ...

    async def issue_invites(self, codes: dict[int, str], now: datetime) -> None: ...

    async def people_needing_invites(self, unit_ids: Sequence[int] | None) -> list[Person]: ...

    async def open_invites(self, unit_ids: Sequence[int] | None) -> list[InviteRow]: ...

    async def reach(self, person_id: int) -> tuple[Channel | None, tuple[Channel, ...]]: ...

    async def choose_channel(self, person_id: int, channel: Channel) -> bool: ...


class DirectoryStore(Protocol):
    """The organisation tree and counts."""

    async def unit_by_path(self, path: tuple[str, ...]) -> Unit | None: ...

    async def subtree(self, unit_id: int) -> list[int]: ...

    async def members(self, unit_ids: list[int]) -> list[Member]: ...

    async def stats(self) -> RosterStats: ...

    async def ancestors(self, unit_id: int) -> list[int]: ...

    async def holders(self, unit_id: int, role: Role) -> list[Person]: ...

    async def all_holders(self, role: Role) -> list[Person]: ...

    async def get_setting(self, key: str) -> str | None: ...

    async def set_setting(self, key: str, value: str) -> None: ...


class PlanStore(Protocol):
    """Campaigns and plans."""

    async def active_campaign(self) -> Campaign | None: ...

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
    ) -> Campaign: ...

    async def current(self, person_id: int) -> tuple[Campaign | None, Plan | None]: ...

    async def campaign_by_id(self, campaign_id: int) -> Campaign | None: ...

    async def campaign_of_year(self, year: int) -> Campaign | None: ...

    async def campaign_years(self) -> list[int]: ...

    async def register_forms(
        self, definitions: Mapping[tuple[str, int], str], now: datetime
    ) -> list[str]: ...

    async def form_versions(self) -> dict[tuple[str, int], str]: ...

    async def visit(
        self, channel: Channel, user_id: str
    ) -> tuple[Person | None, Pending | None, Campaign | None, Plan | None]: ...

    async def plan_of(self, person_id: int, campaign_id: int) -> Plan | None: ...

    async def plans_of(self, person_ids: Sequence[int], campaign_id: int) -> dict[int, Plan]: ...

    async def plan(self, plan_id: int) -> Plan | None: ...

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
    ) -> Plan: ...

    async def save_draft(self, plan: Plan, draft: Draft, now: datetime) -> Plan | None: ...

    async def last_submission(self, plan_id: int) -> Mapping[str, Any]: ...

    async def confirmation(self, plan_id: int) -> Confirmation | None: ...

    async def desk(
        self,
        campaign_id: int,
        unit_ids: Sequence[int] | None,
        status: PlanStatus,
        offset: int,
        limit: int,
        categories: Collection[Category] | None = None,
        besides: int | None = None,
    ) -> tuple[list[DeskRow], dict[PlanStatus, int]]: ...


class DocumentRenderer(Protocol):
    """Turns a plan into a printable document (DOCX)."""

    def __call__(
        self,
        form: FormDef,
        campaign: Campaign,
        person: Person,
        plan: Plan,
        now: datetime,
        confirmed: Confirmation | None = None,
    ) -> bytes: ...


class OutboxStore(Protocol):
    """The outbox of proactive messages."""

    async def add(self, messages: Sequence[OutboxMessage], now: datetime) -> int: ...

    async def claim(
        self, limit: int, now: datetime, lease: timedelta, *, max_priority: int | None = None
    ) -> list[OutboxItem]: ...

    async def settle(
        self, item_id: int, status: OutboxStatus, now: datetime, error: str = ""
    ) -> None: ...

    async def progress(self, item_id: int, parts_sent: int) -> None: ...

    async def blocked(self, item: OutboxItem, now: datetime, error: str) -> None: ...

    async def retry_later(self, item_id: int, when: datetime, error: str) -> None: ...

    async def counts(self) -> dict[str, int]: ...

    async def requeue_stuck(self, now: datetime) -> int: ...


class ScheduleStore(Protocol):
    """What the sweeps read and record, and what a person's next typed text is for."""

    async def standings(
        self,
        campaign_id: int,
        unit_ids: Sequence[int] | None = None,
        *,
        person_ids: Sequence[int] | None = None,
    ) -> list[Standing]: ...

    async def forgotten(
        self, campaign_id: int, unit_ids: Sequence[int] | None = None
    ) -> list[Forgotten]: ...

    async def unit_nodes(self) -> list[UnitNode]: ...

    async def done_occasions(self, prefix: str) -> set[str]: ...

    async def returned_plans(self, campaign_id: int) -> Sequence[ReturnedPlan]: ...


class PendingStore(Protocol):
    """What a person's next typed text is for (a secretary entering a meeting)."""

    async def pending(self, person_id: int) -> Pending | None: ...

    async def set_pending(self, person_id: int, pending: Pending | None, now: datetime) -> None: ...

    async def filling_for(self, person_id: int) -> list[int]:
        """Who is filling the plan of ``person_id`` for them now (their proxy sessions)."""
        ...


class MeetingStore(Protocol):
    """The meetings calendar."""

    async def get(self, meeting_id: int) -> Meeting | None: ...

    async def of_units(self, unit_ids: Sequence[int], since: datetime) -> list[Meeting]: ...

    async def between(self, start: datetime, end: datetime) -> list[Meeting]: ...

    async def audience(
        self, unit_ids: Sequence[int], channel: Channel | None = None
    ) -> list[int]: ...


class BroadcastStore(Protocol):
    """Broadcasts and their outbox rows."""

    async def get(self, broadcast_id: int) -> BroadcastRow | None: ...

    async def file(self, broadcast_id: int) -> BroadcastFile | None: ...

    async def learn_file_id(self, broadcast_id: int, file_id: str) -> None: ...

    async def audience(self, broadcast_id: int) -> tuple[str, str] | None: ...

    async def latest_same(self, text: str, audience: str, unit_path: str) -> datetime | None: ...

    async def failures(self, broadcast_id: int, limit: int = 20) -> list[Failure]: ...

    async def cancel(self, broadcast_id: int) -> int: ...


class BroadcastFiles(Protocol):
    """The document or photo of a broadcast, for the outbox sender."""

    def uploaded(self, broadcast_id: int) -> bool: ...

    async def file(self, broadcast_id: int) -> BroadcastFile | None: ...

    async def learned(self, broadcast_id: int, file_id: str) -> None: ...

    async def addressed(self, broadcast_id: int, person_id: int) -> bool: ...


class AuditStore(Protocol):
    """The audit log."""

    async def record(
        self,
        *,
        actor_id: int | None,
        actor: str,
        action: AuditAction,
        target: str,
        detail: str,
        now: datetime,
    ) -> None: ...

    async def entries(self, limit: int) -> list[AuditEntry]: ...

    async def forget(self, person_id: int, entry: dict[str, object], now: datetime) -> bool: ...


class UnitOfWork(Protocol):
    """The writes a service composes in one transaction (``Units.run``): all kept, or none.

    The verbs are plain calls (no await): the whole unit runs in one hand-over to the database.
    What to write is decided before (pure, in the domain); the unit only carries it out.
    """

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
        """Move the plan to ``status`` and record the event; None if it changed since
        ``plan.rev`` (write nothing else then)."""
        ...

    def enqueue(self, messages: Sequence[OutboxMessage], now: datetime) -> int:
        """Queue outbox messages (keys already present are skipped); how many were new."""
        ...

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
        """Add one entry to the audit log."""
        ...

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
        ...

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
        """Change or cancel ``meeting``; None if somebody changed it meanwhile."""
        ...

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
        """Store a broadcast (its outbox rows are queued in the same unit); its id."""
        ...

    def record_occasion(self, key: str, outcome: str, messages: int, now: datetime) -> bool:
        """Mark an occasion handled; False if it was already (by another process)."""
        ...


class Units(Protocol):
    """Runs a unit of work: ``await units.run(work)`` with ``work(unit)`` a plain function."""

    async def run(self, work: Callable[[UnitOfWork], T]) -> T:
        """Run ``work`` in one transaction: committed if it returns, rolled back if it raises."""
        ...


class OfferStore(Protocol):
    """The choices last shown as numbered lines in a chat of a channel without buttons."""

    async def offered(self, channel: Channel, chat_id: str) -> list[Choice]: ...

    async def offer(
        self, channel: Channel, chat_id: str, choices: list[Choice], now: datetime
    ) -> None: ...


class ScreenStore(Protocol):
    """The message showing each chat's current screen (``bot.domain.screens``)."""

    async def current(self, channel: Channel, chat_id: str) -> ShownScreen | None: ...

    async def swap(
        self, channel: Channel, chat_id: str, shown: ShownScreen | None
    ) -> ShownScreen | None: ...


class InboxStore(Protocol):
    """Delivered updates, recorded before they are acknowledged, handled once per lane in order
    (``storage/inbox_repo.py``)."""

    async def record(
        self, channel: str, key: str, lane: str, seq: int, body: str, now: datetime
    ) -> bool: ...

    async def ready(self, lane: str, now: datetime, *, take: bool = False) -> Ready: ...

    async def take(self, row_id: int) -> int | None: ...

    async def finish(
        self, row_id: int, status: InboxStatus, now: datetime, then: int | None = None
    ) -> int | None: ...

    async def lanes_with_todo(self, limit: int) -> list[str]: ...

    async def forget_before(self, cutoff: datetime) -> None: ...


class LaneRunner(Protocol):
    """Runs the drainer of each lane that has work, one task per lane at a time: in this process
    (``handlers.inbox.LocalLanes``) or across replicas. ``wake`` never blocks; ``stop`` finishes
    the row in hand and takes no new ones."""

    async def start(self) -> None: ...

    def wake(self, lane: str) -> None: ...

    async def stop(self) -> None: ...


class LinkCodeStore(Protocol):
    """One-time codes linking a person's second channel."""

    async def issue(
        self, person_id: int, code: str, now: datetime, expires_at: datetime
    ) -> None: ...

    async def owner(self, code: str, now: datetime) -> int | None: ...

    async def spend(self, code: str, now: datetime) -> bool: ...
