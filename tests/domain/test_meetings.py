"""The meetings calendar: quarters, thematic meetings counted, what a secretary types parsed."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.domain.meetings import (
    MAX_PLACE,
    MAX_TOPIC,
    Meeting,
    MeetingInput,
    MeetingInputError,
    MeetingKind,
    MeetingRecord,
    MeetingStatus,
    Outcome,
    cell_flags,
    is_held,
    next_thematic,
    parse_meeting,
    quarter,
    quarters_without_thematic,
    thematic_count,
)

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2022, 4, 1, 2, 0, tzinfo=UTC)  # 09:00 local
DEFAULT_TOPIC = "Chuyên đề năm 2022"
THEMATIC, BRIEFING = MeetingKind.THEMATIC, MeetingKind.BRIEFING
HELD = MeetingRecord(Outcome.HELD)


def meeting(
    starts_at: datetime,
    kind: MeetingKind = THEMATIC,
    status: MeetingStatus = MeetingStatus.SCHEDULED,
    record: MeetingRecord | None = HELD,
) -> Meeting:
    """A meeting of the cell, changed once (by default recorded as held)."""
    updated = starts_at - timedelta(days=7)
    return Meeting(
        1, 3, "Xã / Chi bộ 1", kind, starts_at, "Hội trường", "", status, 1, updated, record
    )


def at(year: int, month: int, day: int, hour: int = 8, minute: int = 0) -> datetime:
    """A local time."""
    return datetime(year, month, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    ("month", "expected"), [(1, 1), (3, 1), (4, 2), (6, 2), (7, 3), (9, 3), (10, 4), (12, 4)]
)
def test_quarter(month: int, expected: int) -> None:
    """Months 1-3 are quarter 1, and so on up to 10-12 in quarter 4."""
    assert quarter(date(2022, month, 15)) == expected


def test_cancelled_meetings_and_briefings_do_not_fill_a_quarter() -> None:
    """Only a thematic meeting held counts for its quarter; later quarters are not flagged."""
    meetings = [
        meeting(at(2022, 2, 10)),
        meeting(at(2022, 5, 10), status=MeetingStatus.CANCELLED),
        meeting(at(2022, 5, 12), kind=BRIEFING),
        meeting(at(2022, 8, 1)),  # a future quarter, already planned
    ]
    assert quarters_without_thematic(meetings, 2022, date(2022, 5, 20), TZ) == [2]
    assert quarters_without_thematic(meetings, 2022, date(2022, 1, 5), TZ) == []
    assert quarters_without_thematic([], 2022, date(2022, 1, 5), TZ) == [1]
    assert quarters_without_thematic(meetings, 2023, date(2022, 5, 20), TZ) == []


def test_a_past_year_has_all_four_quarters_checked() -> None:
    """Looking back at last year all quarters are checked; other years' meetings do not count."""
    meetings = [meeting(at(2021, 1, 20)), meeting(at(2021, 9, 3)), meeting(at(2022, 4, 4))]
    assert quarters_without_thematic(meetings, 2021, date(2022, 5, 20), TZ) == [2, 4]


def test_quarters_count_from_the_campaign_opening() -> None:
    """A campaign opened on 05/07 is not flagged for quarters I and II; its own quarter counts."""
    today = date(2022, 8, 20)
    assert quarters_without_thematic([], 2022, today, TZ, opened=date(2022, 7, 5)) == [3]
    assert quarters_without_thematic([], 2022, today, TZ, opened=date(2022, 3, 25)) == [1, 2, 3]
    assert quarters_without_thematic([], 2022, today, TZ, opened=date(2021, 12, 1)) == [1, 2, 3]
    assert quarters_without_thematic([], 2022, today, TZ, opened=date(2023, 1, 2)) == []


def test_quarters_use_the_local_date() -> None:
    """18:00 UTC on 31 March is already 1 April in Vietnam: a second-quarter meeting."""
    late = meeting(datetime(2022, 3, 31, 18, 0, tzinfo=UTC))
    new_year = meeting(datetime(2021, 12, 31, 18, 0, tzinfo=UTC))
    assert quarters_without_thematic([late, new_year], 2022, date(2022, 6, 1), TZ) == []
    assert thematic_count([late, new_year], 2021, TZ) == 0


