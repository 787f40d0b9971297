"""The personal plan conversation: open, answer, act on buttons, submit, reopen, review."""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from bot.domain import engine as e
from bot.domain.callbacks import PlanCode
from bot.domain.forms import FormDef, Group
from bot.domain.models import Category, Channel, Person, Role
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import Notice, PlanDocument
from bot.domain.pending import Pending
from bot.domain.plan_actions import (
    VOLUNTARY,
    Action,
    apply,
    review_button,
    status_actions,
    step_actions,
)
from bot.domain.plans import (
    CONFIRMED_BY,
    DEFAULT_FORMS,
    Campaign,
    Duty,
    Plan,
    PlanStatus,
    changed_keys,
    duty_of,
    may_reopen,
)
from bot.domain.progress import LAST_YEAR_QUESTIONS
from bot.domain.schedule import Schedule
from bot.domain.text import fold, tidy
from bot.forms import REVIEW_FORMS
from bot.services.plan_screens import (
    Asking,
    Exempt,
    HandedIn,
    NoCampaign,
    Receipt,
    Review,
)
from bot.services.plan_screens import (
    PlanScreen as PlanScreen,  # the handlers name it from here
)
from bot.services.ports import (
    AccountStore,
    Clock,
    DirectoryStore,
    DocumentRenderer,
    PlanStore,
    UnitOfWork,
    Units,
)
from bot.services.replies import Attachment


class FormVersionConflict(ValueError):
    """A form file's content changed but its version did not: plans would change under people."""


Current = tuple[Campaign | None, Plan | None]


@dataclass(frozen=True, slots=True)
class ReviewCopy:
    """What a reviewer sees of a plan."""

    person: Person
    campaign: Campaign
    plan: Plan
    form: FormDef
    document: Attachment | None


@dataclass(frozen=True, slots=True)
class PlanRecord:
    """What a unit's export lists of one plan; times are local."""

    copy: ReviewCopy
    submitted_at: datetime | None
    confirmed_at: datetime | None
    confirmed_by: str  # "" when not confirmed (or the confirmer was erased)
    actions: tuple[tuple[str, ...], ...]  # each concrete action's answers, in the form's order


def plan_actions(form: FormDef, draft: e.Draft) -> tuple[tuple[str, ...], ...]:
    """Every item of the form's lists (the concrete actions), its fields in the form's order."""
    found: list[tuple[str, ...]] = []
    for item in form.items():
        if isinstance(item, Group):
            for answer in e.group_items(draft.answers, item):
                found.append(tuple(answer.get(f.key, "") for f in item.fields))
    return tuple(found)


@dataclass(frozen=True, slots=True)
class Visit:
    """What one update needs to know, read at once: the person, what they are in the middle of
    typing, the campaign and their plan."""

    person: Person | None
    current: Current
    pending: Pending | None = None


def prefill(person: Person) -> dict[str, str]:
    """Identity values the roster already knows."""
    path = person.unit_path.split(" / ")
    return {
        "full_name": person.full_name,
        "birth_date": person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        "birth_year": str(person.birth_date.year) if person.birth_date else "",
        "unit": path[-1],
        "parent_unit": path[-2] if len(path) > 1 else "",
        "party_position": person.party_position,
        "gov_position": person.gov_position,
        "union_position": person.union_position,
        "workplace": person.workplace,
    }


