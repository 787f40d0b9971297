"""Reminder rules: schedule validation, quiet hours, occasions and which of them the sweep sends."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.domain.schedule import (
    Occasion,
    Schedule,
    deadline_occasions,
    digest_days,
    digest_occasions,
    late_occasions,
    meeting_occasions,
    pick_due,
    returned_occasion,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
DEADLINE = date(2022, 4, 30)  # a Saturday
DEFAULT = Schedule()


def local(month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A 2022 local time in Vietnam, handed over in UTC as the clock would."""
    return datetime(2022, month, day, hour, minute, tzinfo=TZ).astimezone(UTC)


def test_days_and_hours_are_sorted_descending_without_repeats() -> None:
    """Reminder days and hours come back largest first, each once."""
    schedule = Schedule(deadline_days=(1, 7, 14, 7, 0), meeting_hours=(2, 72, 2))
    assert schedule.deadline_days == (14, 7, 1, 0)
    assert schedule.meeting_hours == (72, 2)
    assert Schedule(deadline_days=(90,), meeting_hours=(1, 336)).meeting_hours == (336, 1)


@pytest.mark.parametrize(
    "rules",
    [
        {"deadline_days": (91,)},
        {"deadline_days": (7, -1)},
        {"meeting_hours": (0,)},
        {"meeting_hours": (14 * 24 + 1,)},
        {"digest_weekday": 7},
        {"returned_after_days": 0},
        {"daily_digest_days": 61},
        {"deadline_day": (7,)},  # a misspelt key is refused, not ignored
    ],
)
def test_out_of_range_or_unknown_rules_are_refused(rules: dict[str, object]) -> None:
    """Values out of range and keys the schedule does not know raise a ValidationError."""
    with pytest.raises(ValidationError):
        Schedule.model_validate(rules)


@pytest.mark.parametrize(
    ("hour", "minute", "quiet"),
    [(20, 59, False), (21, 0, True), (23, 59, True), (0, 0, True), (6, 59, True), (7, 0, False)],
)
def test_default_quiet_hours_span_midnight(hour: int, minute: int, quiet: bool) -> None:
    """Quiet hours run from 21:00 to 07:00 local time, whatever zone the moment is given in."""
    assert DEFAULT.is_quiet(local(4, 10, hour, minute), TZ) is quiet


@given(st.times())
def test_equal_start_and_end_is_never_quiet(moment: time) -> None:
    """A schedule whose quiet hours start and end together has no quiet hours at all."""
    schedule = Schedule(quiet_start=time(22, 0), quiet_end=time(22, 0))
    when = datetime.combine(date(2022, 4, 10), moment, TZ)
    assert not schedule.is_quiet(when, TZ)
    assert schedule.quiet_until(when, TZ) == when == schedule.before_quiet(when, TZ)


def test_quiet_until_and_before_quiet_across_midnight() -> None:
    """Late evening and early morning both wait for 07:00 and fall back to 20:59 of the evening."""
    assert DEFAULT.quiet_until(local(4, 10, 22), TZ) == local(4, 11, 7)
    assert DEFAULT.quiet_until(local(4, 11, 3), TZ) == local(4, 11, 7)
    assert DEFAULT.before_quiet(local(4, 10, 21), TZ) == local(4, 10, 20, 59)
    assert DEFAULT.before_quiet(local(4, 11, 3), TZ) == local(4, 10, 20, 59)
    noon = local(4, 10, 12)
    assert DEFAULT.quiet_until(noon, TZ) is noon and DEFAULT.before_quiet(noon, TZ) is noon


def test_daytime_quiet_window() -> None:
    """A window with start before end is quiet only between the two, on the same day."""
    lunch = Schedule(quiet_start=time(12, 0), quiet_end=time(13, 30))
    assert [lunch.is_quiet(local(4, 10, 11, 59), TZ), lunch.is_quiet(local(4, 10, 12), TZ)] == [
        False,
        True,
    ]
    assert not lunch.is_quiet(local(4, 10, 13, 30), TZ) and not lunch.is_quiet(local(4, 10), TZ)
    assert lunch.quiet_until(local(4, 10, 12, 45), TZ) == local(4, 10, 13, 30)
    assert lunch.before_quiet(local(4, 10, 12, 45), TZ) == local(4, 10, 11, 59)


@given(st.datetimes(min_value=datetime(2022, 1, 1), max_value=datetime(2022, 12, 31)))
def test_shifted_moments_are_never_quiet(naive: datetime) -> None:
    """quiet_until moves a moment forward and before_quiet backward, both out of the quiet hours."""
    moment = naive.replace(tzinfo=UTC)
    later, earlier = DEFAULT.quiet_until(moment, TZ), DEFAULT.before_quiet(moment, TZ)
    assert moment <= later <= moment + timedelta(hours=10) and not DEFAULT.is_quiet(later, TZ)
    assert moment - timedelta(hours=10, minutes=1) <= earlier <= moment  # 10 h quiet + 1 min
    assert not DEFAULT.is_quiet(earlier, TZ)


