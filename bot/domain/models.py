"""Domain models: units, people, roles and linked chat accounts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum


class Category(StrEnum):
    """Who a person is in the campaign; it decides which form they fill."""

    PARTY_MEMBER = "party_member"
    STAFF = "staff"
    UNION_MEMBER = "union_member"
    INDIVIDUAL = "individual"


class Exemption(StrEnum):
    """Why a party member is not required to write a plan (none: required)."""

    NONE = "none"
    SUSPENDED = "suspended"
    RETIRED = "retired"
    ELDERLY = "elderly"


class Role(StrEnum):
    """What a person may do besides filling their own plan."""

    SECRETARY = "secretary"
    HEAD = "head"
    ADMIN = "admin"


class Channel(StrEnum):
    """A chat platform a person can be linked on."""

    TELEGRAM = "telegram"
    ZALO = "zalo"


@dataclass(frozen=True, slots=True)
class Unit:
    """A node of the organisation tree (đảng bộ, chi bộ, agency, village, association)."""

    id: int
    parent_id: int | None
    name: str
    path: str


@dataclass(frozen=True, slots=True)
class Person:
    """One person on the roster."""

    id: int
    code: str
    full_name: str
    birth_date: date | None
    phone: str | None
    category: Category
    exemption: Exemption
    unit_id: int
    unit_path: str
    party_position: str
    gov_position: str
    union_position: str
    roles: frozenset[Role]
    active: bool
    workplace: str = ""  # where the person works ("Đơn vị công tác"); empty when not known

    @property
    def is_exempt(self) -> bool:
        """True when the person is not required to write a plan."""
        return self.exemption is not Exemption.NONE

    def has(self, role: Role) -> bool:
        """True when the person holds ``role``."""
        return role in self.roles


@dataclass(frozen=True, slots=True)
class Account:
    """A chat account linked to a person on one channel."""

    channel: Channel
    user_id: str
    chat_id: str
    person_id: int


@dataclass(frozen=True, slots=True)
class Invite:
    """A single-use sign-in code for one person."""

    code: str
    person_id: int
    used: bool
