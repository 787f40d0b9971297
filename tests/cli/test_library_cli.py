"""`chuyende library`: add a file or a link, list (table and --json), remove; hostile input
gets a clear Vietnamese line and exit status 1 (2 for wrong usage), and nothing is stored."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.cli.screen import TERMINAL_ENV
from bot.domain.library import MAX_FILE_BYTES
from tests.conftest import ROSTER
from tests.helpers import cli_database, run_cli

PDF = b"%PDF-1.7\n" + b"1" * 500


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh SQLite file with the sample roster (its units exist), off a terminal."""
    path = cli_database(tmp_path, monkeypatch)
    monkeypatch.setenv(TERMINAL_ENV, "0")
    (tmp_path / "roster.csv").write_text(ROSTER.strip() + "\n", "utf-8")
    assert run_cli("roster", "import", "roster.csv")[0] == 0
    return path


def listed() -> list[dict[str, object]]:
    status, out = run_cli("library", "list", "--json")
    assert status == 0, out
    found = json.loads(out)
    assert isinstance(found, list)
    return found


def test_add_a_file_and_a_link_list_and_remove(tmp_path: Path) -> None:
    """A PDF for one cell and a link for everyone are listed newest first, then one goes."""
    (tmp_path / "chuyen de.pdf").write_bytes(PDF)
    status, out = run_cli(
        "library",
        "add",
        "chuyen de.pdf",
        "--title",
        "Chuyên đề năm 2022",
        "--kind",
        "nam",
        "--summary",
        "Tóm tắt ngắn",
        "--audience",
        "unit:Đảng bộ xã Phú Lạc / Chi bộ thôn 1",
        "--year",
        "2022",
    )
    assert status == 0 and "Đã thêm tài liệu #1: Chuyên đề năm 2022" in out, out
    assert "Chuyên đề năm, 2022" in out and "Chi bộ thôn 1" in out
    status, out = run_cli(
        "library", "add", "--link", "https://youtu.be/abc", "--title", "Video", "--kind", "chi-dao"
    )
    assert status == 0 and "#2" in out, out
    rows = listed()
    assert [r["id"] for r in rows] == [2, 1]
    assert rows[1]["file"] == "chuyen de.pdf" and rows[1]["audience"].startswith("unit:")  # type: ignore[union-attr]
    assert rows[0]["url"] == "https://youtu.be/abc" and rows[0]["kind"] == "chi_dao"
    status, out = run_cli("library", "list")
    assert status == 0 and "Chuyên đề năm 2022" in out and "Văn bản chỉ đạo" in out
    assert run_cli("library", "remove", "1") == (0, "Đã gỡ tài liệu #1.\n")
    assert [r["id"] for r in listed()] == [2]
    status, out = run_cli("library", "remove", "1")
    assert status == 1 and "Không có tài liệu #1" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["missing.pdf", "--kind", "nam"], "Không đọc được tệp «missing.pdf»"),
        (["prog.pdf", "--kind", "nam"], "không phải tài liệu được nhận"),
        (["virus.exe", "--kind", "nam"], "không phải tài liệu được nhận"),
        (["empty.pdf", "--kind", "nam"], "rỗng"),
        (["huge.pdf", "--kind", "nam"], "lớn quá 50 MB"),
        (["folder.pdf", "--kind", "nam"], "không phải một tệp"),
        (["ok.pdf", "--kind", "tuyệt mật"], "Loại tài liệu «tuyệt mật» không hợp lệ"),
        (["ok.pdf", "--kind", "nam", "--audience", "unit:Không có"], "Không có đơn vị"),
        (["ok.pdf", "--kind", "nam", "--audience", "ai đó"], "Đối tượng «ai đó» không hợp lệ"),
        (["ok.pdf", "--kind", "nam", "--year", "1800"], "Năm «1800» không hợp lệ"),
        (["--link", "javascript:alert(1)", "--kind", "nam"], "chỉ nhận địa chỉ bắt đầu bằng http"),
        (["--link", "http://", "--kind", "nam"], "không hợp lệ"),
        (["--link", "https://a.vn/x y", "--kind", "nam"], "không hợp lệ"),
        (["--link", "file:///etc/passwd", "--kind", "nam"], "không hợp lệ"),
        (["ok.pdf", "--kind", "nam", "--title", "  \u200b "], "Tài liệu cần có tiêu đề"),
        (["ok.pdf", "--kind", "nam", "--title", "x" * 201], "Tiêu đề dài quá 200 ký tự"),
    ],
)
def test_hostile_input_is_refused_with_status_1(
    tmp_path: Path, argv: list[str], message: str
) -> None:
    """Each refusal names the problem in Vietnamese; the library stays empty."""
    (tmp_path / "prog.pdf").write_bytes(b"MZ\x90\x00 a renamed program")
    (tmp_path / "virus.exe").write_bytes(b"MZ\x90\x00")
    (tmp_path / "empty.pdf").write_bytes(b"")
    with (tmp_path / "huge.pdf").open("wb") as huge:  # sparse: no 50 MB written
        huge.truncate(MAX_FILE_BYTES + 1)
    (tmp_path / "folder.pdf").mkdir()
    (tmp_path / "ok.pdf").write_bytes(PDF)
    title = ["--title", "Tài liệu"] if "--title" not in argv else []
    status, out = run_cli("library", "add", *argv, *title)
    assert status == 1 and message in out, out
    assert "Traceback" not in out
    assert listed() == []


def test_wrong_usage_is_status_2(tmp_path: Path) -> None:
    """Neither a file nor a link, or both: exit 2; a missing --title is argparse's exit 2."""
    (tmp_path / "ok.pdf").write_bytes(PDF)
    status, out = run_cli("library", "add", "--title", "T", "--kind", "nam")
    assert status == 2 and "Cần một tệp hoặc --link" in out
    status, _ = run_cli(
        "library", "add", "ok.pdf", "--link", "https://a.vn", "--title", "T", "--kind", "nam"
    )
    assert status == 2
    with pytest.raises(SystemExit) as stopped:
        run_cli("library", "add", "ok.pdf", "--kind", "nam")
    assert stopped.value.code == 2
    assert listed() == []
