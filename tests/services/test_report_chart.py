"""The completion chart picture: one bar per top unit with plans due, or no picture at all."""

from __future__ import annotations

import struct

from bot.domain.digest import Tally
from bot.locales import Catalog
from bot.office.report_chart import chart_png
from bot.office.report_sheet import chart_rows
from bot.services.digests import ReportRow


def _row(path: str, depth: int, required: int, submitted: int) -> ReportRow:
    return ReportRow(path, depth, Tally(required=required, submitted=submitted), 0, 0)


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def test_chart_shows_top_units_with_plans_due_and_grows_with_them() -> None:
    catalog = Catalog.load()
    rows = [
        _row("Đảng bộ xã", 1, 10, 4),
        _row("Đảng bộ xã / Chi bộ thôn 1", 2, 6, 4),
        _row("Đảng bộ xã / Chi bộ thôn 1 / Tổ 1", 3, 3, 3),  # too deep for the picture
        _row("Đảng bộ xã / Hội Người cao tuổi", 2, 0, 0),  # nobody must hand in
    ]
    assert [r.unit_path for r in chart_rows(rows)] == ["Đảng bộ xã", "Đảng bộ xã / Chi bộ thôn 1"]
    small = chart_png(catalog, rows)
    many = chart_png(catalog, rows + [_row(f"Đảng bộ xã / Chi bộ {n}", 2, 5, n) for n in range(9)])
    assert small is not None and many is not None
    assert _size(many)[1] > _size(small)[1]
    assert chart_png(catalog, rows[3:]) is None


def test_dollar_signs_in_unit_names_are_drawn_as_text() -> None:
    """A unit name with "$…$" is not matplotlib mathtext: no formula, no crash on bad TeX."""
    catalog = Catalog.load()
    rows = [
        _row("Chi bộ $\\frac{$ 1", 1, 4, 2),
        _row("Tổ $x^2$", 1, 4, 4),
        _row("Giá $5 và $6", 1, 4, 1),
    ]
    assert chart_png(catalog, rows) is not None
