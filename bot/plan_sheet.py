"""A unit's plans as files for the secretary: an XLSX summary and a ZIP of the documents."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.styles import Font

from bot.domain.plans import DeskRow
from bot.locales import Catalog
from bot.sheets import append_row

COLUMNS = ("name", "unit", "status", "late")


def plans_xlsx(catalog: Catalog, rows: Sequence[DeskRow]) -> bytes:
    """One row per plan: name, unit, status, handed in late."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    append_row(sheet, [catalog.plain(f"desk.column.{name}") for name in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    yes = catalog.plain("desk.column.yes")
    for row in sorted(rows, key=lambda r: (r.unit_path, r.full_name)):
        append_row(
            sheet,
            [
                row.full_name,
                row.unit_path,
                catalog.plain(f"plan.status.{row.status.value}"),
                yes if row.late else "",
            ],
        )
    for letter, width in zip("ABCD", (32, 50, 28, 10), strict=True):
        sheet.column_dimensions[letter].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def documents_zip(documents: Sequence[tuple[str, bytes]]) -> bytes:
    """The documents in one ZIP."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in documents:
            archive.writestr(name, content)
    return buffer.getvalue()
