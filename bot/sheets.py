"""Spreadsheet files in and out: CSV (UTF-8, with or without BOM) and XLSX (openpyxl)."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from bot.domain.roster import Cell

MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_ROWS = 300_000
SUFFIXES = (".csv", ".xlsx")


class SheetError(Exception):
    """The file cannot be read; ``reason`` names a catalog message under ``cli.``."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


Row = tuple[int, Sequence[Cell]]


def read_rows(path: Path) -> list[Row]:
    """Read the first sheet as (row number as the spreadsheet shows it, cells)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError("file_unsupported")
    if not path.is_file():
        raise SheetError("file_not_found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise SheetError("file_too_large")
    rows = list(_read_csv(path) if suffix == ".csv" else _read_xlsx(path))
    if len(rows) > MAX_ROWS:
        raise SheetError("file_too_large")
    return rows


def _read_csv(path: Path) -> Iterator[Row]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise SheetError("file_not_utf8") from None
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        yield from enumerate(csv.reader(io.StringIO(text), dialect), start=1)
    except csv.Error as exc:
        raise SheetError("file_unreadable", str(exc)) from None


def _read_xlsx(path: Path) -> Iterator[Row]:
    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in values]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    finally:
        workbook.close()


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)


def write_rows(
    path: Path,
    header: Sequence[str],
    rows: Sequence[Sequence[str]],
    *,
    title: str,
    notes: tuple[str, str] | None = None,
) -> None:
    """Write a table as XLSX or CSV (by suffix); ``title`` names the XLSX sheet and ``notes``
    adds a (sheet name, text) sheet."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError("file_unsupported")
    path.parent.mkdir(parents=True, exist_ok=True)
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Text cells everywhere: phones keep their leading zero, codes stay as typed.
        sheet.append([str(value) for value in row])
    for index, column in enumerate(sheet.columns, start=1):
        width = max((len(str(c.value or "")) for c in column), default=10)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    if notes is not None:
        guide = workbook.create_sheet(notes[0])
        for line in notes[1].splitlines():
            guide.append([line])
        guide.column_dimensions["A"].width = 120
    workbook.save(path)
