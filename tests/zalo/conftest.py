"""Fixtures of the Zalo tests: the offline Zalo Bot API, a client on it, a person who writes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from aiohttp import web

from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from bot.sandbox.harness import Harness
from handlers.zalo.client import ZaloClient
from handlers.zalo.polling import Receiver
from tests.zalo.zalo_chat import ZaloBot, zalo_bot_on

TED = FakeZaloUser(id="6ede9afa66b88fe6d6a9", display_name="Ted")


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    """The fake Zalo Bot API on 127.0.0.1, accepting an http webhook (the tests' receiver)."""
    server = FakeZaloApi(allow_http_webhook=True)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def client(zalo: FakeZaloApi) -> AsyncIterator[ZaloClient]:
    """Our client pointed at the fake server, Ted known to it."""
    zalo.users[TED.id] = TED
    async with ZaloClient(zalo.token, zalo.url, timeout=10.0) as opened:
        yield opened


@asynccontextmanager
async def serving(handler: Receiver, path: str = "/zalo") -> AsyncIterator[str]:
    """Serve ``handler`` at ``path`` on 127.0.0.1; yield its URL."""
    app = web.Application()
    app.router.add_post(path, handler)
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    try:
        yield f"http://127.0.0.1:{runner.addresses[0][1]}{path}"
    finally:
        await runner.cleanup()


@pytest.fixture
async def zalo_bot(bot: Harness) -> AsyncIterator[ZaloBot]:
    """The bot with 2022 open, reachable on the offline Zalo Bot API."""
    async with zalo_bot_on(bot) as side:
        yield side
