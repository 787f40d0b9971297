"""The plans of many people read at once, and the campaign years, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest

from bot.domain.engine import Draft
from bot.domain.models import Category
from bot.domain.roster import parse_roster
from storage import plans_repo
from storage.store import Store
from tests.conftest import ROSTER

NOW = datetime(2022, 6, 30, 1, 0, tzinfo=UTC)
FORMS = {c: "mau_01" for c in Category}


async def test_plans_of_people_and_the_campaign_years(
    any_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each person's plan of the asked campaign only (another year's is not taken), over more
    people than one query holds; the years oldest first, open or closed."""
    store = any_store
    rows = list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1))
    await store.roster.import_roster(
        parse_roster(rows, date(2026, 1, 1)).records, remove_missing=False, dry_run=False, now=NOW
    )
    people = {p.code: p for p in await store.roster.list_people()}
    assert await store.plans.campaign_years() == []
    made = {}
    for year in (2023, 2022):  # opened out of order: the years still come sorted
        campaign = await store.plans.set_campaign(
            year=year,
            title=f"Chuyên đề {year}",
            deadline=date(year, 4, 30),
            place="Tuy Phong",
            forms=FORMS,
            now=NOW,
        )
        for code in ("DV001", "DV002") if year == 2022 else ("DV002", "DV003"):
            made[year, code] = await store.plans.create_plan(
                person_id=people[code].id,
                campaign_id=campaign.id,
                form_id="mau_01",
                form_version=1,
                draft=Draft(answers={"year": str(year)}),
                voluntary=False,
                now=NOW,
            )
    assert await store.plans.campaign_years() == [2022, 2023]
    old = await store.plans.campaign_of_year(2022)
    assert old is not None
    monkeypatch.setattr(plans_repo, "PEOPLE_CHUNK", 2)  # three people: two queries
    ids = [people[c].id for c in ("DV001", "DV002", "DV003")]
    found = await store.plans.plans_of(ids + ids[:1], old.id)
    assert set(found) == {people["DV001"].id, people["DV002"].id}  # DV003 has 2023's only
    assert found[people["DV002"].id].id == made[2022, "DV002"].id
    assert found[people["DV002"].id].draft.answers == {"year": "2022"}
    assert await store.plans.plans_of([], old.id) == {}
