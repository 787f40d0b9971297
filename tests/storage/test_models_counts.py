"""The exemplary models' per-unit count on every engine (the district report's, issue 18 §2):
by status, of one year, a removed member's nomination left out."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.exemplars import Draft, ModelStatus
from storage.store import Store
from tests.storage.test_repositories import ROSTER, records

NOW = datetime(2022, 4, 1, 3, 0, tzinfo=UTC)
CELL = "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"
OTHER = "Đảng bộ xã Phú Lạc / Chi bộ thôn 2"


async def test_counts_by_unit_status_and_year(any_store: Store) -> None:
    """Two of thôn 1 (one approved), one of thôn 2 returned, one of 2021, one about a member
    since removed: only the live ones of 2022 count, by unit and status."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    an = await any_store.roster.person_by_code("DV001")
    binh = await any_store.roster.person_by_code("DV002")
    assert an is not None and binh is not None
    models = any_store.models

    async def nominate(unit: str, year: int = 2022, person_id: int | None = None) -> int:
        draft = Draft("Tổ tự quản", "Giữ đường làng sạch", "Được khen")
        added = await models.add(
            draft, unit_path=unit, year=year, person_id=person_id, by=an, now=NOW
        )
        return added.id

    approved = await nominate(CELL)
    await nominate(CELL)
    returned = await nominate(OTHER)
    await nominate(CELL, year=2021)
    await nominate(CELL, person_id=binh.id)
    assert await models.decide(approved, ModelStatus.APPROVED, comment="", by="Hoa", now=NOW)
    assert await models.decide(returned, ModelStatus.RETURNED, comment="Sửa", by="", now=NOW)
    smaller = "\n".join(line for line in ROSTER.strip().splitlines() if "DV002" not in line)
    await any_store.roster.import_roster(
        records(smaller), remove_missing=True, dry_run=False, now=NOW
    )
    assert await models.counts(2022) == {
        CELL: {ModelStatus.APPROVED: 1, ModelStatus.PENDING: 1},
        OTHER: {ModelStatus.RETURNED: 1},
    }
    assert await models.counts(2021) == {CELL: {ModelStatus.PENDING: 1}}
    assert await models.counts(2019) == {}