def test_deadline_occasions_fall_due_at_eight_and_go_stale_after_the_deadline() -> None:
    """Each reminder is due at 08:00 local N days before and stale at local midnight after."""
    found = deadline_occasions(2022, DEADLINE, DEFAULT, TZ)
    assert [(o.key, o.due, o.days_left) for o in found] == [
        ("deadline:2022:T-14", local(4, 16, 8), 14),
        ("deadline:2022:T-7", local(4, 23, 8), 7),
        ("deadline:2022:T-3", local(4, 27, 8), 3),
        ("deadline:2022:T-1", local(4, 29, 8), 1),
    ]
    assert {o.series for o in found} == {"deadline:2022"}
    assert {o.stale for o in found} == {local(5, 1)}


def test_digest_days_weekly_then_daily_up_to_the_deadline() -> None:
    """Digests go out on Mondays, then every day of the last week, the deadline included."""
    mondays = [date(2022, 4, 4), date(2022, 4, 11), date(2022, 4, 18)]
    last_week = [date(2022, 4, day) for day in range(24, 31)]
    assert digest_days(date(2022, 4, 1), DEADLINE, DEFAULT) == mondays + last_week
    weekly = Schedule(daily_digest_days=0)
    assert digest_days(date(2022, 4, 1), DEADLINE, weekly) == [*mondays, date(2022, 4, 25)]
    assert digest_days(date(2022, 5, 1), DEADLINE, DEFAULT) == []


def test_a_missed_digest_is_sent_late_within_its_week() -> None:
    """A digest is stale only when the next one is due: Monday's, missed, still goes on Friday."""
    found = digest_occasions(2022, date(2022, 4, 1), DEADLINE, DEFAULT, TZ)
    first = found[0]
    assert (first.key, first.day, first.due) == (
        "digest:2022:2022-04-04",
        date(2022, 4, 4),
        local(4, 4, 7, 30),
    )
    assert first.stale == local(4, 11, 7, 30)  # the next one is a week away
    assert found[3].day == date(2022, 4, 24) and found[3].stale == found[4].due
    assert all(o.stale == n.due for o, n in itertools.pairwise(found))
    assert all(timedelta(0) < o.stale - o.due <= timedelta(days=7) for o in found)
    friday = pick_due(found, set(), local(4, 8, 9))  # the bot was down from Sunday to Friday
    assert [o.key for o in friday.send] == ["digest:2022:2022-04-04"]


def test_digests_go_on_weekly_after_the_deadline_until_the_year_ends() -> None:
    """After the deadline a digest goes every Monday up to 31/12; with the late chase off, none."""
    found = digest_occasions(2022, date(2022, 4, 1), DEADLINE, DEFAULT, TZ)
    after = [o.day for o in found if o.day is not None and o.day > DEADLINE]
    assert (after[0], after[-1], len(after)) == (date(2022, 5, 2), date(2022, 12, 26), 35)
    assert {day.weekday() for day in after} == {0}
    assert found[-1].stale == found[-1].due + timedelta(days=7)
    off = digest_occasions(2022, date(2022, 4, 1), DEADLINE, Schedule(late_every_days=0), TZ)
    assert off[-1].day == DEADLINE


def test_late_reminders_every_week_after_the_deadline_until_the_year_ends() -> None:
    """Every 7 days after the deadline, at 08:00, until 31/12; each stale when the next is due."""
    found = late_occasions(2022, DEADLINE, DEFAULT, TZ)
    assert [(o.key, o.due, o.days_left) for o in found[:2]] == [
        ("late:2022:D+7", local(5, 7, 8), -7),
        ("late:2022:D+14", local(5, 14, 8), -14),
    ]
    assert {o.series for o in found} == {"late:2022"} and found[0].stale == found[1].due
    assert found[-1].key == "late:2022:D+245"  # 31/12/2022
    assert found[-1].stale == datetime(2023, 1, 1, tzinfo=TZ)
    assert late_occasions(2022, DEADLINE, Schedule(late_every_days=0), TZ) == []
    fortnight = late_occasions(2022, DEADLINE, Schedule(late_every_days=14), TZ)
    assert [o.key for o in fortnight[:2]] == ["late:2022:D+14", "late:2022:D+28"]


def test_meeting_reminders_skip_the_past_and_avoid_quiet_hours() -> None:
    """Reminders go 72h and 2h before; one due before the change is dropped; 06:00 -> 07:00."""
    starts = local(4, 15, 14)
    both = meeting_occasions(5, 2, starts, local(4, 1), DEFAULT, TZ)
    assert [(o.key, o.due, o.hours_before) for o in both] == [
        ("meeting:5:v2:H-72", local(4, 12, 14), 72),
        ("meeting:5:v2:H-2", local(4, 15, 12), 2),
    ]
    assert {(o.series, o.stale) for o in both} == {("meeting:5:v2", starts)}
    late = meeting_occasions(5, 3, starts, local(4, 13), DEFAULT, TZ)
    assert [o.key for o in late] == ["meeting:5:v3:H-2"]
    early = meeting_occasions(6, 1, local(4, 15, 8), local(4, 1), DEFAULT, TZ)
    assert [o.due for o in early] == [local(4, 12, 8), local(4, 15, 7)]  # at 07:00, not 20:59


