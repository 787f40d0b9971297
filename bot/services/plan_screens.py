"""The screens of the plan feature: one small type each, matched on by the presenter."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain import engine as e
from bot.domain.forms import FormDef
from bot.domain.models import Person
from bot.domain.plan_actions import Action
from bot.domain.plans import Campaign, Plan
from bot.services.replies import Attachment


@dataclass(frozen=True, slots=True)
class NoCampaign:
    """No campaign is open: there is no plan to write."""

    person: Person
    actor: Person | None = None  # who is typing, when it is not ``person`` (filling by proxy)


@dataclass(frozen=True, slots=True)
class Exempt:
    """The person need not write a plan; they may write one of their own accord."""

    person: Person
    actions: tuple[Action, ...]
    actor: Person | None = None


@dataclass(frozen=True, slots=True)
class Receipt:
    """A piece of a long answer was stored: a short receipt, not the whole question again."""

    person: Person
    plan: Plan
    actions: tuple[Action, ...]
    actor: Person | None = None


@dataclass(frozen=True, slots=True)
class Shown:
    """The plan as it stands, with what to say above it (a notice, why an action was refused)."""

    person: Person
    campaign: Campaign
    plan: Plan
    form: FormDef
    actions: tuple[Action, ...]
    notice: str = ""  # a catalog key
    invalid: e.Invalid | None = None
    missing: tuple[str, ...] = ()  # labels of what is still unanswered, when submit was refused
    document: Attachment | None = None
    actor: Person | None = None
    by_proxy: bool = False  # some answers were typed by someone else (shown to the owner) ...
    proxy_name: str = ""  # ... by whom ("" once that person was erased)
    suggestion: str = ""  # the person's answer to this question last year, offered as a hint


@dataclass(frozen=True, slots=True)
class Asking(Shown):
    """A step of the form being filled: the identity block, a question or a list's item."""


@dataclass(frozen=True, slots=True)
class Review(Shown):
    """Every answer, with an edit button each and the one that hands the plan in."""


@dataclass(frozen=True, slots=True)
class HandedIn(Shown):
    """A plan handed in (submitted or confirmed): its status, its document, maybe reopen."""


PlanScreen = NoCampaign | Exempt | Receipt | Asking | Review | HandedIn
