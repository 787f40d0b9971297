"""``serve`` with both webhooks: one lane runner handles Telegram's rows and Zalo's, including
the rows a former run recorded and never handled."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest

from bot.app import Running, build_services, serve
from bot.config import Settings
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from handlers.zalo.polling import SECRET_HEADER, webhook_secret
from storage.store import Store
from tests.waiting import PATIENCE, until
from tests.web import test_telegram_webhook as hooks
from tests.web.test_telegram_webhook import (
    BINH,
    SystemLike,
    free_port,
    prepare,
    start,
)

pg_database = hooks.pg_database  # a PostgreSQL database of its own (skipped without one)
AN = FakeZaloUser(id="7b2f0c3b9d7f2e4a6c81", display_name="An")


@asynccontextmanager
async def both_hooks(
    api: FakeBotApi, zalo: FakeZaloApi, database_url: str, clock: SystemLike | None = None
) -> AsyncIterator[str]:
    """``serve`` with Telegram's and Zalo's webhooks on ``database_url`` until the block ends,
    from the moment its lanes run; yields its PUBLIC_URL. Replicas given one ``clock`` agree
    on the time, as hosts kept by NTP do (a Zalo row's seq is its receiver's clock)."""
    port = free_port()
    settings = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        zalo_bot_token=zalo.token,
        zalo_api_url=zalo.url,
        database_url=database_url,
        public_url=f"http://127.0.0.1:{port}",
        web_port=port,
        reorder_hold=0.3,
    )
    stop, up = asyncio.Event(), asyncio.Event()

    async def ready(parts: Running) -> None:
        up.set()

    task = asyncio.create_task(serve(settings, stop, clock or SystemLike(), ready))
    waiting = asyncio.create_task(up.wait())
    await asyncio.wait([task, waiting], timeout=PATIENCE, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        task.result()  # its error
    try:
        yield str(settings.public_url)
    finally:
        stop.set()
        await asyncio.wait_for(task, PATIENCE)


async def post_zalo(zalo: FakeZaloApi, url: str, body: object) -> int:
    """POST an event to the bot's Zalo webhook at ``url`` with the right secret; the status."""
    async with (
        aiohttp.ClientSession() as http,
        http.post(
            f"{url}/zalo", json=body, headers={SECRET_HEADER: webhook_secret(zalo.token)}
        ) as answer,
    ):
        return answer.status


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
    async with both_hooks(api, zalo, f"sqlite+aiosqlite:///{db}") as url:
        await zalo.until(lambda: len(zalo.sent(AN.id)) == 1)
        await until(api, lambda: bool(api.sent(BINH.id)))
        assert await post_zalo(zalo, url, zalo.text(AN, "tro giup")) == 200
        await zalo.until(lambda: len(zalo.sent(AN.id)) == 2)
    assert "Chia sẻ số điện thoại" in api.sent(BINH.id)[-1].plain
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:
        assert await store.inbox.counts() == {"done": 3}
    finally:
        await store.close()


async def test_two_replicas_on_postgresql_take_one_persons_zalo_events_in_order(
    api: FakeBotApi, zalo: FakeZaloApi, pg_database: str
) -> None:
    """Two replicas on one PostgreSQL (procrastinate's lanes): an invite code POSTed to one and
    "ke hoach" right after to the other are handled once each, in that order (signed in, then
    the first question), and the same code redelivered to the other replica is taken once."""
    await prepare(pg_database)
    code = await invite(pg_database)
    clock = SystemLike()  # each SystemLike starts at the campaign's day when it is made
    async with (
        both_hooks(api, zalo, pg_database, clock) as first,
        both_hooks(api, zalo, pg_database, clock) as second,
    ):
        signing = zalo.text(AN, code)
        assert await post_zalo(zalo, first, signing) == 200
        assert await post_zalo(zalo, second, zalo.text(AN, "ke hoach")) == 200
        assert await post_zalo(zalo, second, signing) == 200
        await zalo.until(lambda: len(zalo.sent(AN.id)) >= 2)
    [welcome, question] = [sent.text for sent in zalo.sent(AN.id)]
    assert "Trần Thị Bình" in welcome and "Câu 1/6" in question
    store = await Store.open(pg_database)
    try:
        assert await store.inbox.counts() == {"done": 2}
    finally:
        await store.close()


async def invite(database_url: str) -> str:
    """An open invite code of DV002 in the prepared ``database_url``."""
    store = await Store.open(database_url)
    try:
        settings = Settings(_env_file=None, database_url=database_url)
        services = build_services(settings, store, SystemLike())
        batch = await services.roster.issue_invites(None, None)
        return next(row.code for row in batch.open if row.person_code == "DV002")
    finally:
        await store.close()