class PlanService:
    """Runs the form engine against stored plans; every change is saved before it is shown."""

    def __init__(
        self,
        plans: PlanStore,
        units: Units,
        directory: DirectoryStore,
        people: AccountStore,
        forms: Mapping[str, FormDef],
        render: DocumentRenderer,
        clock: Clock,
        tz: ZoneInfo,
        *,
        done_word: str,
    ) -> None:
        """``done_word`` (from the catalog), typed alone, closes a long answer like the button."""
        self._plans = plans
        self._units = units
        self._directory = directory
        self._people = people
        self._forms = forms
        self._render = render
        self._clock = clock
        self._tz = tz
        self._done_word = fold(done_word)
        self._versions: dict[tuple[str, int], FormDef] = {}
        # One thread renders documents: it runs under the GIL anyway, so more threads add no
        # speed, only one glibc malloc arena each (a burst of submissions doubled the RSS).
        self._renderer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="docx")

    def _today(self) -> date:
        return self._clock.now().astimezone(self._tz).date()

    async def _current(self, person: Person, known: Current | None = None) -> Current:
        return known if known is not None else await self._plans.current(person.id)

    async def visit(self, channel: Channel, user_id: str) -> Visit:
        """Who writes, the open campaign and their plan in it: one query for each update."""
        person, pending, campaign, plan = await self._plans.visit(channel, user_id)
        return Visit(person, (campaign, plan), pending)

    async def register_forms(self) -> None:
        """At start: archive the loaded forms and load every older version plans were written in.

        Raises FormVersionConflict when a form file changed without a new ``version``.
        """
        loaded = {(f.id, f.version): f.model_dump_json() for f in self._forms.values()}
        conflicts = await self._plans.register_forms(loaded, self._clock.now())
        if conflicts:
            raise FormVersionConflict(", ".join(conflicts))
        stored = await self._plans.form_versions()
        self._versions = {key: FormDef.model_validate_json(text) for key, text in stored.items()}

    def _form(self, plan: Plan) -> FormDef:
        """The form exactly as the plan was written against (its own version)."""
        return self._versions.get((plan.form_id, plan.form_version)) or self._forms[plan.form_id]

    def form_of(self, plan: Plan) -> FormDef:
        """The form exactly as ``plan`` was written against (its own version)."""
        return self._form(plan)

    def form(self, form_id: str) -> FormDef:
        """A loaded form definition by id."""
        return self._forms[form_id]

    def screen(
        self,
        person: Person,
        campaign: Campaign,
        plan: Plan,
        *,
        notice: str = "",
        invalid: e.Invalid | None = None,
        missing: tuple[str, ...] = (),
        document: Attachment | None = None,
        piece: bool = False,
    ) -> PlanScreen:
        """The screen for the plan as it stands (``piece``: a piece of a long answer was kept)."""
        form = self._form(plan)
        if not plan.editable:
            reopen = may_reopen(plan, campaign, self._today())
            actions = tuple(status_actions(plan, reopen))
            return HandedIn(
                person, campaign, plan, form, actions, notice, invalid, missing, document
            )
        actions = tuple(step_actions(form, plan.draft))
        if piece:
            return Receipt(person, plan, actions)
        kind = Review if e.at(plan.draft).place is e.Place.REVIEW else Asking
        return kind(person, campaign, plan, form, actions, notice, invalid, missing, document)

    async def with_proxy(self, screen: PlanScreen) -> PlanScreen:
        """``screen`` with the name of whoever typed part of the plan for its owner, when the
        owner looks at a plan they can still change (so they review it before sending)."""
        if not isinstance(screen, Asking | Review) or screen.actor is not None:
            return screen
        draft = screen.plan.draft
        if not draft.proxied or draft.proxy_by is None:
            return screen
        proxy = await self._people.person(draft.proxy_by)
        name = proxy.full_name if proxy is not None else ""
        return replace(screen, by_proxy=True, proxy_name=name)

    async def with_last_year(self, screen: PlanScreen) -> PlanScreen:
        """``screen`` with last year's answer to its question as a suggestion, when it asks one
        of ``LAST_YEAR_QUESTIONS``, is not answered yet, and last year's plan was handed in."""
        if not isinstance(screen, Asking) or e.at(screen.plan.draft).place is not e.Place.QUESTION:
            return screen
        question = e.question_at(screen.form, screen.plan.draft.position)
        if question is None or question.key not in LAST_YEAR_QUESTIONS:
            return screen
        if e.current_value(screen.form, screen.plan.draft) or screen.plan.draft.buffer:
            return screen
        past = await self._plans.campaign_of_year(screen.campaign.year - 1)
        last = await self._plans.plan_of(screen.person.id, past.id) if past else None
        if last is None or last.status not in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED):
            return screen
        answer = str(last.draft.answers.get(question.key, "")).strip()
        return replace(screen, suggestion=answer) if answer else screen

    async def campaign(self) -> Campaign | None:
        """The campaign now open."""
        return await self._plans.active_campaign()

    async def campaign_year(self) -> int | None:
        """The open campaign's year, if one is open."""
        campaign = await self.campaign()
        return campaign.year if campaign is not None else None

    async def duty(self, person: Person) -> tuple[Duty, Campaign, Plan | None] | None:
        """What ``person`` has to do about their plan now; None while no campaign is open."""
        campaign, plan = await self._current(person)
        if campaign is None:
            return None
        return duty_of(person, plan, campaign, self._today()), campaign, plan

    async def set_campaign(
        self,
        *,
        year: int,
        title: str,
        deadline: date,
        place: str,
        forms: Mapping[Category, str] | None = None,
        schedule: Schedule | None = None,
    ) -> Campaign:
        """Open (or change) the campaign of ``year``; every form it names must exist."""
        chosen = dict(DEFAULT_FORMS) | dict(forms or {})
        unknown = sorted(set(chosen.values()) - set(self._forms))
        if unknown:
            raise ValueError(f"unknown forms: {unknown}")
        not_plans = sorted(set(chosen.values()) & REVIEW_FORMS)
        if not_plans:
            raise ValueError(f"not plan forms: {not_plans}")
        return await self._plans.set_campaign(
            year=year,
            title=tidy(title),  # printed in every document: scrubbed like any typed text
            deadline=deadline,
            place=tidy(place),
            forms=chosen,
            now=self._clock.now(),
            schedule=schedule,
        )

    # ------------------------------------------------------------------------- entry points
    async def open(self, person: Person) -> PlanScreen:
        """ "Kế hoạch của tôi": start, resume where the member was, or show the handed-in plan."""
        campaign, plan = await self._current(person)
        if campaign is None:
            return NoCampaign(person)
        if plan is None:
            if person.is_exempt:
                return Exempt(person, (VOLUNTARY,))
            plan = await self._start(person, campaign, voluntary=False)
        elif plan.draft.paused:
            plan = await self._save(plan, replace(plan.draft, paused=False)) or plan
        return self.screen(person, campaign, plan)

    async def _start(self, person: Person, campaign: Campaign, voluntary: bool) -> Plan:
        form = self._forms[campaign.form_for(person)]
        return await self._plans.create_plan(
            person_id=person.id,
            campaign_id=campaign.id,
            form_id=form.id,
            form_version=form.version,
            draft=e.start(form, prefill(person)),
            voluntary=voluntary,
            now=self._clock.now(),
        )

    async def _save(self, plan: Plan, draft: e.Draft) -> Plan | None:
        return await self._plans.save_draft(plan, draft, self._clock.now())

    async def pause(self, person: Person) -> bool:
        """/huy: keep the draft, stop taking typed text as answers; True if a form was open."""
        campaign, plan = await self._current(person)
        if campaign is None or plan is None or not plan.editable or plan.draft.paused:
            return False
        await self._save(plan, replace(plan.draft, paused=True))
        return True

    async def text(
        self,
        person: Person,
        text: str,
        known: Current | None = None,
        actor: Person | None = None,
        source: str = "",
    ) -> PlanScreen | None:
        """Typed text while the form is open; None when the member is not filling a form.

        ``actor`` is who typed it when not ``person`` (a secretary filling by proxy); ``source``
        ("chat:message") lets a message Telegram delivers twice be taken once.
        """
        campaign, plan = await self._current(person, known)
        if campaign is None or plan is None or not plan.editable or plan.draft.paused:
            return None
        if source and e.seen(plan.draft.last_input, source):
            return self.screen(person, campaign, plan)
        form = self._form(plan)
        actions = step_actions(form, plan.draft)
        question = e.question_at(form, plan.draft.position)
        if question is not None and question.kind == "long_text" and fold(text) == self._done_word:
            finished = e.finish_long(form, plan.draft)
            return await self._apply(person, campaign, plan, finished, source, actor)
        if e.takes_text(form, plan.draft):
            answered = e.answer(form, plan.draft, text)
            return await self._apply(person, campaign, plan, answered, source, actor)
        chosen = text.strip()
        if chosen.isascii() and chosen.isdigit() and 1 <= int(chosen) <= len(actions):
            action = actions[int(chosen) - 1]
            return await self.act(
                person,
                plan.rev,
                action.code,
                action.arg,
                (campaign, plan),
                actor=actor,
                source=source,
            )
        return self.screen(person, campaign, plan, invalid=e.Invalid("use_buttons"))

    async def not_text(self, person: Person) -> PlanScreen | None:
        """A photo, sticker or file while the form is open: the same step, asked again."""
        campaign, plan = await self._current(person)
        if campaign is None or plan is None or not plan.editable or plan.draft.paused:
            return None
        return self.screen(person, campaign, plan, invalid=e.Invalid("not_text"))

    async def act(
        self,
        person: Person,
        rev: int,
        code: PlanCode,
        arg: str,
        known: Current | None = None,
        actor: Person | None = None,
        source: str = "",
    ) -> PlanScreen:
        """A button press (or a typed number); ``rev`` tells a stale button from a current one.
        ``source`` ("chat:message", a typed number's) is kept with the step it took, so the
        message delivered again is seen as taken, not as the next question's answer."""
        campaign, plan = await self._current(person, known)
        if campaign is None:
            return NoCampaign(person)
        if plan is None:
            if code is PlanCode.VOLUNTARY:
                plan = await self._start(person, campaign, voluntary=True)
                return self.screen(person, campaign, plan)
            return await self.open(person)
        if code is PlanCode.DOCUMENT:
            return await self.document(person)
        if code is PlanCode.RESUME:
            return await self.open(person)
        if rev != plan.rev:
            return self.screen(person, campaign, plan, notice="plan.notice.stale")
        if code is PlanCode.SUBMIT:
            return await self._submit(person, campaign, plan, actor or person)
        if code is PlanCode.REOPEN:
            return await self._reopen(person, campaign, plan, actor or person)
        if not plan.editable:
            return self.screen(person, campaign, plan)
        return await self._apply(
            person,
            campaign,
            plan,
            apply(self._form(plan), plan.draft, Action(code, "", arg)),
            source,
            actor=actor,
        )

    async def _apply(
        self,
        person: Person,
        campaign: Campaign,
        plan: Plan,
        result: e.Result,
        source: str = "",
        actor: Person | None = None,
    ) -> PlanScreen:
        if isinstance(result, e.Invalid):
            return self.screen(person, campaign, plan, invalid=result)
        result = replace(result, last_input=source or plan.draft.last_input)
        proxy = actor.id if actor is not None and actor.id != person.id else None
        result = e.entered_by(plan.draft, result, proxy)  # who typed which answer
        saved = await self._save(plan, result)
        if saved is None:  # changed meanwhile (another device): show what is stored now
            fresh = await self._plans.plan(plan.id) or plan
            return self.screen(person, campaign, fresh, notice="plan.notice.stale")
        piece = bool(result.buffer) and result.buffer != plan.draft.buffer
        return self.screen(person, campaign, saved, piece=piece)

    # ------------------------------------------------------------------------- lifecycle
    async def _submit(
        self, person: Person, campaign: Campaign, plan: Plan, actor: Person
    ) -> PlanScreen:
        form = self._form(plan)
        if not plan.editable:
            return self.screen(person, campaign, plan)
        gaps = e.missing(form, plan.draft.answers)
        if gaps:
            labels = tuple(form.item(key).label for key in gaps)
            draft = e.to_review(plan.draft)
            saved = await self._save(plan, draft) if draft != plan.draft else plan
            return self.screen(
                person, campaign, saved or plan, invalid=e.Invalid("missing"), missing=labels
            )
        before = await self._plans.last_submission(plan.id)
        answers = dict(plan.draft.answers)
        late = campaign.is_late(self._today())
        event = "resubmitted" if before else "submitted"
        detail: dict[str, Any] = {
            "answers": answers,
            "changed": changed_keys(before, answers),
            "late": late,
        }
        if actor.id != person.id:
            detail["proxy"] = {"id": actor.id, "name": actor.full_name}
        template = "notify.submitted_late" if late else "notify.submitted"
        notify = await self._notices(person, plan, form, template, {}, skip=actor.id)
        # The DOCX follows through the outbox (first in line): building it takes ~20 ms of CPU,
        # which should not hold up the replies of everyone else submitting at the same moment.
        notify.append(
            OutboxMessage(
                key=f"plan:{plan.id}:{plan.rev}:document",
                person_id=actor.id,  # whoever typed it gets the copy to print and sign
                payload=PlanDocument(
                    template="notify.document", params={"form": form.name}, document_plan=plan.id
                ),
                priority=Priority.URGENT,
            )
        )
        now = self._clock.now()

        def work(unit: UnitOfWork) -> Plan | None:
            saved = unit.change_status(
                plan,
                status=PlanStatus.SUBMITTED,
                draft=replace(e.to_review(plan.draft), paused=False),
                now=now,
                actor_id=actor.id,
                event=event,
                detail=detail,
                late=late,
            )
            if saved is not None:
                unit.enqueue(notify, now)
            return saved

        saved = await self._units.run(work)
        if saved is None:
            return self.screen(
                person,
                campaign,
                await self._plans.plan(plan.id) or plan,
                notice="plan.notice.stale",
            )
        notice = "plan.notice.submitted_late" if late else "plan.notice.submitted"
        return self.screen(person, campaign, saved, notice=notice)

    async def _notices(
        self,
        person: Person,
        plan: Plan,
        form: FormDef,
        template: str,
        params: Mapping[str, Any],
        skip: int | None = None,
    ) -> list[OutboxMessage]:
        # Those who confirm the plan are told (the nearest holders of that role): never someone
        # whose role does not confirm this form, who would find nothing to do in /duyet. A
        # secretary's own plan is not in their own queue: the committee above is told. With no
        # such holder up the person's units, the admins are told: they may confirm any plan, and
        # a plan nobody hears of would wait unseen.
        skipped = (person.id, skip)
        role = CONFIRMED_BY[person.category]
        reviewers = await self._directory.holders(person.unit_id, role)
        if not [r for r in reviewers if r.id not in skipped]:
            above = await self._directory.ancestors(person.unit_id)
            reviewers = await self._directory.holders(above[0], role) if above else []
        if not [r for r in reviewers if r.id not in skipped]:
            reviewers = await self._directory.all_holders(Role.ADMIN)
        payload = Notice(
            template=template,
            params={
                "name": person.full_name,
                "unit": person.unit_path,
                "form": form.name,
                **params,
            },
            buttons=(review_button(plan.id),),
        )
        return [
            OutboxMessage(
                key=f"plan:{plan.id}:{plan.rev}:{template}:{r.id}", person_id=r.id, payload=payload
            )
            for r in reviewers
            if r.id not in skipped
        ]

    async def _reopen(
        self, person: Person, campaign: Campaign, plan: Plan, actor: Person
    ) -> PlanScreen:
        if not may_reopen(plan, campaign, self._today()):
            return self.screen(person, campaign, plan, invalid=e.Invalid("cannot_reopen"))
        now = self._clock.now()

        def work(unit: UnitOfWork) -> Plan | None:
            return unit.change_status(
                plan,
                status=PlanStatus.DRAFT,
                draft=e.to_review(plan.draft),
                now=now,
                actor_id=actor.id,
                event="reopened",
                detail={},
            )

        saved = await self._units.run(work)
        return self.screen(person, campaign, saved or plan)

    async def _document(self, person: Person, campaign: Campaign, plan: Plan) -> Attachment:
        # Building a DOCX takes ~20 ms of CPU: off the event loop, so other members are not held up.
        confirmed = None
        if plan.status is PlanStatus.CONFIRMED:
            confirmed = await self._plans.confirmation(plan.id)
        render = functools.partial(
            self._render, self._form(plan), campaign, person, plan, self._clock.now(), confirmed
        )
        content = await asyncio.get_running_loop().run_in_executor(self._renderer, render)
        return Attachment(f"ke-hoach-{person.code.lower()}-{campaign.year}.docx", content)

    async def for_review(self, plan_id: int, with_document: bool = True) -> ReviewCopy | None:
        """A plan with its author, form and (unless not wanted) document, for its reviewer."""
        plan = await self._plans.plan(plan_id)
        campaign = await self._plans.campaign_by_id(plan.campaign_id) if plan else None
        person = await self._people.person(plan.person_id) if plan else None
        if plan is None or campaign is None or person is None:
            return None
        document = await self._document(person, campaign, plan) if with_document else None
        return ReviewCopy(person, campaign, plan, self._form(plan), document)

    async def record(self, plan_id: int, with_document: bool) -> PlanRecord | None:
        """A plan as a unit's export lists it: dates, confirmation and concrete actions."""
        copy = await self.for_review(plan_id, with_document=with_document)
        if copy is None:
            return None
        plan = copy.plan
        confirmed = None
        if plan.status is PlanStatus.CONFIRMED:
            confirmed = await self._plans.confirmation(plan_id)
        return PlanRecord(
            copy,
            plan.submitted_at.astimezone(self._tz) if plan.submitted_at else None,
            confirmed.at.astimezone(self._tz) if confirmed else None,
            confirmed.name if confirmed else "",
            plan_actions(copy.form, plan.draft),
        )

    async def plan_document(self, plan_id: int) -> Attachment | None:
        """The document of a plan by id (for the outbox sender), or None if it is gone."""
        plan = await self._plans.plan(plan_id)
        campaign = await self._plans.campaign_by_id(plan.campaign_id) if plan else None
        person = await self._people.person(plan.person_id) if plan else None
        if plan is None or campaign is None or person is None:
            return None
        return await self._document(person, campaign, plan)

    async def document(self, person: Person) -> PlanScreen:
        """The filled form as a document (a draft too, so a member can print and check it)."""
        campaign, plan = await self._current(person)
        if campaign is None:
            return NoCampaign(person)
        if plan is None:
            return await self.open(person)
        return self.screen(
            person, campaign, plan, document=await self._document(person, campaign, plan)
        )
