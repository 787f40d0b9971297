"""Campaigns, plans and their lifecycle: which form, who may reopen, when a plan is late."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from bot.domain.engine import Draft
from bot.domain.models import Category, Person
from bot.domain.schedule import Schedule

DEFAULT_FORMS: Mapping[Category, str] = {
    Category.PARTY_MEMBER: "mau_01",
    Category.STAFF: "mau_2a",
    Category.UNION_MEMBER: "mau_2a",
    Category.INDIVIDUAL: "mau_2b",
}


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
