"""Mid-year self-checks on SQLite and PostgreSQL: one per person and campaign, changed only at
the revision read (two devices), read for a cell in one go."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.domain.midyear import CheckStatus
from storage.midyear_repo import MidyearRepository
from storage.store import Store
from tests.storage.seeded import roster_and_campaign

NOW = datetime(2022, 6, 30, 1, 0, tzinfo=UTC)


async def test_one_check_per_person_changed_at_its_revision(any_store: Store) -> None:
    """Begun twice: the same row; a write at an old revision changes nothing; submitted keeps
    its moment; read by person for the campaign."""
    store = any_store
    people, campaign = await roster_and_campaign(store, NOW)
    repo = MidyearRepository(store.database)
    binh, an = people["DV002"].id, people["DV001"].id
    first = await repo.create(person_id=binh, campaign_id=campaign.id, now=NOW)
    again = await repo.create(person_id=binh, campaign_id=campaign.id, now=NOW)
    assert again.id == first.id and (first.step, first.answer, first.rev) == (0, "", 1)
    moved = await repo.save(first, NOW + timedelta(minutes=1), step=2, answer="Đã làm việc 1")
    assert moved is not None and (moved.step, moved.answer, moved.rev) == (2, "Đã làm việc 1", 2)
    assert await repo.save(first, NOW, step=0) is None  # the other device's old revision
    sent_at = NOW + timedelta(minutes=5)
    sent = await repo.save(moved, sent_at, status=CheckStatus.SUBMITTED)
    assert sent is not None and sent.submitted and sent.submitted_at == sent_at
    assert sent.answer == "Đã làm việc 1"
    await repo.create(person_id=an, campaign_id=campaign.id, now=NOW)
    found = await repo.of_people([binh, an, binh, 999999], campaign.id)
    assert {pid: c.status for pid, c in found.items()} == {
        binh: CheckStatus.SUBMITTED,
        an: CheckStatus.DRAFT,
    }
    assert await repo.of(binh, campaign.id + 1) is None
