"""Who has done what, per unit and its sub-units: the numbers and names of a secretary's digest.

Built in one pass over every active person of the campaign (one row each) and rolled up the unit
tree, so the digests of thousands of units cost one query and a little arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from bot.domain.collation import path_key, vi_key
from bot.domain.models import Category, Exemption, Role
from bot.domain.plans import PlanStatus, Queue

NAMES_KEPT = 200  # names carried per list; the digest says how many more there are


@dataclass(frozen=True, slots=True)
class Standing:
    """One active person's position in the campaign."""

    person_id: int
    full_name: str
    unit_id: int
    exemption: Exemption
    roles: frozenset[Role]
    chat_id: str | None  # None: has not linked a chat account
    unreachable: bool  # blocked the bot
    status: PlanStatus | None  # None: has not started a plan
    category: Category = Category.PARTY_MEMBER
    late: bool = False  # handed in after the deadline

    @property
    def required(self) -> bool:
        """True when this person must write a plan."""
        return self.exemption is Exemption.NONE

    @property
    def handed_in(self) -> bool:
        """True when the plan was sent (and maybe confirmed)."""
        return self.status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)

    @property
    def owes_plan(self) -> bool:
        """True when a deadline reminder concerns this person (a returned plan included)."""
        return self.required and not self.handed_in


@dataclass(frozen=True, slots=True)
class Forgotten:
    """An erased person's standing in one campaign, kept so the counts stay true.

    Nothing in it names them (no name, code, phone, birth date or answers): it is counted in the
    numbers of its unit and never listed, reminded or addressed.
    """

    unit_id: int
    category: Category
    exempt: bool
    status: PlanStatus | None
    late: bool = False

    @staticmethod
    def kept(exempt: bool, status: PlanStatus | None) -> bool:
        """True when an erased person's standing still counts: their plan was handed in (or
        confirmed), or they were exempt. One who had not handed in drops out of the counts, as
        nobody is left to hand it in or to remind."""
        return exempt or status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)


@dataclass(frozen=True, slots=True)
class ReturnedPlan:
    """A plan sent back for changes and not handed in again."""

    plan_id: int
    person_id: int
    rev: int
    returned_at: datetime
    comment: str


@dataclass(frozen=True, slots=True)
class UnitNode:
    """A unit in the tree."""

    id: int
    parent_id: int | None
    path: str
    depth: int


@dataclass
class Names:
    """A list of names kept short, with the full count."""

    count: int = 0
    names: list[str] = field(default_factory=list)

    def add(self, name: str) -> None:
        self.count += 1
        if len(self.names) < NAMES_KEPT:
            self.names.append(name)

    def merge(self, other: Names) -> None:
        self.count += other.count
        room = NAMES_KEPT - len(self.names)
        if room > 0:
            self.names.extend(other.names[:room])


