"""The unit of work on a SQLite file, in memory and on PostgreSQL: all its writes, or none."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from bot.domain.audit import AuditAction
from bot.domain.engine import Draft
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Category, Person
from bot.domain.outbox import OutboxMessage
from bot.domain.payloads import Notice
from bot.domain.plans import Plan, PlanStatus
from bot.services.ports import UnitOfWork
from storage.store import Store
from tests.storage.test_repositories import records

NOW = datetime(2022, 3, 25, 8, 0, tzinfo=UTC)


async def _member_with_plan(store: Store) -> tuple[Person, Plan]:
    await store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    person = await store.roster.person_by_code("DV002")
    assert person is not None
    campaign = await store.plans.set_campaign(
        year=2022,
        title="2022",
        deadline=date(2022, 4, 30),
        place="X",
        forms={Category.PARTY_MEMBER: "mau_01"},
        now=NOW,
    )
    plan = await store.plans.create_plan(
        person_id=person.id,
        campaign_id=campaign.id,
        form_id="mau_01",
        form_version=1,
        draft=Draft(answers={"study": "a"}),
        voluntary=False,
        now=NOW,
    )
    return person, plan


def _submit(unit: UnitOfWork, plan: Plan, person: Person) -> Plan | None:
    saved = unit.change_status(
        plan,
        status=PlanStatus.SUBMITTED,
        draft=plan.draft,
        now=NOW,
        actor_id=person.id,
        event="submitted",
        detail={"answers": dict(plan.draft.answers)},
        late=False,
    )
    if saved is not None:
        unit.enqueue(
            [
                OutboxMessage(
                    f"plan:{plan.id}:{plan.rev}", person.id, Notice(template="notify.confirmed")
                )
            ],
            NOW,
        )
        unit.audit(
            actor_id=person.id,
            actor="DV002",
            action=AuditAction.PROXY,
            target=f"plan:{plan.id}",
            detail="",
            now=NOW,
        )
    return saved


async def test_a_unit_that_raises_keeps_none_of_its_writes(any_store: Store) -> None:
    """Status, event, outbox row and audit entry written, then an error: all are rolled back."""
    person, plan = await _member_with_plan(any_store)

    def work(unit: UnitOfWork) -> None:
        _submit(unit, plan, person)
        raise LookupError("after the writes")

    with pytest.raises(LookupError):
        await any_store.units.run(work)
    assert await any_store.plans.plan(plan.id) == plan
    assert await any_store.plans.events(plan.id) == []
    assert await any_store.outbox.counts() == {}
    assert await any_store.audit.entries(5) == []


async def test_a_unit_commits_its_writes_together_and_a_stale_plan_changes_nothing(
    any_store: Store,
) -> None:
    """One unit saves status, event, outbox row and audit entry; one on the old rev saves none."""
    person, plan = await _member_with_plan(any_store)

    saved = await any_store.units.run(lambda unit: _submit(unit, plan, person))
    stale = await any_store.units.run(lambda unit: _submit(unit, plan, person))

    assert saved is not None and saved.status is PlanStatus.SUBMITTED and saved.rev == plan.rev + 1
    assert saved.submitted_at is not None and stale is None
    assert [e.kind for e in await any_store.plans.events(plan.id)] == ["submitted"]
    assert await any_store.outbox.counts() == {"queued": 1}
    assert [e.target for e in await any_store.audit.entries(5)] == [f"plan:{plan.id}"]


async def test_meetings_broadcasts_and_occasions_through_a_unit(any_store: Store) -> None:
    """A meeting is added and changed once per version; an occasion is recorded only once."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    person = await any_store.roster.person_by_code("DV001")
    assert person is not None
    starts = NOW + timedelta(days=3)

    def schedule(unit: UnitOfWork) -> int:
        meeting = unit.add_meeting(
            unit_id=person.unit_id,
            kind=MeetingKind.THEMATIC,
            starts_at=starts,
            place="Hall",
            topic="Q2",
            by=person.id,
            now=NOW,
        )
        moved = unit.change_meeting(meeting, now=NOW, place="Yard")
        again = unit.change_meeting(meeting, now=NOW, cancel=True)  # the old version: refused
        assert moved is not None and moved.version == 2 and again is None
        return meeting.id

    meeting_id = await any_store.units.run(schedule)
    stored = await any_store.meetings.get(meeting_id)
    assert stored is not None and (stored.place, stored.status) == ("Yard", MeetingStatus.SCHEDULED)

    def broadcast(unit: UnitOfWork) -> tuple[int, bool, bool]:
        first = unit.record_occasion("deadline:2022:t-14", "sent", 0, NOW)
        second = unit.record_occasion("deadline:2022:t-14", "sent", 0, NOW)
        made = unit.add_broadcast(
            text="Hi", audience="all", unit_path="", recipients=0, not_before=NOW, now=NOW
        )
        return made, first, second

    made, first, second = await any_store.units.run(broadcast)
    assert (first, second) == (True, False)
    assert await any_store.schedule.done_occasions("deadline:") == {"deadline:2022:t-14"}
    row = await any_store.broadcasts.get(made)
    assert row is not None and row.recipients == 0
