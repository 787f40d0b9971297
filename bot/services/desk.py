"""The reviewer's desk: a secretary (head of unit, admin) lists plans, opens one, confirms it or
returns it with a comment typed in the chat.

Rights are checked at every step against the stored plan and the reviewer's unit: the ids in
button data only say which plan was pressed, never that the presser may touch it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, tzinfo
from typing import Protocol

from bot.domain.audit import AuditAction
from bot.domain.exemplars import ModelStatus, Nomination
from bot.domain.exemplars import may_see as may_see_model
from bot.domain.menu import Command, may_use
from bot.domain.midyear import MidyearCheck
from bot.domain.models import Person, Role
from bot.domain.pending import Pending, ReturnComment
from bot.domain.plans import Campaign, DeskRow, PlanStatus, Queue, confirmed_categories
from bot.domain.progress import Tally
from bot.services.audit import AuditService
from bot.services.plans import PlanRecord, PlanService, ReviewCopy
from bot.services.ports import Clock, DirectoryStore, PendingStore, PlanStore
from bot.services.progress import ProgressService
from bot.services.review import ReviewService, Verdict

PAGE = 8
MAX_EXPORT = 5_000  # plans per status in one export
SHOWN = (PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.CONFIRMED, PlanStatus.DRAFT)


@dataclass(frozen=True, slots=True)
class UnitExport:
    """A unit's plans for the secretary's files: a summary table and the handed-in documents."""

    unit_path: str
    rows: tuple[DeskRow, ...]
    documents: tuple[tuple[str, bytes], ...]
    records: tuple[PlanRecord, ...] = ()  # the rows' plans with dates and actions
    progress: Mapping[int, Tally] = field(default_factory=dict)  # handed-in plans, by plan id
    # Each handed-in plan's author's mid-year self-check (None: not begun), by plan id; None
    # when the campaign has no self-check.
    midyear: Mapping[int, MidyearCheck | None] | None = None
    models: tuple[ExportedModel, ...] = ()  # the year's exemplary models of the units (§2)
    year: int = 0  # an earlier campaign's year; 0: the open campaign's


@dataclass(frozen=True, slots=True)
class ExportedModel:
    """A nomination of the export's units, with its day in local time (dd/mm/yyyy)."""

    model: Nomination
    nominated_on: str


class Nominations(Protocol):
    """The exemplary models' nominations (the unit export lists the year's)."""

    async def listed(
        self, status: ModelStatus, *, unit_path: str | None = None, year: int | None = None
    ) -> Sequence[Nomination]: ...


@dataclass(frozen=True, slots=True)
class DeskRefused:
    """The viewer may not do this (or that plan is not theirs to see)."""

    viewer: Person


@dataclass(frozen=True, slots=True)
class DeskNoCampaign:
    """No campaign is open: nothing to review."""

    viewer: Person


@dataclass(frozen=True, slots=True)
class DeskStopped:
    """The comment being typed was dropped."""

    viewer: Person


@dataclass(frozen=True, slots=True)
class AskReturn:
    """ "Chắc chắn?" before the plan of ``name`` (``plan_id`` at ``rev``) is returned."""

    viewer: Person
    name: str
    plan_id: int
    rev: int


@dataclass(frozen=True, slots=True)
class AskComment:
    """Type the comment that goes back with the plan of ``name``."""

    viewer: Person
    name: str


@dataclass(frozen=True, slots=True)
class Decided:
    """The plan of ``name`` was confirmed or returned (``verdict`` says whether it went)."""

    viewer: Person
    verdict: Verdict
    confirmed: bool
    name: str


@dataclass(frozen=True, slots=True)
class DeskPlan:
    """One plan with its document; ``verdict`` says why a decision did not go through."""

    viewer: Person
    copy: ReviewCopy
    verdict: Verdict | None = None


@dataclass(frozen=True, slots=True)
class DeskList:
    """The plans of the viewer's units in one status, a page at a time."""

    viewer: Person
    rows: tuple[DeskRow, ...]
    counts: tuple[tuple[PlanStatus, int], ...]
    status: PlanStatus
    page: int
    pages: int
    past_year: int = 0  # the year before the open campaign's, when it has plans to show
    past_count: int = 0  # that year's returned plans of the viewer's units
    earlier: bool = False  # a campaign before the open one exists: "Các năm trước" is offered


@dataclass(frozen=True, slots=True)
class YearsList:
    """The earlier campaigns' years, newest first, each with the viewer's units' plans."""

    viewer: Person
    year: int  # the open campaign's
    years: tuple[tuple[int, int], ...]  # (year, plans of the viewer's queue)


