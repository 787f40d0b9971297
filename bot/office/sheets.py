"""Spreadsheet files in and out: CSV (UTF-8, with or without BOM) and XLSX (openpyxl).

Every table we write goes through here, cell by cell (``csv_cell``, ``append_row``): text is
scrubbed of what XML cannot hold, and text that a spreadsheet would run as a formula (it starts
with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return) stays text: an XLSX cell is stored
as a string, a CSV cell gets a leading ``'``. Files are written owner-only (``write_private``).

Reading is bounded while it reads: the file's size, an XLSX's unpacked size, the rows and the
columns are capped, so a small file that claims a million rows is refused, not expanded.

An XLSX is read by calamine (``python-calamine``, a Rust reader, ten times openpyxl's speed)
once a scan of the sheet's XML has found it within the caps: calamine holds the sheet as one
grid from its first to its last cell, so a cell at XFD200000 would make a grid of billions.
A sheet whose cells with content reach past the column cap, or whose parts cannot be found
as the scan expects, is read by openpyxl in read-only mode, cell by cell, as before.
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

if TYPE_CHECKING:  # openpyxl (numpy through it) and calamine load where a sheet is made or read
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
    return list(iter_rows(path))


class SheetRows:
    """The rows of a sheet as they are read, with their number known in advance (for a bar).

    Iterating may still raise ``SheetError`` (a row past the cap, a sheet that breaks)."""

    def __init__(self, rows: Iterator[Row], count: int) -> None:
        self._rows, self._count = rows, count

    def __len__(self) -> int:
        return self._count

    def __iter__(self) -> Iterator[Row]:
        return self._rows


def iter_rows(path: Path) -> SheetRows:
    """The first sheet's rows, (row number as the spreadsheet shows it, cells), read as they
    are used: an XLSX read by calamine is never held as Python rows all at once."""
    suffix = path.suffix.lower()
    if suffix not in SUFFIXES:
        raise SheetError("file_unsupported")
    if not path.is_file():
        raise SheetError("file_not_found")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_large()
    if suffix == ".xlsx":
        streamed = _read_xlsx(path)
        if streamed is not None:
            return SheetRows(_capped(streamed[0]), streamed[1])
        rows = list(_capped(_read_openpyxl(path)))
    else:
        rows = list(_capped(_read_csv(path)))
    return SheetRows(iter(rows), len(rows))


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


def _read_xlsx(path: Path) -> tuple[Iterator[Row], int] | None:
    """The rows through calamine and how many there are, once the scan has bounded the sheet;
    None when openpyxl is to read it."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
            texts = sum(
                p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml")
            )
            if (
                sum(p.file_size for p in parts) > MAX_UNPACKED_BYTES
                or texts > MAX_SHARED_STRINGS_BYTES
            ):
                raise _too_large()
            sheet = _first_sheet(archive)
            extent = None
            if sheet is not None:
                with archive.open(sheet) as stream:
                    extent = _extent(stream)
    except (zipfile.BadZipFile, OSError, ValueError, KeyError) as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    if extent is not None and extent[0] > MAX_ROWS:
        raise _too_many_rows()
    if extent is not None and extent[1] <= MAX_COLUMNS:
        return _read_calamine(path)
    return None


def _calamine_errors() -> tuple[type[Exception], ...]:
    """What calamine raises on a file it cannot read."""
    from python_calamine import CalamineError

    return (CalamineError, ValueError, TypeError, OSError, IndexError)


def _read_calamine(path: Path) -> tuple[Iterator[Row], int]:
    """The first sheet's rows through calamine (the scan has bounded its grid), and how many."""
    from python_calamine import CalamineWorkbook

    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        start, end = sheet.start, sheet.end
    except _calamine_errors() as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None
    if start is None or end is None:  # an empty sheet
        return iter(()), 0
    return _calamine_rows(sheet.iter_rows(), [None] * start[1]), end[0] + 1


def _calamine_rows(rows: Iterator[Sequence[object]], lead: list[Cell]) -> Iterator[Row]:
    """calamine's rows numbered from the sheet's first; ``lead`` stands for the empty columns
    calamine leaves out before the first one used."""
    errors = _calamine_errors()
    try:
        for number, values in enumerate(rows, start=1):
            yield number, lead + [_calamine_cell(value) for value in values]
    except errors as exc:
        raise SheetError("file_unreadable", type(exc).__name__) from None


_AS_READ = (str, int, date)  # what calamine gives that is kept as it is (datetime is a date)


def _calamine_cell(value: object) -> Cell:
    """A calamine value as openpyxl gives it: None for an empty cell, a whole number as int."""
    if value == "":
        return None
    if isinstance(value, _AS_READ):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    return str(value)  # a time of day, a duration


