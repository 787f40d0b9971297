"""The sandbox page answers only its own address, and never runs on a real roster by accident."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import aiohttp
import pytest

from bot.app import build_services
from bot.cli import main
from bot.config import Settings
from bot.sandbox.harness import DEFAULT_START, sample_campaign
from bot.sandbox.server import NotASandbox, Sandbox
from bot.services.clock import ManualClock
from storage.store import Store
from tests.conftest import ROSTER
from tests.sandbox.conftest import origin, running
from tests.waiting import PATIENCE


async def test_another_host_or_site_is_refused(box: Sandbox) -> None:
    """A page of another site (a cross-site POST, a rebound DNS name) gets 403; the page gets in."""
    port = box.url.rsplit(":", 1)[1].rstrip("/")
    async with aiohttp.ClientSession() as session:
        for host, status in (
            (f"127.0.0.1:{port}", 200),
            (f"localhost:{port}", 200),
            (f"evil.example:{port}", 403),  # DNS rebinding: a foreign name for 127.0.0.1
            ("127.0.0.1", 403),
        ):
            async with session.get(box.url + "api/state", headers={"Host": host}) as answer:
                assert answer.status == status, host
        jump = {"jump": "day"}
        for headers, status in (
            ({}, 403),  # no Origin: not the page's own fetch
            ({"Origin": "http://evil.example"}, 403),
            ({"Origin": "null"}, 403),
            ({"Origin": f"http://127.0.0.1:{int(port) + 1}"}, 403),
            (origin(box), 200),
            ({"Origin": f"http://localhost:{port}", "Host": f"localhost:{port}"}, 200),
        ):
            async with session.post(box.url + "api/clock", json=jump, headers=headers) as answer:
                assert answer.status == status, headers
        async with session.post(
            box.url + "api/chat/DV002/send", json={"text": "/start"}, headers={}
        ) as answer:
            assert answer.status == 403
    assert box.seats["DV002"].said == []


async def real_database(path: Path, roster: bool = True) -> None:
    """A database holding an organisation's own roster (not the sandbox's sample), or only
    its campaign (the roster comes later)."""
    url = f"sqlite+aiosqlite:///{path}"
    store = await Store.open(url)
    try:
        services = build_services(
            Settings(_env_file=None, database_url=url), store, ManualClock(DEFAULT_START)
        )
        if not roster:
            await services.plans.set_campaign(**sample_campaign())
            return
        rows = list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1))
        outcome = await services.roster.import_table(rows, remove_missing=False, dry_run=False)
        assert outcome.summary is not None
    finally:
        await store.close()


@pytest.mark.parametrize("roster", [True, False])
def test_a_real_roster_is_refused_without_i_know(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, roster: bool
) -> None:
    """`chuyende sandbox --db` on a real database says so in one line and starts nothing."""
    monkeypatch.chdir(tmp_path)
    asyncio.run(real_database(tmp_path / "that.db", roster))
    out = io.StringIO()
    code = main(["sandbox", "--port", "0", "--no-browser", "--db", "that.db"], out=out)
    assert code == 2
    assert "that.db" in out.getvalue() and "--i-know" in out.getvalue()
    assert out.getvalue().count("\n") == 1


async def test_i_know_uses_it_and_the_sandbox_keeps_its_own(tmp_path: Path) -> None:
    """With --i-know the real database is used; a sandbox database is always taken again."""
    await real_database(tmp_path / "that.db")
    sandbox = Sandbox(tmp_path / "that.db", port=0, trust=True)
    stop = asyncio.Event()
    task = asyncio.create_task(sandbox.run(stop))
    try:
        await asyncio.wait_for(sandbox.wait_ready(), PATIENCE)
        assert sandbox.seats["DV004"].person.full_name == "Phạm Minh Đức"
    finally:
        stop.set()
        await asyncio.wait_for(task, PATIENCE)
    with pytest.raises(NotASandbox, match=r"that\.db"):
        await Sandbox(tmp_path / "that.db", port=0).run(asyncio.Event())  # still not marked
    async with running(tmp_path / "own.db"):
        pass
    async with running(tmp_path / "own.db") as again:  # its own database: no question asked
        assert again.seats["DV004"].person.full_name == "Lý Văn Giang"
