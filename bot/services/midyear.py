"""The mid-year self-check: each action of the member's handed-in plan with where it stands (and
the chance to update it), then "tự đánh giá giữa kỳ", then a review and submit.

Nothing a press carries is trusted: a step or an action is a number in the presser's own
handed-in plan, read again at every press; the check is the presser's own, found by person and
campaign; a typed text is taken only while the stored pending input names that same check. The
self-check is offered only when the open campaign has it on (``Schedule.midyear_check``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from bot.domain.callbacks import MidyearCode, number
from bot.domain.midyear import (
    MAX_ANSWER,
    CheckStatus,
    MidyearCheck,
    clamp,
    question_step,
    review_step,
)
from bot.domain.models import Person
from bot.domain.pending import MidyearAnswer, MidyearNote, Pending
from bot.domain.plans import Campaign, Plan, PlanStatus
from bot.domain.progress import MAX_ACTION, MAX_NOTE, ProgressEntry, ProgressStatus, latest
from bot.domain.text import tidy
from bot.services.plans import PlanService, plan_actions
from bot.services.ports import Clock, PendingStore, PlanStore

HANDED_IN = (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)
Action = tuple[str, ...]


class MidyearStore(Protocol):
    """Where the self-checks are kept (``storage.midyear_repo``)."""

    async def of(self, person_id: int, campaign_id: int) -> MidyearCheck | None: ...

    async def create(self, *, person_id: int, campaign_id: int, now: datetime) -> MidyearCheck: ...

    async def save(
        self,
        check: MidyearCheck,
        now: datetime,
        *,
        step: int | None = None,
        answer: str | None = None,
        status: CheckStatus | None = None,
    ) -> MidyearCheck | None: ...

    async def of_people(
        self, person_ids: Sequence[int], campaign_id: int
    ) -> dict[int, MidyearCheck]: ...


class ProgressLog(Protocol):
    """The progress log: read one plan's, add an update."""

    async def of_plan(self, plan_id: int) -> list[ProgressEntry]: ...

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


@dataclass(frozen=True, slots=True)
class Off:
    """The open campaign has no mid-year self-check (or no campaign is open)."""

    person: Person


@dataclass(frozen=True, slots=True)
class NoPlan:
    """The person has no handed-in plan this year: nothing to look back on."""

    person: Person
    year: int


@dataclass(frozen=True, slots=True)
class Shown:
    """What every screen of a begun self-check carries."""

    person: Person
    campaign: Campaign
    check: MidyearCheck
    actions: tuple[Action, ...]
    latest: dict[int, ProgressEntry]


@dataclass(frozen=True, slots=True)
class ActionStep(Shown):
    """One action with where it stands; its status may be updated from here."""

    item: int = 0
    saved: ProgressEntry | None = None  # the update just recorded
    notice: str = ""


@dataclass(frozen=True, slots=True)
class AskNote(Shown):
    """A status was chosen for ``item``: a short note is asked for, or save without one."""

    item: int = 0
    status: ProgressStatus = ProgressStatus.DONE
    invalid: str = ""


@dataclass(frozen=True, slots=True)
class Question(Shown):
    """ "Tự đánh giá giữa kỳ": the answer is typed (the one so far shown)."""

    invalid: str = ""


@dataclass(frozen=True, slots=True)
class CheckReview(Shown):
    """Every action's state and the answer, with submit."""

    invalid: str = ""
    notice: str = ""


@dataclass(frozen=True, slots=True)
class Sent(Shown):
    """The self-check was sent: what it said, when; it may be taken back."""

    notice: str = ""


MidyearScreen = Off | NoPlan | ActionStep | AskNote | Question | CheckReview | Sent


@dataclass(frozen=True, slots=True)
class _Mine:
    campaign: Campaign
    plan: Plan
    actions: tuple[Action, ...]


def _item_status(arg: str) -> tuple[int, ProgressStatus] | None:
    """ "2.done" -> (2, DONE); None for anything else."""
    item_text, _, status_text = arg.partition(".")
    item = number(item_text)
    try:
        status = ProgressStatus(status_text)
    except ValueError:
        return None
    return (item, status) if item is not None else None


