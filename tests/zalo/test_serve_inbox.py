"""``serve`` with both webhooks: one lane runner handles Telegram's rows and Zalo's, including
the rows a former run recorded and never handled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest

from bot.app import Running, serve
from bot.config import Settings
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from handlers.zalo.polling import SECRET_HEADER, webhook_secret
from storage.store import Store
from tests.waiting import PATIENCE, until
from tests.web.test_telegram_webhook import BINH, SystemLike, free_port, prepare, start

AN = FakeZaloUser(id="7b2f0c3b9d7f2e4a6c81", display_name="An")


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    """The offline Zalo Bot API, taking an http webhook (ours on 127.0.0.1)."""
    server = FakeZaloApi(allow_http_webhook=True)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


async def test_one_runner_handles_both_channels_rows_left_by_a_crash_and_new_ones(
    api: FakeBotApi, zalo: FakeZaloApi, tmp_path: Path
) -> None:
    """A Telegram update and a Zalo event recorded by a run that died are handled at start; a
    Zalo POST afterwards is answered 200 once recorded and handled; every row ends done."""
    db = tmp_path / "both.db"
    await prepare(db)
    api.add_user(BINH)
    update = start(api, BINH)
    left = zalo.text(AN, "tro giup")
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:
        now = SystemLike().now()
        uid = update["update_id"]
        assert await store.inbox.record(
            "telegram", str(uid), f"t:{BINH.id}", uid, json.dumps(update), now
        )
        message = left["result"]["message"]  # type: ignore[index]
        event = {"event_name": "message.text.received", "message": message}
        key = f"message.text.received:{message['message_id']}"
        assert await store.inbox.record("zalo", key, f"z:{AN.id}", 1, json.dumps(event), now)
    finally:
        await store.close()
    port = free_port()
    settings = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        zalo_bot_token=zalo.token,
        zalo_api_url=zalo.url,
        database_url=f"sqlite+aiosqlite:///{db}",
        public_url=f"http://127.0.0.1:{port}",
        web_port=port,
        reorder_hold=0.3,
    )
    stop, up = asyncio.Event(), asyncio.Event()
    running: list[Running] = []

    async def ready(parts: Running) -> None:
        running.append(parts)
        up.set()

    task = asyncio.create_task(serve(settings, stop, SystemLike(), ready))
    try:
        async with asyncio.timeout(PATIENCE):
            await up.wait()
        await zalo.until(lambda: len(zalo.sent(AN.id)) == 1)
        await until(api, lambda: bool(api.sent(BINH.id)))
        secret = webhook_secret(zalo.token)
        async with (
            aiohttp.ClientSession() as http,
            http.post(
                f"{settings.public_url}/zalo",
                json=zalo.text(AN, "tro giup"),
                headers={SECRET_HEADER: secret},
            ) as answer,
        ):
            assert answer.status == 200
        await zalo.until(lambda: len(zalo.sent(AN.id)) == 2)
    finally:
        stop.set()
        await asyncio.wait_for(task, PATIENCE)
    assert "Chia sẻ số điện thoại" in api.sent(BINH.id)[-1].plain
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:
        assert await store.inbox.counts() == {"done": 3}
    finally:
        await store.close()
