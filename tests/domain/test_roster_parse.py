"""Roster rows as an office types them: headers and values, each bad row with its reason."""

from __future__ import annotations

from datetime import date, datetime

from bot.domain.models import Category, Exemption, Role
from bot.domain.roster import parse_roster

TODAY = date(2026, 11, 28)
HEADER = ["Mã", "Họ và tên", "Ngày sinh", "Số điện thoại", "Đối tượng", "Miễn", "Đơn vị", "Vai trò"]


def parse(*rows: list[object], header: list[str] = HEADER):  # type: ignore[no-untyped-def]
    numbered = [(1, header)] + [(i, row) for i, row in enumerate(rows, start=2)]
    return parse_roster(numbered, TODAY)  # type: ignore[arg-type]


def test_headers_without_diacritics_and_in_any_case() -> None:
    """``HO VA TEN``, ``ma``, ``doi tuong`` are the same columns."""
    header = ["MA", "ho va ten", "Doi Tuong", "don vi", "STT"]
    result = parse(["a1", "Nguyễn An", "dang vien", "Xã A / Chi bộ 1", "1"], header=header)
    assert result.ok, result.errors
    [record] = result.records
    assert record.code == "A1" and record.category is Category.PARTY_MEMBER
    assert record.unit_path == ("Xã A", "Chi bộ 1")


def test_values_abbreviations_and_excel_cells() -> None:
    """Abbreviations, a date cell, and a phone number cell that lost its leading zero."""
    result = parse(
        [1001.0, "Trần B", datetime(1980, 2, 3), 912345678, "CB-CC-VC", "", "Xã A", "thủ trưởng"],
        [
            "X2",
            "Lê C",
            "3/4/1950",
            "+84 905 111 222",
            "Đảng viên",
            "huu tri",
            "Xã A",
            "Bí thư, Quản trị",
        ],
    )
    assert result.ok, result.errors
    first, second = result.records
    assert (
        first.code == "1001"
        and first.birth_date == date(1980, 2, 3)
        and first.phone == "0912345678"
    )
    assert first.category is Category.STAFF and first.roles == {Role.HEAD}
    assert second.exemption is Exemption.RETIRED and second.roles == {Role.SECRETARY, Role.ADMIN}
    assert second.birth_date == date(1950, 4, 3)


def test_every_bad_row_is_listed_with_its_reason() -> None:
    """Each kind of mistake is reported on the row number the spreadsheet shows."""
    result = parse(
        ["A1", "Người 1", "", "12345", "Đảng viên", "", "Xã A", ""],
        ["A2", "Người 2", "", "", "Khách mời", "", "Xã A", ""],
        ["A1", "Người 3", "", "", "Đảng viên", "", "Xã A", ""],
        ["A4", "Người 4", "31/02/1990", "", "Đảng viên", "", "Xã A", ""],
        ["A5", "Người 5", "", "", "Cá nhân", "Hưu trí", "Xã A", ""],
        ["A6", "", "", "", "Đảng viên", "", "", "Vua"],
        ["A 7", "Người 7", "", "", "Đảng viên", "Miễn gì đó", "Xã A / / B", ""],
        ["A8", "Người 8", "01/01/2030", "", "Đảng viên", "", "Xã A", ""],
    )
    assert not result.ok and not result.records
    found = {(e.row, e.code) for e in result.errors}
    assert found == {
        (2, "bad_phone"),
        (3, "bad_category"),
        (4, "duplicate_code"),
        (5, "bad_birth_date"),
        (6, "exemption_not_party"),
        (7, "missing_name"),
        (7, "missing_unit"),
        (7, "bad_role"),
        (8, "bad_code"),
        (8, "bad_exemption"),
        (8, "bad_unit"),
        (9, "bad_birth_date"),
    }
    duplicate = next(e for e in result.errors if e.code == "duplicate_code")
    assert duplicate.other_row == 2


def test_missing_required_headers_and_empty_files() -> None:
    """A file without the needed columns, or without rows, is refused as a whole."""
    result = parse(["x"], header=["Họ và tên", "Ghi chú"])
    assert {e.code for e in result.errors} == {
        "missing_header.code",
        "missing_header.category",
        "missing_header.unit",
    }
    assert [e.code for e in parse_roster([], TODAY).errors] == ["empty_file"]
    assert [e.code for e in parse().errors] == ["no_rows"]


