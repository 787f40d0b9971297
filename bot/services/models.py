"""Exemplary models (gương điển hình): secretaries and admins nominate, the admin approves or
returns with a comment, members browse what is published, the admin may broadcast one.

Every entrance re-checks the person: an id from a button is only a wish, and a nomination that
is not for the presser (another unit's under review, unknown, of someone erased) is refused
exactly as a forged press.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import Protocol

from bot.domain.address import address_labels
from bot.domain.audit import AuditAction
from bot.domain.callbacks import ModelsCode, ModelsPress
from bot.domain.exemplars import (
    PAGE_SIZE,
    Draft,
    ModelError,
    ModelStatus,
    Nomination,
    may_approve,
    may_edit,
    may_nominate,
    may_see,
    parse_draft,
)
from bot.domain.models import Person, Role
from bot.domain.outbox import OutboxMessage
from bot.domain.payloads import Button, Notice
from bot.domain.pending import ModelDraft, ModelReturn, Pending
from bot.services.audit import COMMAND_LINE, AuditService
from bot.services.broadcasts import BroadcastError
from bot.services.library import Announcer
from bot.services.plans import PlanService, plan_actions
from bot.services.ports import Clock, PendingStore, PlanStore
from bot.services.progress import HANDED_IN

MAX_COMMENT = 1000


class Outbox(Protocol):
    """Where the nominator's notice of the admin's decision is queued."""

    async def add(self, messages: list[OutboxMessage], now: datetime) -> int: ...


class ModelsStore(Protocol):
    """Where nominations are kept."""

    async def add(
        self,
        draft: Draft,
        *,
        unit_path: str,
        year: int,
        person_id: int | None,
        by: Person,
        now: datetime,
        photo_id: str | None = None,
    ) -> Nomination: ...

    async def get(self, model_id: int) -> Nomination | None: ...

    async def edit(
        self,
        model_id: int,
        draft: Draft,
        person_id: int | None,
        status: ModelStatus,
        photo_id: str | None = None,
    ) -> bool: ...

    async def decide(
        self, model_id: int, status: ModelStatus, *, comment: str, by: str, now: datetime
    ) -> bool: ...

    async def listed(
        self, status: ModelStatus, *, unit_path: str | None = None, year: int | None = None
    ) -> list[Nomination]: ...

    async def years(self) -> list[int]: ...

    async def person_named(self, name: str, unit_path: str | None) -> Person | None: ...


@dataclass(frozen=True, slots=True)
class ModelsPage:
    """One page of the published models (``year`` 0: every year; ``mine``: the viewer's unit)."""

    viewer: Person
    year: int
    page: int
    pages: int
    mine: bool
    items: tuple[Nomination, ...]
    years: tuple[int, ...]
    nominate: bool  # the viewer may nominate
    review: int  # nominations waiting for the admin (shown to admins only)


@dataclass(frozen=True, slots=True)
class ModelNotice:
    """The broadcast of a published model: how many it reaches; ``sent`` once queued."""

    model: Nomination
    people: int
    sent: bool = False
    repeat: bool = False


class PlanActions:
    """The concrete actions of a member's handed-in plan of the open campaign (their first
    field, as the plan lists them): what a nomination of a member is linked to."""

    def __init__(self, plans: PlanStore, plan_service: PlanService) -> None:
        self._plans = plans
        self._plan_service = plan_service

    async def __call__(self, person_id: int) -> tuple[str, ...]:
        _, plan = await self._plans.current(person_id)
        if plan is None or plan.person_id != person_id or plan.status not in HANDED_IN:
            return ()
        found = plan_actions(self._plan_service.form_of(plan), plan.draft)
        return tuple(action[0] for action in found if action and action[0])


class ModelsService:
    """Nominate, review, publish and browse exemplary models."""

    def __init__(
        self,
        store: ModelsStore,
        audit: AuditService,
        pending: PendingStore,
        clock: Clock,
        tz: tzinfo,
        campaign_year: Callable[[], Awaitable[int | None]] | None = None,
        announcer: Announcer | None = None,
        actions_of: Callable[[int], Awaitable[tuple[str, ...]]] | None = None,
        outbox: Outbox | None = None,
        accounts: Callable[[int], Awaitable[Person | None]] | None = None,
    ) -> None:
        self._outbox = outbox
        self._accounts = accounts
        self._actions_of = actions_of
        self._store = store
        self._audit = audit
        self._pending = pending
        self._clock = clock
        self._tz = tz
        self._campaign_year = campaign_year
        self._announcer = announcer

    async def _year(self) -> int:
        year = await self._campaign_year() if self._campaign_year is not None else None
        return year if year is not None else self._clock.now().astimezone(self._tz).year

    # Browsing ---------------------------------------------------------------------------

    async def browse(self, person: Person, year: int, page: int, mine: bool) -> ModelsPage:
        """A page (clamped) of the published models, newest first."""
        unit = person.unit_path if mine else None
        found = await self._store.listed(ModelStatus.APPROVED, unit_path=unit, year=year or None)
        pages = max(1, -(-len(found) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        items = tuple(found[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])
        review = len(await self._store.listed(ModelStatus.PENDING)) if may_approve(person) else 0
        return ModelsPage(
            person,
            year,
            page,
            pages,
            mine,
            items,
            tuple(await self._store.years()),
            may_nominate(person),
            review,
        )

    async def listing(self, status: ModelStatus | None, year: int | None) -> list[Nomination]:
        """Nominations at ``status`` (None: every status, waiting first) of ``year`` (None:
        every year), newest first: the command line's table."""
        wanted = [status] if status is not None else list(ModelStatus)
        found: list[Nomination] = []
        for each in wanted:
            found.extend(await self._store.listed(each, year=year))
        return found

    async def published_count(self) -> int:
        """How many models are published."""
        return len(await self._store.listed(ModelStatus.APPROVED))

    async def open(self, person: Person, model_id: int) -> Nomination | None:
        """The nomination for ``person`` (None: unknown, or not theirs to see)."""
        model = await self._store.get(model_id)
        return model if model is not None and may_see(person, model) else None

    async def actions(self, person: Person, model: Nomination) -> tuple[str, ...]:
        """The actions of the nominated member's plan, for those who review the nomination
        (the plan is the member's own: not shown to everyone who browses)."""
        if model.person_id is None or self._actions_of is None or not may_edit(person, model):
            return ()
        return await self._actions_of(model.person_id)

    async def queue(self, person: Person) -> list[Nomination] | None:
        """The admin's nominations waiting for review (None: not an admin)."""
        if not may_approve(person):
            return None
        return await self._store.listed(ModelStatus.PENDING)

    async def mine(self, person: Person) -> list[Nomination] | None:
        """The nominations of the secretary's unit not yet published (returned ones first)."""
        if not may_nominate(person):
            return None
        unit = None if person.has(Role.ADMIN) else person.unit_path
        returned = await self._store.listed(ModelStatus.RETURNED, unit_path=unit)
        return returned + await self._store.listed(ModelStatus.PENDING, unit_path=unit)

    # Nominating and editing -------------------------------------------------------------

    async def start(self, person: Person) -> bool:
        """ "✍️ Đề cử": the next typed text is a nomination; False when the person may not."""
        if not may_nominate(person):
            return False
        await self._pending.set_pending(person.id, ModelDraft(0), self._clock.now())
        return True

    async def start_edit(self, person: Person, model_id: int) -> Nomination | None:
        """ "✏️ Sửa": the next typed text replaces the nomination's."""
        model = await self._store.get(model_id)
        if model is None or not may_edit(person, model):
            return None
        await self._pending.set_pending(person.id, ModelDraft(model_id), self._clock.now())
        return model

    async def typed(
        self, person: Person, pending: ModelDraft, text: str, photo: str = ""
    ) -> Nomination | None:
        """The typed nomination (new or edited; ``photo``: ``<channel>:<its reference>`` of a
        photo sent with the text as its caption); None when the person may no longer.
        ModelError for text that is not a nomination (they may type again)."""
        if not may_nominate(person):
            return None
        draft = parse_draft(text)
        scope = None if person.has(Role.ADMIN) else person.unit_path
        member = await self._store.person_named(draft.who, scope)
        now = self._clock.now()
        if pending.model_id == 0:
            unit = member.unit_path if member is not None else person.unit_path
            model = await self._store.add(
                draft,
                unit_path=unit,
                year=await self._year(),
                person_id=member.id if member is not None else None,
                by=person,
                now=now,
                photo_id=photo or None,
            )
        else:
            old = await self._store.get(pending.model_id)
            if old is None or not may_edit(person, old):
                return None
            member_id = member.id if member is not None else None
            status = ModelStatus.PENDING
            if not await self._store.edit(old.id, draft, member_id, status, photo or None):
                return None
            edited = await self._store.get(old.id)
            if edited is None:
                return None
            model = edited
        await self._pending.set_pending(person.id, None, now)
        detail = "new" if pending.model_id == 0 else "edit"
        await self._audit.record(person, AuditAction.MODEL_NOMINATE, f"model:{model.id}", detail)
        return model

    # The admin's review -----------------------------------------------------------------

    async def approve(self, person: Person | None, model_id: int) -> Nomination | None:
        """Publish a nomination waiting for review; None when not the admin's to approve
        (``person`` None: the command line, at the server)."""
        model = await self._store.get(model_id)
        if model is None or (person is not None and not may_approve(person)):
            return None
        ok = await self._store.decide(
            model_id,
            ModelStatus.APPROVED,
            comment="",
            by=person.full_name if person is not None else COMMAND_LINE,
            now=self._clock.now(),
        )
        if not ok:
            return None
        await self._audit.record(person, AuditAction.MODEL_APPROVE, f"model:{model_id}")
        await self._tell(model, "approved", {})
        return await self._store.get(model_id)

    async def start_return(self, person: Person, model_id: int) -> Nomination | None:
        """ "↩️ Trả lại": the admin's next typed text is the comment."""
        model = await self._store.get(model_id)
        if model is None or not may_approve(person) or model.status is not ModelStatus.PENDING:
            return None
        await self._pending.set_pending(person.id, ModelReturn(model_id), self._clock.now())
        return model

    async def returned(
        self, person: Person | None, pending: ModelReturn, comment: str
    ) -> Nomination | None:
        """Send the nomination back with ``comment``; None when no longer possible
        (``person`` None: the command line, at the server)."""
        comment = " ".join(comment.split())[:MAX_COMMENT]
        if (person is not None and not may_approve(person)) or not comment:
            return None
        now = self._clock.now()
        ok = await self._store.decide(
            pending.model_id, ModelStatus.RETURNED, comment=comment, by="", now=now
        )
        if person is not None:
            await self._pending.set_pending(person.id, None, now)
        if not ok:
            return None
        await self._audit.record(
            person, AuditAction.MODEL_RETURN, f"model:{pending.model_id}", comment
        )
        model = await self._store.get(pending.model_id)
        if model is not None:
            await self._tell(model, "returned", {"comment": comment})
        return model

    async def _tell(self, model: Nomination, what: str, params: dict[str, str]) -> None:
        """Queue the nominator's notice of the decision (once per decision and version)."""
        if self._outbox is None or self._accounts is None or model.nominated_by_id is None:
            return
        nominator = await self._accounts(model.nominated_by_id)
        if nominator is None or not nominator.active:
            return
        now = self._clock.now()
        open_it = Button(
            label="models.notify_open", data=ModelsPress(ModelsCode.OPEN, str(model.id)).pack()
        )
        notice = OutboxMessage(
            key=f"model:{model.id}:{what}:{now.isoformat()}",
            person_id=nominator.id,
            payload=Notice(
                template=f"notify.models.{what}",
                params={"who": model.who, **params},
                labels=address_labels(nominator),
                buttons=(open_it,),
            ),
        )
        await self._outbox.add([notice], now)

    async def notice(
        self, person: Person, model_id: int, text: str, *, send: bool
    ) -> ModelNotice | None:
        """Preview (or, with ``send``, queue) the broadcast of a published model to everyone."""
        model = await self._store.get(model_id)
        if (
            model is None
            or model.status is not ModelStatus.APPROVED
            or not may_approve(person)
            or self._announcer is None
        ):
            return None
        preview = await self._announcer.preview(text, "all")
        if not send or not preview.people:
            return ModelNotice(model, len(preview.people))
        try:
            _, queued = await self._announcer.send(text, "all", actor=person)
        except BroadcastError as error:
            if error.code != "repeat":
                raise
            return ModelNotice(model, len(preview.people), repeat=True)
        return ModelNotice(model, len(queued.people), sent=True)

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while typing a nomination or a comment."""
        if not isinstance(pending, ModelDraft | ModelReturn):
            return False
        await self._pending.set_pending(person.id, None, self._clock.now())
        return True


__all__ = ["ModelError", "ModelsService"]
