"""The year-end review draft: the member's "Việc thực hiện cam kết tu dưỡng, rèn luyện, phấn đấu
hằng năm", drafted from the handed-in plan, its progress log and the meetings attended, then
reviewed, edited and submitted in the form engine, and rendered as a DOCX.

The draft is a second plan-like document per person and campaign (its own table, its own form
``kiem_diem`` in ``bot/forms/``, versioned and archived like the plan forms). It is offered once
the plan is handed in, at any time of the year: a member may prepare it early.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.domain import engine as e
from bot.domain.callbacks import PlanCode
from bot.domain.meetings import Meeting, held_day, is_held
from bot.domain.menu import Command, may_use
from bot.domain.midyear import MidyearCheck
from bot.domain.models import Person
from bot.domain.plan_actions import Action, apply, step_actions
from bot.domain.plans import Campaign, Plan, PlanStatus
from bot.domain.progress import ProgressEntry, latest, tally
from bot.locales import Catalog
from bot.services.plan_screens import Asking, HandedIn, NoCampaign, Review
from bot.services.plans import PlanScreen, PlanService, plan_actions, prefill
from bot.services.ports import Clock, DirectoryStore, DocumentRenderer, PlanStore
from bot.services.replies import Attachment

FORM_ID = "kiem_diem"
HANDED_IN = (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)


class YearReviewStore(Protocol):
    """Where the drafts are kept (``storage.yearend_repo``)."""

    async def of(self, person_id: int, campaign_id: int) -> Plan | None: ...

    async def create(
        self,
        *,
        person_id: int,
        campaign_id: int,
        form_id: str,
        form_version: int,
        draft: e.Draft,
        now: datetime,
    ) -> Plan: ...

    async def save(
        self, review: Plan, draft: e.Draft, now: datetime, status: PlanStatus | None = None
    ) -> Plan | None: ...

    async def of_people(self, person_ids: Sequence[int], campaign_id: int) -> dict[int, Plan]: ...


class ProgressLog(Protocol):
    """The progress log, read."""

    async def of_plans(self, plan_ids: Sequence[int]) -> dict[int, list[ProgressEntry]]: ...


class MidyearLog(Protocol):
    """The mid-year self-checks, read."""

    async def answer_of(self, person_id: int, campaign: Campaign) -> MidyearCheck | None: ...


class MeetingLog(Protocol):
    """The units' meetings, read."""

    async def of_units(self, unit_ids: Sequence[int], since: datetime) -> list[Meeting]: ...


@dataclass(frozen=True, slots=True)
class NoPlanYet:
    """The plan is not handed in: nothing to draft the review from."""

    person: Person
    year: int


@dataclass(frozen=True, slots=True)
class SummaryLine:
    """One member in the secretary's cell summary."""

    person_id: int
    name: str
    plan: str  # a key of ``yearend.plan_status``
    actions: int
    done: int
    attended: int
    held: int
    draft: str  # a key of ``yearend.draft_status``


@dataclass(frozen=True, slots=True)
class CellSummary:
    """Per member of the viewer's units: plan status, actions done, meetings, the draft."""

    viewer: Person
    year: int
    lines: tuple[SummaryLine, ...]


YearScreen = PlanScreen | NoPlanYet


@dataclass(frozen=True, slots=True)
class _Attendance:
    held: list[Meeting]
    attended: list[Meeting]


