"""The district report as XLSX: one row per unit (sub-units rolled up) and a completion chart."""

from __future__ import annotations

import io
from collections.abc import Sequence
from pathlib import Path

from bot.locales import Catalog
from bot.office.sheets import append_row, write_private
from bot.services.digests import DistrictReport, ReportRow

COLUMNS = (
    "unit",
    "required",
    "submitted",
    "confirmed",
    "returned",
    "late",
    "exempt",
    "not_linked",
    "unreachable",
    "rate",
    "cells",
    "cells_thematic",
    "cells_briefed",
    "cells_no_briefing",
    "cells_thematic_short",
    "studied_all",  # people who studied every required library material meant for them
    "models_nominated",  # exemplary models nominated this year (issue 18 §2)
    "models_waiting",  # … of them waiting for review (or returned for an edit)
    "models_published",  # … of them published
)
STUDIED_LABEL = "news.report_column"  # its header's catalog key (issue 18)
MODEL_COLUMNS = ("models_nominated", "models_waiting", "models_published")
HEADER_ROW = 3  # the title, a blank line, then the column headers
CHART_DEPTH = 2  # the charts show the top two levels (depth 1 is the top); the table has all
CHART_UNITS = 30


def _values(row: ReportRow, label: str | None = None) -> list[object]:
    t = row.tally
    indent = "    " * (row.depth - 1)
    return [
        label if label is not None else indent + row.unit_path.rsplit(" / ", 1)[-1],
        t.required,
        t.submitted,
        t.confirmed,
        t.returned.count,
        t.late,
        t.exempt,
        t.not_linked,
        t.unreachable.count,
        round(row.rate, 1),
        row.cells,
        row.cells_thematic,
        row.cells_briefed,
        row.cells_no_briefing,
        row.cells_thematic_short,
        row.studied_all,
        row.models_nominated,
        row.models_waiting,
        row.models_published,
    ]


def column_key(name: str) -> str:
    """The catalog key of a column's header."""
    if name in MODEL_COLUMNS:
        return f"models_report.column.{name.removeprefix('models_')}"
    return STUDIED_LABEL if name == "studied_all" else f"report.column.{name}"


def chart_rows(rows: Sequence[ReportRow]) -> list[ReportRow]:
    """The units a chart shows: the top levels that have plans to hand in."""
    return [r for r in rows if r.depth <= CHART_DEPTH and r.tally.required][:CHART_UNITS]


def write_report(path: Path, catalog: Catalog, report: DistrictReport) -> None:
    """Write the report (``path`` must end in .xlsx)."""
    write_private(path, report_bytes(catalog, report))


def report_bytes(catalog: Catalog, report: DistrictReport) -> bytes:
    """The report as the bytes of an XLSX file."""
    rows = report.rows
    # openpyxl (and numpy through it) loads with the first report, not with the bot
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one sheet (``active`` may be None)
    sheet.title = catalog.plain("report.sheet")
    append_row(
        sheet,
        [
            catalog.plain(
                "report.title",
                year=report.campaign.year,
                title=report.campaign.title,
                day=report.made_on.strftime("%d/%m/%Y"),
            )
        ],
    )
    sheet["A1"].font = Font(bold=True, size=13)
    append_row(sheet, [])
    append_row(sheet, [catalog.plain(column_key(name)) for name in COLUMNS])
    for cell in sheet[HEADER_ROW]:
        cell.font = Font(bold=True)
    for row in rows:
        append_row(sheet, _values(row))
        if row.depth == 1:  # top-level units in bold
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    append_row(sheet, _values(report.total, catalog.plain("report.total")))
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    for index in range(1, len(COLUMNS) + 1):
        letter = get_column_letter(index)
        width = max((len(str(c.value or "")) for c in sheet[letter][HEADER_ROW - 1 :]), default=10)
        sheet.column_dimensions[letter].width = min(max(width + 2, 8), 60)
    sheet.freeze_panes = f"B{HEADER_ROW + 1}"

    top = chart_rows(rows)
    if top:
        data = workbook.create_sheet(catalog.plain("report.chart_sheet"))
        append_row(data, [catalog.plain("report.column.unit"), catalog.plain("report.column.rate")])
        for row in top:
            append_row(data, [row.unit_path.rsplit(" / ", 1)[-1], round(row.rate, 1)])
        chart = BarChart()
        chart.type = "bar"
        chart.title = catalog.plain("report.chart_title")
        chart.y_axis.title = "%"
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 100
        chart.add_data(
            Reference(data, min_col=2, min_row=1, max_row=len(top) + 1), titles_from_data=True
        )
        chart.set_categories(Reference(data, min_col=1, min_row=2, max_row=len(top) + 1))
        chart.height = max(7.5, 0.6 * len(top))
        chart.width = 18
        data.add_chart(chart, "D2")
        data.column_dimensions["A"].width = 40
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
