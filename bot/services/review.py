"""A secretary (or head of unit) confirms a submitted plan or returns it with a comment."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.address import address_labels
from bot.domain.audit import AuditAction
from bot.domain.models import Person, Role
from bot.domain.outbox import OutboxMessage
from bot.domain.payloads import Notice
from bot.domain.plan_actions import FIX_BUTTON
from bot.domain.plans import Plan, PlanStatus, Queue, queue_of
from bot.domain.text import is_blank, scrub
from bot.services.audit import AuditService
from bot.services.ports import AccountStore, Clock, DirectoryStore, PlanStore, UnitOfWork, Units

MAX_COMMENT = 1000


class Verdict(StrEnum):
    """The outcome of a review decision."""

    DONE = "done"
    NOT_ALLOWED = "not_allowed"
    NOT_SUBMITTED = "not_submitted"
    NEED_COMMENT = "need_comment"
    CHANGED = "changed"  # the member sent a new version since the reviewer opened it


class ReviewService:
    """Confirm or return plans; the reviewer's rights are checked on every call."""

    def __init__(
        self,
        plans: PlanStore,
        units: Units,
        directory: DirectoryStore,
        accounts: AccountStore,
        audit: AuditService,
        clock: Clock,
    ) -> None:
        self._plans = plans
        self._units = units
        self._directory = directory
        self._accounts = accounts
        self._audit = audit
        self._clock = clock

    async def queue(self, reviewer: Person) -> Queue | None:
        """Whose plans ``reviewer`` decides on (None: nobody's). The desk lists and counts
        exactly these, the digest names exactly these as waiting, and only these may be
        confirmed or returned by them."""
        if not reviewer.active:
            return None
        needs_units = not reviewer.has(Role.ADMIN)
        subtree = await self._directory.subtree(reviewer.unit_id) if needs_units else []
        return queue_of(reviewer.id, reviewer.roles, subtree)

    async def may_review(self, reviewer: Person, member: Person) -> bool:
        """Admins review anyone else; a secretary or head, the people of their unit and below."""
        queue = await self.queue(reviewer)  # nobody confirms their own plan
        return queue is not None and queue.covers(member.id, member.unit_id)

    async def may_confirm(self, reviewer: Person, member: Person) -> bool:
        """``may_review``, and the reviewer's role is the one that confirms the member's form
        (a head of unit does not confirm a party member's Mẫu 01, nor a secretary a 2A)."""
        queue = await self.queue(reviewer)
        return queue is not None and queue.holds(member.id, member.unit_id, member.category)

    async def decide(
        self,
        reviewer: Person,
        plan_id: int,
        *,
        confirm: bool,
        comment: str = "",
        rev: int | None = None,
    ) -> Verdict:
        """Confirm the plan, or return it (a comment is required), tell the member and note it
        in the audit log, in one transaction."""
        plan = await self._plans.plan(plan_id)
        member = await self._accounts.person(plan.person_id) if plan else None
        if plan is None or member is None or not await self.may_confirm(reviewer, member):
            return Verdict.NOT_ALLOWED
        if plan.status is not PlanStatus.SUBMITTED:
            return Verdict.NOT_SUBMITTED
        if rev is not None and plan.rev != rev:
            return Verdict.CHANGED
        comment = scrub(comment).strip()[:MAX_COMMENT]
        if not confirm and is_blank(comment):
            return Verdict.NEED_COMMENT
        template = "notify.confirmed" if confirm else "notify.returned"
        params = {} if confirm else {"comment": comment}
        notice = OutboxMessage(
            key=f"plan:{plan.id}:{plan.rev}:{template}",
            person_id=member.id,
            payload=Notice(
                template=template,
                params=params,
                labels=address_labels(member),
                buttons=() if confirm else (FIX_BUTTON,),
            ),
        )
        now = self._clock.now()
        action = AuditAction.CONFIRM if confirm else AuditAction.RETURN

        def work(unit: UnitOfWork) -> Plan | None:
            saved = unit.change_status(
                plan,
                status=PlanStatus.CONFIRMED if confirm else PlanStatus.RETURNED,
                draft=plan.draft,
                now=now,
                actor_id=reviewer.id,
                event="confirmed" if confirm else "returned",
                detail={"comment": comment},
                comment=comment if not confirm else None,
            )
            if saved is not None:
                unit.enqueue([notice], now)
                self._audit.note(unit, reviewer, action, f"plan:{plan.id}")
            return saved

        saved = await self._units.run(work)
        return Verdict.DONE if saved is not None else Verdict.NOT_SUBMITTED
