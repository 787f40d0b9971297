"""The fake Bot API's webhook: set, read back and deleted as Telegram does, and its pusher."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, Conflict

from bot.sandbox.fake_api import SECRET_HEADER, FakeBotApi


@pytest.fixture
async def tg(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A plain PTB Bot pointed at the fake server."""
    bot = Bot(api.token, base_url=f"{api.url}/bot")
    async with bot:
        yield bot


async def test_set_read_and_delete_the_webhook(tg: Bot, api: FakeBotApi) -> None:
    """setWebhook is kept and shown by getWebhookInfo; getUpdates is refused until deleted."""
    await tg.set_webhook(
        "https://bot.example.vn/telegram",
        secret_token="abc_DEF-123",
        max_connections=12,
        allowed_updates=["message", "callback_query"],
        drop_pending_updates=False,
    )
    info = await tg.get_webhook_info()
    assert info.url == "https://bot.example.vn/telegram" and info.max_connections == 12
    assert list(info.allowed_updates or []) == ["message", "callback_query"]
    assert api.webhook is not None and api.webhook["secret_token"] == "abc_DEF-123"
    with pytest.raises(Conflict):
        await tg.get_updates()
    await tg.delete_webhook()
    assert (await tg.get_webhook_info()).url == "" and await tg.get_updates() == ()


async def test_what_telegram_refuses_in_set_webhook_is_refused(tg: Bot) -> None:
    """A plain-HTTP public URL, a secret with other characters, 101 connections: 400."""
    for url, options in (
        ("http://bot.example.vn/telegram", {}),
        ("https://bot.example.vn/telegram", {"secret_token": "có dấu"}),
        ("https://bot.example.vn/telegram", {"max_connections": 101}),
    ):
        with pytest.raises(BadRequest):
            await tg.set_webhook(url, **options)  # type: ignore[arg-type]


async def test_the_pusher_redelivers_until_200_with_the_secret(api: FakeBotApi) -> None:
    """Each update is POSTed with the secret header again and again until it is answered 200."""
    answers: dict[int, list[int]] = {1: [500, 200], 2: [403, 502, 200], 3: [200]}
    seen: list[tuple[int, str]] = []

    async def receive(request: web.Request) -> web.Response:
        update = await request.json()
        seen.append((update["update_id"], request.headers.get(SECRET_HEADER, "")))
        return web.Response(status=answers[update["update_id"]].pop(0))

    app = web.Application()
    app.router.add_post("/telegram", receive)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        api.webhook = {"url": f"http://127.0.0.1:{port}/telegram", "secret_token": "s3cret"}
        api.webhook["max_connections"] = 3
        await api.deliver([{"update_id": n} for n in (1, 2, 3)], redeliver_after=0)
    finally:
        await runner.cleanup()
    assert api.delivered(1) == [500, 200] and api.delivered(2) == [403, 502, 200]
    assert {secret for _, secret in seen} == {"s3cret"} and len(seen) == 6
    assert all(not left for left in answers.values())
