"""Year-end drafts on SQLite and PostgreSQL: one per person and campaign, whichever device
begins it first; the other device is handed the same draft."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from bot.domain.engine import Draft
from bot.domain.models import Category
from bot.domain.plans import Plan
from bot.domain.roster import parse_roster
from storage.store import Store
from storage.yearend_repo import YearReviewRepository
from tests.conftest import ROSTER

NOW = datetime(2022, 11, 30, 1, 0, tzinfo=UTC)


async def test_a_draft_begun_twice_is_one_draft(any_store: Store) -> None:
    store = any_store
    rows = list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1))
    await store.roster.import_roster(
        parse_roster(rows, date(2026, 1, 1)).records, remove_missing=False, dry_run=False, now=NOW
    )
    people = {p.code: p for p in await store.roster.list_people()}
    campaign = await store.plans.set_campaign(
        year=2022,
        title="Chuyên đề",
        deadline=date(2022, 4, 30),
        place="Tuy Phong",
        forms={c: "mau_01" for c in Category},
        now=NOW,
    )
    repo = YearReviewRepository(store.database)
    binh = people["DV002"].id

    async def begin(person_id: int, draft: Draft, now: datetime) -> Plan:
        return await repo.create(
            person_id=person_id,
            campaign_id=campaign.id,
            form_id="kiem_diem",
            form_version=1,
            draft=draft,
            now=now,
        )

    first = await begin(binh, Draft(answers={"a": "một"}), NOW)
    again = await begin(binh, Draft(answers={"a": "hai"}), NOW + timedelta(minutes=1))
    assert again.id == first.id and again.rev == first.rev == 1
    assert again.draft.answers == {"a": "một"}  # the first device's draft, not overwritten
    other = await begin(people["DV001"].id, Draft(), NOW)
    assert other.id != first.id
