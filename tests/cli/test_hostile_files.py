"""Hostile files in and out: formula cells, characters XML cannot hold, XLSX bombs, file modes."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import load_workbook

from bot.office.sheets import MAX_FILE_BYTES, MAX_ROWS, write_rows
from tests.helpers import cli_database, run_cli

FORMULAS = ('=HYPERLINK("http://evil.example","Bấm")', "+1", "-2", "@SUM(A1)", "\tx")
CATEGORY = "Đảng viên"
CAMPAIGN = ("campaign", "set", "--year", "2022", "--title", "Chuyên đề", "--place", "Tuy Phong")
CAMPAIGN += ("--deadline", "30/04/2022")


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every command of a test works on the same fresh SQLite file, with no .env around."""
    return cli_database(tmp_path, monkeypatch)


def roster_csv(path: Path, people: list[tuple[str, str, str]]) -> None:
    """A roster CSV of (code, name, unit) rows."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["Mã", "Họ và tên", "Đối tượng", "Đơn vị"])
    writer.writerows([code, name, CATEGORY, unit] for code, name, unit in people)
    path.write_text(buffer.getvalue(), "utf-8")


def xlsx_cells(path: Path) -> list[tuple[object, str]]:
    """(value, data type) of every cell of the first sheet past the header."""
    sheet = load_workbook(path).worksheets[0]
    return [(c.value, c.data_type) for row in sheet.iter_rows(min_row=2) for c in row]


# ----------------------------------------------------------------------------- formula cells
def test_every_writer_keeps_formula_like_text_as_text(tmp_path: Path) -> None:
    """The shared table writer never writes a live formula: XLSX cells are strings, CSV cells
    start with a quote (the report: below; the unit export: test_hostile_export)."""
    write_rows(tmp_path / "t.xlsx", ["A"], [[value] for value in FORMULAS], title="T")
    assert xlsx_cells(tmp_path / "t.xlsx") == [(value, "s") for value in FORMULAS]

    write_rows(tmp_path / "t.csv", ["A"], [[value] for value in FORMULAS], title="T")
    text = (tmp_path / "t.csv").read_text("utf-8-sig")
    assert [row[0] for row in csv.reader(io.StringIO(text))][1:] == ["'" + v for v in FORMULAS]


def test_hostile_names_and_units_go_out_as_text_and_come_back_unchanged(tmp_path: Path) -> None:
    """Imported names and units that look like formulas are exported, invited and reported as
    text; the exported CSV imports back as the same roster."""
    people = [(f"X{n}", name, f"Xã A / {name}") for n, name in enumerate(FORMULAS[:4])]
    roster_csv(tmp_path / "ds.csv", people)
    assert run_cli("roster", "import", "ds.csv")[0] == 0
    assert run_cli("roster", "export", "xuat.xlsx")[0] == 0
    assert run_cli("roster", "export", "xuat.csv")[0] == 0
    assert run_cli("invites", "--out", "moi.xlsx")[0] == 0
    assert run_cli(*CAMPAIGN)[0] == 0
    assert run_cli("report", "--out", "bc.xlsx")[0] == 0
    for file in ("xuat.xlsx", "moi.xlsx", "bc.xlsx"):
        book = load_workbook(tmp_path / file)
        cells = [(c.value, c.data_type) for s in book for row in s.iter_rows() for c in row]
        assert all(kind == "s" for value, kind in cells if isinstance(value, str)), file
        assert {name for _, name, _ in people} <= {str(value).strip() for value, _ in cells}
    rows = list(csv.reader(io.StringIO((tmp_path / "xuat.csv").read_text("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == {"'" + name for _, name, _ in people}
    status, out = run_cli("roster", "import", "xuat.csv")
    assert status == 0 and "không đổi 4" in out, out


# ----------------------------------------------------------------------------- XML characters
def test_control_characters_in_a_roster_are_dropped_at_import(tmp_path: Path) -> None:
    """Control characters and noncharacters never reach the database, so the export and the
    invites of the whole unit are written (they used to crash on the first such name)."""
    roster_csv(
        tmp_path / "ds.csv",
        [
            ("A1", "Nguyễn\x01 Văn\x0b An\ufffe", "Xã A / Chi bộ\x1f 1"),
            ("A2", "Trần Thị\x00 Bình\uffff", "Xã A / Chi bộ 1"),
        ],
    )
    status, out = run_cli("roster", "import", "ds.csv")
    assert status == 0 and "đơn vị mới: 2" in out, out
    assert run_cli("roster", "export", "xuat.xlsx")[0] == 0
    assert run_cli("invites", "--out", "moi.xlsx", "--unit", "Xã A / Chi bộ 1")[0] == 0
    values = {value for value, _ in xlsx_cells(tmp_path / "xuat.xlsx")}
    assert {"Nguyễn Văn An", "Trần Thị Bình", "Xã A / Chi bộ 1"} <= values
    assert len(xlsx_cells(tmp_path / "moi.xlsx")) == 2 * 5


# ----------------------------------------------------------------------------- bombs
def _bomb(path: Path, rows: str, dimension: str = "A1:XFD1048576") -> None:
    """A minimal XLSX whose only sheet is ``rows`` (the XML inside <sheetData>)."""
    files = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ),
        "xl/_rels/workbook.xml.rels": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
            '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>'
        ),
        "xl/worksheets/sheet1.xml": (
            '<?xml version="1.0" encoding="UTF-8"?>'
            '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
            f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
        ),
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)


HEADER = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>Mã</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>Họ và tên</t></is></c></row>'
)
FAR_CELL = '<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row>'


def test_a_sheet_claiming_every_cell_is_refused_in_little_memory(tmp_path: Path) -> None:
    """A 1 KB file that claims A1:XFD1048576 with a cell there is refused by its row count, and
    reading it stays far below 200 MB (it used to grow to gigabytes)."""
    bomb = tmp_path / "bom.xlsx"
    _bomb(bomb, HEADER + FAR_CELL)
    assert bomb.stat().st_size < 5_000
    status, out = run_cli("roster", "import", "bom.xlsx")
    assert status == 1 and "quá nhiều dòng" in out and "200.000" in out, out
    if not Path("/proc/self/status").exists():
        return  # the peak below is Linux's; the refusal above is checked everywhere
    # VmHWM is this process's own peak (ru_maxrss would include the pytest that forked it).
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.office.sheets import SheetError, read_rows\n"
        "try:\n"
        "    read_rows(Path(sys.argv[1]))\n"
        "except SheetError as error:\n"
        "    print(error.reason)\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(next(l.split()[1] for l in status.splitlines() if l.startswith('VmHWM')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(bomb)], capture_output=True, text=True, check=True
    )
    reason, peak_kb = result.stdout.split()
    assert reason == "file_too_many_rows"
    assert int(peak_kb) < 200 * 1024


def test_empty_styled_rows_and_far_columns_are_refused(tmp_path: Path) -> None:
    """Rows past the cap (even empty, styled ones) and data past the column cap are refused;
    trailing empty styled cells are not data."""
    styled = "".join(
        f'<row r="{n}" s="1" customFormat="1"/>' for n in range(MAX_ROWS - 5, MAX_ROWS + 5)
    )
    _bomb(tmp_path / "rows.xlsx", HEADER + styled, dimension="A1:B1")
    status, out = run_cli("roster", "import", "rows.xlsx")
    assert status == 1 and "quá nhiều dòng" in out, out

    wide = '<row r="2"><c r="A2" t="inlineStr"><is><t>A1</t></is></c><c r="BZ2" s="1"/></row>'
    _bomb(tmp_path / "styled.xlsx", HEADER + wide, dimension="A1:BZ2")
    status, out = run_cli("roster", "import", "styled.xlsx")
    assert "quá nhiều" not in out and "ngoài" not in out, out
    far = '<row r="2"><c r="BZ2" t="inlineStr"><is><t>x</t></is></c></row>'
    _bomb(tmp_path / "wide.xlsx", HEADER + far, dimension="A1:BZ2")
    status, out = run_cli("roster", "import", "wide.xlsx")
    assert status == 1 and "ngoài 60 cột" in out, out


def test_big_csv_files_are_refused_before_they_are_read(tmp_path: Path) -> None:
    """A CSV over the size cap is refused by its size; one of many short rows by its rows."""
    huge = tmp_path / "lon.csv"
    with huge.open("wb") as handle:
        handle.truncate(MAX_FILE_BYTES + 1)  # sparse: 3 million rows' worth of bytes, unread
    status, out = run_cli("roster", "import", "lon.csv")
    assert status == 1 and "quá lớn" in out and "20 MB" in out, out
    (tmp_path / "dai.csv").write_text("Mã,Họ và tên\n" + "A,B\n" * MAX_ROWS, "utf-8")
    status, out = run_cli("roster", "import", "dai.csv")
    assert status == 1 and "quá nhiều dòng" in out, out


# ----------------------------------------------------------------------------- file modes
def test_files_with_personal_data_are_owner_only(tmp_path: Path) -> None:
    """Exports, invites, the report and its chart are created 0600, even over a 0644 file."""
    roster_csv(tmp_path / "ds.csv", [("A1", "Nguyễn An", "Xã A / Chi bộ 1")])
    run_cli("roster", "import", "ds.csv")
    run_cli(*CAMPAIGN)
    (tmp_path / "xuat.csv").write_text("old", "utf-8")
    os.chmod(tmp_path / "xuat.csv", 0o644)
    assert run_cli("roster", "export", "xuat.csv")[0] == 0
    assert run_cli("roster", "export", "xuat.xlsx")[0] == 0
    assert run_cli("roster", "template", "mau.xlsx")[0] == 0
    assert run_cli("invites", "--out", "moi.xlsx")[0] == 0
    status, out = run_cli("report", "--out", "bc.xlsx", "--chart", "bc.png")
    assert status == 0, out
    for name in ("xuat.csv", "xuat.xlsx", "mau.xlsx", "moi.xlsx", "bc.xlsx", "bc.png"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600, name
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_the_last_row_is_found_without_parsing_the_sheet() -> None:
    """Row numbers are read from the row tags (prefixed or not, numbered or counted), across
    chunk boundaries; cells' own r attributes do not count."""
    from bot.office.sheets import _last_row

    rows = b'<row r="1"><c r="A900000"/></row><x:row spans="1:2"></x:row><row/>'
    assert _last_row(io.BytesIO(b"<sheetData>" + rows + b"</sheetData>")) == 3
    padded = b"<sheetData>" + b" " * ((1 << 20) - 15) + b'<row r="250000"/></sheetData>'
    assert _last_row(io.BytesIO(padded)) == 250_000


