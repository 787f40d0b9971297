"""Long jobs show a bar with counts on a terminal, and one plain line per phase off one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.cli.screen import TERMINAL_ENV
from tests.helpers import cli_database, run_cli

ANSI = re.compile(r"\x1b\[[0-9;?]*[a-zA-Z]")


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every command of a test works on the same fresh SQLite file holding the template's 7."""
    found = cli_database(tmp_path, monkeypatch)
    assert run_cli("roster", "template", "mau.xlsx")[0] == 0
    return found


def terminal(monkeypatch: pytest.MonkeyPatch, on: bool) -> None:
    monkeypatch.setenv(TERMINAL_ENV, "1" if on else "0")


def test_import_off_a_terminal_prints_one_line_per_phase(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reading and checking, then writing: each a plain line with its count, no control code."""
    terminal(monkeypatch, False)
    status, out = run_cli("roster", "import", "mau.xlsx")
    assert status == 0 and "\x1b" not in out, out
    lines = out.splitlines()
    assert lines[:2] == [
        "Đọc và kiểm tra các dòng: 8/8.",  # the sheet's lines, its header included
        "Ghi vào cơ sở dữ liệu: 7/7.",
    ], out
    assert "thêm mới 7" in lines[2]
    _, dry = run_cli("roster", "import", "mau.xlsx", "--dry-run")
    assert "So với danh sách hiện có: 7/7." in dry.splitlines(), dry


def test_import_on_a_terminal_draws_the_bars_with_the_same_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On a terminal both phases are drawn as bars (control codes, bar cells) ending at 7/7."""
    terminal(monkeypatch, True)
    status, out = run_cli("roster", "import", "mau.xlsx")
    assert status == 0 and "\x1b[" in out and "━" in out, out
    plain = ANSI.sub("", out)
    assert "Đọc và kiểm tra các dòng" in plain and "Ghi vào cơ sở dữ liệu" in plain
    assert "7/7" in plain and "thêm mới 7" in plain
    assert "Đọc và kiểm tra các dòng: 8/8." not in plain  # the bar, not the plain line


def test_export_and_invites_draw_a_bar_on_a_terminal_and_keep_their_one_line_off_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Off a terminal the closing line alone carries the count; on one, a bar shows 7/7 too."""
    run_cli("roster", "import", "mau.xlsx")
    terminal(monkeypatch, False)
    status, out = run_cli("roster", "export", "ds.csv")
    assert status == 0 and out.splitlines() == ["Đã xuất 7 người ra ds.csv."], out
    terminal(monkeypatch, True)
    for argv in (("roster", "export", "ds.xlsx"), ("invites", "--out", "ma.xlsx")):
        status, out = run_cli(*argv)
        plain = ANSI.sub("", out)
        assert status == 0 and "━" in out and "7/7" in plain, out


def test_backup_on_a_terminal_still_ends_with_its_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The backup's spinner leaves the closing line with the copied counts."""
    run_cli("roster", "import", "mau.xlsx")
    terminal(monkeypatch, True)
    status, out = run_cli("backup", "--out", str(tmp_path / "sao.db"))
    assert status == 0 and (tmp_path / "sao.db").is_file(), out
    assert "7" in ANSI.sub("", out)
