"""Year-end drafts on SQLite and PostgreSQL: one per person and campaign, whichever device
begins it first; the other device is handed the same draft."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.engine import Draft
from bot.domain.plans import Plan
from storage.store import Store
from storage.yearend_repo import YearReviewRepository
from tests.storage.seeded import roster_and_campaign

NOW = datetime(2022, 11, 30, 1, 0, tzinfo=UTC)


async def test_a_draft_begun_twice_is_one_draft(any_store: Store) -> None:
    store = any_store
    people, campaign = await roster_and_campaign(store, NOW)
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
