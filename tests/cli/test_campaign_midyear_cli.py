"""The mid-year self-check is a campaign setting: off by default, turned on and off, kept when
left out, shown, and a word that is neither refused naming the option."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import cli_database, run_cli

CAMPAIGN = (
    "campaign",
    "set",
    "--year",
    "2022",
    "--title",
    "Chuyên đề",
    "--deadline",
    "30/04/2022",
    "--place",
    "Tuy Phong",
)


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file for every command of the test."""
    return f"sqlite+aiosqlite:///{cli_database(tmp_path, monkeypatch)}"


def check_is_on() -> object:
    """`campaign show --json`'s midyear_check."""
    status, out = run_cli("campaign", "show", "--json")
    assert status == 0
    return json.loads(out)["midyear_check"]


def test_the_self_check_is_turned_on_kept_and_off() -> None:
    """Off at first; on; kept when another rule is changed; off again; "maybe" refused."""
    status, out = run_cli(*CAMPAIGN)
    assert status == 0 and "Tự kiểm tra giữa kỳ: tắt." in out
    assert check_is_on() is False
    status, out = run_cli(*CAMPAIGN, "--midyear-check", "on")
    assert status == 0 and "Tự kiểm tra giữa kỳ: bật" in out
    assert check_is_on() is True
    assert run_cli(*CAMPAIGN, "--midyear", "01/07")[0] == 0
    assert check_is_on() is True
    status, out = run_cli(*CAMPAIGN, "--midyear-check", "maybe")
    assert status == 2 and "--midyear-check" in out and "maybe" in out
    assert check_is_on() is True
    assert run_cli(*CAMPAIGN, "--midyear-check", "off")[0] == 0
    assert check_is_on() is False
