"""The one text-cleaning rule: what XML 1.0 and Telegram cannot carry never gets in."""

from __future__ import annotations

import itertools
import unicodedata
from datetime import UTC, date, datetime

import pytest

from bot.domain import engine as e
from bot.domain.engine import Invalid
from bot.domain.meetings import parse_meeting
from bot.domain.roster import Column, parse_row, split_unit_path
from bot.domain.text import is_blank, scrub, tidy
from bot.forms import load_forms

INVISIBLE_ONLY = ("\u200b", "\u200c\u200d", " \ufeff ", "\u2060\n\u200b", "\u200b\t\u3000")
F01 = load_forms()["mau_01"]


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("a\x00b\x01c\x08d\x0be\x0cf\x1fg\x7fh", "abcdefgh"),
        ("dòng 1\r\ndòng 2\rdòng 3", "dòng 1\ndòng 2\ndòng 3"),
        ("tab\tgiữ", "tab\tgiữ"),
        ("x\ufffey\uffffz\U0001fffe\U0010ffff\ufdd0", "xyz"),
        ("lẻ\ud800\udfffloi", "lẻloi"),
        ("Nguyễn Văn An 👨\u200d👩\u200d👧", "Nguyễn Văn An 👨\u200d👩\u200d👧"),
    ],
)
def test_scrub_drops_what_xml_and_telegram_cannot_carry(typed: str, kept: str) -> None:
    """Controls but tab and newline, noncharacters and lone surrogates go; the rest stays."""
    assert scrub(typed) == kept
    assert scrub(kept) == kept


@pytest.mark.parametrize("typed", INVISIBLE_ONLY)
def test_text_that_shows_nothing_is_empty(typed: str) -> None:
    """Zero-width characters and spaces alone are blank everywhere text comes in."""
    assert is_blank(typed) and tidy(typed) == ""
    assert not is_blank("a\u200b")


def _question_draft() -> e.Draft:
    draft = e.confirm_identity(F01, e.start(F01, {"full_name": "An"}))
    assert isinstance(draft, e.Draft)
    return draft


@pytest.mark.parametrize("typed", INVISIBLE_ONLY)
def test_an_invisible_answer_is_asked_again_as_empty(typed: str) -> None:
    """A required long answer made only of invisible characters is refused as empty."""
    draft = _question_draft()
    assert e.answer(F01, draft, typed) == Invalid("empty")


def test_answers_are_stored_scrubbed() -> None:
    """A noncharacter typed into an answer is not stored (it broke the DOCX)."""
    draft = e.answer(F01, _question_draft(), "Học tập\ufffe nghị quyết\uffff\x02 của Đảng")
    assert isinstance(draft, e.Draft) and draft.buffer == "Học tập nghị quyết của Đảng"


def test_roster_cells_and_meeting_fields_are_scrubbed() -> None:
    """A roster name with control characters is accepted clean; an invisible one is missing."""
    columns = {Column.CODE: 0, Column.NAME: 1, Column.CATEGORY: 2, Column.UNIT: 3}
    record = parse_row(
        2, ["A1", "Lê\x01 Văn\x1b Cường\ufffe", "Đảng viên", "Xã\x00 A"], columns, date(2022, 1, 1)
    )
    assert not isinstance(record, list)
    assert record.full_name == "Lê Văn Cường" and record.unit_path == ("Xã A",)
    errors = parse_row(2, ["A1", "\u200b\ufeff", "Đảng viên", "Xã A"], columns, date(2022, 1, 1))
    assert isinstance(errors, list) and [x.code for x in errors] == ["missing_name"]
    meeting = parse_meeting(
        "20/04/2022 14:00; Hội\x07 trường\uffff; Chuyên đề\x00",
        UTC,
        datetime(2022, 4, 1, tzinfo=UTC),
        "",
    )
    assert (meeting.place, meeting.topic) == ("Hội trường", "Chuyên đề")


@pytest.mark.parametrize(
    ("written", "path"),
    [
        ("Đảng bộ xã / Chi bộ 1", ("Đảng bộ xã", "Chi bộ 1")),
        ("Chi bộ 2/9", ("Chi bộ 2/9",)),
        ("Đảng bộ xã / Tổ 3/4", ("Đảng bộ xã", "Tổ 3/4")),
        ("Đảng bộ xã  /  Chi bộ 1", ("Đảng bộ xã", "Chi bộ 1")),
    ],
)
def test_a_slash_separates_levels_only_with_spaces_around(
    written: str, path: tuple[str, ...]
) -> None:
    """ "A / B" is two levels, "2/9" is part of a name (as the README says)."""
    columns = {Column.CODE: 0, Column.NAME: 1, Column.CATEGORY: 2, Column.UNIT: 3}
    record = parse_row(2, ["A1", "An", "Đảng viên", written], columns, date(2022, 1, 1))
    assert not isinstance(record, list) and record.unit_path == path
    assert split_unit_path(written) == path


def _tidy_by_definition(value: str) -> str:
    """``tidy`` as it is defined, without its shortcuts: scrub, NFC, collapse every run of
    blanks, strip, and nothing when only invisible characters are left."""
    value = " ".join(unicodedata.normalize("NFC", scrub(value)).split()).strip()
    return "" if is_blank(value) else value


def test_tidy_shortcuts_give_what_the_definition_gives() -> None:
    """Every string of up to four characters from blanks (printable and not), invisibles,
    controls, a combining mark and letters: ``tidy`` skips work only when it changes nothing."""
    pieces = ("a", "Đ", " ", "\t", "\n", "\r", "\xa0", "\u3000", "\u2028", "\x85", "\u200b")
    pieces += ("\ufeff", "\x00", "\u0301", "\ud800", "\ufffe")
    for length in range(5):
        for combo in itertools.product(pieces, repeat=length):
            typed = "".join(combo)
            assert tidy(typed) == _tidy_by_definition(typed), repr(typed)
