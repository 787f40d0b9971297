"""Filling a plan on behalf of someone: a secretary or head of unit types the plan of a member who
has no smartphone (common among the elderly), through the same conversation.

The session is one pending input of the reviewer (``proxy:<person id>``); every update re-checks
that the reviewer still may act for that person: in their unit or below (anyone for an admin),
active, and not signed in on a chat of their own. A person who signs in writes their own plan.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.audit import AuditAction
from bot.domain.collation import vi_key
from bot.domain.digest import Standing
from bot.domain.menu import Command, may_use
from bot.domain.models import Channel, Person, Role
from bot.domain.pending import FillingFor
from bot.services.audit import AuditService
from bot.services.ports import (
    AccountStore,
    Clock,
    DirectoryStore,
    PendingStore,
    PlanStore,
    ScheduleStore,
)
from bot.services.review import ReviewService

PAGE = 8


@dataclass(frozen=True, slots=True)
class ProxyEnded:
    """The session of filling for someone is over: ``member`` signed in themselves (None: it
    lapsed for another reason, such as a change of unit or role)."""

    member: Person | None


@dataclass(frozen=True, slots=True)
class ProxyList:
    """People a reviewer may fill a plan for, one page of them."""

    people: tuple[Standing, ...]
    page: int
    pages: int


class ProxyService:
    """Who may be filled for, and the reviewer's current proxy session."""

    def __init__(
        self,
        plans: PlanStore,
        schedule: ScheduleStore,
        people: AccountStore,
        directory: DirectoryStore,
        pending: PendingStore,
        review: ReviewService,
        audit: AuditService,
        clock: Clock,
    ) -> None:
        self._plans = plans
        self._schedule = schedule
        self._people = people
        self._directory = directory
        self._pending = pending
        self._review = review
        self._audit = audit
        self._clock = clock

    @staticmethod
    def may_use(person: Person) -> bool:
        """Those who review plans (secretaries, heads of unit, admins) may fill for someone."""
        return may_use(person, Command.REVIEW)

    async def candidates(self, viewer: Person, page: int = 0) -> ProxyList | None:
        """People of the viewer's units with no chat account (None: not allowed, no campaign)."""
        campaign = await self._plans.active_campaign()
        if not self.may_use(viewer) or campaign is None:
            return None
        scope = None if viewer.has(Role.ADMIN) else await self._directory.subtree(viewer.unit_id)
        standings = await self._schedule.standings(campaign.id, scope)
        found = sorted(
            (s for s in standings if s.chat_id is None and s.person_id != viewer.id),
            key=lambda s: (s.handed_in, vi_key(s.full_name)),
        )
        pages = max(1, -(-len(found) // PAGE))
        page = min(max(page, 0), pages - 1)
        return ProxyList(tuple(found[page * PAGE : (page + 1) * PAGE]), page, pages)

    async def _allowed(self, viewer: Person, person_id: int) -> Person | None:
        if not self.may_use(viewer):
            return None
        member = await self._people.person(person_id)
        if member is None or not member.active or member.id == viewer.id:
            return None
        if not await self._review.may_review(viewer, member):
            return None
        if await self._signed_in(member):
            return None
        return member

    async def start(self, viewer: Person, person_id: int) -> Person | None:
        """Begin filling for ``person_id``; None when the viewer may not."""
        member = await self._allowed(viewer, person_id)
        if member is None:
            return None
        await self._pending.set_pending(viewer.id, FillingFor(member.id), self._clock.now())
        await self._audit.record(viewer, AuditAction.PROXY, f"person:{member.id}")
        return member

    async def current(self, viewer: Person, pending: FillingFor) -> Person | None:
        """The person the viewer is filling for (``pending``, read with the viewer), re-checked;
        a lapsed session is ended."""
        found = await self.session(viewer, pending)
        return found if isinstance(found, Person) else None

    async def session(self, viewer: Person, pending: FillingFor) -> Person | ProxyEnded:
        """The person the viewer is filling for, re-checked; or, the session having lapsed
        (and now ended), why: the person signed in (their draft, with all that was typed for
        them, is theirs to finish), or something else changed."""
        member = await self._allowed(viewer, pending.person_id) if self.may_use(viewer) else None
        if member is not None:
            return member
        await self._pending.set_pending(viewer.id, None, self._clock.now())
        found = await self._people.person(pending.person_id)
        if found is not None and found.active and await self._signed_in(found):
            return ProxyEnded(found)
        return ProxyEnded(None)

    async def _signed_in(self, member: Person) -> bool:
        return any([await self._people.chat_of(c, member.id) is not None for c in Channel])

    async def stop(self, viewer: Person) -> None:
        """End the session (the draft stays)."""
        await self._pending.set_pending(viewer.id, None, self._clock.now())
