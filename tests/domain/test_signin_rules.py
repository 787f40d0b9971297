"""The pure sign-in rules and invite code format."""

from __future__ import annotations

import pytest

from bot.domain import invites
from bot.domain.invites import ALPHABET, new_code, parse_code
from bot.domain.models import Category, Exemption, Invite, Person
from bot.domain.signin import MAX_FAILED_CODES, Verdict, decide_contact, decide_invite


def person(pid: int, active: bool = True) -> Person:
    return Person(
        id=pid,
        code=f"P{pid}",
        full_name=f"Người {pid}",
        birth_date=None,
        phone="0912345678",
        category=Category.PARTY_MEMBER,
        exemption=Exemption.NONE,
        unit_id=1,
        unit_path="X",
        party_position="",
        gov_position="",
        union_position="",
        roles=frozenset(),
        active=active,
    )


def test_contact_rules() -> None:
    """Own contact links one active match; everything else is refused with its reason."""
    assert decide_contact("1", "2", None, [person(1)]).verdict is Verdict.NOT_OWN_CONTACT
    assert decide_contact("1", None, None, [person(1)]).verdict is Verdict.NOT_OWN_CONTACT
    assert decide_contact("1", "1", None, []).verdict is Verdict.UNKNOWN_NUMBER
    assert decide_contact("1", "1", None, [person(1, active=False)]).verdict is Verdict.LEFT_ROSTER
    assert decide_contact("1", "1", None, [person(1), person(2)]).verdict is Verdict.SHARED_NUMBER
    link = decide_contact("1", "1", None, [person(1), person(2, active=False)])
    assert link.verdict is Verdict.LINK and link.person == person(1)
    assert decide_contact("1", "1", person(1), [person(1)]).verdict is Verdict.ALREADY_LINKED
    assert decide_contact("1", "1", person(3), [person(1)]).verdict is Verdict.LINKED_TO_OTHER
    assert decide_contact("1", "1", person(3, active=False), [person(1)]).verdict is Verdict.LINK


def test_invite_rules() -> None:
    """A fresh code links its owner; spent, unknown or brute-forced codes do not."""
    fresh = Invite("ABCD-EFGH-JKMN", 1, used=False)
    assert decide_invite(None, fresh, person(1), 0).verdict is Verdict.LINK
    assert (
        decide_invite(None, Invite(fresh.code, 1, used=True), person(1), 0).verdict
        is Verdict.BAD_CODE
    )
    assert decide_invite(None, None, None, 0).verdict is Verdict.BAD_CODE
    assert (
        decide_invite(None, fresh, person(1), MAX_FAILED_CODES).verdict is Verdict.TOO_MANY_ATTEMPTS
    )
    assert decide_invite(None, fresh, person(1, active=False), 0).verdict is Verdict.LEFT_ROSTER
    assert decide_invite(person(1), fresh, person(1), 0).verdict is Verdict.ALREADY_LINKED
    assert decide_invite(person(2), fresh, person(1), 0).verdict is Verdict.LINKED_TO_OTHER


def test_codes_are_random_readable_and_parse_back() -> None:
    """Codes use an unambiguous alphabet, differ every time, and survive sloppy typing."""
    codes = {new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert set(code.replace("-", "")) <= set(ALPHABET)
        assert parse_code(code.lower().replace("-", " ")) == code
    assert parse_code("hello") is None
    assert parse_code("ABCD-EFGH-JKM0") is None  # 0 is not in the alphabet


def test_codes_cover_the_whole_code_space(monkeypatch: pytest.MonkeyPatch) -> None:
    """One draw below 29**12 written in base 29: the smallest draw is all first letters, the
    largest all last ones, 29 moves the second letter; each draw asks for the whole space."""
    asked: list[int] = []

    def draw(limit: int, value: int) -> int:
        asked.append(limit)
        return value

    monkeypatch.setattr(invites.secrets, "randbelow", lambda limit: draw(limit, 0))
    assert new_code() == "AAAA-AAAA-AAAA"
    monkeypatch.setattr(invites.secrets, "randbelow", lambda limit: draw(limit, limit - 1))
    assert new_code() == "9999-9999-9999"
    monkeypatch.setattr(invites.secrets, "randbelow", lambda limit: draw(limit, 29))
    assert new_code() == "ABAA-AAAA-AAAA"  # 29 is "10" in base 29, written low digit first
    assert asked == [len(ALPHABET) ** 12] * 3