def test_a_far_cell_with_content_never_reaches_the_grid_reader(tmp_path: Path) -> None:
    """calamine holds a sheet as one grid from A1 to its last cell: a value at XFD and a row at
    199,999 would make billions of cells. The scan sends such a sheet to openpyxl, which
    refuses it by its columns, in little memory."""
    grid = (
        '<row r="2"><c r="XFD2" t="inlineStr"><is><t>x</t></is></c></row>'
        '<row r="199999"><c r="A199999" t="inlineStr"><is><t>y</t></is></c></row>'
    )
    _bomb(tmp_path / "luoi.xlsx", HEADER + grid, dimension="A1:B2")
    status, out = run_cli("roster", "import", "luoi.xlsx")
    assert status == 1 and "ngoài 60 cột" in out, out
    if not Path("/proc/self/status").exists():
        return
    probe = (
        "import sys\n"
        "from pathlib import Path\n"
        "from bot.office.sheets import SheetError, read_rows\n"
        "try:\n"
        "    read_rows(Path(sys.argv[1]))\n"
        "except SheetError as error:\n"
        "    print(error.reason)\n"
        "status = Path('/proc/self/status').read_text()\n"
        "print(next(l.split()[1] for l in status.splitlines() if l.startswith('VmHWM')))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe, str(tmp_path / "luoi.xlsx")],
        capture_output=True,
        text=True,
        check=True,
    )
    reason, peak_kb = result.stdout.split()
    assert reason == "file_too_many_columns"
    assert int(peak_kb) < 200 * 1024


