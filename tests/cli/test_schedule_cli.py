"""The campaign's reminder rules and the outbox view on the command line."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.domain.outbox import OutboxMessage, OutboxStatus
from bot.domain.payloads import Notice
from storage.store import Store
from tests.helpers import cli_database, run_cli


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file for every command of the test."""
    return f"sqlite+aiosqlite:///{cli_database(tmp_path, monkeypatch)}"


CAMPAIGN = ("campaign", "set", "--year", "2022", "--title", "Chuyên đề", "--deadline", "30/04/2022")


def test_reminder_rules_are_set_kept_and_checked() -> None:
    """Rules given are stored, rules left out are kept, bad ones are refused with the reason."""
    status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong")
    assert status == 0 and "Nhắc hạn: 14, 7, 3, 1 ngày trước, lúc 08:00" in out
    assert "giờ yên lặng 21:00-07:00" in out
    status, out = run_cli(
        *CAMPAIGN, "--place", "Tuy Phong", "--reminders", "10,5,1", "--quiet", "22:00-06:30"
    )
    assert status == 0 and "10, 5, 1 ngày" in out and "22:00-06:30" in out
    status, out = run_cli(*CAMPAIGN, "--place", "Phan Rí", "--digest-at", "07:00")
    assert status == 0 and "10, 5, 1 ngày" in out and "lúc 07:00 thứ Hai" in out
    for bad in (
        ("--reminders", "7,abc"),
        ("--reminders", "200"),
        ("--quiet", "25:00-06:00"),
        ("--quiet", "22:00"),
    ):
        status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong", *bad)
        assert status == 2 and "Quy tắc nhắc việc không hợp lệ" in out, bad
    assert "10, 5, 1 ngày" in run_cli("campaign", "show")[1]


def test_no_reminders_at_all_is_said_as_such() -> None:
    """`--reminders ""` and `--meeting-reminders ""` keep none, and the rules say so in words."""
    status, out = run_cli(
        *CAMPAIGN, "--place", "Tuy Phong", "--reminders", "", "--meeting-reminders", ","
    )
    assert status == 0, out
    assert "Nhắc hạn: không nhắc;" in out and "nhắc họp không nhắc;" in out, out
    assert "ngày trước" not in out and " giờ trước" not in out


def test_late_reminders_are_a_campaign_rule() -> None:
    """`--late-reminders 14` is stored and shown; 0 turns the chase after the deadline off."""
    status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong")
    assert status == 0 and "nhắc người chưa nộp mỗi 7 ngày" in out and "31/12/2022" in out
    status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong", "--late-reminders", "14")
    assert status == 0 and "mỗi 14 ngày" in out
    status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong", "--late-reminders", "0")
    assert status == 0 and "Sau hạn nộp: không nhắc nữa." in out
    assert "không nhắc nữa" in run_cli("campaign", "show")[1]
    status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong", "--late-reminders", "-1")
    assert status == 2 and "Quy tắc nhắc việc không hợp lệ" in out


def test_outbox_command_counts_and_lists_failures(database: str) -> None:
    """`chuyende outbox` shows counts per state and the latest failures."""
    assert run_cli("roster", "template", "mau.xlsx")[0] == 0
    assert run_cli("roster", "import", "mau.xlsx")[0] == 0

    async def fill() -> None:
        store = await Store.open(database)
        try:
            now = datetime(2022, 4, 1, tzinfo=UTC)
            payload = Notice(template="notify.confirmed")
            await store.outbox.add([OutboxMessage(f"k{n}", 1, payload) for n in range(3)], now)
            await store.outbox.settle(1, OutboxStatus.SENT, now)
            await store.outbox.settle(2, OutboxStatus.FAILED, now, "blocked: bot was blocked")
        finally:
            await store.close()

    asyncio.run(fill())
    status, out = run_cli("outbox")
    assert status == 0
    assert "chờ gửi: 1; đang gửi: 0; đã gửi: 1; lỗi: 1; quá hạn, bỏ: 0" in out
    assert "lỗi  k1: người nhận đã chặn bot (Telegram: bot was blocked)" in out


def test_a_deadline_outside_the_campaigns_year_needs_force() -> None:
    """A deadline in another year is refused with the reason, and kept only with --force."""
    status, out = run_cli(
        "campaign", "set", "--year", "2022", "--title", "Chuyên đề", "--place", "Tuy Phong",
        "--deadline", "30/04/2002",
    )  # fmt: skip
    assert status == 1 and "Hạn nộp 30/04/2002 không thuộc năm 2022" in out and "--force" in out
    assert "Chưa có đợt nào đang mở" in run_cli("campaign", "show")[1]
    status, out = run_cli(
        "campaign", "set", "--year", "2022", "--title", "Chuyên đề", "--place", "Tuy Phong",
        "--deadline", "15/01/2023", "--force",
    )  # fmt: skip
    assert status == 0 and "hạn nộp 15/01/2023" in out


def test_bad_reminder_rules_are_explained_in_vietnamese_naming_the_option() -> None:
    """Each bad rule names its option and says what is wrong, with no English words."""
    for bad, reason in (
        (("--reminders", "7,abc"), "--reminders: «7,abc» không phải dãy số"),
        (("--reminders", "200"), "--reminders: số ngày nhắc trước hạn phải từ 0 đến 90"),
        (("--meeting-reminders", "1000"), "--meeting-reminders: số giờ nhắc trước buổi họp"),
        (("--quiet", "25:00-06:00"), "--quiet: «25:00» không phải giờ dạng HH:MM"),
        (("--quiet", "22:00"), "--quiet: cần dạng 21:00-07:00, không phải «22:00»"),
        (("--remind-at", "8h"), "--remind-at: «8h» không phải giờ dạng HH:MM"),
        (("--late-reminders", "abc"), "--late-reminders: «abc» không phải một số nguyên"),
        (("--late-reminders", "99"), "--late-reminders: «99» không được quá 60"),
    ):
        status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong", *bad)
        assert status == 2 and reason in out, out
        assert not any(word in out for word in ("Input", "Value error", "must", "not a list"))
