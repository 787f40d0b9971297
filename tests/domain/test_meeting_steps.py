"""Typed answers of the step-by-step meeting flows: days, times, numbers, and their limits."""

from __future__ import annotations

from datetime import date, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.meeting_steps import (
    PlanDraft,
    RecordDraft,
    StepError,
    day_options,
    long_text,
    parse_clock,
    parse_counts,
    parse_day,
    record_day,
    schedule_day,
)
from bot.domain.meetings import MeetingKind, Outcome

TODAY = date(2022, 3, 25)  # a Friday


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("15/04/2022", date(2022, 4, 15)),
        ("5/4/2022", date(2022, 4, 5)),
        (" 05-04-2022 ", date(2022, 4, 5)),
        ("05.04.2022", date(2022, 4, 5)),
        ("31/02/2022", None),
        ("15/04", None),
        ("mai", None),
        ("١٥/٠٤/٢٠٢٢", None),
    ],
)
def test_parse_day(typed: str, expected: date | None) -> None:
    """dd/mm/yyyy with slashes, dashes or dots; impossible days and other text are refused."""
    assert parse_day(typed) == expected


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("07:30", time(7, 30)), ("7h30", time(7, 30)), ("7h", time(7, 0)), ("19.30", time(19, 30))],
)
def test_parse_clock(typed: str, expected: time) -> None:
    """Common ways of typing a time of day."""
    assert parse_clock(typed) == expected


@pytest.mark.parametrize("typed", ["25:00", "7:75", "sáng", "", "07:3"])
def test_parse_clock_refuses(typed: str) -> None:
    """Out of range or not a time."""
    assert parse_clock(typed) is None


def test_parse_counts() -> None:
    """Present and absent, however separated; zero people or huge numbers are refused."""
    assert parse_counts("18/2") == (18, 2)
    assert parse_counts("có mặt 18, vắng 2") == (18, 2)
    assert parse_counts("0/0") is None and parse_counts("hai mươi") is None
    assert parse_counts("99999/1") is None


def test_days_offered_and_the_limits_of_typed_days() -> None:
    """Six next days then four weeks; a meeting to schedule is not past, one held not future."""
    days = day_options(TODAY)
    assert days[0] == date(2022, 3, 26) and days[-1] == date(2022, 4, 22) and len(days) == 10
    assert schedule_day("25/03/2022", TODAY) == TODAY
    for typed, code in (("24/03/2022", "day_past"), ("01/01/2024", "day_far"), ("x", "day")):
        with pytest.raises(StepError) as error:
            schedule_day(typed, TODAY)
        assert error.value.code == code
    assert record_day("20/03/2022", TODAY) == date(2022, 3, 20)
    for typed, code in (("26/03/2022", "day_future"), ("01/01/2020", "day_old")):
        with pytest.raises(StepError) as error:
            record_day(typed, TODAY)
        assert error.value.code == code


def test_the_next_step_follows_from_the_draft() -> None:
    """Each answer moves the flow on; a meeting not held needs only its reason."""
    assert PlanDraft().step() == "day"
    assert PlanDraft(day=TODAY, at=time(8, 0), place="x").step() == "topic"
    assert RecordDraft(new=True).step() == "kind"
    held = RecordDraft(kind=MeetingKind.THEMATIC, outcome=Outcome.HELD, new=True)
    assert held.step() == "day"
    assert RecordDraft(outcome=Outcome.NOT_HELD).step() == "reason"
    assert RecordDraft(outcome=Outcome.NOT_HELD, reason="Mưa").step() == "preview"
    done = RecordDraft(
        outcome=Outcome.HELD,
        held_on=TODAY,
        attendance_done=True,
        summary="a",
        conclusion="b",
        photo="",
    )
    assert done.step() == "preview"


@given(st.text(max_size=300))
def test_no_typed_text_crashes_a_step(text: str) -> None:
    """Any text is an answer or a StepError with a catalog code, never another exception."""
    for read in (parse_day, parse_clock, parse_counts):
        read(text)
    for step in (lambda t: schedule_day(t, TODAY), lambda t: record_day(t, TODAY), long_text):
        try:
            step(text)
        except StepError as error:
            assert error.code
