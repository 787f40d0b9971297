"""The sample roster and a 2022 campaign in a store: what the repository tests begin from."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime

from bot.domain.models import Category, Person
from bot.domain.plans import Campaign
from bot.domain.roster import parse_roster
from storage.store import Store
from tests.conftest import ROSTER

FORMS = {c: "mau_01" for c in Category}


async def roster_and_campaign(store: Store, now: datetime) -> tuple[dict[str, Person], Campaign]:
    """The sample roster imported and the 2022 campaign set at ``now``: the people by code,
    and the campaign."""
    rows = list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1))
    await store.roster.import_roster(
        parse_roster(rows, date(2026, 1, 1)).records, remove_missing=False, dry_run=False, now=now
    )
    people = {p.code: p for p in await store.roster.list_people()}
    campaign = await store.plans.set_campaign(
        year=2022,
        title="Chuyên đề",
        deadline=date(2022, 4, 30),
        place="Tuy Phong",
        forms=FORMS,
        now=now,
    )
    return people, campaign