class MidyearService:
    """The member's self-check; every change is saved before it is shown."""

    def __init__(
        self,
        plans: PlanStore,
        plan_service: PlanService,
        store: MidyearStore,
        progress: ProgressLog,
        pending: PendingStore,
        clock: Clock,
    ) -> None:
        self._plans = plans
        self._plan_service = plan_service
        self._store = store
        self._progress = progress
        self._pending = pending
        self._clock = clock

    @staticmethod
    def offered(campaign: Campaign | None) -> bool:
        """Whether the campaign has the mid-year self-check."""
        return campaign is not None and campaign.schedule.midyear_check

    async def _mine(self, person: Person) -> _Mine | Off | NoPlan:
        campaign, plan = await self._plans.current(person.id)
        if campaign is None or not self.offered(campaign):
            return Off(person)
        if plan is None or plan.person_id != person.id or plan.status not in HANDED_IN:
            return NoPlan(person, campaign.year)
        actions = plan_actions(self._plan_service.form_of(plan), plan.draft)
        return _Mine(campaign, plan, actions)

    async def _parts(
        self, person: Person, mine: _Mine, check: MidyearCheck
    ) -> tuple[Person, Campaign, MidyearCheck, tuple[Action, ...], dict[int, ProgressEntry]]:
        entries = await self._progress.of_plan(mine.plan.id)
        return person, mine.campaign, check, mine.actions, latest(entries)

    async def _step(
        self,
        person: Person,
        mine: _Mine,
        check: MidyearCheck,
        *,
        saved: ProgressEntry | None = None,
        notice: str = "",
    ) -> MidyearScreen:
        """The screen of the check's step (asking for the answer sets the pending input)."""
        parts = await self._parts(person, mine, check)
        if check.submitted:
            return Sent(*parts, notice=notice)
        count = len(mine.actions)
        step = clamp(check.step, count)
        if step < count:
            return ActionStep(*parts, item=step, saved=saved, notice=notice)
        if step == question_step(count):
            await self._pending.set_pending(person.id, MidyearAnswer(check.id), self._clock.now())
            return Question(*parts)
        return CheckReview(*parts, notice=notice)

    async def _check(self, person: Person, mine: _Mine) -> MidyearCheck:
        found = await self._store.of(person.id, mine.campaign.id)
        if found is None:
            found = await self._store.create(
                person_id=person.id, campaign_id=mine.campaign.id, now=self._clock.now()
            )
        return found

    async def _move(
        self, person: Person, mine: _Mine, check: MidyearCheck, step: int
    ) -> MidyearScreen:
        saved = await self._store.save(check, self._clock.now(), step=step)
        return await self._step(person, mine, saved or check)

    async def open(self, person: Person) -> MidyearScreen:
        """Begun the first time (at the first action), then shown where it was left."""
        mine = await self._mine(person)
        if not isinstance(mine, _Mine):
            return mine
        return await self._step(person, mine, await self._check(person, mine))

    async def press(self, person: Person, code: MidyearCode, arg: str) -> MidyearScreen:
        """A self-check button."""
        mine = await self._mine(person)
        if not isinstance(mine, _Mine):
            return mine
        check = await self._check(person, mine)
        count = len(mine.actions)
        if code is MidyearCode.REOPEN:  # take a sent check back
            if not check.submitted:
                return await self._step(person, mine, check)
            back = await self._store.save(
                check, self._clock.now(), step=review_step(count), status=CheckStatus.DRAFT
            )
            return await self._step(person, mine, back or check)
        if check.submitted or code is MidyearCode.OPEN:
            return await self._step(person, mine, check)
        if code is MidyearCode.STEP:
            step = number(arg)
            if step is None or step > review_step(count):
                return await self._step(person, mine, check, notice="midyear.notice.stale")
            return await self._move(person, mine, check, step)
        if code in (MidyearCode.STATUS, MidyearCode.SAVE):
            chosen = _item_status(arg)
            if chosen is None or chosen[0] >= count:
                return await self._step(person, mine, check, notice="midyear.notice.stale")
            item, status = chosen
            if code is MidyearCode.SAVE:
                return await self._record(person, mine, check, item, status, "")
            note = MidyearNote(check.id, item, status.value)
            await self._pending.set_pending(person.id, note, self._clock.now())
            parts = await self._parts(person, mine, check)
            return AskNote(*parts, item=item, status=status)
        if code is MidyearCode.ANSWER:
            return await self._move(person, mine, check, question_step(count))
        if code is MidyearCode.SUBMIT:
            if not check.answer:
                parts = await self._parts(person, mine, check)
                return CheckReview(*parts, invalid="midyear.invalid.missing")
            sent = await self._store.save(
                check, self._clock.now(), step=review_step(count), status=CheckStatus.SUBMITTED
            )
            return await self._step(person, mine, sent or check)
        return await self._step(person, mine, check, notice="midyear.notice.stale")

    async def _record(
        self,
        person: Person,
        mine: _Mine,
        check: MidyearCheck,
        item: int,
        status: ProgressStatus,
        note: str,
    ) -> MidyearScreen:
        action = mine.actions[item]
        entry = await self._progress.add(
            plan_id=mine.plan.id,
            item=item,
            action=(action[0] if action else "")[:MAX_ACTION],
            status=status,
            note=note,
            picture="",
            picture_channel="",
            by_id=person.id,
            now=self._clock.now(),
        )
        moved = await self._store.save(check, self._clock.now(), step=item)
        return await self._step(person, mine, moved or check, saved=entry)

    async def typed(
        self, person: Person, pending: MidyearAnswer | MidyearNote, text: str
    ) -> MidyearScreen:
        """The note of an update, or the self-assessment, typed while asked for."""
        mine = await self._mine(person)
        if not isinstance(mine, _Mine):
            await self._pending.set_pending(person.id, None, self._clock.now())
            return mine
        check = await self._check(person, mine)
        if pending.check_id != check.id or check.submitted:
            await self._pending.set_pending(person.id, None, self._clock.now())
            return await self._step(person, mine, check, notice="midyear.notice.stale")
        value = tidy(text)
        parts = await self._parts(person, mine, check)
        if isinstance(pending, MidyearNote):
            chosen = _item_status(f"{pending.item}.{pending.status}")
            if chosen is None or chosen[0] >= len(mine.actions):
                await self._pending.set_pending(person.id, None, self._clock.now())
                return await self._step(person, mine, check, notice="midyear.notice.stale")
            item, status = chosen
            if not value or len(value) > MAX_NOTE:
                invalid = "progress.invalid.empty" if not value else "progress.invalid.long"
                return AskNote(*parts, item=item, status=status, invalid=invalid)
            await self._pending.set_pending(person.id, None, self._clock.now())
            return await self._record(person, mine, check, item, status, value)
        if not value:
            return Question(*parts, invalid="midyear.invalid.empty")
        if len(value) > MAX_ANSWER:
            return Question(*parts, invalid="midyear.invalid.long")
        await self._pending.set_pending(person.id, None, self._clock.now())
        saved = await self._store.save(
            check, self._clock.now(), step=review_step(len(mine.actions)), answer=value
        )
        return await self._step(person, mine, saved or check)

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while a note or the answer was asked for: nothing is taken; False when none
        was. The check stays at its step."""
        if not isinstance(pending, MidyearAnswer | MidyearNote):
            return False
        await self._pending.set_pending(person.id, None, self._clock.now())
        return True

    # ------------------------------------------------------------------ for the secretary
    async def of_people(
        self, person_ids: Sequence[int], campaign: Campaign
    ) -> dict[int, MidyearCheck]:
        """The self-checks of these people for ``campaign`` (none when it has no self-check)."""
        if not self.offered(campaign):
            return {}
        return await self._store.of_people(person_ids, campaign.id)

    async def answer_of(self, person_id: int, campaign: Campaign) -> MidyearCheck | None:
        """The person's sent self-check of ``campaign``, if any (the year-end draft uses it)."""
        found = await self._store.of(person_id, campaign.id)
        return found if found is not None and found.submitted else None
