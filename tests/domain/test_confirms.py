"""Who confirms which plan: the cell's secretary Mẫu 01, the head of unit or collective 2A/2B."""

from __future__ import annotations

import pytest

from bot.domain.models import Category, Exemption, Person, Role
from bot.domain.plans import confirmed_categories, confirms

STATE_FORMS = {Category.STAFF, Category.UNION_MEMBER, Category.INDIVIDUAL}


def person(*roles: Role) -> Person:
    return Person(
        1, "X1", "Người", None, None, Category.PARTY_MEMBER, Exemption.NONE, 1, "Xã A", "", "", "",
        frozenset(roles), True,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("roles", "confirmed"),
    [
        ((), set()),
        ((Role.SECRETARY,), {Category.PARTY_MEMBER}),
        ((Role.HEAD,), STATE_FORMS),
        ((Role.SECRETARY, Role.HEAD), set(Category)),
        ((Role.ADMIN,), set(Category)),
    ],
)
def test_each_role_confirms_the_forms_it_signs(roles: tuple[Role, ...], confirmed: set) -> None:  # type: ignore[type-arg]
    """A head of unit never confirms a party member's Mẫu 01; a secretary never a 2A or 2B."""
    reviewer = person(*roles)
    assert {c for c in Category if confirms(reviewer, c)} == confirmed
    listed = confirmed_categories(reviewer)
    assert (set(Category) if listed is None else listed) == confirmed
    assert (listed is None) is (Role.ADMIN in roles)
