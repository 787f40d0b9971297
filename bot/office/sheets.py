"""Spreadsheet files in and out: CSV (UTF-8, with or without BOM) and XLSX (openpyxl).

Every table we write goes through here, cell by cell (``csv_cell``, ``append_row``): text is
scrubbed of what XML cannot hold, and text that a spreadsheet would run as a formula (it starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) stays text: an XLSX cell is stored
as a string, a CSV cell gets a leading ``'``. Files are written owner-only (``write_private``).

Reading is bounded while it reads: the file's size, an XLSX's unpacked size, the rows and the
columns are capped, so a small file that claims a million rows is refused, not expanded.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import IO, TYPE_CHECKING

from bot.domain.roster import Cell
from bot.domain.text import scrub

if TYPE_CHECKING:  # openpyxl (and numpy through it) loads where a sheet is made or read
    from openpyxl import Workbook
    from openpyxl.worksheet.worksheet import Worksheet

MAX_FILE_BYTES = 20 * 1024 * 1024  # the file as it lies on disk
MAX_UNPACKED_BYTES = 200 * 1024 * 1024  # an XLSX's parts once unzipped
MAX_SHARED_STRINGS_BYTES = 64 * 1024 * 1024  # an XLSX's table of texts, held in memory whole
MAX_ROWS = 200_000  # header included
MAX_COLUMNS = 60  # cells beyond it must be empty
SUFFIXES = (".csv", ".xlsx")
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
PRIVATE_MODE = 0o600


class SheetError(Exception):
    """The file cannot be read; ``reason`` names a catalog message under ``cli.``."""

    def __init__(self, reason: str, detail: str = "", **values: object) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail
        self.values = values


Row = tuple[int, Sequence[Cell]]


def _too_large() -> SheetError:
    return SheetError("file_too_large", mb=MAX_FILE_BYTES // (1024 * 1024))


def _too_many_rows() -> SheetError:
    return SheetError("file_too_many_rows", rows=f"{MAX_ROWS:,}".replace(",", "."))


def read_rows(path: Path) -> list[Row]:
    """Read the first sheet as (row number as the spreadsheet shows it, cells)."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError("file_unsupported")
    if not path.is_file():
        raise SheetError("file_not_found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_large()
    return list(_capped(_read_csv(path) if suffix == ".csv" else _read_xlsx(path)))


def _capped(rows: Iterator[Row]) -> Iterator[Row]:
    """The rows without their trailing empty cells, refused as soon as one lies past the row cap
    or has data past the column cap."""
    for number, cells in rows:
        if number > MAX_ROWS:
            raise _too_many_rows()
        end = len(cells)
        while end and cells[end - 1] in (None, ""):
            end -= 1
        if end > MAX_COLUMNS:
            raise SheetError("file_too_many_columns", columns=MAX_COLUMNS)
        yield number, cells[:end]


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
        for number, cells in enumerate(csv.reader(io.StringIO(text), dialect), start=1):
            yield number, [_unquote(cell) for cell in cells]
    except csv.Error as exc:
        raise SheetError("file_unreadable", str(exc)) from None


def _unquote(cell: str) -> str:
    """A cell we wrote as ``'=…`` (see ``csv_cell``) reads back as it was typed."""
    return cell[1:] if cell[:1] == "'" and cell[1:2] and cell[1:2] in FORMULA_START else cell


def _read_xlsx(path: Path) -> Iterator[Row]:
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    texts = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
    if sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES or texts > MAX_SHARED_STRINGS_BYTES:
        raise _too_large()
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    try:
        sheet = workbook.worksheets[0]
        # The sheet's own claim of its size (<dimension ref="A1:XFD1048576"/>) is not trusted:
        # without it a row is as long as its last cell and missing rows come as empty ones.
        reset = getattr(sheet, "reset_dimensions", None)
        if reset is not None:
            reset()
        source = getattr(sheet, "_get_source", None)  # the sheet's XML, as openpyxl opens it
        if callable(source):
            with source() as stream:
                if _last_row(stream) > MAX_ROWS:
                    raise _too_many_rows()
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(value) for value in values]
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    finally:
        workbook.close()


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
_CHUNK = 1 << 20


def _last_row(stream: IO[bytes]) -> int:
    """The number of a sheet's last row, from its XML read in chunks without parsing it (rows
    come in order): a sheet of a million empty styled rows is refused before openpyxl parses
    200,000 of them. The cap while reading stays the guarantee; this makes refusing quick."""
    last, carry = 0, b""
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        cut = data.rfind(b">") + 1
        for tag in _ROW_TAG.finditer(data, 0, cut):
            number = _ROW_NUMBER.search(tag.group(1))
            last = int(number.group(1)) if number else last + 1
        if last > MAX_ROWS:
            break
        carry = data[cut:]
    return last


def _cell(value: object) -> Cell:
    if value is None or isinstance(value, str | int | float | date | datetime):
        return value
    return str(value)


# ----------------------------------------------------------------------------- writing
def csv_cell(value: object) -> str:
    """A value as a CSV cell: scrubbed text, a leading ``'`` where a formula would start."""
    text = scrub(str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def append_row(sheet: Worksheet, values: Sequence[object]) -> None:
    """Append a row to an XLSX sheet; text is scrubbed and stored as text, never a formula.

    The cells are made here, text typed as text before they are placed: reading the row back
    (``sheet[sheet.max_row]``) walked every cell of the sheet, so a 20,000-row export took
    minutes."""
    sheet.append([_text_cell(sheet, value) for value in values])


def _text_cell(sheet: Worksheet, value: object) -> object:
    """``value`` as a text cell when it is text; anything else as it is."""
    from openpyxl.cell.cell import Cell as XlsxCell

    if not isinstance(value, str):
        return value
    cell = XlsxCell(sheet, row=1, column=1, value=scrub(value))  # placed by ``append``
    cell.data_type = "s"
    return cell


def write_private(path: Path, content: bytes) -> None:
    """Write ``path`` readable by its owner only (0600), replacing it whole or not at all."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
        os.chmod(temporary, PRIVATE_MODE)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def workbook_bytes(workbook: Workbook) -> bytes:
    """The bytes of an XLSX file."""
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


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
    if suffix == ".csv":
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer)
        writer.writerow([csv_cell(value) for value in header])
        writer.writerows([csv_cell(value) for value in row] for row in rows)
        write_private(path, buffer.getvalue().encode("utf-8-sig"))
        return
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.worksheets[0]  # a new workbook has one sheet (``active`` may be None)
    sheet.title = title
    append_row(sheet, list(header))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        # Text cells everywhere: phones keep their leading zero, codes stay as typed.
        append_row(sheet, [str(value) for value in row])
    for index, column in enumerate(sheet.columns, start=1):
        width = max((len(str(c.value or "")) for c in column), default=10)
        sheet.column_dimensions[get_column_letter(index)].width = min(max(width + 2, 10), 60)
    sheet.freeze_panes = "A2"
    if notes is not None:
        guide = workbook.create_sheet(notes[0])
        for line in notes[1].splitlines():
            append_row(guide, [line])
        guide.column_dimensions["A"].width = 120
    write_private(path, workbook_bytes(workbook))
