"""Services over the in-memory ports: what each call writes together, in one unit of work."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.audit import AuditAction
from bot.domain.meetings import MeetingKind, MeetingStatus
from bot.domain.models import Person, Role
from bot.domain.outbox import OutboxMessage
from bot.domain.payloads import Notice
from bot.domain.pending import NewMeeting
from bot.domain.plans import PlanStatus
from bot.services.audit import AuditService
from bot.services.clock import ManualClock
from bot.services.meetings import Cancelled, MeetingService, Saved
from bot.services.ports import UnitOfWork
from bot.services.review import ReviewService, Verdict
from tests.memory import MemoryStore

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2022, 4, 1, 1, 0, tzinfo=UTC)


class Cell:
    """A small unit: a secretary and two members, and the open campaign."""

    def __init__(self) -> None:
        self.store = MemoryStore()
        memory = self.store.memory
        self.clock = ManualClock(NOW)
        top = memory.add_unit("Commune")
        self.unit = memory.add_unit("Cell 1", top)
        self.secretary = memory.add_person("Secretary", self.unit, Role.SECRETARY)
        self.member = memory.add_person("Member", self.unit)
        self.other = memory.add_person("Other", self.unit)
        self.campaign = memory.open_campaign(2022, date(2022, 4, 30), NOW)
        self.audit = AuditService(self.store.audit, self.store.roster, self.store.plans, self.clock)

    def review(self) -> ReviewService:
        store = self.store
        return ReviewService(
            store.plans, store.units, store.directory, store.accounts, self.audit, self.clock
        )

    def meetings(self) -> MeetingService:
        store = self.store
        return MeetingService(
            store.meetings, store.units, store.pending, store.directory, store.plans, self.clock, VN
        )

    def outbox_to(self, person: Person) -> list[OutboxMessage]:
        return [m for m in self.store.memory.outbox.values() if m.person_id == person.id]


async def test_confirming_writes_status_event_notice_and_audit_in_one_unit() -> None:
    """A confirmation is one unit: the plan's status and event, the member's notice, the audit."""
    cell = Cell()
    plan = cell.store.memory.add_plan(cell.member, cell.campaign, PlanStatus.SUBMITTED, NOW)

    verdict = await cell.review().decide(cell.secretary, plan.id, confirm=True, rev=plan.rev)

    memory = cell.store.memory
    assert verdict is Verdict.DONE
    assert cell.store.units.runs == 1
    assert memory.plans[plan.id].status is PlanStatus.CONFIRMED
    assert [(e.kind, e.actor_id) for e in memory.events] == [("confirmed", cell.secretary.id)]
    [notice] = cell.outbox_to(cell.member)
    assert notice.key == f"plan:{plan.id}:{plan.rev}:notify.confirmed"
    assert [(a.action, a.target) for a in memory.audit] == [
        (AuditAction.CONFIRM, f"plan:{plan.id}")
    ]


async def test_returning_carries_the_comment_to_the_plan_and_the_notice() -> None:
    """A returned plan keeps the comment, and the member's notice says it."""
    cell = Cell()
    plan = cell.store.memory.add_plan(cell.member, cell.campaign, PlanStatus.SUBMITTED, NOW)

    verdict = await cell.review().decide(
        cell.secretary, plan.id, confirm=False, comment="  add dates ", rev=plan.rev
    )

    assert verdict is Verdict.DONE
    assert cell.store.memory.plans[plan.id].return_comment == "add dates"
    [notice] = cell.outbox_to(cell.member)
    assert isinstance(notice.payload, Notice) and notice.payload.params == {"comment": "add dates"}
    assert [a.action for a in cell.store.memory.audit] == [AuditAction.RETURN]


