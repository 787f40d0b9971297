"""`chuyende sandbox` as a user starts it: one command, no token, the page on 127.0.0.1."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import sys
from pathlib import Path

import aiohttp
import pytest

from bot.cli import main
from tests.waiting import PATIENCE


async def test_sandbox_starts_without_a_token_and_serves_the_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    env["TELEGRAM_API_URL"] = "http://192.0.2.1:9"  # unreachable: the sandbox must not use it
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "sandbox",
        "--port",
        "0",
        "--no-browser",
        "--db",
        str(tmp_path / "sbx.db"),
        env=env,
        cwd=str(tmp_path),
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    try:
        url = ""
        while not url:
            line = (await asyncio.wait_for(process.stdout.readline(), PATIENCE)).decode()
            assert line, "the sandbox stopped before it was ready"
            found = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            url = found.group(1) if found and "Hộp cát" in line else ""
        async with aiohttp.ClientSession() as session:
            async with session.get(url) as page:
                assert page.status == 200 and 'data-ui="brand"' in await page.text()
            async with session.get(url + "api/state") as state:
                data = await state.json()
        assert {p["name"] for p in data["people"]} >= {"Nguyễn Văn An", "Hồ Thị Hoa"}
        assert any("Bí thư" in p["role"] for p in data["people"])
        assert any("Quản trị" in p["role"] for p in data["people"])
        assert data["clock"].endswith("01/04/2022")
        assert data["ui"]["brand"] == "🧪 Hộp cát"  # the page's words come from the catalog
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), PATIENCE)
    assert process.returncode == 0
    assert (tmp_path / "sbx.db").stat().st_mode & 0o777 == 0o600


def test_a_bad_port_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    out = io.StringIO()
    assert main(["sandbox", "--port", "70000", "--no-browser"], out=out) == 2
    assert "70000" in out.getvalue() and out.getvalue().count("\n") == 1
