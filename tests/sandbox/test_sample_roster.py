"""The sandbox's sample organisation is coherent: every plan has someone to confirm it, and every
party member's unit is a party organ (Mẫu 01's header prints it as one)."""

from __future__ import annotations

import csv
import io
from datetime import date
from importlib import resources

from bot.domain.models import Category, Role
from bot.domain.plans import CONFIRMED_BY
from bot.domain.roster import RosterRecord, parse_roster

PARTY_ORGANS = ("Chi bộ", "Đảng bộ", "Đảng ủy", "Ban ")


def sample() -> list[RosterRecord]:
    text = resources.files("bot.samples").joinpath("sandbox_roster.csv").read_text("utf-8")
    rows = list(enumerate(csv.reader(io.StringIO(text)), start=1))
    parsed = parse_roster(rows, date(2022, 4, 1))  # type: ignore[arg-type]
    assert parsed.ok and not parsed.warnings, (parsed.errors, parsed.warnings)
    return list(parsed.records)


def test_every_sample_plan_has_a_confirmer_up_its_units() -> None:
    """Mẫu 01 a secretary, 2A and 2B a head, in the person's unit or above (not themselves)."""
    people = sample()
    for person in people:
        role = CONFIRMED_BY[person.category]
        if role in person.roles or Role.ADMIN in person.roles:
            continue  # a confirmer's own plan goes up or to the admins; the admin is the district's
        chain = [person.unit_path[:n] for n in range(len(person.unit_path), 0, -1)]
        confirmers = [p.code for p in people if role in p.roles and p.unit_path in chain]
        assert confirmers, f"{person.code} {person.full_name}: no one confirms it"


def test_every_sample_party_member_is_in_a_party_organ() -> None:
    """Mẫu 01's header prints the member's unit as the party organ: never UBND or a union."""
    for person in sample():
        if person.category is Category.PARTY_MEMBER:
            unit = person.unit_path[-1]
            assert unit.startswith(PARTY_ORGANS), f"{person.code} {person.full_name}: {unit}"
