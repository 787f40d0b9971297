"""Read models for lists and counts shown to secretaries and admins."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.models import Person


@dataclass(frozen=True, slots=True)
class Member:
    """A person in a unit listing, with whether they have linked a chat account."""

    person: Person
    linked: bool


@dataclass(frozen=True, slots=True)
class RosterStats:
    """Counts over the whole roster."""

    units: int
    people: int
    inactive: int
    linked: int
    party: int
    staff: int
    union: int
    individual: int
    exempt: int


@dataclass(frozen=True, slots=True)
class InviteRow:
    """An unused invite with the person it is for, for handing out."""

    code: str
    person_code: str
    full_name: str
    unit_path: str
