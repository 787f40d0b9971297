"""``serve`` runs every channel that has a token: Zalo alone, or Zalo beside Telegram."""

from __future__ import annotations

import asyncio
import csv
import io
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.app import build_services, serve
from bot.cli import Cli
from bot.cli.serving import run
from bot.config import Settings
from bot.locales import Catalog
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from bot.services.clock import SystemClock
from handlers.zalo.client import TokenRefused
from storage.store import Store
from tests.conftest import ROSTER
from tests.waiting import PATIENCE

BINH = FakeZaloUser(id="5a1e0c3b9d7f2e4a6c80", display_name="Bình")


def signed_in(zalo: FakeZaloApi) -> bool:
    """Whether Bình got the sign-in greeting on Zalo."""
    return any("Trần Thị Bình" in sent.text for sent in zalo.sent(BINH.id))


def free_port() -> int:
    """A port nobody listens on now (the web server binds it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def roster_with_invite(db: Path) -> str:
    """The sample roster in ``db``; the invite code of DV002."""
    url = f"sqlite+aiosqlite:///{db}"
    store = await Store.open(url)
    try:
        services = build_services(Settings(_env_file=None, database_url=url), store, SystemClock())
        await services.roster.import_table(
            list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1)),
            remove_missing=False,
            dry_run=False,
        )
        batch = await services.roster.issue_invites(None, None)
        return next(row.code for row in batch.open if row.person_code == "DV002")
    finally:
        await store.close()


def zalo_settings(zalo: FakeZaloApi, db: Path, **more: object) -> Settings:
    """Settings with the Zalo token of the fake server, on ``db``."""
    return Settings(
        _env_file=None,
        zalo_bot_token=zalo.token,
        zalo_api_url=zalo.url,
        database_url=f"sqlite+aiosqlite:///{db}",
        web_port=free_port(),
        **more,
    )


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    """The offline Zalo Bot API (no users known until they write)."""
    server = FakeZaloApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_a_zalo_only_bot_signs_a_member_in_and_stops_cleanly(
    zalo: FakeZaloApi, tmp_path: Path
) -> None:
    """No Telegram token: the bot polls Zalo, answers a typed invite code, stops on request."""
    code = await roster_with_invite(tmp_path / "z.db")
    stop = asyncio.Event()
    task = asyncio.create_task(serve(zalo_settings(zalo, tmp_path / "z.db"), stop))
    await zalo.push(zalo.text(BINH, code))
    await zalo.until(lambda: task.done() or signed_in(zalo))
    assert not task.done(), task.exception()
    stop.set()
    await asyncio.wait_for(task, timeout=PATIENCE)
    assert zalo.calls_of("deleteWebhook")  # polling: no webhook left in the way


async def test_zalo_beside_telegram_in_one_process(
    zalo: FakeZaloApi, api: FakeBotApi, tmp_path: Path
) -> None:
    """Both tokens: Telegram's commands are registered and Zalo is answered too."""
    code = await roster_with_invite(tmp_path / "both.db")
    stop = asyncio.Event()
    settings = zalo_settings(
        zalo, tmp_path / "both.db", telegram_bot_token=api.token, telegram_api_url=api.url
    )
    task = asyncio.create_task(serve(settings, stop))
    await zalo.push(zalo.text(BINH, f"/start {code}"))
    await zalo.until(lambda: task.done() or signed_in(zalo))
    assert not task.done(), task.exception()
    stop.set()
    await asyncio.wait_for(task, timeout=PATIENCE)
    assert api.calls_of("setMyCommands")


async def test_zalo_polls_keeps_that_many_long_polls_open(
    zalo: FakeZaloApi, tmp_path: Path
) -> None:
    """ZALO_POLLS=3: three getUpdates wait at Zalo at once, and a typed code is still answered."""
    code = await roster_with_invite(tmp_path / "polls.db")
    stop = asyncio.Event()
    task = asyncio.create_task(
        serve(zalo_settings(zalo, tmp_path / "polls.db", zalo_polls=3), stop)
    )
    await zalo.until(lambda: task.done() or zalo.waiting == 3)
    await zalo.push(zalo.text(BINH, code))
    await zalo.until(lambda: task.done() or signed_in(zalo))
    assert not task.done(), task.exception()
    stop.set()
    await asyncio.wait_for(task, timeout=PATIENCE)


async def test_a_refused_zalo_token_stops_the_bot(zalo: FakeZaloApi, tmp_path: Path) -> None:
    """Zalo answering 401 ends ``serve`` with TokenRefused (the command line says so)."""
    settings = zalo_settings(zalo, tmp_path / "bad.db").model_copy(update={"zalo_bot_token": None})
    bad = Settings(
        _env_file=None,
        zalo_bot_token="1:not-the-token",
        zalo_api_url=zalo.url,
        database_url=settings.database_url,
        web_port=free_port(),
    )
    with pytest.raises(TokenRefused):
        await asyncio.wait_for(serve(bad, asyncio.Event()), timeout=PATIENCE)


async def test_the_command_line_says_in_one_line_that_zalo_refused_the_token(
    zalo: FakeZaloApi, tmp_path: Path
) -> None:
    """``chuyende run`` with a wrong Zalo token (and no Telegram one): one line, exit 1."""
    bad = Settings(
        _env_file=None,
        zalo_bot_token="1:not-the-token",
        zalo_api_url=zalo.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}",
        web_port=free_port(),
    )
    out = io.StringIO()
    assert await run(Cli(Catalog.load(), bad, out)) == 1
    assert out.getvalue().strip() == Catalog.load().plain("cli.zalo_token_rejected")
    assert "not-the-token" not in out.getvalue()
