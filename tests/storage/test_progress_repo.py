"""The progress log on SQLite and PostgreSQL: appended, read by plan and by unit, and who was
asked lately (by the outbox keys)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, update

from bot.domain.engine import Draft
from bot.domain.models import Category
from bot.domain.progress import ProgressStatus
from storage.store import Store
from storage.tables import outbox, plans
from tests.storage.seeded import roster_and_campaign

NOW = datetime(2022, 6, 30, 1, 0, tzinfo=UTC)
FORMS = {c: "mau_01" for c in Category}


async def test_updates_are_appended_and_read_by_plan_and_unit(any_store: Store) -> None:
    """Two updates of one action and one of another: all kept, oldest first; the handed-in
    plans of a unit are listed (a draft is not), a page at a time; asked lately by key."""
    store = any_store
    people, campaign = await roster_and_campaign(store, NOW)
    draft = Draft(answers={"actions": [{"action": "Thăm hộ"}, {"action": "Phát biểu"}]})
    made = {}
    for code in ("DV001", "DV002"):
        made[code] = await store.plans.create_plan(
            person_id=people[code].id,
            campaign_id=campaign.id,
            form_id="mau_01",
            form_version=1,
            draft=draft,
            voluntary=False,
            now=NOW,
        )
    handing_in = update(plans).where(plans.c.id == made["DV002"].id).values(status="submitted")
    await store.database.write(lambda conn: conn.execute(handing_in))  # the bot's own runner
    plan_id = made["DV002"].id
    by = people["DV002"].id
    for hours, item, status in (
        (0, 0, ProgressStatus.TODO),
        (2, 0, ProgressStatus.DONE),
        (1, 1, ProgressStatus.DOING),
    ):
        await store.progress.add(
            plan_id=plan_id,
            item=item,
            action="Thăm hộ",
            status=status,
            note=f"n{hours}",
            picture="p" if hours == 2 else "",
            picture_channel="telegram" if hours == 2 else "",
            by_id=by,
            now=NOW + timedelta(hours=hours),
        )
    found = await store.progress.of_plan(plan_id)
    assert [(e.item, e.status, e.note) for e in found] == [
        (0, ProgressStatus.TODO, "n0"),
        (1, ProgressStatus.DOING, "n1"),
        (0, ProgressStatus.DONE, "n2"),
    ]
    assert found[2].picture == "p" and found[2].at == NOW + timedelta(hours=2)
    assert (await store.progress.of_plans([plan_id, made["DV001"].id]))[made["DV001"].id] == []

    cell = people["DV002"].unit_id
    listed, total = await store.progress.handed_in(campaign.id, [cell], 0, 10)
    assert total == 1 and [h.full_name for h in listed] == ["Trần Thị Bình"]
    assert listed[0].plan.id == plan_id and listed[0].unit_path.endswith("Chi bộ thôn 1")
    assert (await store.progress.handed_in(campaign.id, None, 1, 10))[0] == []

    def row(key: str, person: int, at: datetime) -> dict[str, object]:
        return dict(
            key=key,
            person_id=person,
            channel="telegram",
            payload="{}",
            status="sent",
            priority=1,
            attempts=1,
            not_before=at,
            error="",
            created_at=at,
            sent_at=at,
            parts_sent=1,
        )

    sent = (
        insert(outbox),
        [
            row(f"progress:midyear:2022:person:{by}", by, NOW),
            row(
                f"progress:meeting:1:v1:person:{people['DV001'].id}",
                people["DV001"].id,
                NOW - timedelta(days=8),
            ),
            row(f"deadline:2022:T-7:person:{people['DV003'].id}", people["DV003"].id, NOW),
            row(f"progressive:{people['DV004'].id}", people["DV004"].id, NOW),
        ],
    )
    await store.database.write(lambda conn: conn.execute(*sent))
    assert await store.progress.recently_asked(NOW - timedelta(days=7)) == {by}
