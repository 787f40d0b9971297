"""Campaigns, plans and their lifecycle: which form, who may reopen, when a plan is late."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.domain.engine import Draft
from bot.domain.models import Category, Person, Role
from bot.domain.schedule import Schedule

DEFAULT_FORMS: Mapping[Category, str] = {
    Category.PARTY_MEMBER: "mau_01",
    Category.STAFF: "mau_2a",
    Category.UNION_MEMBER: "mau_2a",
    Category.INDIVIDUAL: "mau_2b",
}


# Who confirms a plan, by the form the person writes: Mẫu 01 (party members) the cell's
# committee, i.e. its secretary; Mẫu 2A the head of the agency or unit; Mẫu 2B the head of the
# collective (village, neighbourhood, union) the individual registers with. Admins confirm any.
CONFIRMED_BY: Mapping[Category, Role] = {
    Category.PARTY_MEMBER: Role.SECRETARY,
    Category.STAFF: Role.HEAD,
    Category.UNION_MEMBER: Role.HEAD,
    Category.INDIVIDUAL: Role.HEAD,
}


def confirms(reviewer: Person, category: Category) -> bool:
    """True when ``reviewer``'s roles confirm the plans of people of ``category``.

    The unit (the member is in the reviewer's unit or below) is checked beside this.
    """
    return reviewer.has(Role.ADMIN) or reviewer.has(CONFIRMED_BY[category])


def confirmed_categories(reviewer: Person) -> frozenset[Category] | None:
    """The categories whose plans ``reviewer`` confirms; None for all (an admin)."""
    if reviewer.has(Role.ADMIN):
        return None
    return frozenset(c for c in Category if confirms(reviewer, c))


@dataclass(frozen=True, slots=True)
class Queue:
    """Whose plans a reviewer decides on: the one rule behind the desk's lists and their counts,
    a digest's "waiting" names and the right to confirm. Never the reviewer's own plan: that one
    goes to the committee above (or an admin)."""

    reviewer_id: int
    units: frozenset[int] | None  # the reviewer's unit and those below it; None: all (an admin)
    categories: frozenset[Category] | None  # whose forms the reviewer's role confirms; None: all

    def covers(self, person_id: int, unit_id: int) -> bool:
        """True when the person is within the reviewer's reach (and is not the reviewer)."""
        return person_id != self.reviewer_id and (self.units is None or unit_id in self.units)

    def holds(self, person_id: int, unit_id: int, category: Category) -> bool:
        """True when the reviewer decides on this person's plan."""
        return self.covers(person_id, unit_id) and (
            self.categories is None or category in self.categories
        )


def queue_of(reviewer_id: int, roles: frozenset[Role], subtree: Iterable[int]) -> Queue | None:
    """The queue of the reviewer holding ``roles`` whose unit and units below are ``subtree``
    (ignored for an admin); None for someone with no reviewing role."""
    if Role.ADMIN in roles:
        return Queue(reviewer_id, None, None)
    if Role.SECRETARY not in roles and Role.HEAD not in roles:
        return None
    confirmed = frozenset(c for c in Category if CONFIRMED_BY[c] in roles)
    return Queue(reviewer_id, frozenset(subtree), confirmed)


class PlanStatus(StrEnum):
    """Where a plan is in its lifecycle."""

    DRAFT = "draft"
    SUBMITTED = "submitted"
    CONFIRMED = "confirmed"
    RETURNED = "returned"


@dataclass(frozen=True, slots=True)
class Campaign:
    """One year's campaign: every date and form choice is data."""

    id: int
    year: int
    title: str
    deadline: date  # plans are due by the end of this day, local time
    place: str
    forms: Mapping[Category, str]
    schedule: Schedule = field(default_factory=Schedule)
    opened_at: datetime | None = None  # when the campaign was opened: digests start then

    def form_for(self, person: Person) -> str:
        """The form this person fills (also when they write one voluntarily)."""
        return self.forms.get(person.category, DEFAULT_FORMS[person.category])

    def is_late(self, local_day: date) -> bool:
        """True when a plan handed in on ``local_day`` is past the deadline."""
        return local_day > self.deadline


@dataclass(frozen=True, slots=True)
class Plan:
    """A person's plan for a campaign, with the draft state of its conversation."""

    id: int
    person_id: int
    campaign_id: int
    form_id: str
    form_version: int
    status: PlanStatus
    draft: Draft
    rev: int
    late: bool
    voluntary: bool
    return_comment: str
    submitted_at: datetime | None
    updated_at: datetime

    @property
    def editable(self) -> bool:
        """True while the member may change answers (a draft, or returned for changes)."""
        return self.status in (PlanStatus.DRAFT, PlanStatus.RETURNED)


@dataclass(frozen=True, slots=True)
class Confirmation:
    """Who confirmed a plan (their name as on the roster) and when."""

    name: str
    at: datetime


@dataclass(frozen=True, slots=True)
class DeskRow:
    """A plan as a line of a reviewer's list."""

    plan_id: int
    person_id: int
    full_name: str
    unit_path: str
    status: PlanStatus
    late: bool
    rev: int


def may_reopen(plan: Plan, campaign: Campaign, local_day: date) -> bool:
    """A submitted plan may be taken back for changes until the deadline passes."""
    return plan.status is PlanStatus.SUBMITTED and not campaign.is_late(local_day)


def changed_keys(before: Mapping[str, object], after: Mapping[str, object]) -> list[str]:
    """Answer keys whose value differs between two versions of a plan."""
    return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))


class Duty(StrEnum):
    """What a person has to do about their plan, as told right after they sign in."""

    DUE = "due"  # required, not started, deadline ahead
    DRAFT = "draft"  # required, a draft is saved, deadline ahead
    OVERDUE = "overdue"  # required, not handed in, deadline passed
    EXEMPT = "exempt"  # not required; may write one voluntarily
    RETURNED = "returned"  # sent back for changes
    STATUS = "status"  # handed in (waiting or confirmed): say where it is


def duty_of(person: Person, plan: Plan | None, campaign: Campaign, local_day: date) -> Duty:
    """The person's duty in ``campaign`` on ``local_day``, given their plan (if any)."""
    if plan is not None and plan.status is PlanStatus.RETURNED:
        return Duty.RETURNED
    if plan is not None and plan.status is not PlanStatus.DRAFT:
        return Duty.STATUS
    if person.is_exempt:
        return Duty.EXEMPT
    if campaign.is_late(local_day):
        return Duty.OVERDUE
    return Duty.DRAFT if plan is not None else Duty.DUE