def _read_openpyxl(path: Path) -> Iterator[Row]:
    """The first sheet's rows, read by openpyxl cell by cell (the zip's sizes are checked)."""
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


_NS_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_NS_REL = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_NS_PACKAGE_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part name of the workbook's first sheet (the one calamine reads), or None when the
    workbook is not laid out as expected (then openpyxl reads it)."""
    from xml.etree import ElementTree  # here: every command imports this module, few read xlsx

    try:
        workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
        rels = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    except (KeyError, ElementTree.ParseError):
        return None
    first = workbook.find(f"{_NS_MAIN}sheets/{_NS_MAIN}sheet")
    if first is None:
        return None
    rel_id = first.get(f"{_NS_REL}id")
    for rel in rels.iter(f"{_NS_PACKAGE_REL}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            name = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            return name if name in archive.namelist() else None
    return None


_ROW_TAG = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?row\b([^>]*)>")
_ROW_NUMBER = re.compile(rb"\sr\s*=\s*[\"'](\d+)[\"']")
_CHUNK = 1 << 20
_NAME = rb"<(?:[A-Za-z_][\w.\-]*:)?"  # a tag's opening, with any namespace prefix
_REF = rb"""\sr\s*=\s*["']"""
# Every row tag with its number, every cell tag with its column letters and "/" when it is
# written empty (``<c …/>``); a group is b"" when the tag has no reference.
_ROWS = re.compile(_NAME + rb"row\b(?:[^>]*?" + _REF + rb"(\d+))?")
_CELLS = re.compile(_NAME + rb"c\b(?:[^>]*?" + _REF + rb"([A-Za-z]{1,3})\d)?[^>]*?(/?)>")


def _extent(stream: IO[bytes]) -> tuple[int, int] | None:
    """(the number of the sheet's last row, the rightmost column of a cell that may hold
    something: one written ``<c …/>`` holds nothing) from its XML read in chunks, by regular
    expressions rather than a parser; None when a row or a cell has no reference ``r`` (or
    the scan is in doubt), and then openpyxl reads the sheet. Stops once past the row cap."""
    last_row, columns, carry = 0, set[tuple[bytes, bytes]](), b""
    while chunk := stream.read(_CHUNK):
        data = carry + chunk
        cut = data.rfind(b">") + 1
        block, carry = data[:cut], data[cut:]
        numbers = _ROWS.findall(block)
        columns.update(_CELLS.findall(block))
        if b"" in numbers:
            return None
        if numbers:
            last_row = int(numbers[-1])
        if last_row > MAX_ROWS:
            break
    if any(not letters for letters, _ in columns):
        return None
    widest = max((_column_number(letters) for letters, empty in columns if not empty), default=0)
    return last_row, widest


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


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
    if not isinstance(value, str):
        return value
    from openpyxl.cell.cell import Cell as XlsxCell

    cell = XlsxCell(sheet, row=1, column=1, value=scrub(value))  # placed by ``append``
    cell.data_type = "s"
    return cell


def _widths(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[int]:
    """Each column's width: its longest value plus two, between 10 and 60."""
    widest = [len(str(name)) for name in header]
    for row in rows:
        for index, value in enumerate(row[: len(widest)]):
            if len(str(value)) > widest[index]:
                widest[index] = len(str(value))
    return [min(max(width + 2, 10), 60) for width in widest]


def _streamed_text(sheet: object, value: str) -> object:
    """``value`` scrubbed, for a write-only sheet: plain text as it is, text that openpyxl
    would write as a formula (it starts with ``=``) as a cell typed as text, and no cell at
    all for empty text (it reads back the same, and costs nothing to write)."""
    text = scrub(value)
    if not text:
        return None
    if not text.startswith("="):
        return text
    from openpyxl.cell.cell import WriteOnlyCell

    cell = WriteOnlyCell(sheet, value=text)  # type: ignore[arg-type]
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
    from openpyxl.cell.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    # Write-only: each row goes to the file as it is appended, not kept as cell objects (a
    # 50,000-person roster took 10 s and 400 MB the other way). Widths come first, from a
    # pass over the values, since a streamed sheet cannot be measured once written.
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)
    for index, width in enumerate(_widths(header, rows), start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    titles = []
    for name in header:
        cell = WriteOnlyCell(sheet, value=scrub(str(name)))
        cell.data_type, cell.font = "s", bold
        titles.append(cell)
    sheet.append(titles)
    for row in rows:
        # Text cells everywhere: phones keep their leading zero, codes stay as typed.
        sheet.append([_streamed_text(sheet, str(value)) for value in row])
    if notes is not None:
        guide = workbook.create_sheet(notes[0])
        guide.column_dimensions["A"].width = 120
        for line in notes[1].splitlines():
            guide.append([_streamed_text(guide, line)])
    write_private(path, workbook_bytes(workbook))
