"""The progress prompts' days are campaign settings: set, kept, shown, checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import cli_database, run_cli

CAMPAIGN = ("campaign", "set", "--year", "2022", "--title", "Chuyên đề", "--deadline", "30/04/2022")


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A fresh SQLite file for every command of the test."""
    return f"sqlite+aiosqlite:///{cli_database(tmp_path, monkeypatch)}"


def shown() -> dict[str, object]:
    """`campaign show --json`."""
    status, out = run_cli("campaign", "show", "--json")
    assert status == 0
    found: dict[str, object] = json.loads(out)
    return found


def test_mid_year_and_year_review_days_are_set_kept_and_checked() -> None:
    """Defaults 30/06 and 15/12; given ones are stored, left out ones kept, "" turns one off,
    a day that is not dd/mm is refused naming the option."""
    assert run_cli(*CAMPAIGN, "--place", "Tuy Phong")[0] == 0
    assert (shown()["midyear"], shown()["year_review"]) == ("30/06", "15/12")
    assert run_cli(*CAMPAIGN, "--place", "Tuy Phong", "--midyear", "01/07")[0] == 0
    assert run_cli(*CAMPAIGN, "--place", "Tuy Phong", "--year-review", "")[0] == 0
    assert (shown()["midyear"], shown()["year_review"]) == ("01/07", "")
    for bad in (("--midyear", "31/06"), ("--year-review", "tháng 12"), ("--midyear", "1/1/2022")):
        status, out = run_cli(*CAMPAIGN, "--place", "Tuy Phong", *bad)
        assert status == 2 and bad[0] in out, bad
    assert shown()["midyear"] == "01/07"
