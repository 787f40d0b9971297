"""The offline Zalo Bot API refuses what Zalo refuses and hands out events as Zalo does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from aiohttp import web

from bot.sandbox.fake_zalo import SECRET_HEADER, FakeZaloApi
from tests.zalo.conftest import TED, serving


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    """A plain HTTP session (the fake is tested without our client)."""
    async with aiohttp.ClientSession() as session:
        yield session


async def post(
    http: aiohttp.ClientSession,
    zalo: FakeZaloApi,
    method: str,
    token: str | None = None,
    **params: Any,
) -> tuple[int, dict[str, Any]]:
    """POST ``params`` as JSON to ``method``; the HTTP status and the body."""
    url = f"{zalo.url}/bot{token or zalo.token}/{method}"
    async with http.post(url, json=params) as answer:
        return answer.status, await answer.json()


async def test_wrong_token_and_unknown_methods(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """A wrong token is 401; an unknown method, or a known one spelt in another case, is 404."""
    status, body = await post(http, zalo, "getMe")
    assert status == 200 and body["result"]["account_type"] == "BASIC"
    status, body = await post(http, zalo, "getMe", token="1:wrong")
    assert (status, body["ok"], body["error_code"]) == (401, False, 401)
    assert (await post(http, zalo, "getme"))[0] == 404
    assert (await post(http, zalo, "editMessageText"))[0] == 404


async def test_texts_are_1_to_2000_characters(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """Empty, over 2000 characters, without chat_id or to an unknown chat: refused with 400."""
    zalo.users[TED.id] = TED
    assert (await post(http, zalo, "sendMessage", chat_id=TED.id, text="x" * 2000))[0] == 200
    assert (await post(http, zalo, "sendMessage", chat_id=TED.id, text="😀" * 2000))[0] == 200
    for params in (
        {"chat_id": TED.id, "text": ""},
        {"chat_id": TED.id, "text": "x" * 2001},
        {"text": "hello"},
        {"chat_id": "ffffffffffffffffffff", "text": "hello"},
    ):
        status, body = await post(http, zalo, "sendMessage", **params)
        assert (status, body["error_code"]) == (400, 400), params
    assert [len(m.text) for m in zalo.sent(TED.id)] == [2000, 2000]


async def test_photos_by_url_and_chat_actions(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """sendPhoto takes a URL and a caption of at most 2000; sendChatAction knows 'typing'."""
    zalo.users[TED.id] = TED
    url = "https://example.test/chart.png"
    status, body = await post(http, zalo, "sendPhoto", chat_id=TED.id, photo=url, caption="Biểu đồ")
    assert status == 200 and body["result"]["message_id"]
    assert (await post(http, zalo, "sendPhoto", chat_id=TED.id, photo="chart.png"))[0] == 400
    bad_caption = {"chat_id": TED.id, "photo": url, "caption": "x" * 2001}
    assert (await post(http, zalo, "sendPhoto", **bad_caption))[0] == 400
    assert (await post(http, zalo, "sendChatAction", chat_id=TED.id, action="typing"))[0] == 200
    assert (await post(http, zalo, "sendChatAction", chat_id=TED.id, action="dance"))[0] == 400
    sent = zalo.sent(TED.id)
    assert [(m.kind, m.photo, m.text) for m in sent] == [("photo", url, "Biểu đồ")]


async def test_webhook_secret_must_be_8_to_256(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """A secret outside 8-256 characters, or a plain http URL (on Zalo), is refused."""
    url = "https://bot.example.test/zalo"
    for secret in ("x" * 7, "x" * 257, ""):
        assert (await post(http, zalo, "setWebhook", url=url, secret_token=secret))[0] == 400
    for secret in ("x" * 8, "x" * 256):
        status, body = await post(http, zalo, "setWebhook", url=url, secret_token=secret)
        assert status == 200 and body["result"]["url"] == url
    strict = FakeZaloApi()
    await strict.start()
    try:
        plain = {"url": "http://bot.example.test/zalo", "secret_token": "x" * 8}
        assert (await post(http, strict, "setWebhook", **plain))[0] == 400
    finally:
        await strict.stop()


async def test_getupdates_refused_while_a_webhook_is_set(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """Polling and a webhook exclude each other until deleteWebhook."""
    await post(http, zalo, "setWebhook", url="https://bot.example.test/z", secret_token="s" * 8)
    assert (await post(http, zalo, "getWebhookInfo"))[1]["result"]["url"]
    assert (await post(http, zalo, "getUpdates", timeout="0"))[0] == 400
    status, body = await post(http, zalo, "deleteWebhook")
    assert status == 200 and body["result"]["url"] == ""
    assert (await post(http, zalo, "getUpdates", timeout="0"))[1]["error_code"] == 408


async def test_getupdates_hands_out_one_event_at_a_time(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """No offset: each poll takes the next event; an idle poll ends with ok:false and 408."""
    first, second = zalo.text(TED, "một"), zalo.image(TED, "https://zalo.test/p.jpg", "ảnh")
    await zalo.push(first)
    await zalo.push(second)
    got = [(await post(http, zalo, "getUpdates", timeout="0"))[1] for _ in range(3)]
    assert got[0] == {"ok": True, "result": first["result"]}
    assert got[1]["result"]["message"]["photo"] == "https://zalo.test/p.jpg"
    assert (got[2]["ok"], got[2]["error_code"]) == (False, 408)


async def test_a_waiting_poll_gets_the_event_pushed_meanwhile(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """A long poll in progress answers as soon as an event arrives."""
    poll = asyncio.ensure_future(post(http, zalo, "getUpdates", timeout="60"))
    await zalo.polling.wait()
    event = zalo.sticker(TED)
    await zalo.push(event)
    status, body = await poll
    assert status == 200 and body["result"]["event_name"] == "message.sticker.received"


async def test_a_poll_woken_for_an_event_another_took_waits_on(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """Two polls wait, one event comes: one poll takes it, the other keeps waiting for the next."""
    polls = [asyncio.ensure_future(post(http, zalo, "getUpdates", timeout="60")) for _ in range(2)]
    await zalo.until(lambda: zalo.waiting == 2)
    await zalo.push(zalo.text(TED, "một"))
    await zalo.until(lambda: len(zalo.calls_of("getUpdates")) == 1)
    assert zalo.waiting == 1
    await zalo.push(zalo.text(TED, "hai"))
    texts = sorted(body["result"]["message"]["text"] for _, body in await asyncio.gather(*polls))
    assert texts == ["hai", "một"]


async def test_faults_and_errors_in_the_body_only(
    http: aiohttp.ClientSession, zalo: FakeZaloApi
) -> None:
    """Injected 429s carry retry_after; with error_http_status off, errors come as HTTP 200."""
    zalo.fail("getMe", 429, "Quota exceeded", retry_after=7)
    status, body = await post(http, zalo, "getMe")
    assert (status, body["error_code"], body["parameters"]["retry_after"]) == (429, 429, 7)
    zalo.error_http_status = False
    zalo.fail("getMe", 503)
    status, body = await post(http, zalo, "getMe")
    assert (status, body["ok"], body["error_code"]) == (200, False, 503)
    assert (await post(http, zalo, "getMe"))[1]["ok"] is True


async def test_events_are_posted_to_the_webhook_with_the_secret(zalo: FakeZaloApi) -> None:
    """With a webhook set, each pushed event is one POST carrying X-Bot-Api-Secret-Token."""
    seen: list[tuple[str | None, dict[str, Any]]] = []

    async def receive(request: web.Request) -> web.StreamResponse:
        seen.append((request.headers.get(SECRET_HEADER), await request.json()))
        return web.json_response({"ok": True})

    async with serving(receive) as url, aiohttp.ClientSession() as http:
        await post(http, zalo, "setWebhook", url=url, secret_token="my-secret-1")
        event = zalo.unsupported(TED)
        assert await zalo.push(event) == 200
        assert await zalo.push(event) == 200  # a redelivery
    assert seen == [("my-secret-1", event), ("my-secret-1", event)]
    assert [d.status for d in zalo.deliveries] == [200, 200]
