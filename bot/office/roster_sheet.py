"""The roster as a spreadsheet: header, one row per person, the template's example rows."""

from __future__ import annotations

import csv
import io
from importlib import resources

from bot.domain.models import Category, Exemption, Person, Role
from bot.domain.roster import Column
from bot.locales import Catalog


def header(catalog: Catalog) -> list[str]:
    """Column titles in template order."""
    return [catalog.plain(f"roster.column.{column.value}") for column in Column]


def person_row(catalog: Catalog, person: Person) -> list[str]:
    """One person as the spreadsheet shows them; importing the row gives the same person."""
    return _row(
        catalog,
        person.code,
        person.full_name,
        person.birth_date.strftime("%d/%m/%Y") if person.birth_date else "",
        person.phone or "",
        person.category,
        person.exemption,
        person.unit_path,
        person.workplace,
        person.party_position,
        person.gov_position,
        person.union_position,
        tuple(sorted(person.roles)),
    )


def _row(
    catalog: Catalog,
    code: str,
    name: str,
    birth: str,
    phone: str,
    category: Category,
    exemption: Exemption,
    unit: str,
    workplace: str,
    party: str,
    gov: str,
    union: str,
    roles: tuple[Role, ...],
) -> list[str]:
    return [
        code,
        name,
        birth,
        phone,
        catalog.plain(f"label.category.{category.value}"),
        catalog.plain(f"label.exemption.{exemption.value}"),
        unit,
        workplace,
        party,
        gov,
        union,
        ", ".join(catalog.plain(f"label.role.{role.value}") for role in roles),
    ]


def example_rows() -> list[list[str]]:
    """The template's example rows (a packaged CSV in the import format)."""
    text = resources.files("bot.samples").joinpath("roster_example.csv").read_text("utf-8")
    return list(csv.reader(io.StringIO(text)))[1:]
