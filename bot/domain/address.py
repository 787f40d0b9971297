"""How the bot addresses a person: "đồng chí" to party members, secretaries and admins.

Templates that need a pronoun take ``{you}`` (inside a sentence) and ``{You}`` (at its start);
the words themselves are catalog entries (``address.party``, ``address.neutral`` ...), picked here.
"""

from __future__ import annotations

from enum import StrEnum

from bot.domain.models import Category, Person, Role


class Address(StrEnum):
    """The form of address for one person."""

    PARTY = "party"  # đồng chí
    NEUTRAL = "neutral"  # polite and neutral, for people outside the Party


def address_of(person: Person | None) -> Address:
    """Party members, and every secretary and admin, are comrades; anyone else is neutral."""
    if person is None:
        return Address.NEUTRAL
    if person.category is Category.PARTY_MEMBER:
        return Address.PARTY
    if person.has(Role.SECRETARY) or person.has(Role.ADMIN):
        return Address.PARTY
    return Address.NEUTRAL


def address_labels(person: Person | None) -> dict[str, str]:
    """The catalog keys that fill ``{you}`` and ``{You}`` for ``person``."""
    address = address_of(person)
    return {"you": f"address.{address.value}", "You": f"address.{address.value}_start"}


NEUTRAL_LABELS = address_labels(None)
