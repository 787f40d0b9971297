"""Exemplary models (gương điển hình, mô hình hay): a nomination of a person or a collective,
the admin's review (approve, or return with a comment), and who may do what.

A secretary nominates within their unit (and the units under it); an admin anywhere. Only an
admin approves or returns. Published (approved) models are for every signed-in person.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.models import Person, Role

PAGE_SIZE = 8
MAX_NAME = 160
MAX_TEXT = 1500


class ModelStatus(StrEnum):
    """Where a nomination stands."""

    PENDING = "pending"  # waiting for the admin
    RETURNED = "returned"  # sent back with a comment, to be edited
    APPROVED = "approved"  # published


class ModelError(Exception):
    """A nomination refused: ``code`` names the catalog text (``models.error.<code>``)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


@dataclass(frozen=True, slots=True)
class Draft:
    """What a nomination says: who, what they did, the result."""

    who: str
    deed: str
    result: str


@dataclass(frozen=True, slots=True)
class Nomination:
    """A stored nomination (``person_id``: the member it is about; None for a collective)."""

    id: int
    unit_path: str
    year: int
    who: str
    deed: str
    result: str
    person_id: int | None
    status: ModelStatus
    comment: str
    nominated_by_id: int | None
    nominated_by: str
    nominated_at: datetime
    approved_by: str
    approved_at: datetime | None
    photo_id: str | None = None


def _clean(value: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def parse_draft(text: str) -> Draft:
    """Three lines or more: who; what they did; the result (the rest). ModelError otherwise."""
    lines = [_clean(line) for line in text.splitlines()]
    lines = [line for line in lines if line]
    if len(lines) < 3:
        raise ModelError("lines")
    who, deed, result = lines[0], lines[1], " ".join(lines[2:])
    if len(who) > MAX_NAME:
        raise ModelError("long_name")
    if len(deed) > MAX_TEXT or len(result) > MAX_TEXT:
        raise ModelError("long_text")
    return Draft(who, deed, result)


def in_scope(person: Person, unit_path: str) -> bool:
    """Whether ``unit_path`` is the person's unit or under it."""
    return unit_path == person.unit_path or unit_path.startswith(f"{person.unit_path} / ")


def may_nominate(person: Person) -> bool:
    """A secretary (of their unit) or an admin."""
    return person.active and (person.has(Role.ADMIN) or person.has(Role.SECRETARY))


def may_approve(person: Person) -> bool:
    """Only an admin approves, returns and broadcasts."""
    return person.active and person.has(Role.ADMIN)


def may_see(person: Person, nomination: Nomination) -> bool:
    """A published model is for everyone signed in; a nomination under review for the admin
    and the secretaries whose scope it is in."""
    if not person.active:
        return False
    if nomination.status is ModelStatus.APPROVED or person.has(Role.ADMIN):
        return True
    return person.has(Role.SECRETARY) and in_scope(person, nomination.unit_path)


def may_edit(person: Person, nomination: Nomination) -> bool:
    """The admin edits any nomination not yet published (before approving it); a secretary
    in scope edits one waiting or returned (it then waits for the admin again)."""
    if nomination.status is ModelStatus.APPROVED or not person.active:
        return False
    if person.has(Role.ADMIN):
        return True
    return person.has(Role.SECRETARY) and in_scope(person, nomination.unit_path)