def test_the_scan_finds_the_extent_or_gives_up() -> None:
    """The last row and the rightmost cell with content (prefixed tags too; ``<c …/>`` holds
    nothing); a row or cell without its reference leaves the sheet to openpyxl (None)."""
    from bot.office.sheets import _extent

    rows = (
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="AZ1" s="2"/></row>'
        b'<x:row r="7"><x:c r="L7"><x:v>1</x:v></x:c></x:row>'
    )
    assert _extent(io.BytesIO(b"<sheetData>" + rows + b"</sheetData>")) == (7, 12)
    assert _extent(io.BytesIO(b'<row r="1"><c t="s"><v>0</v></c></row>')) is None
    assert _extent(io.BytesIO(b'<row><c r="A1"><v>0</v></c></row>')) is None
    padded = b"<sheetData>" + b" " * ((1 << 20) - 15) + b'<row r="250000"/></sheetData>'
    assert _extent(io.BytesIO(padded)) == (250_000, 0)


def test_numbers_and_dates_read_as_openpyxl_gave_them(tmp_path: Path) -> None:
    """Through calamine a whole number is an int, a date a date, an empty cell None."""
    from datetime import date, datetime

    from openpyxl import Workbook

    from bot.office.sheets import read_rows

    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.append(["Mã", "Số", "Ngày", "Trống", "Chữ"])
    sheet.append(["A1", 912345678, datetime(1975, 3, 15), None, "0912"])
    sheet["C2"].number_format = "dd/mm/yyyy"
    workbook.save(tmp_path / "so.xlsx")
    rows = read_rows(tmp_path / "so.xlsx")
    number, cells = rows[1]
    assert number == 2 and cells[0] == "A1" and cells[1] == 912345678
    assert isinstance(cells[1], int) and cells[3] is None and cells[4] == "0912"
    assert isinstance(cells[2], date) and cells[2].strftime("%d/%m/%Y") == "15/03/1975"
