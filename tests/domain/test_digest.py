"""Digest numbers: who must write, who handed in, rolled up a district -> commune -> cell tree."""

from __future__ import annotations

import pytest

from bot.domain.digest import (
    NAMES_KEPT,
    Forgotten,
    Names,
    Standing,
    Tally,
    UnitNode,
    recipients,
    tally_units,
)
from bot.domain.models import Category, Exemption, Role
from bot.domain.plans import PlanStatus

ROOT, COMMUNE, CELL_1, CELL_2 = 1, 2, 3, 4
UNITS = [
    UnitNode(CELL_1, COMMUNE, "Huyện ủy Phú Lạc / Đảng ủy xã Phú Lạc / Chi bộ thôn 1", 2),
    UnitNode(ROOT, None, "Huyện ủy Phú Lạc", 0),
    UnitNode(COMMUNE, ROOT, "Huyện ủy Phú Lạc / Đảng ủy xã Phú Lạc", 1),
    UnitNode(CELL_2, COMMUNE, "Huyện ủy Phú Lạc / Đảng ủy xã Phú Lạc / Chi bộ thôn 2", 2),
]
S = PlanStatus


def person(
    pid: int,
    name: str,
    unit: int,
    status: PlanStatus | None = None,
    *,
    linked: bool = True,
    exemption: Exemption = Exemption.NONE,
    roles: tuple[Role, ...] = (),
    unreachable: bool = False,
) -> Standing:
    """A standing with sensible defaults: required, linked, reachable, no plan."""
    chat = str(1000 + pid) if linked else None
    return Standing(pid, name, unit, exemption, frozenset(roles), chat, unreachable, status)


PEOPLE = [
    person(10, "An", CELL_1, roles=(Role.SECRETARY,)),
    person(11, "Bình", CELL_1, S.DRAFT),
    person(12, "Cường", CELL_1, exemption=Exemption.RETIRED),
    person(13, "Dũng", CELL_1, S.SUBMITTED),
    person(14, "Em", CELL_1, S.CONFIRMED, linked=False),
    person(20, "Giang", CELL_2, S.RETURNED, roles=(Role.HEAD,)),
    person(21, "Hà", CELL_2, unreachable=True),
    person(22, "Khoa", CELL_2, S.SUBMITTED, exemption=Exemption.ELDERLY),
    person(30, "Lan", COMMUNE, S.CONFIRMED, roles=(Role.SECRETARY, Role.HEAD)),
    person(31, "Minh", COMMUNE, linked=False),
    person(40, "Nam", ROOT, roles=(Role.HEAD,), linked=False),
    person(41, "Oanh", ROOT, S.CONFIRMED, roles=(Role.ADMIN,)),
]


def names(*found: str) -> Names:
    """A short name list with its count."""
    return Names(len(found), list(found))


@pytest.mark.parametrize(
    ("status", "exemption", "handed_in", "owes"),
    [
        (None, Exemption.NONE, False, True),
        (S.DRAFT, Exemption.NONE, False, True),
        (S.RETURNED, Exemption.NONE, False, True),
        (S.SUBMITTED, Exemption.NONE, True, False),
        (S.CONFIRMED, Exemption.NONE, True, False),
        (None, Exemption.SUSPENDED, False, False),
        (S.SUBMITTED, Exemption.RETIRED, True, False),
    ],
)
def test_standing_properties(
    status: PlanStatus | None, exemption: Exemption, handed_in: bool, owes: bool
) -> None:
    """Only the non-exempt must write; a returned plan is owed; sent or confirmed is handed in."""
    standing = person(1, "X", CELL_1, status, exemption=exemption)
    assert standing.required is (exemption is Exemption.NONE)
    assert standing.handed_in is handed_in
    assert standing.owes_plan is owes


def test_count_puts_each_person_in_the_right_boxes() -> None:
    """Unlinked is not also unreachable; exempt people are counted but never missing."""
    tally = Tally()
    tally.count(person(1, "A", 1, unreachable=True, linked=False), "A")
    tally.count(person(2, "B", 1, S.RETURNED, unreachable=True), "B")
    tally.count(person(3, "C", 1, S.RETURNED, exemption=Exemption.SUSPENDED), "C")
    tally.count(person(4, "D", 1, S.CONFIRMED), "D")
    assert tally == Tally(
        people=4,
        required=3,
        submitted=1,
        confirmed=1,
        exempt=1,
        not_linked=1,
        missing=names("A"),
        returned=names("B"),
        waiting=names(),
        unreachable=names("B"),
    )


def test_cells_name_their_people_plainly() -> None:
    """A cell's own digest counts only its people and names them without a unit."""
    tallies = tally_units(UNITS, PEOPLE)
    assert tallies[CELL_1] == Tally(
        people=5,
        required=4,
        submitted=2,
        confirmed=1,
        exempt=1,
        not_linked=1,
        missing=names("An", "Bình"),
        waiting=names("Dũng"),
    )
    assert tallies[CELL_2] == Tally(
        people=3,
        required=2,
        submitted=1,
        exempt=1,
        missing=names("Hà"),
        returned=names("Giang"),
        waiting=names("Khoa"),
        unreachable=names("Hà"),
    )