@dataclass(frozen=True, slots=True)
class YearList:
    """An earlier year's plans of the viewer's units in one status, a page at a time."""

    viewer: Person
    year: int
    rows: tuple[DeskRow, ...]
    counts: tuple[tuple[PlanStatus, int], ...]
    status: PlanStatus
    page: int
    pages: int


@dataclass(frozen=True, slots=True)
class NoSuchYear:
    """``year`` is not an earlier campaign's (a forged or stale press): the ones there are."""

    viewer: Person
    year: int
    years: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class PastList:
    """Last year's plans returned and never handed in again, a page at a time."""

    viewer: Person
    rows: tuple[DeskRow, ...]
    page: int
    pages: int
    year: int
    count: int


@dataclass(frozen=True, slots=True)
class DeskExport:
    """A unit's plans for the secretary's files."""

    viewer: Person
    export: UnitExport


DeskScreen = (
    DeskRefused
    | DeskNoCampaign
    | DeskStopped
    | AskComment
    | AskReturn
    | Decided
    | DeskPlan
    | DeskList
    | PastList
    | DeskExport
    | YearsList
    | YearList
    | NoSuchYear
)
YEAR_SHOWN = (PlanStatus.CONFIRMED, PlanStatus.SUBMITTED, PlanStatus.RETURNED, PlanStatus.DRAFT)


