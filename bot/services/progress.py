"""Progress on the concrete actions: a member's updates and history, the secretary's cell view.

Nothing a press carries is trusted: an action is named by its number in the presser's own
handed-in plan, read again at every press; a typed note is taken only while the stored pending
input names that same plan. A secretary sees the plans of their own units (an admin: all).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, tzinfo
from typing import TYPE_CHECKING, Protocol

from bot.domain.callbacks import number
from bot.domain.menu import Command, may_use
from bot.domain.midyear import MidyearCheck
from bot.domain.models import Person, Role
from bot.domain.pending import Pending, ProgressNote
from bot.domain.plans import Campaign, Plan, PlanStatus
from bot.domain.progress import (
    MAX_ACTION,
    MAX_NOTE,
    MAX_PICTURE,
    HandedInPlan,
    ProgressEntry,
    ProgressStatus,
    Tally,
    latest,
    tally,
)
from bot.domain.text import tidy
from bot.services.plans import PlanRecord, PlanService, plan_actions
from bot.services.ports import Clock, DirectoryStore, PendingStore, PlanStore
from bot.services.replies import Attachment

if TYPE_CHECKING:
    from bot.services.midyear import MidyearService

PAGE = 10  # people per page of the cell's progress
HANDED_IN = (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)


class ProgressAsked(Protocol):
    """Who was asked about progress lately (the sweep's weekly limit)."""

    async def recently_asked(self, since: datetime) -> set[int]: ...


class ProgressStore(Protocol):
    """The progress log and the reads around it."""

    async def add(
        self,
        *,
        plan_id: int,
        item: int,
        action: str,
        status: ProgressStatus,
        note: str,
        picture: str,
        picture_channel: str,
        by_id: int,
        now: datetime,
    ) -> ProgressEntry: ...

    async def of_plan(self, plan_id: int) -> list[ProgressEntry]: ...

    async def of_plans(self, plan_ids: Sequence[int]) -> dict[int, list[ProgressEntry]]: ...

    async def handed_in(
        self, campaign_id: int, unit_ids: Sequence[int] | None, offset: int, limit: int
    ) -> tuple[list[HandedInPlan], int]: ...

    async def recently_asked(self, since: datetime) -> set[int]: ...


Action = tuple[str, ...]  # one concrete action's answers, in the form's order


@dataclass(frozen=True, slots=True)
class NoPlan:
    """The person has no handed-in plan this year: nothing to report progress on."""

    person: Person
    has_last: bool = False  # a plan of last year can be shown instead


@dataclass(frozen=True, slots=True)
class LastYear:
    """The person's plan of last year and how it went (each action's last update)."""

    person: Person
    campaign: Campaign
    plan: Plan
    actions: tuple[Action, ...]
    latest: dict[int, ProgressEntry]
    tally: Tally
    document: Attachment | None


@dataclass(frozen=True, slots=True)
class NoLastYear:
    """No plan of last year was handed in."""

    person: Person


@dataclass(frozen=True, slots=True)
class Refused:
    """The viewer may not see this."""

    person: Person


@dataclass(frozen=True, slots=True)
class Home:
    """The member's actions, each with where it stands (its latest update)."""

    person: Person
    campaign: Campaign
    actions: tuple[Action, ...]
    latest: dict[int, ProgressEntry]
    notice: str = ""  # a catalog key shown above (a stale button ...)
    has_last: bool = False


@dataclass(frozen=True, slots=True)
class ActionView:
    """One action: its text, every update (oldest first), and the buttons to add one."""

    person: Person
    item: int
    action: Action
    history: tuple[ProgressEntry, ...]
    notice: str = ""
    saved: ProgressEntry | None = None  # the update just recorded


@dataclass(frozen=True, slots=True)
class AskNote:
    """The status was chosen: a short note (or a photo) is asked for, or save without one."""

    person: Person
    item: int
    action: Action
    status: ProgressStatus
    invalid: str = ""  # a catalog key: why the last note was not taken


@dataclass(frozen=True, slots=True)
class CellLine:
    """One person of the secretary's view."""

    person_id: int
    full_name: str
    unit_path: str
    tally: Tally
    midyear: MidyearCheck | None = None  # the mid-year self-check, when the campaign has one


@dataclass(frozen=True, slots=True)
class CellView:
    """The progress of the viewer's units, a page at a time."""

    person: Person
    lines: tuple[CellLine, ...]
    page: int
    pages: int
    total: int
    midyear: bool = False  # the campaign has the mid-year self-check: each line says where it is


ProgressScreen = NoPlan | Refused | Home | ActionView | AskNote | CellView | LastYear | NoLastYear


@dataclass(frozen=True, slots=True)
class _Mine:
    campaign: Campaign
    plan: Plan
    actions: tuple[Action, ...]


def _status(text: str) -> ProgressStatus | None:
    try:
        return ProgressStatus(text)
    except ValueError:
        return None


def _item_status(arg: str) -> tuple[int, ProgressStatus] | None:
    """ "2.done" -> (2, DONE); None for anything else."""
    item_text, _, status_text = arg.partition(".")
    item, status = number(item_text), _status(status_text)
    return (item, status) if item is not None and status is not None else None


class ProgressService:
    """The member's progress log and the secretary's view of it."""

    def __init__(
        self,
        plans: PlanStore,
        plan_service: PlanService,
        store: ProgressStore,
        pending: PendingStore,
        directory: DirectoryStore,
        clock: Clock,
        tz: tzinfo,
        midyear: MidyearService | None = None,
    ) -> None:
        self._tz = tz
        self._midyear = midyear
        self._plans = plans
        self._plan_service = plan_service
        self._store = store
        self._pending = pending
        self._directory = directory
        self._clock = clock

    async def _mine(self, person: Person) -> _Mine | None:
        """The person's own handed-in plan of the open campaign, with its actions."""
        campaign, plan = await self._plans.current(person.id)
        if campaign is None or plan is None or plan.person_id != person.id:
            return None
        if plan.status not in HANDED_IN:
            return None
        actions = plan_actions(self._plan_service.form_of(plan), plan.draft)
        return _Mine(campaign, plan, actions)

    async def home(self, person: Person, notice: str = "") -> ProgressScreen:
        """ "Cập nhật tiến độ": the actions of the person's plan and where each stands."""
        mine = await self._mine(person)
        if mine is None:
            return NoPlan(person, await self._last_plan(person) is not None)
        entries = await self._store.of_plan(mine.plan.id)
        has_last = await self._last_plan(person) is not None
        return Home(person, mine.campaign, mine.actions, latest(entries), notice, has_last)

    async def _last_plan(self, person: Person) -> tuple[Campaign, Plan] | None:
        """The person's handed-in plan of the year before the open campaign's."""
        campaign = await self._plans.active_campaign()
        past = await self._plans.campaign_of_year(campaign.year - 1) if campaign else None
        plan = await self._plans.plan_of(person.id, past.id) if past else None
        if past is None or plan is None or plan.status not in HANDED_IN:
            return None
        return past, plan

    async def last_year(self, person: Person) -> ProgressScreen:
        """The person's own plan of last year, its document, and where each action got to."""
        found = await self._last_plan(person)
        if found is None:
            return NoLastYear(person)
        campaign, plan = found
        actions = plan_actions(self._plan_service.form_of(plan), plan.draft)
        entries = await self._store.of_plan(plan.id)
        counted = tally(len(actions), entries)
        document = await self._plan_service.plan_document(plan.id)
        return LastYear(person, campaign, plan, actions, latest(entries), counted, document)

    async def _action(
        self, person: Person, mine: _Mine, item: int, saved: ProgressEntry | None = None
    ) -> ProgressScreen:
        entries = [e for e in await self._store.of_plan(mine.plan.id) if e.item == item]
        return ActionView(person, item, mine.actions[item], tuple(entries), saved=saved)

    async def open(self, person: Person, arg: str) -> ProgressScreen:
        """One action of the person's own plan (by its number there), with its history."""
        mine = await self._mine(person)
        if mine is None:
            return NoPlan(person)
        item = number(arg)
        if item is None or item >= len(mine.actions):
            return await self.home(person, notice="progress.notice.stale")
        return await self._action(person, mine, item)

    async def choose(self, person: Person, arg: str) -> ProgressScreen:
        """Where the action stands was chosen: ask for the note (kept as the pending input)."""
        mine = await self._mine(person)
        if mine is None:
            return NoPlan(person)
        chosen = _item_status(arg)
        if chosen is None or chosen[0] >= len(mine.actions):
            return await self.home(person, notice="progress.notice.stale")
        item, status = chosen
        note = ProgressNote(mine.plan.id, item, status.value)
        await self._pending.set_pending(person.id, note, self._clock.now())
        return AskNote(person, item, mine.actions[item], status)

    async def save(self, person: Person, arg: str) -> ProgressScreen:
        """Record where the action stands without a note."""
        mine = await self._mine(person)
        if mine is None:
            return NoPlan(person)
        chosen = _item_status(arg)
        if chosen is None or chosen[0] >= len(mine.actions):
            return await self.home(person, notice="progress.notice.stale")
        return await self._record(person, mine, *chosen, note="", picture="", channel="")

    async def typed(
        self,
        person: Person,
        pending: ProgressNote,
        text: str,
        picture: str = "",
        channel: str = "",
    ) -> ProgressScreen:
        """The note typed (or the photo sent, its caption the note) for the update asked for."""
        mine = await self._mine(person)
        status = _status(pending.status)
        if mine is None or mine.plan.id != pending.plan_id:
            await self._pending.set_pending(person.id, None, self._clock.now())
            return (
                NoPlan(person) if mine is None else await self.home(person, "progress.notice.stale")
            )
        if status is None or pending.item >= len(mine.actions):
            await self._pending.set_pending(person.id, None, self._clock.now())
            return await self.home(person, notice="progress.notice.stale")
        note = tidy(text)
        action = mine.actions[pending.item]
        if len(note) > MAX_NOTE:
            return AskNote(person, pending.item, action, status, invalid="progress.invalid.long")
        if not note and not picture:
            return AskNote(person, pending.item, action, status, invalid="progress.invalid.empty")
        if len(picture) > MAX_PICTURE:
            return AskNote(person, pending.item, action, status, invalid="progress.invalid.picture")
        return await self._record(
            person, mine, pending.item, status, note=note, picture=picture, channel=channel
        )

    async def _record(
        self,
        person: Person,
        mine: _Mine,
        item: int,
        status: ProgressStatus,
        *,
        note: str,
        picture: str,
        channel: str,
    ) -> ProgressScreen:
        entry = await self._store.add(
            plan_id=mine.plan.id,
            item=item,
            action=(mine.actions[item][0] if mine.actions[item] else "")[:MAX_ACTION],
            status=status,
            note=note,
            picture=picture,
            picture_channel=channel if picture else "",
            by_id=person.id,
            now=self._clock.now(),
        )
        return await self._action(person, mine, item, saved=entry)

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while a note was asked for: nothing is recorded; False when none was."""
        if not isinstance(pending, ProgressNote):
            return False
        await self._pending.set_pending(person.id, None, self._clock.now())
        return True

    # ------------------------------------------------------------------ the secretary's view
    @staticmethod
    def may_see_cell(person: Person) -> bool:
        """Secretaries, heads of unit and admins see their units' progress."""
        return may_use(person, Command.REVIEW)

    async def cell(self, viewer: Person, page: int = 0) -> ProgressScreen:
        """Per person of the viewer's units: actions done / in progress / not started, and the
        last update."""
        if not self.may_see_cell(viewer):
            return Refused(viewer)
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return CellView(viewer, (), 0, 1, 0)
        scope = None if viewer.has(Role.ADMIN) else await self._directory.subtree(viewer.unit_id)
        page = max(page, 0)
        found, total = await self._store.handed_in(campaign.id, scope, page * PAGE, PAGE)
        pages = max(1, -(-total // PAGE))
        if page >= pages and total:
            page = pages - 1
            found, total = await self._store.handed_in(campaign.id, scope, page * PAGE, PAGE)
        entries = await self._store.of_plans([f.plan.id for f in found])
        on = self._midyear is not None and self._midyear.offered(campaign)
        checks = (
            await self._midyear.of_people([f.person_id for f in found], campaign)
            if self._midyear is not None and on
            else {}
        )
        lines = tuple(
            CellLine(
                f.person_id,
                f.full_name,
                f.unit_path,
                tally(
                    len(plan_actions(self._plan_service.form_of(f.plan), f.plan.draft)),
                    entries.get(f.plan.id, []),
                ),
                checks.get(f.person_id),
            )
            for f in found
        )
        return CellView(viewer, lines, page, pages, total, on)

    async def tallies(self, records: Sequence[PlanRecord]) -> dict[int, Tally]:
        """How the handed-in plans among ``records`` stand, by plan id, the last update in
        local time (the unit's export)."""
        handed = [r for r in records if r.copy.plan.status in HANDED_IN]
        entries = await self._store.of_plans([r.copy.plan.id for r in handed])
        found = {}
        for record in handed:
            counted = tally(len(record.actions), entries.get(record.copy.plan.id, []))
            last = counted.last.astimezone(self._tz) if counted.last else None
            found[record.copy.plan.id] = replace(counted, last=last)
        return found

    async def midyear_states(
        self, campaign: Campaign | None, records: Sequence[PlanRecord]
    ) -> dict[int, MidyearCheck | None] | None:
        """Each handed-in plan's author's mid-year self-check, by plan id (the unit's export);
        None when the campaign has no self-check."""
        if self._midyear is None or campaign is None or not self._midyear.offered(campaign):
            return None
        handed = [r for r in records if r.copy.plan.status in HANDED_IN]
        checks = await self._midyear.of_people([r.copy.person.id for r in handed], campaign)
        found: dict[int, MidyearCheck | None] = {}
        for record in handed:
            check = checks.get(record.copy.person.id)
            if check is not None and check.submitted_at is not None:  # local time, as the rest
                check = replace(check, submitted_at=check.submitted_at.astimezone(self._tz))
            found[record.copy.plan.id] = check
        return found

    async def asked_since(self, now: datetime, gap_days: int) -> set[int]:
        """People sent a progress prompt in the last ``gap_days`` days."""
        return await self._store.recently_asked(now - timedelta(days=gap_days))