def test_commune_names_cell_people_with_their_cell() -> None:
    """The committee's tally adds its cells; their people carry the cell's short name."""
    tally = tally_units(UNITS, PEOPLE)[COMMUNE]
    assert tally == Tally(
        people=10,
        required=8,
        submitted=4,
        confirmed=2,
        exempt=2,
        not_linked=2,
        missing=names("Minh", "An (Chi bộ thôn 1)", "Bình (Chi bộ thôn 1)", "Hà (Chi bộ thôn 2)"),
        returned=names("Giang (Chi bộ thôn 2)"),
        waiting=names("Dũng (Chi bộ thôn 1)", "Khoa (Chi bộ thôn 2)"),
        unreachable=names("Hà (Chi bộ thôn 2)"),
    )


def test_district_adds_everything_below() -> None:
    """The root counts everyone; commune people carry the commune's name, cell people the cell's."""
    tally = tally_units(UNITS, PEOPLE)[ROOT]
    assert (tally.people, tally.required, tally.submitted, tally.confirmed) == (12, 10, 5, 3)
    assert (tally.exempt, tally.not_linked) == (2, 3)
    assert tally.missing.names == [
        "Nam",
        "Minh (Đảng ủy xã Phú Lạc)",
        "An (Chi bộ thôn 1)",
        "Bình (Chi bộ thôn 1)",
        "Hà (Chi bộ thôn 2)",
    ]
    assert tally.missing.count == 5


def test_wanted_units_only_but_others_still_roll_up() -> None:
    """Only wanted units get a tally, and an unwanted commune still passes its cells upward."""
    every = tally_units(UNITS, PEOPLE)
    some = tally_units(UNITS, PEOPLE, wanted={ROOT, CELL_2})
    assert set(some) == {ROOT, CELL_2}
    assert some[ROOT] == every[ROOT] and some[CELL_2] == every[CELL_2]
    assert tally_units(UNITS, PEOPLE, wanted=set()) == {}


def test_a_subtree_stops_at_its_top_unit() -> None:
    """Given only the commune subtree, the commune is the top and the district people are out."""
    tallies = tally_units(UNITS[:1] + UNITS[2:], PEOPLE)
    assert set(tallies) == {COMMUNE, CELL_1, CELL_2}
    assert tallies[COMMUNE] == tally_units(UNITS, PEOPLE)[COMMUNE]
    assert tally_units(UNITS, [])[ROOT] == Tally()


def test_long_lists_are_capped_but_fully_counted() -> None:
    """A list keeps NAMES_KEPT names at every level while its count stays the real number."""
    many = [person(100 + i, f"P{i}", CELL_1) for i in range(NAMES_KEPT + 5)]
    own = [person(1, "Chief", COMMUNE), person(2, "Deputy", COMMUNE)]
    tallies = tally_units(UNITS, own + many)
    cell, commune, root = tallies[CELL_1].missing, tallies[COMMUNE].missing, tallies[ROOT].missing
    assert (cell.count, len(cell.names), cell.names[-1]) == (NAMES_KEPT + 5, NAMES_KEPT, "P199")
    assert (commune.count, len(commune.names)) == (NAMES_KEPT + 7, NAMES_KEPT)
    assert commune.names[:3] == ["Chief", "Deputy", "P0 (Chi bộ thôn 1)"]
    assert commune.names[-1] == f"P{NAMES_KEPT - 3} (Chi bộ thôn 1)"
    assert (root.count, len(root.names)) == (NAMES_KEPT + 7, NAMES_KEPT)


def test_recipients_are_linked_secretaries_and_heads() -> None:
    """Digests go to linked secretaries and heads of each unit; admins and the unlinked get none."""
    found = recipients(PEOPLE)
    assert {unit: [p.full_name for p in people] for unit, people in found.items()} == {
        CELL_1: ["An"],
        CELL_2: ["Giang"],
        COMMUNE: ["Lan"],
    }


def test_erased_people_count_in_the_numbers_but_are_never_named() -> None:
    """An erased person's kept standing counts in its cell and above (required or exempt,
    handed in, confirmed, late), but is in no list of names and not counted as not signed in."""
    member = Category.PARTY_MEMBER
    erased = [
        Forgotten(CELL_1, member, exempt=False, status=S.CONFIRMED, late=True),
        Forgotten(CELL_1, member, exempt=False, status=S.SUBMITTED),
        Forgotten(CELL_2, member, exempt=True, status=None),
    ]
    plain = tally_units(UNITS, PEOPLE)
    kept = tally_units(UNITS, PEOPLE, forgotten=erased)
    cell, before = kept[CELL_1], plain[CELL_1]
    assert (cell.people, cell.required, cell.submitted, cell.confirmed, cell.late) == (
        before.people + 2,
        before.required + 2,
        before.submitted + 2,
        before.confirmed + 1,
        before.late + 1,
    )
    assert kept[CELL_2].exempt == plain[CELL_2].exempt + 1
    root = kept[ROOT]
    assert (root.people, root.required, root.submitted, root.exempt) == (15, 12, 7, 3)
    for unit in (CELL_1, CELL_2, COMMUNE, ROOT):
        for box in ("missing", "returned", "waiting", "unreachable"):
            assert getattr(kept[unit], box) == getattr(plain[unit], box), (unit, box)
        assert kept[unit].not_linked == plain[unit].not_linked
    # Only a handed-in plan or an exemption is kept: nobody is left to hand the rest in.
    assert Forgotten.kept(False, S.SUBMITTED) and Forgotten.kept(False, S.CONFIRMED)
    assert Forgotten.kept(True, None)
    assert not any(Forgotten.kept(False, s) for s in (None, S.DRAFT, S.RETURNED))