class DeskService:
    """Lists and decisions, each behind the reviewer's rights."""

    def __init__(
        self,
        plans: PlanStore,
        plan_service: PlanService,
        review: ReviewService,
        directory: DirectoryStore,
        pending: PendingStore,
        audit: AuditService,
        clock: Clock,
        *,
        progress: ProgressService | None = None,
        models: Nominations | None = None,
        tz: tzinfo = UTC,
    ) -> None:
        self._models = models
        self._tz = tz
        self._audit = audit
        self._progress = progress
        self._plans = plans
        self._plan_service = plan_service
        self._review = review
        self._directory = directory
        self._pending = pending
        self._clock = clock

    @staticmethod
    def may_use(person: Person) -> bool:
        """Secretaries, heads of unit and admins review plans."""
        return may_use(person, Command.REVIEW)

    async def listing(self, viewer: Person, status: str = "", page: int = 0) -> DeskScreen:
        """Plans of the viewer's units (everyone's for an admin) in one status, a page at a time."""
        if not self.may_use(viewer):
            return DeskRefused(viewer)
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return DeskNoCampaign(viewer)
        chosen = PlanStatus(status) if status in set(PlanStatus) else PlanStatus.SUBMITTED
        queue = await self._review.queue(viewer)
        if queue is None:
            return DeskRefused(viewer)
        page = max(page, 0)
        # The rows and the counts are one query's over the viewer's queue: what is counted is
        # what can be listed and decided (nobody decides on their own plan).
        rows, counts = await self._queued(campaign.id, queue, chosen, page * PAGE, PAGE)
        total = counts.get(chosen, 0)
        past = await self._plans.campaign_of_year(campaign.year - 1)
        past_count = 0
        if past is not None:
            _, past_counts = await self._queued(past.id, queue, PlanStatus.RETURNED, 0, 0)
            past_count = past_counts.get(PlanStatus.RETURNED, 0)
        return DeskList(
            viewer,
            rows=tuple(rows),
            counts=tuple((s, counts.get(s, 0)) for s in SHOWN),
            status=chosen,
            page=page,
            pages=max(1, -(-total // PAGE)),
            past_year=past.year if past_count and past is not None else 0,
            past_count=past_count,
            earlier=bool(await self._earlier(campaign.year)),
        )

    async def _earlier(self, year: int) -> list[int]:
        """The years of the campaigns before ``year``'s, newest first."""
        return sorted((y for y in await self._plans.campaign_years() if y < year), reverse=True)

    async def years(self, viewer: Person) -> DeskScreen:
        """The earlier campaigns' years, each with how many plans of the viewer's units it has
        (the same queue as the open year's list: nobody counts their own)."""
        if not self.may_use(viewer):
            return DeskRefused(viewer)
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return DeskNoCampaign(viewer)
        queue = await self._review.queue(viewer)
        if queue is None:
            return DeskRefused(viewer)
        found = []
        for year in await self._earlier(campaign.year):
            earlier = await self._plans.campaign_of_year(year)
            if earlier is None:
                continue
            _, counts = await self._queued(earlier.id, queue, PlanStatus.CONFIRMED, 0, 0)
            found.append((year, sum(counts.get(s, 0) for s in YEAR_SHOWN)))
        return YearsList(viewer, campaign.year, tuple(found))

    async def _earlier_campaign(
        self, viewer: Person, year: int
    ) -> tuple[Campaign | None, DeskScreen | None]:
        """The campaign of ``year`` when it is before the open one, else the screen to show
        instead (a refusal, no campaign, or the years there are)."""
        if not self.may_use(viewer):
            return None, DeskRefused(viewer)
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return None, DeskNoCampaign(viewer)
        earlier = await self._earlier(campaign.year)
        found = await self._plans.campaign_of_year(year) if year in earlier else None
        if found is None:
            return None, NoSuchYear(viewer, year, tuple(earlier))
        return found, None

    async def year_list(
        self, viewer: Person, year: int, status: str = "", page: int = 0
    ) -> DeskScreen:
        """An earlier year's plans of the viewer's units in one status (confirmed first), a page
        at a time; its counts are that year's only."""
        earlier, instead = await self._earlier_campaign(viewer, year)
        if earlier is None:
            return instead or DeskRefused(viewer)
        queue = await self._review.queue(viewer)
        if queue is None:
            return DeskRefused(viewer)
        chosen = PlanStatus(status) if status in set(PlanStatus) else PlanStatus.CONFIRMED
        page = max(page, 0)
        rows, counts = await self._queued(earlier.id, queue, chosen, page * PAGE, PAGE)
        return YearList(
            viewer,
            year=earlier.year,
            rows=tuple(rows),
            counts=tuple((s, counts.get(s, 0)) for s in YEAR_SHOWN),
            status=chosen,
            page=page,
            pages=max(1, -(-counts.get(chosen, 0) // PAGE)),
        )

    async def past(self, viewer: Person, page: int = 0) -> DeskScreen:
        """Last year's plans of the viewer's units that were returned and never handed in again
        (opening a new campaign closes the old one; these stay within reach)."""
        if not self.may_use(viewer):
            return DeskRefused(viewer)
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return DeskNoCampaign(viewer)
        past = await self._plans.campaign_of_year(campaign.year - 1)
        if past is None:
            return await self.listing(viewer)
        queue = await self._review.queue(viewer)
        if queue is None:
            return DeskRefused(viewer)
        page = max(page, 0)
        status = PlanStatus.RETURNED
        rows, counts = await self._queued(past.id, queue, status, page * PAGE, PAGE)
        total = counts.get(status, 0)
        return PastList(
            viewer,
            rows=tuple(rows),
            page=page,
            pages=max(1, -(-total // PAGE)),
            year=past.year,
            count=total,
        )

    async def _queued(
        self, campaign_id: int, queue: Queue, status: PlanStatus, offset: int, limit: int
    ) -> tuple[list[DeskRow], dict[PlanStatus, int]]:
        """The plans of ``queue`` in ``status`` (a page of them) and the queue's counts."""
        units = sorted(queue.units) if queue.units is not None else None
        return await self._plans.desk(
            campaign_id,
            units,
            status,
            offset,
            limit,
            queue.categories,
            besides=queue.reviewer_id,
        )

    async def export(self, viewer: Person, year: int | None = None) -> DeskScreen:
        """Every plan of the viewer's units (of the open campaign, or of an earlier ``year``):
        the summary, and the DOCX of each one handed in."""
        if not self.may_use(viewer):
            return DeskRefused(viewer)
        if year is None:
            campaign = await self._plans.active_campaign()
            if campaign is None:
                return DeskNoCampaign(viewer)
        else:
            campaign, instead = await self._earlier_campaign(viewer, year)
            if campaign is None:
                return instead or DeskRefused(viewer)
        admin = viewer.has(Role.ADMIN)
        scope = None if admin else await self._directory.subtree(viewer.unit_id)
        rows: list[DeskRow] = []
        for status in SHOWN:
            found, _ = await self._plans.desk(
                campaign.id, scope, status, 0, MAX_EXPORT, confirmed_categories(viewer)
            )
            rows += found
        documents = []
        records = []
        for row in rows:
            handed_in = row.status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)
            record = await self._plan_service.record(row.plan_id, with_document=handed_in)
            if record is None:
                continue
            records.append(record)
            if record.copy.document is not None:
                document = record.copy.document
                documents.append((document.filename, document.content))
        where = "all" if admin else f"unit:{viewer.unit_id}"
        detail = str(len(rows)) if year is None else f"{len(rows)}; {campaign.year}"
        await self._audit.record(viewer, AuditAction.EXPORT, where, detail)
        unit = "" if admin else viewer.unit_path
        progress = await self._progress.tallies(records) if self._progress is not None else {}
        midyear = (
            await self._progress.midyear_states(campaign, records)
            if self._progress is not None
            else None
        )
        models = await self._exported_models(viewer, unit or None, campaign.year)
        bundle = UnitExport(
            unit,
            tuple(rows),
            tuple(documents),
            tuple(records),
            progress,
            midyear,
            models,
            year=year or 0,
        )
        return DeskExport(viewer, bundle)

    async def _exported_models(
        self, viewer: Person, unit_path: str | None, year: int
    ) -> tuple[ExportedModel, ...]:
        """The year's nominations of the units, as far as the viewer may see them (a head of
        unit sees the published ones, as a member does; a secretary those of their scope)."""
        if self._models is None:
            return ()
        found = []
        for status in (ModelStatus.APPROVED, ModelStatus.PENDING, ModelStatus.RETURNED):
            for model in await self._models.listed(status, unit_path=unit_path, year=year):
                if may_see_model(viewer, model):
                    day = model.nominated_at.astimezone(self._tz).strftime("%d/%m/%Y")
                    found.append(ExportedModel(model, day))
        return tuple(found)

    async def _copy(self, viewer: Person, plan_id: int) -> ReviewCopy | None:
        if not self.may_use(viewer):
            return None
        copy = await self._plan_service.for_review(plan_id)
        if copy is None or not await self._review.may_confirm(viewer, copy.person):
            return None
        return copy

    async def show(self, viewer: Person, plan_id: int) -> DeskScreen:
        """One plan with its document and, if it waits for a decision, the buttons."""
        copy = await self._copy(viewer, plan_id)
        if copy is None:
            return DeskRefused(viewer)
        await self._audit.record(viewer, AuditAction.VIEW_PLAN, f"plan:{plan_id}")
        return DeskPlan(viewer, copy)

    async def confirm(self, viewer: Person, plan_id: int, rev: int) -> DeskScreen:
        """Confirm the plan as it was shown (``rev``); the member is told."""
        if not self.may_use(viewer):
            return DeskRefused(viewer)
        verdict = await self._review.decide(viewer, plan_id, confirm=True, rev=rev)
        return await self._decided(viewer, plan_id, verdict, confirmed=True)

    async def ask_return(self, viewer: Person, plan_id: int, rev: int) -> DeskScreen:
        """ "Trả lại": ask "Chắc chắn?" (Có asks for the comment; Không shows the plan)."""
        copy = await self._copy(viewer, plan_id)
        if copy is None:
            return DeskRefused(viewer)
        if copy.plan.status is not PlanStatus.SUBMITTED or copy.plan.rev != rev:
            return DeskPlan(viewer, copy, Verdict.CHANGED)
        return AskReturn(viewer, copy.person.full_name, plan_id, rev)

    async def ask_comment(self, viewer: Person, plan_id: int, rev: int) -> DeskScreen:
        """Ask for the comment that goes back with a returned plan."""
        copy = await self._copy(viewer, plan_id)
        if copy is None:
            return DeskRefused(viewer)
        if copy.plan.status is not PlanStatus.SUBMITTED or copy.plan.rev != rev:
            return DeskPlan(viewer, copy, Verdict.CHANGED)
        await self._pending.set_pending(viewer.id, ReturnComment(plan_id, rev), self._clock.now())
        return AskComment(viewer, copy.person.full_name)

    async def typed(self, viewer: Person, pending: ReturnComment, text: str) -> DeskScreen | None:
        """The comment typed for the plan being returned (``pending``, read with the person);
        None when the viewer no longer reviews (the text is then taken as anything else)."""
        await self._pending.set_pending(viewer.id, None, self._clock.now())
        if not self.may_use(viewer):
            return None
        verdict = await self._review.decide(
            viewer, pending.plan_id, confirm=False, comment=text, rev=pending.rev
        )
        if verdict is Verdict.NEED_COMMENT:  # only blanks were typed: ask again
            return await self.ask_comment(viewer, pending.plan_id, pending.rev)
        return await self._decided(viewer, pending.plan_id, verdict, confirmed=False)

    async def stop(self, viewer: Person, pending: Pending | None) -> bool:
        """Forget the comment being typed (``pending``, read with the viewer); False when none
        was."""
        if not isinstance(pending, ReturnComment):
            return False
        await self._pending.set_pending(viewer.id, None, self._clock.now())
        return True

    async def _decided(
        self, viewer: Person, plan_id: int, verdict: Verdict, *, confirmed: bool
    ) -> DeskScreen:
        if verdict is Verdict.NOT_ALLOWED:
            return DeskRefused(viewer)
        copy = await self._plan_service.for_review(plan_id, with_document=False)
        name = copy.person.full_name if copy else ""
        if verdict is not Verdict.DONE and copy is not None:
            return DeskPlan(viewer, copy, verdict)
        return Decided(viewer, verdict, confirmed, name)
