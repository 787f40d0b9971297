"""TELEGRAM_RECEIVE: how Telegram updates arrive, chosen from the setting and PUBLIC_URL."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest

from bot.app import serve
from bot.cli import Cli
from bot.cli.serving import run
from bot.config import Settings
from bot.locales import Catalog
from bot.sandbox.fake_api import FakeBotApi
from tests.waiting import PATIENCE, until


def test_auto_is_the_webhook_exactly_when_public_url_is_set() -> None:
    """auto follows PUBLIC_URL; poll and webhook say so themselves; other words are refused."""
    public = "https://bot.example.vn"
    assert Settings(_env_file=None).telegram_webhook is False
    assert Settings(_env_file=None, public_url=public).telegram_webhook is True
    assert (
        Settings(_env_file=None, public_url=public, telegram_receive="poll").telegram_webhook
        is False
    )
    assert Settings(_env_file=None, telegram_receive="webhook").telegram_webhook is True
    with pytest.raises(ValueError, match="telegram_receive"):
        Settings(_env_file=None, telegram_receive="push")


async def test_a_webhook_without_public_url_is_refused_before_any_call(tmp_path: Path) -> None:
    """TELEGRAM_RECEIVE=webhook and no PUBLIC_URL: one clear line naming both, exit status 2."""
    out = io.StringIO()
    config = Settings(
        _env_file=None,
        telegram_bot_token=FakeBotApi().token,
        telegram_api_url="http://127.0.0.1:9",
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'n.db'}",
        telegram_receive="webhook",
    )
    assert await run(Cli(Catalog.load(), config, out)) == 2
    assert "PUBLIC_URL" in out.getvalue() and "/telegram" in out.getvalue()


async def test_poll_beside_public_url_keeps_polling(api: FakeBotApi, tmp_path: Path) -> None:
    """PUBLIC_URL set for the download links, TELEGRAM_RECEIVE=poll: getUpdates as before."""
    config = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'p.db'}",
        public_url="https://bot.example.vn",
        telegram_receive="poll",
    )
    stop = asyncio.Event()
    task = asyncio.create_task(serve(config, stop))
    await until(api, lambda: task.done() or bool(api.calls_of("getUpdates")))
    stop.set()
    await asyncio.wait_for(task, PATIENCE)
    assert api.calls_of("deleteWebhook") and not api.calls_of("setWebhook")
