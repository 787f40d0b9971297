"""Who may link which chat account to which roster person: pure decisions."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from bot.domain.models import Invite, Person

MAX_FAILED_CODES = 8  # wrong invite codes per account per FAILURE_WINDOW before refusing


class Verdict(StrEnum):
    """The outcome of one sign-in attempt."""

    LINK = "link"
    ALREADY_LINKED = "already_linked"
    LINKED_TO_OTHER = "linked_to_other"
    NOT_OWN_CONTACT = "not_own_contact"
    UNKNOWN_NUMBER = "unknown_number"
    SHARED_NUMBER = "shared_number"
    LEFT_ROSTER = "left_roster"
    BAD_CODE = "bad_code"
    TOO_MANY_ATTEMPTS = "too_many_attempts"


@dataclass(frozen=True, slots=True)
class Decision:
    """A verdict and the person it concerns, if any."""

    verdict: Verdict
    person: Person | None = None


def decide_contact(
    sender_user_id: str,
    contact_user_id: str | None,
    current: Person | None,
    matches: Sequence[Person],
) -> Decision:
    """Decide on a shared contact whose number matched ``matches`` on the roster.

    Only the sender's own contact proves a number. An account already linked to an active
    person stays with that person: sharing another number never moves it.
    """
    if contact_user_id is None or contact_user_id != sender_user_id:
        return Decision(Verdict.NOT_OWN_CONTACT)
    if current is not None and current.active:
        same = any(p.id == current.id for p in matches)
        return Decision(Verdict.ALREADY_LINKED if same else Verdict.LINKED_TO_OTHER, current)
    active = [p for p in matches if p.active]
    if not active:
        return Decision(Verdict.LEFT_ROSTER if matches else Verdict.UNKNOWN_NUMBER)
    if len(active) > 1:
        return Decision(Verdict.SHARED_NUMBER)
    return Decision(Verdict.LINK, active[0])


def decide_invite(
    current: Person | None,
    invite: Invite | None,
    person: Person | None,
    recent_failures: int,
) -> Decision:
    """Decide on an invite code; ``person`` is the invite's owner when the code exists."""
    if current is not None and current.active:
        if invite is not None and invite.person_id == current.id:
            return Decision(Verdict.ALREADY_LINKED, current)
        return Decision(Verdict.LINKED_TO_OTHER, current)
    if recent_failures >= MAX_FAILED_CODES:
        return Decision(Verdict.TOO_MANY_ATTEMPTS)
    if invite is None or invite.used or person is None:
        return Decision(Verdict.BAD_CODE)
    if not person.active:
        return Decision(Verdict.LEFT_ROSTER)
    return Decision(Verdict.LINK, person)