def test_thematic_count() -> None:
    """Thematic meetings recorded as held are counted; cancelled ones and briefings are not."""
    meetings = [
        meeting(at(2022, 2, 10)),
        meeting(at(2022, 6, 10)),
        meeting(at(2022, 7, 10), status=MeetingStatus.CANCELLED),
        meeting(at(2022, 3, 1), kind=BRIEFING),
        meeting(at(2021, 11, 1)),
    ]
    assert thematic_count(meetings, 2022, TZ) == 2
    assert thematic_count(meetings, 2021, TZ) == 1
    assert thematic_count([], 2022, TZ) == 0


TOPIC = "Chuyên đề quý II"


@pytest.mark.parametrize(
    ("text", "starts", "place", "topic"),
    [
        ("15/04/2022 08:00; Hội trường; Chuyên đề quý II", at(2022, 4, 15), "Hội trường", TOPIC),
        ("15/04/2022 08:00; Hội trường", at(2022, 4, 15), "Hội trường", DEFAULT_TOPIC),
        (
            "15/04/2022 14:30\n Nhà  văn \nChuyên đề quý II",
            at(2022, 4, 15, 14, 30),
            "Nhà văn",
            TOPIC,
        ),
        ("15/4/2022 8h00; Nhà văn hóa", at(2022, 4, 15), "Nhà văn hóa", DEFAULT_TOPIC),
        ("15-4-2022 8h;; Nhà văn hóa;", at(2022, 4, 15), "Nhà văn hóa", DEFAULT_TOPIC),
        ("1.4.2022 9.01; Sân", at(2022, 4, 1, 9, 1), "Sân", DEFAULT_TOPIC),
        ("31/12/2023 20:00; Sân", at(2023, 12, 31, 20), "Sân", DEFAULT_TOPIC),
    ],
)
def test_parse_meeting_reads_what_secretaries_type(
    text: str, starts: datetime, place: str, topic: str
) -> None:
    """Semicolons or lines, 08:00 or 8h00, an optional topic: all read the same way."""
    assert parse_meeting(text, TZ, NOW, DEFAULT_TOPIC) == MeetingInput(starts, place, topic)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("15/04/2022 08:00", "format"),
        ("15/04/2022 08:00; a; b; c", "format"),
        ("  ;\n ; ", "format"),
        ("mai 8 giờ; Hội trường", "when"),
        ("15/04/22 08:00; Hội trường", "when"),
        ("15/04/2022 8; Hội trường", "when"),
        ("31/04/2022 08:00; Hội trường", "when"),
        ("15/04/2022 24:00; Hội trường", "when"),
        ("15/04/2022 08:60; Hội trường", "when"),
        ("01/04/2022 09:00; Hội trường", "past"),  # exactly now
        ("31/03/2022 08:00; Hội trường", "past"),
        ("01/01/2024 08:00; Hội trường", "far"),
        ("15/04/2022 08:00; " + "x" * (MAX_PLACE + 1), "place_long"),
        ("15/04/2022 08:00; Hội trường; " + "x" * (MAX_TOPIC + 1), "topic_long"),
    ],
)
def test_parse_meeting_errors_name_the_problem(text: str, code: str) -> None:
    """Each kind of mistake raises MeetingInputError with its catalog code."""
    with pytest.raises(MeetingInputError) as caught:
        parse_meeting(text, TZ, NOW, DEFAULT_TOPIC)
    assert caught.value.code == code


def test_longest_place_and_topic_are_accepted() -> None:
    """A place of MAX_PLACE and a topic of MAX_TOPIC characters are still fine."""
    text = f"15/04/2022 08:00; {'p' * MAX_PLACE}; {'t' * MAX_TOPIC}"
    found = parse_meeting(text, TZ, NOW, DEFAULT_TOPIC)
    assert (len(found.place), len(found.topic)) == (MAX_PLACE, MAX_TOPIC)


WORDS = st.text(st.sampled_from("abcđêơư ĐÊ0123456789,()-"), min_size=1, max_size=40).filter(
    lambda word: word.strip() != ""
)


@given(
    st.datetimes(min_value=datetime(2022, 4, 2), max_value=datetime(2023, 12, 31, 23, 59)),
    WORDS,
    WORDS,
)
def test_typed_details_round_trip(moment: datetime, place: str, topic: str) -> None:
    """Whatever future time, place and topic are typed in the usual form come back intact."""
    moment = moment.replace(second=0, microsecond=0, tzinfo=TZ)
    text = f"{moment:%d/%m/%Y %H:%M}; {place}; {topic}"
    found = parse_meeting(text, TZ, NOW, DEFAULT_TOPIC)
    assert found.starts_at == moment
    assert found.place == " ".join(place.split())
    assert found.topic == " ".join(topic.split())


