"""The progress log's pure rules: latest per action, counts, the prompts' days and audience."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.domain.digest import Standing
from bot.domain.meetings import Meeting, MeetingKind, MeetingStatus
from bot.domain.models import Category, Exemption, Role
from bot.domain.plans import PlanStatus
from bot.domain.progress import (
    ProgressEntry,
    ProgressStatus,
    address_labels_of,
    audience,
    campaign_occasions,
    latest,
    meeting_occasion,
    tally,
)
from bot.domain.schedule import Schedule, day_month

VN = ZoneInfo("Asia/Ho_Chi_Minh")
T0 = datetime(2022, 6, 1, 1, 0, tzinfo=UTC)


def entry(id_: int, item: int, status: ProgressStatus, hours: int = 0) -> ProgressEntry:
    return ProgressEntry(id_, 1, item, "Việc", status, "", "", "", 1, T0 + timedelta(hours=hours))


def test_the_latest_update_of_each_action_counts_and_older_ones_stay_history() -> None:
    """Two updates of action 0 (the later one counts), one of 1, none of 2; an update of an
    action the plan no longer has is left out."""
    entries = [
        entry(1, 0, ProgressStatus.TODO),
        entry(2, 0, ProgressStatus.DONE, 5),
        entry(3, 1, ProgressStatus.DOING, 1),
        entry(4, 7, ProgressStatus.DONE, 9),
    ]
    assert latest(entries)[0].id == 2
    counted = tally(3, entries)
    assert (counted.done, counted.doing, counted.todo) == (1, 1, 1)
    assert counted.last == T0 + timedelta(hours=5)
    assert tally(2, []).todo == 2 and tally(2, []).last is None


def test_days_of_the_year_are_read_strictly() -> None:
    """dd/mm only; 29/02 falls back to 28/02 in a common year."""
    assert day_month("30/06", 2022) == date(2022, 6, 30)
    assert day_month("29/02", 2022) == date(2022, 2, 28)
    assert day_month("29/02", 2024) == date(2024, 2, 29)
    for bad in ("31/06", "30-06", "", "3/", "/6", "０1/06", "001/06"):
        assert day_month(bad, 2022) is None, bad


def test_the_campaign_prompts_fall_on_its_days_and_can_be_turned_off() -> None:
    """Mid-year at the reminders' hour, the review's prompt N days before; "" keeps none."""
    [mid, review] = campaign_occasions(2022, Schedule(), VN)
    assert mid.due == datetime(2022, 6, 30, 8, 0, tzinfo=VN) and mid.key == "progress:midyear:2022"
    assert review.due == datetime(2022, 12, 8, 8, 0, tzinfo=VN)
    assert review.stale == datetime(2022, 12, 16, 0, 0, tzinfo=VN)
    assert campaign_occasions(2022, Schedule(midyear="", year_review=""), VN) == []


def meeting(kind: MeetingKind, status: MeetingStatus = MeetingStatus.SCHEDULED) -> Meeting:
    return Meeting(
        7,
        3,
        "Chi bộ",
        kind,
        datetime(2022, 7, 4, 8, 0, tzinfo=VN),
        "Hội trường",
        "Chủ đề",
        status,
        2,
        T0,
    )


def test_only_a_scheduled_thematic_meeting_asks_for_progress() -> None:
    """Three days before, at 08:00; not before a quán triệt or a cancelled meeting."""
    found = meeting_occasion(meeting(MeetingKind.THEMATIC), Schedule(), VN)
    assert found is not None and found.key == "progress:meeting:7:v2"
    assert found.due == datetime(2022, 7, 1, 8, 0, tzinfo=VN)
    assert meeting_occasion(meeting(MeetingKind.BRIEFING), Schedule(), VN) is None
    cancelled = meeting(MeetingKind.THEMATIC, MeetingStatus.CANCELLED)
    assert meeting_occasion(cancelled, Schedule(), VN) is None
    off = Schedule(progress_meeting_days=0)
    assert meeting_occasion(meeting(MeetingKind.THEMATIC), off, VN) is None


def standing(
    pid: int, status: PlanStatus | None, unit: int = 3, chat: str | None = "c"
) -> Standing:
    return Standing(pid, f"P{pid}", unit, Exemption.NONE, frozenset(), chat, False, status)


def test_the_audience_is_linked_people_with_a_handed_in_plan_not_asked_lately() -> None:
    """Drafts, people without an account, the recently asked and other units are left out."""
    people = [
        standing(1, PlanStatus.SUBMITTED),
        standing(2, PlanStatus.CONFIRMED),
        standing(3, PlanStatus.DRAFT),
        standing(4, PlanStatus.SUBMITTED, chat=None),
        standing(5, PlanStatus.SUBMITTED),
        standing(6, PlanStatus.SUBMITTED, unit=9),
        standing(7, None),
    ]
    assert [s.person_id for s in audience(people, {5})] == [1, 2, 6]
    assert [s.person_id for s in audience(people, {5}, {3})] == [1, 2]


def test_the_prompt_addresses_party_members_and_secretaries_as_comrades() -> None:
    """A non-party head is addressed neutrally."""
    member = standing(1, PlanStatus.SUBMITTED)
    assert address_labels_of(member)["you"] == "address.party"
    staff = Standing(
        2, "B", 3, Exemption.NONE, frozenset({Role.HEAD}), "c", False, None, Category.STAFF
    )
    assert address_labels_of(staff)["you"] == "address.neutral"
