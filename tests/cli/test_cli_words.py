"""Every word the command line prints is Vietnamese: argparse's own, settings errors, the log's."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.cli import main
from bot.cli.text import parse_message
from bot.domain.audit import AuditAction
from bot.domain.outbox import OutboxStatus
from bot.locales import Catalog
from tests.helpers import cli_database

ENGLISH = (
    "usage",
    "positional arguments",
    "options:",
    "optional arguments",
    "show this help",
    "error:",
    "the following arguments",
    "invalid",
    "unrecognized",
    "expected",
    "not allowed",
    "ambiguous",
    "choose from",
    "argument ",
    "Input should",
    "Value error",
    "must ",
)


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A fresh SQLite file, no token."""
    cli_database(tmp_path, monkeypatch)


def english_in(text: str) -> list[str]:
    return [word for word in ENGLISH if word.lower() in text.lower()]


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        ([], "thiếu tham số bắt buộc: LỆNH"),
        (["chay"], "«chay» không có trong các lựa chọn (run, sandbox,"),
        (["campaign", "set"], "thiếu tham số bắt buộc: --year, --title, --deadline, --place"),
        (["campaign", "set", "--year", "hai"], "--year: «hai» không phải một số nguyên"),
        (["audit", "--limit"], "--limit: cần một giá trị đi kèm"),
        (["audit", "--bogus"], "không hiểu tham số: --bogus"),
        (["broadcast", "send", "--message", "a", "--file", "b"], "không dùng cùng lúc với"),
        (["campaign", "set", "--re", "1"], "«--re» có thể là --reminders, --remind-at"),
        (["broadcast", "status"], "thiếu tham số bắt buộc: ID"),
    ],
)
def test_argparse_errors_are_vietnamese(
    argv: list[str], said: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A mistyped command gets the usage and the reason in Vietnamese, and exit status 2."""
    with pytest.raises(SystemExit) as stopped:
        main(argv, out=io.StringIO())
    assert stopped.value.code == 2
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert "cách dùng: chuyende" in text and ": lỗi: " in text and said in text, text
    assert "--help" in text and not english_in(text), english_in(text)


@pytest.mark.parametrize(
    "argv",
    [["--help"], ["campaign", "set", "-h"], ["broadcast", "send", "--help"], ["roster", "-h"]],
)
def test_help_is_vietnamese(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    """--help on the root and on commands has Vietnamese headings and no English words."""
    with pytest.raises(SystemExit) as stopped:
        main(argv, out=io.StringIO())
    assert stopped.value.code == 0
    text = capsys.readouterr().out
    assert "cách dùng: chuyende" in text and "hiện hướng dẫn này rồi thoát" in text
    assert not english_in(text), english_in(text)


def test_a_message_argparse_may_add_later_still_reads_as_vietnamese() -> None:
    """An argparse wording not in the table is quoted inside a Vietnamese sentence."""
    catalog = Catalog.load()
    said = parse_message(catalog, "argument --x: something new")
    assert said == "--x: lệnh không hợp lệ (something new)"


def test_bad_settings_name_the_variable_in_vietnamese(monkeypatch: pytest.MonkeyPatch) -> None:
    """One line naming each wrong variable and why, in Vietnamese; secrets are never printed."""
    for name, value in {
        "TIMEZONE": "Mars/Olympus",
        "SEND_PACE": "99",
        "WORKERS": "nhiều",
        "LOG_LEVEL": "verbose",
        "OUTBOX_LEASE": "1",
        "TELEGRAM_API_URL": "ftp://x",
        "DATABASE_URL": "mysql://admin:s3cret@db/chuyende",
    }.items():
        monkeypatch.setenv(name, value)
    out = io.StringIO()
    assert main(["migrate"], out=out) == 2
    text = out.getvalue()
    assert text.count("\n") == 1 and text.startswith("Cấu hình không hợp lệ: ")
    for said in (
        "TIMEZONE: không có múi giờ «Mars/Olympus»",
        "SEND_PACE: «99» không được quá 30",
        "WORKERS: «nhiều» không phải một số nguyên",
        "LOG_LEVEL: «verbose» không hợp lệ, cần DEBUG, INFO, WARNING hoặc ERROR",
        "OUTBOX_LEASE: «1» phải từ 2 trở lên",
        "TELEGRAM_API_URL: cần bắt đầu bằng http:// hoặc https://",
        "DATABASE_URL: cần bắt đầu bằng sqlite+aiosqlite://",
    ):
        assert said in text, text
    assert "s3cret" not in text and not english_in(text), english_in(text)


def test_every_log_action_and_outbox_state_has_its_words() -> None:
    """The audit log's actions and the outbox's states are printed from the catalog."""
    catalog = Catalog.load()
    assert all(catalog.has(f"cli.audit_action.{action.value}") for action in AuditAction)
    assert all(catalog.has(f"cli.outbox_state.{status.value}") for status in OutboxStatus)


def test_outbox_failures_are_explained(tmp_path: Path) -> None:
    """Each kind of stored delivery error is said in Vietnamese, Telegram's words quoted."""
    from bot.cli.text import failure_values
    from bot.domain.outbox import Failure

    catalog = Catalog.load()
    at = datetime(2022, 4, 1, tzinfo=UTC)
    said = {
        error: failure_values(catalog, Failure("k", status, error, at), UTC)
        for error, status in (
            ("expired", "expired"),
            ("400: Bad Request: chat not found", "failed"),
            ("gave up: Timed out", "failed"),
        )
    }
    assert said["expired"]["status"] == "quá hạn, bỏ"
    assert said["expired"]["error"].startswith("hết thời hạn gửi")
    assert said["400: Bad Request: chat not found"]["error"] == (
        "Telegram từ chối tin nhắn (400: Bad Request: chat not found)"
    )
    assert said["gave up: Timed out"]["error"].startswith("thử lại nhiều lần không được")


def test_files_that_cannot_be_read_or_written_are_said_in_vietnamese(tmp_path: Path) -> None:
    """A file the command cannot read or write is named with what to check, no English word."""
    (tmp_path / "not-a-folder").write_text("x")
    out = io.StringIO()
    assert main(["invites", "--out", str(tmp_path / "not-a-folder" / "ma.xlsx")], out=out) == 1
    assert "Không ghi được tệp" in out.getvalue() and "(write)" not in out.getvalue()
    out = io.StringIO()
    assert main(["broadcast", "send", "--file", str(tmp_path / "missing.txt")], out=out) == 1
    assert "Không đọc được tệp" in out.getvalue() and "(read)" not in out.getvalue()


@pytest.mark.parametrize(
    ("message", "said"),
    [
        ("one of the arguments --message --file is required", "cần một trong các tham số"),
        ("argument --x: expected at most one argument", "--x: chỉ nhận nhiều nhất một giá trị"),
        ("argument --x: expected at least one argument", "--x: cần ít nhất một giá trị đi kèm"),
        ("argument --x: expected 2 arguments", "--x: cần 2 giá trị đi kèm"),
        ("argument --yes: ignored explicit argument 'x'", "--yes: không nhận giá trị «x»"),
        ("argument --at: invalid float value: 'y'", "--at: «y» không phải một số"),
        ("argument --f: invalid Path value: 'z'", "--f: giá trị «z» không hợp lệ"),
    ],
)
def test_every_argparse_message_in_the_table_has_its_words(message: str, said: str) -> None:
    """Each of argparse's messages we translate fills its catalog template."""
    assert parse_message(Catalog.load(), message).startswith(said)