def test_shared_phone_is_a_warning_and_blank_rows_are_skipped() -> None:
    """Two people on one phone import (with a warning); empty rows in between are ignored."""
    result = parse(
        ["A1", "Cha", "", "0912345678", "Cá nhân", "", "Thôn 1", ""],
        ["", "", "", "", "", "", "", ""],
        ["A2", "Con", "", "0912 345 678", "Cá nhân", "", "Thôn 1", ""],
    )
    assert result.ok
    assert [(w.row, w.code, w.other_row) for w in result.warnings] == [(4, "shared_phone", 2)]


def test_a_slash_without_spaces_is_part_of_the_name_with_a_warning() -> None:
    """ "Đảng bộ xã A/Chi bộ 1" (the old way to write levels) is one unit now: the row imports,
    with a warning per row saying how to write levels; " / " splits without one."""
    result = parse(
        ["A1", "Một", "", "", "Đảng viên", "", "Đảng bộ xã A/Chi bộ 1", ""],
        ["A2", "Hai", "", "", "Đảng viên", "", "Xã B / Tổ 1/5", ""],
        ["A3", "Ba", "", "", "Đảng viên", "", "Đảng bộ xã A / Chi bộ 1", ""],
    )
    assert result.ok, result.errors
    assert [r.unit_path for r in result.records] == [
        ("Đảng bộ xã A/Chi bộ 1",),
        ("Xã B", "Tổ 1/5"),
        ("Đảng bộ xã A", "Chi bộ 1"),
    ]
    assert [(w.row, w.code, w.value) for w in result.warnings] == [
        (2, "unit_slash", "Đảng bộ xã A/Chi bộ 1"),
        (3, "unit_slash", "Tổ 1/5"),
    ]


def test_hostile_cells_are_refused_not_crashed_on() -> None:
    """Huge cells and control characters give errors, never an exception."""
    result = parse(
        ["A1", "x" * 10_000, "", "", "Đảng viên", "", "Xã A", ""],
        ["A2", "<b>", "", "", 5, "", "X", ""],
    )
    assert [e.code for e in result.errors] == ["too_long", "bad_category"]


def test_only_the_three_exemptions_of_the_plan_are_accepted() -> None:
    """Elderly *and* ethnic minority is one exemption; either half alone is a row error."""
    accepted = parse(
        ["B1", "Người 1", "", "", "Đảng viên", "Miễn sinh hoạt", "Xã A", ""],
        ["B2", "Người 2", "", "", "Đảng viên", "nghi huu", "Xã A", ""],
        ["B3", "Người 3", "", "", "Đảng viên", "Cao tuổi DTTS", "Xã A", ""],
        ["B4", "Người 4", "", "", "Đảng viên", "cao tuoi la nguoi dan toc thieu so", "Xã A", ""],
    )
    assert accepted.ok, accepted.errors
    assert [r.exemption for r in accepted.records] == [
        Exemption.SUSPENDED,
        Exemption.RETIRED,
        Exemption.ELDERLY,
        Exemption.ELDERLY,
    ]
    refused = parse(
        ["C1", "Người 1", "", "", "Đảng viên", "Cao tuổi", "Xã A", ""],
        ["C2", "Người 2", "", "", "Đảng viên", "DTTS", "Xã A", ""],
        ["C3", "Người 3", "", "", "Đảng viên", "Dân tộc thiểu số", "Xã A", ""],
    )
    assert {(e.row, e.code, e.value) for e in refused.errors} == {
        (2, "bad_exemption", "Cao tuổi"),
        (3, "bad_exemption", "DTTS"),
        (4, "bad_exemption", "Dân tộc thiểu số"),
    }


def test_workplace_is_an_optional_column_under_either_name() -> None:
    """``Nơi công tác`` (or ``DON VI CONG TAC``) is where the person works; too long is refused."""
    for title in ("Nơi công tác", "DON VI CONG TAC"):
        result = parse(
            [
                "A1",
                "Nguyễn An",
                "",
                "",
                "Đảng viên",
                "",
                "Xã A / Chi bộ 1",
                "",
                "Trường Tiểu học A",
            ],
            header=[*HEADER, title],
        )
        assert result.ok, result.errors
        assert result.records[0].workplace == "Trường Tiểu học A"
    assert (
        parse(["A1", "Nguyễn An", "", "", "Đảng viên", "", "Xã A", ""]).records[0].workplace == ""
    )
    long = parse(
        ["A1", "Nguyễn An", "", "", "Đảng viên", "", "Xã A", "", "x" * 201],
        header=[*HEADER, "Nơi công tác"],
    )
    assert [e.code for e in long.errors] == ["workplace_too_long"]
