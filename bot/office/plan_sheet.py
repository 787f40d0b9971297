"""A unit's plans as files for the secretary: an XLSX summary and a ZIP of the documents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from bot.locales import Catalog
from bot.office.sheets import append_row
from bot.services.desk import UnitExport

COLUMNS = ("name", "unit", "status", "late", "submitted_at", "confirmed_at", "confirmed_by")
ACTION_COLUMNS = ("name", "unit", "number", "action", "deadline", "result")
PROGRESS_COLUMNS = ("actions", "done", "doing", "todo", "last")
MODEL_COLUMNS = ("who", "unit", "status", "by", "on", "deed", "result")
WHEN = "%d/%m/%Y %H:%M"


def _bold_header(sheet: Worksheet, names: Sequence[str]) -> None:
    append_row(sheet, list(names))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def plans_xlsx(catalog: Catalog, export: UnitExport) -> bytes:
    """One row per plan (status, handed in, confirmed by whom and when), a second sheet with
    one row per concrete action (what, by when, expected result), and a third with each
    handed-in plan's progress (actions done, in progress, not started; the last update); a
    fourth, when there are any, with the year's exemplary models of the units."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one sheet (``active`` may be None)
    sheet.title = catalog.plain("sheet.plans")
    _bold_header(sheet, [catalog.plain(f"desk.column.{name}") for name in COLUMNS])
    actions = workbook.create_sheet(catalog.plain("sheet.actions"))
    _bold_header(actions, [catalog.plain(f"desk.column.{name}") for name in ACTION_COLUMNS])
    progress = workbook.create_sheet(catalog.plain("progress.sheet"))
    _bold_header(
        progress,
        [catalog.plain("desk.column.name"), catalog.plain("desk.column.unit")]
        + [catalog.plain(f"progress.column.{name}") for name in PROGRESS_COLUMNS]
        + ([catalog.plain("midyear.column")] if export.midyear is not None else []),
    )
    yes = catalog.plain("desk.column.yes")
    records = sorted(
        export.records, key=lambda r: (r.copy.person.unit_path, r.copy.person.full_name)
    )
    for record in records:
        person, plan = record.copy.person, record.copy.plan
        append_row(
            sheet,
            [
                person.full_name,
                person.unit_path,
                catalog.plain(f"plan.status.{plan.status.value}"),
                yes if plan.late else "",
                record.submitted_at.strftime(WHEN) if record.submitted_at else "",
                record.confirmed_at.strftime(WHEN) if record.confirmed_at else "",
                record.confirmed_by,
            ],
        )
        for number, answers in enumerate(record.actions, start=1):
            padded = [*answers[:3], *[""] * (3 - len(answers[:3]))]
            append_row(actions, [person.full_name, person.unit_path, number, *padded])
        tally = export.progress.get(plan.id)
        if tally is not None:
            last = tally.last.strftime(WHEN) if tally.last else ""  # local already
            append_row(
                progress,
                [
                    person.full_name,
                    person.unit_path,
                    tally.actions,
                    tally.done,
                    tally.doing,
                    tally.todo,
                    last,
                    *([_midyear(catalog, export, plan.id)] if export.midyear is not None else []),
                ],
            )
    if export.models:  # the year's exemplary models of the units (issue 18 §2)
        models = workbook.create_sheet(catalog.plain("models_export.sheet"))
        _bold_header(models, [catalog.plain(f"models_export.column.{n}") for n in MODEL_COLUMNS])
        for exported in export.models:
            m = exported.model
            status = catalog.plain(f"models.status.{m.status.value}")
            row = [m.who, m.unit_path, status, m.nominated_by, exported.nominated_on]
            append_row(models, [*row, m.deed, m.result])
        for letter, width in zip("ABCDEFG", (32, 50, 20, 28, 14, 60, 60), strict=True):
            models.column_dimensions[letter].width = width
    for letter, width in zip("ABCDEFG", (32, 50, 28, 10, 18, 18, 32), strict=True):
        sheet.column_dimensions[letter].width = width
    for letter, width in zip("ABCDEF", (32, 50, 6, 60, 24, 50), strict=True):
        actions.column_dimensions[letter].width = width
    for letter, width in zip("ABCDEFGH", (32, 50, 10, 14, 14, 14, 18, 24), strict=True):
        progress.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _midyear(catalog: Catalog, export: UnitExport, plan_id: int) -> str:
    """Where the plan's author's mid-year self-check is, in the progress sheet."""
    check = (export.midyear or {}).get(plan_id)
    if check is None:
        return catalog.plain("midyear.cell.none")
    if check.submitted and check.submitted_at is not None:
        return catalog.plain("midyear.cell.sent", day=check.submitted_at.strftime("%d/%m/%Y"))
    return catalog.plain("midyear.cell.draft")


def documents_zip(documents: Sequence[tuple[str, bytes]]) -> bytes:
    """The documents in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in documents:
            archive.writestr(name, content)
    return buffer.getvalue()