@given(st.text(max_size=80))
def test_any_text_is_either_read_or_refused(text: str) -> None:
    """Arbitrary text never raises anything but MeetingInputError."""
    try:
        parse_meeting(text, TZ, NOW, DEFAULT_TOPIC)
    except MeetingInputError as error:
        assert error.code in {"format", "when", "past", "far", "place_long", "topic_long"}


NOT_RECORDED: MeetingRecord | None = None


def test_held_means_recorded_as_held_not_that_its_time_passed() -> None:
    """A past meeting nobody recorded, or one recorded as not held, is not held."""
    unrecorded = meeting(at(2022, 5, 10), record=NOT_RECORDED)
    not_held = meeting(at(2022, 5, 11), record=MeetingRecord(Outcome.NOT_HELD, reason="Mưa bão"))
    held = meeting(at(2022, 5, 12))
    cancelled = meeting(at(2022, 5, 13), status=MeetingStatus.CANCELLED)
    assert [is_held(m) for m in (unrecorded, not_held, held, cancelled)] == [
        False,
        False,
        True,
        False,
    ]
    assert thematic_count([unrecorded, not_held], 2022, TZ) == 0
    assert quarters_without_thematic([unrecorded, not_held], 2022, date(2022, 7, 2), TZ) == [
        1,
        2,
        3,
    ]


def test_an_upcoming_meeting_covers_only_the_current_quarter() -> None:
    """A thematic meeting still to come keeps today's quarter from being flagged."""
    soon = meeting(at(2022, 6, 20), record=NOT_RECORDED)
    assert quarters_without_thematic([soon], 2022, date(2022, 6, 1), TZ) == [1]
    assert quarters_without_thematic([soon], 2022, date(2022, 7, 1), TZ) == [1, 2, 3]


def test_the_recorded_day_decides_the_quarter() -> None:
    """Scheduled on 30/06 but recorded as held on 02/07: a third-quarter meeting."""
    moved = meeting(at(2022, 6, 30), record=MeetingRecord(Outcome.HELD, held_on=date(2022, 7, 2)))
    assert quarters_without_thematic([moved], 2022, date(2022, 8, 1), TZ) == [1, 2]


def test_flags_for_a_cell_without_briefing_and_with_one_thematic_meeting() -> None:
    """After the deadline: no quán triệt flagged; after Q3 and Q4: fewer than 2 thematic."""
    deadline = date(2022, 4, 30)
    late_briefing = meeting(
        at(2022, 5, 3), BRIEFING, record=MeetingRecord(Outcome.HELD, held_on=date(2022, 5, 3))
    )
    one = [meeting(at(2022, 5, 10)), late_briefing]
    assert cell_flags(one, 2022, deadline, date(2022, 4, 30), TZ).no_briefing is False
    flags = cell_flags(one, 2022, deadline, date(2022, 5, 1), TZ)
    assert flags.no_briefing and flags.thematic_short == 0 and flags.thematic_held == 1
    assert cell_flags(one, 2022, deadline, date(2022, 10, 1), TZ).thematic_short == 3
    assert cell_flags(one, 2022, deadline, date(2023, 1, 1), TZ).thematic_short == 4
    two = [*one, meeting(at(2022, 9, 1)), meeting(at(2022, 4, 2), BRIEFING)]
    flags = cell_flags(two, 2022, deadline, date(2022, 10, 1), TZ)
    assert not flags.no_briefing and flags.thematic_short == 0


def test_next_thematic_meetings_soonest_first() -> None:
    """The cell's upcoming thematic meetings: not past, not cancelled, not briefings."""
    now = at(2022, 5, 1)
    later, sooner = meeting(at(2022, 9, 1), record=None), meeting(at(2022, 6, 1), record=None)
    others = [
        meeting(at(2022, 4, 1)),
        meeting(at(2022, 7, 1), BRIEFING, record=None),
        meeting(at(2022, 8, 1), status=MeetingStatus.CANCELLED, record=None),
    ]
    assert next_thematic([later, *others, sooner], now) == [sooner, later]
