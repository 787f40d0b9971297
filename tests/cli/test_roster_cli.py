"""The roster commands as an admin uses them: template, import, export, invites."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from tests.helpers import cli_database, run_cli


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every command of a test works on the same fresh SQLite file, with no .env around."""
    return cli_database(tmp_path, monkeypatch)


def test_template_import_export_round_trip_xlsx_and_csv(tmp_path: Path) -> None:
    """template -> import -> export -> import changes nothing, in XLSX and in CSV."""
    assert run_cli("roster", "template", "mau.xlsx")[0] == 0
    status, out = run_cli("roster", "import", "mau.xlsx")
    assert status == 0 and "thêm mới 7" in out
    for name in ("xuat.xlsx", "xuat.csv"):
        status, out = run_cli("roster", "export", name)
        assert status == 0 and "7 người" in out
        status, out = run_cli("roster", "import", name)
        assert status == 0 and "không đổi 7" in out, out
    sheet = load_workbook(tmp_path / "xuat.xlsx").worksheets[0]
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["Mã", "Họ và tên", "Ngày sinh", "Số điện thoại"]
    phones = [row[3] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert "0912345678" in phones  # the leading zero survives


def test_edited_export_reimports_as_updates(tmp_path: Path) -> None:
    """An admin edits the exported CSV (new name, moved unit) and imports it back."""
    run_cli("roster", "template", "mau.xlsx")
    run_cli("roster", "import", "mau.xlsx")
    run_cli("roster", "export", "ds.csv")
    text = (tmp_path / "ds.csv").read_text("utf-8-sig")
    text = text.replace("Trần Thị Bình", "Trần Thị Bình Minh").replace("Khu phố 1", "Khu phố 2")
    (tmp_path / "ds.csv").write_text(text, "utf-8")
    status, out = run_cli("roster", "import", "ds.csv")
    assert status == 0 and "cập nhật 2" in out and "đơn vị mới: 1" in out


def test_file_with_bad_rows_imports_nothing_and_lists_each_row(tmp_path: Path) -> None:
    """Every bad row is listed with its spreadsheet row number and reason; exit status 1."""
    (tmp_path / "ds.csv").write_text(
        "\ufeffMã;Họ và tên;Số điện thoại;Đối tượng;Đơn vị\n"
        "A1;Nguyễn An;0912345678;Đảng viên;Xã A\n"
        "A2;Trần Bình;12345;Đảng viên;Xã A\n"
        "A3;Lê Cường;;Khách;Xã A\n"
        "A1;Phạm Dũng;;Đảng viên;Xã A\n",
        "utf-8",
    )
    status, out = run_cli("roster", "import", "ds.csv")
    assert status == 1
    assert "3 lỗi" in out
    assert "Dòng 3: Số điện thoại «12345» không hợp lệ." in out
    assert "Dòng 4: Đối tượng «Khách» không hợp lệ" in out
    assert "Dòng 5: Mã «A1» trùng với dòng 2." in out
    assert run_cli("roster", "export", "sau.csv")[1].startswith("Đã xuất 0 người")


def test_levels_written_without_spaces_import_with_a_warning(tmp_path: Path) -> None:
    """ "Đảng bộ xã A/Chi bộ 1" imports as one unit, and the admin is told how to write levels."""
    (tmp_path / "ds.csv").write_text(
        "Mã;Họ và tên;Đối tượng;Đơn vị\n"
        "A1;Nguyễn An;Đảng viên;Đảng bộ xã A/Chi bộ 1\n"
        "A2;Trần Bình;Đảng viên;Đảng bộ xã A / Chi bộ 2\n",
        "utf-8",
    )
    status, out = run_cli("roster", "import", "ds.csv")
    assert status == 0 and "thêm mới 2" in out, out
    assert (
        "Lưu ý — dòng 2: Đơn vị «Đảng bộ xã A/Chi bộ 1»: dấu «/» không có dấu cách hai bên được "
        "đọc là một phần của tên đơn vị. Nếu đó là các cấp, hãy viết dấu cách hai bên « / »"
    ) in out
    assert "dòng 3" not in out


def test_missing_columns_are_named(tmp_path: Path) -> None:
    """A sheet without the required columns says which ones are missing (row 1)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["STT", "Họ tên"])
    sheet.append([1, "Nguyễn An"])
    workbook.save(tmp_path / "thieu.xlsx")
    status, out = run_cli("roster", "import", "thieu.xlsx")
    assert status == 1
    assert "Dòng 1: Thiếu cột «Mã»." in out and "Dòng 1: Thiếu cột «Đơn vị»." in out


@pytest.mark.parametrize(
    ("name", "content", "expected"),
    [
        ("ds.txt", b"x", "chỉ hỗ trợ .csv và .xlsx"),
        ("khong-co.csv", None, "Không tìm thấy tệp"),
        ("ansi.csv", "Mã,Tên\nA1,Ân\n".encode("latin-1"), "UTF-8"),
        ("hong.xlsx", b"PK\x03\x04 not really a zip", "bị hỏng"),
        ("trong.csv", b"", "Tệp trống"),
    ],
)
def test_unreadable_files_get_a_clear_message(
    tmp_path: Path, name: str, content: bytes | None, expected: str
) -> None:
    """Wrong type, missing, non-UTF-8, corrupt and empty files: one clear line, exit 1."""
    if content is not None:
        (tmp_path / name).write_bytes(content)
    status, out = run_cli("roster", "import", name)
    assert status == 1
    assert expected in out
    assert "Traceback" not in out


def test_dry_run_and_remove_missing(tmp_path: Path) -> None:
    """--dry-run writes nothing; people absent from a file leave only with --remove-missing."""
    run_cli("roster", "template", "mau.xlsx")
    status, out = run_cli("roster", "import", "mau.xlsx", "--dry-run")
    assert status == 0 and "chưa ghi gì" in out
    assert "0 người" in run_cli("roster", "export", "a.csv")[1]
    run_cli("roster", "import", "mau.xlsx")
    run_cli("roster", "export", "ds.csv")
    lines = (tmp_path / "ds.csv").read_text("utf-8-sig").splitlines()
    (tmp_path / "it.csv").write_text("\n".join(lines[:3]) + "\n", "utf-8")
    status, out = run_cli("roster", "import", "it.csv")
    assert status == 0 and "5 người" in out and "--remove-missing" in out
    status, out = run_cli("roster", "import", "it.csv", "--remove-missing")
    assert status == 0 and "Đã đánh dấu 5 người rời danh sách:" in out
    assert "2 người" in run_cli("roster", "export", "b.csv")[1]


def _counts(out: str) -> dict[str, object]:
    """The numbers and names an import printed (a dry run or a real one)."""
    found: dict[str, object] = {}
    for label in ("thêm mới", "cập nhật", "không đổi", "đơn vị mới:"):
        match = re.search(rf"{label} (\d+)", out)
        found[label] = match.group(1) if match else None
    match = re.search(r"(\d+) người rời danh sách: (.*)\.", out)
    found["left"] = match.groups() if match else None
    return found


def test_dry_run_prints_what_the_real_import_then_does(tmp_path: Path) -> None:
    """The same file with --dry-run and without: the same counts and the same names leaving."""
    run_cli("roster", "template", "mau.xlsx")
    run_cli("roster", "import", "mau.xlsx")
    run_cli("roster", "export", "ds.csv")
    lines = (tmp_path / "ds.csv").read_text("utf-8-sig").splitlines()
    first = lines[1].split(",")
    renamed = first[1] + " Mới"
    kept = [lines[0], ",".join([first[0], renamed, *first[2:]]), lines[2]]
    kept.append("MOI01,Người Mới,,,Đảng viên,,Chi bộ mới,,,,")
    (tmp_path / "it.csv").write_text("\n".join(kept) + "\n", "utf-8")
    before = (tmp_path / "cli.db").read_bytes()
    status, dry = run_cli("roster", "import", "it.csv", "--remove-missing", "--dry-run")
    assert status == 0 and "chưa ghi gì vào cơ sở dữ liệu" in dry, dry
    assert "7 người" in run_cli("roster", "export", "c.csv")[1]  # nobody left, nobody added
    assert renamed not in (tmp_path / "c.csv").read_text("utf-8-sig")
    status, real = run_cli("roster", "import", "it.csv", "--remove-missing")
    assert status == 0 and "chưa ghi gì" not in real
    expected = {
        "thêm mới": "1",
        "cập nhật": "1",
        "không đổi": "1",
        "đơn vị mới:": "1",
    }
    assert _counts(dry) == _counts(real)
    assert {k: v for k, v in _counts(real).items() if k != "left"} == expected
    left = _counts(real)["left"]
    assert isinstance(left, tuple) and left[0] == "5" and "(CB001)" in left[1], real
    assert before != (tmp_path / "cli.db").read_bytes()


def test_every_sheet_written_has_a_vietnamese_name(tmp_path: Path) -> None:
    """Template (with its guide), roster export and invite codes: no sheet is left "Sheet"."""
    run_cli("roster", "template", "mau.xlsx")
    run_cli("roster", "import", "mau.xlsx")
    run_cli("roster", "export", "ds.xlsx")
    run_cli("invites", "--out", "moi.xlsx")
    assert load_workbook(tmp_path / "mau.xlsx").sheetnames == ["Danh sách", "Hướng dẫn"]
    assert load_workbook(tmp_path / "ds.xlsx").sheetnames == ["Danh sách"]
    assert load_workbook(tmp_path / "moi.xlsx").sheetnames == ["Mã mời"]


def test_invites_are_exported_per_unit_and_renewable(tmp_path: Path) -> None:
    """Codes for people not signed in, scoped to a unit; --renew replaces one person's code."""
    run_cli("roster", "template", "mau.xlsx")
    run_cli("roster", "import", "mau.xlsx")
    status, out = run_cli(
        "invites", "--unit", "đảng bộ xã phú lạc / chi bộ thôn lạc trị", "--out", "moi.xlsx"
    )
    assert status == 0 and "Đã tạo 3 mã" in out
    rows = list(
        load_workbook(tmp_path / "moi.xlsx").worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert sorted(r[0] for r in rows) == ["DV001", "DV002", "DV003"]
    old = next(r[3] for r in rows if r[0] == "DV002")

    status, out = run_cli("invites", "--out", "tat-ca.xlsx")
    assert status == 0 and "Đã tạo 4 mã" in out and "7 mã" in out
    status, out = run_cli("invites", "--renew", "dv002", "--out", "lai.xlsx")
    assert status == 0
    rows = list(
        load_workbook(tmp_path / "lai.xlsx").worksheets[0].iter_rows(min_row=2, values_only=True)
    )
    assert len(rows) == 7 and old not in [r[3] for r in rows]

    assert run_cli("invites", "--unit", "Không có", "--out", "x.xlsx") == (
        1,
        "Không tìm thấy đơn vị «Không có».\n",
    )
    assert run_cli("invites", "--renew", "ZZ9", "--out", "x.xlsx")[0] == 1


def test_database_file_is_private(database: Path) -> None:
    """The SQLite file holding personal data is readable by its owner only."""
    assert run_cli("migrate")[0] == 0
    assert database.stat().st_mode & 0o777 == 0o600


def test_bad_settings_are_reported_not_raised(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wrong setting gives one clear line and exit status 2."""
    monkeypatch.setenv("TIMEZONE", "Mars/Olympus")
    status, out = run_cli("migrate")
    assert status == 2 and "TIMEZONE" in out and "Traceback" not in out