class YearEndService:
    """Runs the engine against the stored review drafts; every change is saved before shown."""

    def __init__(
        self,
        plans: PlanService,
        plan_store: PlanStore,
        reviews: YearReviewStore,
        progress: ProgressLog,
        meetings: MeetingLog,
        directory: DirectoryStore,
        render: DocumentRenderer,
        catalog: Catalog,
        clock: Clock,
        tz: ZoneInfo,
        midyear: MidyearLog | None = None,
    ) -> None:
        self._midyear = midyear
        self._plans = plans
        self._plan_store = plan_store
        self._reviews = reviews
        self._progress = progress
        self._meetings = meetings
        self._directory = directory
        self._render = render
        self._c = catalog
        self._clock = clock
        self._tz = tz

    # ------------------------------------------------------------------------- drafting
    async def _attendance(self, person: Person, year: int) -> _Attendance:
        since = datetime.combine(date(year, 1, 1), time(), self._tz)
        found = await self._meetings.of_units([person.unit_id], since)
        held = [m for m in found if is_held(m) and held_day(m, self._tz).year == year]
        attended = [
            m for m in held if m.record is not None and person.id not in m.record.absent_ids
        ]
        return _Attendance(held, attended)

    def _day(self, moment: datetime) -> str:
        return moment.astimezone(self._tz).strftime("%d/%m/%Y")

    def compose(
        self,
        year: int,
        actions: Sequence[tuple[str, ...]],
        entries: Sequence[ProgressEntry],
        attendance: _Attendance,
        midyear: MidyearCheck | None = None,
    ) -> str:
        """The commitment part, drafted: every action with where it stands, then the meetings."""
        counted = tally(len(actions), entries)
        now = latest(e for e in entries if 0 <= e.item < len(actions))
        lines = [
            self._c.plain(
                "yearend.intro",
                year=year,
                actions=counted.actions,
                done=counted.done,
                doing=counted.doing,
                todo=counted.todo,
            )
        ]
        for index, fields in enumerate(actions):
            text = fields[0] if fields else ""  # the action itself (as the progress log names it)
            entry = now.get(index)
            if entry is None:
                lines.append(
                    self._c.plain(
                        "yearend.action",
                        action=text,
                        status=self._c.plain("progress.status.todo"),
                    )
                )
                continue
            status = self._c.plain(f"progress.status.{entry.status.value}")
            key = "yearend.action_note" if entry.note else "yearend.action_dated"
            lines.append(
                self._c.plain(
                    key, action=text, status=status, day=self._day(entry.at), note=entry.note
                )
            )
        if not attendance.held:
            lines.append(self._c.plain("yearend.no_meetings"))
        else:
            lines.append(
                self._c.plain(
                    "yearend.meetings",
                    attended=len(attendance.attended),
                    held=len(attendance.held),
                )
            )
            for meeting in attendance.attended:
                lines.append(
                    self._c.plain(
                        "yearend.meeting",
                        day=held_day(meeting, self._tz).strftime("%d/%m/%Y"),
                        kind=self._c.plain(f"label.meeting.{meeting.kind.value}"),
                        topic=f" — {meeting.topic}" if meeting.topic else "",
                    )
                )
            missed = [m for m in attendance.held if m not in attendance.attended]
            if missed:
                days = ", ".join(held_day(m, self._tz).strftime("%d/%m/%Y") for m in missed)
                lines.append(self._c.plain("yearend.absent", count=len(missed), days=days))
        if midyear is not None and midyear.answer:  # what the member said of it at mid-year
            day = self._day(midyear.submitted_at) if midyear.submitted_at else ""
            lines.append(self._c.plain("midyear.yearend", day=day, answer=midyear.answer))
        return "\n".join(lines)[:6000]

    async def _begin(self, person: Person, campaign: Campaign, plan: Plan) -> Plan:
        form = self._plans.form(FORM_ID)
        entries = (await self._progress.of_plans([plan.id])).get(plan.id, [])
        actions = plan_actions(self._plans.form_of(plan), plan.draft)
        attendance = await self._attendance(person, campaign.year)
        midyear = (
            await self._midyear.answer_of(person.id, campaign)
            if self._midyear is not None
            else None
        )
        draft = e.start(form, prefill(person))
        answers = dict(draft.answers)
        answers["commitment"] = self.compose(campaign.year, actions, entries, attendance, midyear)
        shortcomings = str(plan.draft.answers.get("shortcomings", "")).strip()
        if shortcomings:
            answers["shortcomings"] = shortcomings[:3000]
        draft = e.to_review(replace(draft, answers=answers))
        return await self._reviews.create(
            person_id=person.id,
            campaign_id=campaign.id,
            form_id=form.id,
            form_version=form.version,
            draft=draft,
            now=self._clock.now(),
        )

    # ------------------------------------------------------------------------- screens
    def _screen(
        self,
        person: Person,
        campaign: Campaign,
        review: Plan,
        *,
        notice: str = "",
        invalid: e.Invalid | None = None,
        missing: tuple[str, ...] = (),
        document: Attachment | None = None,
    ) -> PlanScreen:
        form = self._plans.form_of(review)
        if not review.editable:
            return HandedIn(person, campaign, review, form, (), notice, invalid, missing, document)
        actions = tuple(step_actions(form, review.draft))
        kind = Review if e.at(review.draft).place is e.Place.REVIEW else Asking
        return kind(person, campaign, review, form, actions, notice, invalid, missing, document)

    async def _mine(self, person: Person) -> tuple[Campaign, Plan | None, Plan | None] | None:
        campaign, plan = await self._plan_store.current(person.id)
        if campaign is None:
            return None
        if plan is None or plan.status not in HANDED_IN:
            return campaign, None, None
        return campaign, plan, await self._reviews.of(person.id, campaign.id)

    async def open(self, person: Person) -> YearScreen:
        """The draft: begun (pre-filled) the first time, then shown where the member left it."""
        mine = await self._mine(person)
        if mine is None:
            return NoCampaign(person)
        campaign, plan, review = mine
        if plan is None:
            return NoPlanYet(person, campaign.year)
        if review is None:
            review = await self._begin(person, campaign, plan)
        return self._screen(person, campaign, review)

    async def text(self, person: Person, text: str) -> YearScreen | None:
        """Typed text while the draft is open for an answer; None when it takes none."""
        mine = await self._mine(person)
        if mine is None:
            return None
        campaign, _, review = mine
        if review is None or not review.editable:
            return None
        form = self._plans.form_of(review)
        if not e.takes_text(form, review.draft):
            return None
        return await self._apply(person, campaign, review, e.answer(form, review.draft, text))

    async def act(self, person: Person, rev: int, code: PlanCode, arg: str) -> YearScreen:
        """A button of the draft; ``rev`` tells a stale button from a current one."""
        mine = await self._mine(person)
        if mine is None:
            return NoCampaign(person)
        campaign, plan, review = mine
        if plan is None:
            return NoPlanYet(person, campaign.year)
        if review is None:
            return await self.open(person)
        if code is PlanCode.DOCUMENT:
            return self._screen(
                person, campaign, review, document=await self._document(person, campaign, review)
            )
        if rev != review.rev:
            return self._screen(person, campaign, review, notice="plan.notice.stale")
        if code is PlanCode.REOPEN:
            return await self._reopen(person, campaign, review)
        if not review.editable:
            return self._screen(person, campaign, review)
        form = self._plans.form_of(review)
        if code is PlanCode.SUBMIT:
            gaps = e.missing(form, review.draft.answers)
            if gaps:
                labels = tuple(form.item(key).label for key in gaps)
                return self._screen(
                    person, campaign, review, invalid=e.Invalid("missing"), missing=labels
                )
            saved = await self._reviews.save(
                review, e.to_review(review.draft), self._clock.now(), PlanStatus.SUBMITTED
            )
            if saved is None:
                return await self._stale(person, campaign, review)
            return self._screen(person, campaign, saved)
        result = apply(form, review.draft, Action(code, "", arg))
        return await self._apply(person, campaign, review, result)

    async def _reopen(self, person: Person, campaign: Campaign, review: Plan) -> PlanScreen:
        """Take a sent draft back to change it, as a plan is, until the secretary confirms it
        (a confirmed one stays as it is)."""
        if review.status is not PlanStatus.SUBMITTED:
            return self._screen(person, campaign, review)
        saved = await self._reviews.save(
            review, e.to_review(review.draft), self._clock.now(), PlanStatus.DRAFT
        )
        if saved is None:
            return await self._stale(person, campaign, review)
        return self._screen(person, campaign, saved, notice="yearend_reopen.reopened")

    async def stop(self, person: Person) -> bool:
        """/huy while the draft asks an answer: the typing is dropped, the draft goes back to its
        review (so later text is not taken as an answer); False when it asks none."""
        mine = await self._mine(person)
        review = mine[2] if mine is not None else None
        if review is None or not review.editable or e.at(review.draft).place is e.Place.REVIEW:
            return False
        await self._reviews.save(review, e.to_review(review.draft), self._clock.now())
        return True

    async def _stale(self, person: Person, campaign: Campaign, review: Plan) -> PlanScreen:
        fresh = await self._reviews.of(person.id, campaign.id) or review
        return self._screen(person, campaign, fresh, notice="plan.notice.stale")

    async def _apply(
        self, person: Person, campaign: Campaign, review: Plan, result: e.Result
    ) -> PlanScreen:
        if isinstance(result, e.Invalid):
            return self._screen(person, campaign, review, invalid=result)
        saved = await self._reviews.save(review, result, self._clock.now())
        if saved is None:
            return await self._stale(person, campaign, review)
        return self._screen(person, campaign, saved)

    async def _document(self, person: Person, campaign: Campaign, review: Plan) -> Attachment:
        render = functools.partial(
            self._render,
            self._plans.form_of(review),
            campaign,
            person,
            review,
            self._clock.now(),
            None,
        )
        content = await asyncio.get_running_loop().run_in_executor(None, render)
        name = self._c.plain("yearend.file", code=person.code.lower(), year=campaign.year)
        return Attachment(name, content)

    async def document(self, person: Person) -> Attachment | None:
        """The draft as a DOCX (to paste into, or print with, the official review form)."""
        mine = await self._mine(person)
        if mine is None or mine[2] is None:
            return None
        return await self._document(person, mine[0], mine[2])

    # ------------------------------------------------------------------------- the cell
    @staticmethod
    def may_see_cell(person: Person) -> bool:
        """Secretaries, heads of unit and admins see their units' summary."""
        return may_use(person, Command.REVIEW)

    async def cell(self, viewer: Person) -> CellSummary | None:
        """Per member of the viewer's units (all units for an admin, the open campaign):
        plan status, actions done, meetings attended, the draft's status; None when refused
        or no campaign is open."""
        if not self.may_see_cell(viewer):
            return None
        campaign = await self._plan_store.active_campaign()
        if campaign is None:
            return None
        scope = await self._directory.subtree(viewer.unit_id)
        members = await self._directory.members(scope)
        people = [m.person for m in members]
        reviews = await self._reviews.of_people([p.id for p in people], campaign.id)
        # A few queries for the whole scope, not one per member (bench/yearend_cell.py).
        plans = await self._plan_store.plans_of([p.id for p in people], campaign.id)
        handed = [plan for plan in plans.values() if plan.status in HANDED_IN]
        entries = await self._progress.of_plans([plan.id for plan in handed])
        since = datetime.combine(date(campaign.year, 1, 1), time(), self._tz)
        held_in: dict[int, list[Meeting]] = {}
        for m in await self._meetings.of_units(sorted({p.unit_id for p in people}), since):
            if is_held(m) and held_day(m, self._tz).year == campaign.year:
                held_in.setdefault(m.unit_id, []).append(m)
        lines = []
        for person in people:
            plan = plans.get(person.id)
            actions, done = 0, 0
            if plan is not None and plan.status in HANDED_IN:
                actions = len(plan_actions(self._plans.form_of(plan), plan.draft))
                done = tally(actions, entries.get(plan.id, [])).done
            held = held_in.get(person.unit_id, [])
            attended = [m for m in held if m.record and person.id not in m.record.absent_ids]
            review = reviews.get(person.id)
            lines.append(
                SummaryLine(
                    person.id,
                    person.full_name,
                    plan.status.value if plan is not None else "none",
                    actions,
                    done,
                    len(attended),
                    len(held),
                    review.status.value if review is not None else "none",
                )
            )
        return CellSummary(viewer, campaign.year, tuple(lines))

    def summary_text(self, summary: CellSummary, unit: str) -> str:
        """The summary as lines of text (Vietnamese), for the chat or the console."""
        lines = [self._c.plain("yearend.summary.title", year=summary.year, unit=unit)]
        for line in summary.lines:
            lines.append(
                self._c.plain(
                    "yearend.summary.line",
                    name=line.name,
                    plan=self._c.plain(f"yearend.plan_status.{line.plan}"),
                    done=line.done,
                    actions=line.actions,
                    attended=line.attended,
                    held=line.held,
                    draft=self._c.plain(f"yearend.draft_status.{line.draft}"),
                )
            )
        if not summary.lines:
            lines.append(self._c.plain("yearend.summary.none"))
        return "\n".join(lines)