@dataclass
class Tally:
    """The counts and names of one unit, sub-units included."""

    people: int = 0
    required: int = 0
    submitted: int = 0  # handed in: waiting for confirmation or confirmed
    confirmed: int = 0
    exempt: int = 0
    not_linked: int = 0
    late: int = 0
    missing: Names = field(default_factory=Names)  # required, nothing handed in, not returned
    returned: Names = field(default_factory=Names)
    waiting: Names = field(default_factory=Names)  # handed in, to be confirmed
    unreachable: Names = field(default_factory=Names)

    def count(self, person: Standing, label: str) -> None:
        """Add one person (``label`` is how their name is shown)."""
        self.people += 1
        if person.chat_id is None:
            self.not_linked += 1
        elif person.unreachable:
            self.unreachable.add(label)
        status = person.status
        required = person.exemption is Exemption.NONE
        if person.late and status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED):
            self.late += 1
        if status is PlanStatus.SUBMITTED:
            self.submitted += 1
            self.waiting.add(label)
        elif status is PlanStatus.CONFIRMED:
            self.submitted += 1
            self.confirmed += 1
        elif required and status is PlanStatus.RETURNED:
            self.returned.add(label)
        elif required:
            self.missing.add(label)
        if required:
            self.required += 1
        else:
            self.exempt += 1

    def count_forgotten(self, record: Forgotten) -> None:
        """Add an erased person's kept standing: in the numbers only, never in a list of names
        (so "waiting" may list fewer than handed in minus confirmed)."""
        self.people += 1
        handed_in = record.status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED)
        if record.late and handed_in:
            self.late += 1
        if handed_in:
            self.submitted += 1
        if record.status is PlanStatus.CONFIRMED:
            self.confirmed += 1
        if record.exempt:
            self.exempt += 1
        else:
            self.required += 1

    def relabelled(self, suffix: str) -> Tally:
        """The same counts, each name followed by ``suffix`` (for the unit above)."""
        copy = Tally(
            self.people,
            self.required,
            self.submitted,
            self.confirmed,
            self.exempt,
            self.not_linked,
            self.late,
        )
        for name in ("missing", "returned", "waiting", "unreachable"):
            own: Names = getattr(self, name)
            setattr(copy, name, Names(own.count, [n + suffix for n in own.names]))
        return copy

    def merge(self, other: Tally) -> None:
        """Add a sub-unit's tally."""
        for name in (
            "people",
            "required",
            "submitted",
            "confirmed",
            "exempt",
            "not_linked",
            "late",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.missing.merge(other.missing)
        self.returned.merge(other.returned)
        self.waiting.merge(other.waiting)
        self.unreachable.merge(other.unreachable)


def short_unit(path: str) -> str:
    """The last part of a unit path ("Đảng bộ xã / Chi bộ thôn 1" -> "Chi bộ thôn 1")."""
    return path.rsplit(" / ", 1)[-1]


def tally_units(
    units: Sequence[UnitNode],
    standings: Iterable[Standing],
    wanted: set[int] | None = None,
    forgotten: Iterable[Forgotten] = (),
) -> dict[int, Tally]:
    """Each unit's tally with its sub-units rolled in (only ``wanted`` units are returned).

    In a unit's own digest its people are named plainly; people of its sub-units are named with
    their sub-unit, so a committee's digest says where each missing person belongs. The
    ``forgotten`` (erased people's kept standings) count in the numbers of their unit and above.
    """
    by_id = {unit.id: unit for unit in units}
    own: dict[int, list[Standing]] = {}
    for person in standings:
        own.setdefault(person.unit_id, []).append(person)
    erased: dict[int, list[Forgotten]] = {}
    for record in forgotten:
        erased.setdefault(record.unit_id, []).append(record)
    below: dict[int, Tally] = {}  # what a unit passes up: its people named with the unit
    tallies: dict[int, Tally] = {}
    # Deepest first (each unit rolls into its parent), siblings and people in Vietnamese order.
    for unit in sorted(units, key=lambda u: (-u.depth, path_key(u.path))):
        children = below.pop(unit.id, None)
        people = sorted(own.get(unit.id, []), key=lambda p: vi_key(p.full_name))
        gone = erased.get(unit.id, [])
        if not people and not gone and children is None:
            if wanted is None or unit.id in wanted:
                tallies[unit.id] = Tally()
            continue
        mine = Tally()
        for person in people:
            mine.count(person, person.full_name)
        for record in gone:
            mine.count_forgotten(record)
        if wanted is None or unit.id in wanted:
            tally = tallies[unit.id] = mine.relabelled("")
            if children is not None:
                tally.merge(children)
        if unit.parent_id is None or unit.parent_id not in by_id:
            continue
        up = below.setdefault(unit.parent_id, Tally())
        up.merge(mine.relabelled(f" ({short_unit(unit.path)})"))
        if children is not None:
            up.merge(children)
    return tallies


def subtrees(units: Sequence[UnitNode], wanted: set[int]) -> dict[int, list[UnitNode]]:
    """For each ``wanted`` unit, itself and every unit below it."""
    children: dict[int, list[UnitNode]] = {}
    for unit in units:
        if unit.parent_id is not None:
            children.setdefault(unit.parent_id, []).append(unit)
    found: dict[int, list[UnitNode]] = {}
    for unit in units:
        if unit.id not in wanted:
            continue
        tree, todo = [], [unit]
        while todo:
            current = todo.pop()
            tree.append(current)
            todo.extend(children.get(current.id, ()))
        found[unit.id] = tree
    return found


def submitted_by_unit(standings: Iterable[Standing]) -> dict[int, list[Standing]]:
    """Per unit, its people whose plan was handed in and waits for a decision, by name."""
    found: dict[int, list[Standing]] = {}
    waiting = [p for p in standings if p.status is PlanStatus.SUBMITTED]  # only these keyed
    for person in sorted(waiting, key=lambda p: vi_key(p.full_name)):
        found.setdefault(person.unit_id, []).append(person)
    return found


def waiting_for(
    queue: Queue,
    within: Iterable[UnitNode],
    waiting: Mapping[int, Sequence[Standing]],
    unit_id: int | None,
) -> Names:
    """The digest's "waiting" names for one reviewer: exactly the plans of their ``queue`` (the
    desk's list) among the units ``within`` the digest, from ``waiting`` (``submitted_by_unit``).
    People of unit ``unit_id`` are named plainly, others with their unit (None: all plainly)."""
    found = Names()
    for unit in sorted(within, key=lambda u: (u.id != unit_id, path_key(u.path))):
        suffix = "" if unit_id is None or unit.id == unit_id else f" ({short_unit(unit.path)})"
        for person in waiting.get(unit.id, ()):
            if queue.holds(person.person_id, person.unit_id, person.category):
                found.add(person.full_name + suffix)
    return found


def recipients(standings: Iterable[Standing]) -> dict[int, list[Standing]]:
    """Per unit, the linked secretaries and heads who receive its digest."""
    found: dict[int, list[Standing]] = {}
    for person in standings:
        if person.chat_id is not None and (
            Role.SECRETARY in person.roles or Role.HEAD in person.roles
        ):
            found.setdefault(person.unit_id, []).append(person)
    return found