def test_a_reminder_in_quiet_hours_waits_for_their_end_or_is_dropped() -> None:
    """06:00 (2 h before 08:00) moves to 07:00; 2 h before a 07:00 meeting is expired, not sent."""
    seven = meeting_occasions(7, 1, local(4, 15, 7), local(4, 1), DEFAULT, TZ)
    [soon] = [o for o in seven if o.hours_before == 2]
    assert soon.dropped and soon.due == local(4, 15, 5)
    pick = pick_due(seven, {"meeting:7:v1:H-72"}, local(4, 15, 6))
    assert (pick.send, pick.skip, [o.key for o in pick.expire]) == ((), (), ["meeting:7:v1:H-2"])
    assert pick_due(seven, {"meeting:7:v1:H-72", soon.key}, local(4, 15, 6)).expire == ()
    eight = meeting_occasions(8, 1, local(4, 15, 8), local(4, 1), DEFAULT, TZ)
    assert not any(o.dropped for o in eight)
    assert [o.key for o in pick_due(eight, set(), local(4, 14, 20, 59)).send] == [
        "meeting:8:v1:H-72"
    ]  # nothing the evening before


def test_returned_reminder_counts_days_from_the_local_date() -> None:
    """A plan returned at 01:00 local (18:00 UTC the day before) is chased two local days later."""
    returned_at = datetime(2022, 4, 20, 18, 0, tzinfo=UTC)
    found = returned_occasion(9, 3, returned_at, DEFAULT, TZ)
    assert (found.key, found.series) == ("returned:9:r3", "returned:9:r3")
    assert (found.due, found.stale) == (local(4, 23, 8), local(4, 24, 8))


def test_pick_due_sends_the_newest_fresh_one_per_series() -> None:
    """After downtime only the newest due one of each series goes out; done and stale are not."""
    deadline = deadline_occasions(2022, DEADLINE, DEFAULT, TZ)
    meeting = meeting_occasions(5, 1, local(4, 24, 14), local(4, 1), DEFAULT, TZ)
    morning = pick_due(deadline + meeting, set(), local(4, 24, 9))
    assert [o.key for o in morning.send] == ["meeting:5:v1:H-72", "deadline:2022:T-7"]
    assert [o.key for o in morning.skip] == ["deadline:2022:T-14"]
    done = {o.key for o in morning.send + morning.skip}
    noon = pick_due(deadline + meeting, done - {"meeting:5:v1:H-72"}, local(4, 24, 12))
    assert [o.key for o in noon.send] == ["meeting:5:v1:H-2"]
    assert [o.key for o in noon.skip] == ["meeting:5:v1:H-72"]
    assert pick_due(deadline, {o.key for o in deadline}, local(4, 29, 9)) == pick_due(
        [], (), local(4, 29, 9)
    )
    stale = pick_due(deadline + meeting, set(), local(5, 1))
    assert stale.send == () and len(stale.skip) == 6


def test_an_older_occasion_is_not_sent_after_a_newer_one_of_its_series() -> None:
    """T-14 added to the rules (CLI) after T-7 went out is skipped, not sent as '14 days left'."""
    now = local(4, 24, 9)
    pick = pick_due(deadline_occasions(2022, DEADLINE, DEFAULT, TZ), {"deadline:2022:T-7"}, now)
    assert pick.send == ()


OCCASIONS = st.lists(
    st.builds(
        lambda series, due, life: Occasion(
            key=f"s{series}:{due}",
            series=f"s{series}",
            due=local(4, 1) + timedelta(hours=due),
            stale=local(4, 1) + timedelta(hours=due + life),
        ),
        st.integers(0, 3),
        st.integers(0, 100),
        st.integers(1, 50),
    ),
    unique_by=lambda o: o.key,
)


@given(OCCASIONS, st.lists(st.integers(0, 160), max_size=8))
def test_sweeps_send_one_per_series_newest_first(found: list[Occasion], hours: list[int]) -> None:
    """Each sweep sends at most one fresh occasion per series (the newest open one), sends and
    skips exactly the open due ones, and later sweeps never send an older one of a series."""
    done: set[str] = set()
    newest: dict[str, datetime] = {}
    for hour in sorted(hours):
        now = local(4, 1) + timedelta(hours=hour)
        pick = pick_due(found, done, now)
        open_due = {o.key: o for o in found if o.due <= now and o.key not in done}
        assert sorted(o.key for o in pick.send + pick.skip) == sorted(open_due)
        assert len({o.series for o in pick.send}) == len(pick.send)
        for sent in pick.send:
            assert sent.stale > now
            assert all(o.due <= sent.due for o in open_due.values() if o.series == sent.series)
            assert sent.due > newest.get(sent.series, sent.due - timedelta(1))
            newest[sent.series] = sent.due
        done |= set(open_due)
