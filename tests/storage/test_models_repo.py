"""The exemplary models' repository on every engine: add, edit, decide, list by unit and year,
and a model of someone erased or taken off the roster gone from every read."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import update

from bot.domain.exemplars import Draft, ModelStatus
from storage.store import Store
from storage.tables import people
from tests.storage.test_repositories import records

NOW = datetime(2022, 4, 1, 3, 0, tzinfo=UTC)
CELL = "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"


async def test_nominations_decisions_and_the_published_list(any_store: Store) -> None:
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    models = any_store.models
    an = await any_store.roster.person_by_code("DV001")
    binh = await any_store.roster.person_by_code("DV002")
    assert an is not None and binh is not None
    assert await models.person_named("trần thị bình", CELL) == binh
    assert await models.person_named("Trần Thị Bình", "Đảng bộ xã Phú Lạc / Chi bộ thôn 2") is None
    first = await models.add(
        Draft("Trần Thị Bình", "Việc", "Kết quả"),
        unit_path=CELL,
        year=2022,
        person_id=binh.id,
        by=an,
        now=NOW,
    )
    team = await models.add(
        Draft("Tổ tự quản", "Việc", "Kết quả"),
        unit_path=f"{CELL} / Tổ 1",
        year=2021,
        person_id=None,
        by=an,
        now=NOW + timedelta(minutes=1),
        photo_id="telegram:p1",
    )
    assert first.status is ModelStatus.PENDING and team.photo_id == "telegram:p1"
    assert await models.edit(
        first.id, Draft("Trần Thị Bình", "Việc mới", "Kết quả"), binh.id, ModelStatus.PENDING
    )
    returned = await models.decide(
        first.id, ModelStatus.RETURNED, comment="Ghi rõ hơn", by="", now=NOW
    )
    assert returned
    assert not await models.decide(first.id, ModelStatus.APPROVED, comment="", by="Hoa", now=NOW)
    assert await models.edit(
        first.id, Draft("Trần Thị Bình", "Việc mới", "Kết quả"), binh.id, ModelStatus.PENDING
    )
    for model in (first, team):
        assert await models.decide(model.id, ModelStatus.APPROVED, comment="", by="Hoa", now=NOW)
    assert not await models.edit(first.id, Draft("x", "y", "z"), None, ModelStatus.PENDING)
    published = await models.listed(ModelStatus.APPROVED)
    assert [m.id for m in published] == [team.id, first.id]  # newest first, then the later one
    assert [m.id for m in await models.listed(ModelStatus.APPROVED, year=2021)] == [team.id]
    assert {m.id for m in await models.listed(ModelStatus.APPROVED, unit_path=CELL)} == {
        first.id,
        team.id,
    }
    assert await models.years() == [2022, 2021]
    stored = await models.get(first.id)
    assert stored is not None and stored.deed == "Việc mới" and stored.approved_by == "Hoa"
    await any_store.database.write_one(
        lambda conn: conn.execute(update(people).where(people.c.id == binh.id).values(active=False))
    )
    assert await models.get(first.id) is None
    assert [m.id for m in await models.listed(ModelStatus.APPROVED)] == [team.id]
    await any_store.audit.forget(
        an.id,
        {"actor_id": None, "actor": "x", "action": "forget", "target": CELL, "detail": ""},
        NOW,
    )
    kept = await models.get(team.id)
    assert kept is not None and kept.nominated_by == "-" and kept.nominated_by_id is None