@pytest.mark.parametrize("shown_rev", [0, 2])
async def test_a_decision_on_another_version_writes_nothing(shown_rev: int) -> None:
    """The reviewer saw another version: no unit runs; plan, outbox and log stay as they were."""
    cell = Cell()
    plan = cell.store.memory.add_plan(cell.member, cell.campaign, PlanStatus.SUBMITTED, NOW)

    verdict = await cell.review().decide(cell.secretary, plan.id, confirm=True, rev=shown_rev)

    memory = cell.store.memory
    assert verdict is Verdict.CHANGED
    assert cell.store.units.runs == 0
    assert memory.plans[plan.id] == plan and memory.outbox == {} and memory.audit == []


async def test_nobody_reviews_their_own_plan_and_nothing_is_written() -> None:
    """A secretary's own plan is not theirs to confirm: refused before any write."""
    cell = Cell()
    plan = cell.store.memory.add_plan(cell.secretary, cell.campaign, PlanStatus.SUBMITTED, NOW)

    verdict = await cell.review().decide(cell.secretary, plan.id, confirm=True)

    assert verdict is Verdict.NOT_ALLOWED and cell.store.units.runs == 0


async def test_a_scheduled_meeting_and_its_notices_are_one_unit() -> None:
    """The meeting and one notice per member of the unit (not the secretary) go in one unit."""
    cell = Cell()
    meetings = cell.meetings()
    await meetings.start_new(cell.secretary, MeetingKind.THEMATIC.value)

    screen = await meetings.typed(
        cell.secretary, NewMeeting(MeetingKind.THEMATIC), "15/04/2022 08:00; Hall; Second quarter"
    )

    assert isinstance(screen, Saved)
    assert screen.told == 2 and cell.store.units.runs == 1
    meeting = screen.meeting
    assert cell.store.memory.meetings == {meeting.id: meeting}
    assert sorted(cell.store.memory.outbox) == [
        f"meeting:{meeting.id}:v1:scheduled:person:{p.id}" for p in (cell.member, cell.other)
    ]
    assert cell.store.memory.pending == {}  # the secretary is no longer asked for details


async def test_a_cancelled_meeting_tells_the_members_with_the_new_version() -> None:
    """Cancelling is one unit: the meeting's new version and the notices keyed by it."""
    cell = Cell()
    meetings = cell.meetings()
    await meetings.start_new(cell.secretary, MeetingKind.BRIEFING.value)
    saved = await meetings.typed(
        cell.secretary, NewMeeting(MeetingKind.BRIEFING), "15/04/2022 08:00; Hall"
    )
    assert isinstance(saved, Saved)

    screen = await meetings.cancel(cell.secretary, saved.meeting.id, saved.meeting.version)

    assert isinstance(screen, Cancelled) and screen.told == 2
    stored = cell.store.memory.meetings[saved.meeting.id]
    assert (stored.status, stored.version) == (MeetingStatus.CANCELLED, 2)
    assert [m.key for m in cell.outbox_to(cell.member)] == [
        f"meeting:{stored.id}:v1:scheduled:person:{cell.member.id}",
        f"meeting:{stored.id}:v2:cancelled:person:{cell.member.id}",
    ]


async def test_a_unit_that_raises_leaves_nothing_behind() -> None:
    """What a unit wrote before it raised is put back, as a rolled-back transaction would be."""
    cell = Cell()
    plan = cell.store.memory.add_plan(cell.member, cell.campaign, PlanStatus.SUBMITTED, NOW)

    def work(unit: UnitOfWork) -> None:
        unit.change_status(
            plan,
            status=PlanStatus.CONFIRMED,
            draft=plan.draft,
            now=NOW,
            actor_id=cell.secretary.id,
            event="confirmed",
            detail={},
        )
        unit.enqueue([OutboxMessage("k", cell.member.id, {})], NOW)
        raise LookupError("after the writes")

    with pytest.raises(LookupError):
        await cell.store.units.run(work)
    memory = cell.store.memory
    assert memory.plans[plan.id] == plan and memory.events == [] and memory.outbox == {}
