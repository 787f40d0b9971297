"""The admin's tables: boxed and coloured on a terminal, plain off one, and the same as --json."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.cli.screen import TERMINAL_ENV
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import cli_bot, fill_mau_01, run_cli, signed_in

ANSI = "\x1b["
BOX = "╭"


@pytest.fixture
async def office(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """An signs in, Bình hands in a plan; a broadcast goes to the secretaries."""
    async with cli_bot(tmp_path, api, monkeypatch, ROSTER, "tables.db") as bot:
        await signed_in(bot, "An", "0912345678")
        binh = await signed_in(bot, "Bình", "0987654321")
        await fill_mau_01(binh, actions=1)
        await binh.press("📨 Gửi kế hoạch")
        status, _ = await asyncio.to_thread(
            run_cli, "broadcast", "send", "--message", "Chào", "--to", "role:secretary", "--yes"
        )
        assert status == 0
        yield bot


async def run(monkeypatch: pytest.MonkeyPatch, terminal: bool, *argv: str) -> tuple[int, str]:
    monkeypatch.setenv(TERMINAL_ENV, "1" if terminal else "0")
    return await asyncio.to_thread(run_cli, *argv)


COMMANDS = (
    ("report",),
    ("campaign", "show"),
    ("outbox",),
    ("audit",),
    ("broadcast", "status", "1"),
)


@pytest.mark.parametrize("argv", COMMANDS)
async def test_a_terminal_draws_a_boxed_table_within_80_columns(
    office: Harness, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    """On a terminal each table has box characters and colour codes, and no line is over 80."""
    status, out = await run(monkeypatch, True, *argv)
    assert status == 0 and BOX in out and ANSI in out, out
    plain = re.sub(r"\x1b\[[0-9;?]*[a-zA-Z]", "", out).splitlines()
    assert max(len(line) for line in plain) <= 80, out


@pytest.mark.parametrize("argv", COMMANDS)
async def test_a_pipe_gets_no_control_codes_nor_boxes(
    office: Harness, monkeypatch: pytest.MonkeyPatch, argv: tuple[str, ...]
) -> None:
    """Off a terminal the same command prints plain text only."""
    status, out = await run(monkeypatch, False, *argv)
    assert status == 0 and out.strip(), out
    assert ANSI not in out and BOX not in out and "│" not in out, out


async def test_report_table_has_a_bar_per_unit_and_matches_its_json(
    office: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each unit's row carries its counts and bar; --json gives the same numbers."""
    _, piped = await run(monkeypatch, False, "report")
    total = next(line for line in piped.splitlines() if line.strip().startswith("TỔNG CỘNG"))
    assert total.split()[2:5] == ["5", "1", "0"] and "20%" in total, piped
    assert "##........ 20%" in total, piped
    _, drawn = await run(monkeypatch, True, "report")
    assert "██" in drawn and "Chi bộ thôn 1" in drawn, drawn
    status, out = await run(monkeypatch, True, "report", "--json")
    document = json.loads(out)
    assert status == 0 and ANSI not in out
    assert document["year"] == 2022 and document["total"]["required"] == 5
    assert document["total"]["submitted"] == 1 and document["total"]["rate"] == 20.0
    units = {unit["unit"].rsplit(" / ", 1)[-1]: unit for unit in document["units"]}
    assert units["Chi bộ thôn 1"]["submitted"] == 1


async def test_audit_json_matches_the_lines(
    office: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--json lists the same entries, in the same words, as the plain lines."""
    _, lines = await run(monkeypatch, False, "audit")
    status, out = await run(monkeypatch, False, "audit", "--json")
    entries = json.loads(out)["entries"]
    assert status == 0 and len(entries) == len(lines.strip().splitlines())
    assert [e["action"] for e in entries] == [line.split("  ")[2] for line in lines.splitlines()]


async def test_outbox_and_broadcast_json_carry_the_counts(
    office: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The outbox and the broadcast give their counts as numbers under English keys."""
    _, out = await run(monkeypatch, False, "outbox", "--json")
    counts = json.loads(out)["counts"]
    assert set(counts) == {"queued", "sending", "sent", "failed", "expired"}
    assert counts["queued"] + counts["sent"] >= 1
    _, out = await run(monkeypatch, False, "broadcast", "status", "1", "--json")
    found = json.loads(out)
    assert found["id"] == 1 and found["recipients"] == 1
    assert found["queued"] + found["sent"] == 1 and found["failures"] == []
    status, out = await run(monkeypatch, False, "broadcast", "status", "9", "--json")
    assert status == 1


async def test_campaign_json_and_table_show_the_same_deadline(
    office: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The deadline in --json is the one the table shows."""
    _, out = await run(monkeypatch, False, "campaign", "show", "--json")
    found = json.loads(out)
    assert found["year"] == 2022 and isinstance(found["reminder_days"], list)
    _, drawn = await run(monkeypatch, True, "campaign", "show")
    assert found["deadline"] in drawn and "Hạn nộp" in drawn, drawn
