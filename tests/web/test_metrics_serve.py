"""The running bot (``serve``, Telegram and Zalo's webhook) counts what a conversation did."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.app import Running, serve
from bot.config import Settings
from bot.domain.models import Channel
from bot.domain.outbox import OutboxMessage
from bot.domain.payloads import Notice
from bot.sandbox.fake_api import Call, FakeBotApi, FakeUser, Fault
from bot.sandbox.fake_zalo import FakeZaloApi
from bot.services.clock import SystemClock
from bot.services.metrics import Metrics
from handlers.zalo.polling import SECRET_HEADER
from storage.store import Store
from tests.waiting import PATIENCE
from tests.zalo.test_serve import BINH, free_port, roster_with_invite, signed_in

AN = FakeUser(id=4242, first_name="An")


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """A Prometheus text as {(sample name, labels): value}, read by prometheus_client's parser."""
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def start(api: FakeBotApi, text: str = "/start") -> dict[str, Any]:
    """A /start (or another command) from An in their private chat."""
    return api.new_update(
        {
            "message": {
                "message_id": api.new_message_id(),
                "date": 0,
                "chat": {"id": AN.id, "type": "private"},
                "from": AN.as_json(),
                "text": text,
                "entities": [{"type": "bot_command", "offset": 0, "length": len(text)}],
            }
        }
    )


@pytest.fixture
async def zalo() -> AsyncIterator[FakeZaloApi]:
    """The offline Zalo Bot API, taking a plain-http webhook on loopback."""
    server = FakeZaloApi(allow_http_webhook=True)
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


class Bot:
    """``serve`` running in a task, with the parts ``ready`` handed out."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.stop = asyncio.Event()
        self.running: asyncio.Future[Running] = asyncio.get_running_loop().create_future()
        self.task: asyncio.Task[None] | None = None

    async def _ready(self, running: Running) -> None:
        self.running.set_result(running)

    async def __aenter__(self) -> Running:
        self.task = asyncio.create_task(serve(self.settings, self.stop, ready=self._ready))
        done, _ = await asyncio.wait(
            [self.task, self.running], timeout=PATIENCE, return_when=asyncio.FIRST_COMPLETED
        )
        assert self.running in done, self.task.exception() if self.task.done() else "no start"
        return self.running.result()

    async def __aexit__(self, *exc: object) -> None:
        """Stop as SIGTERM does and wait until everything in hand is done."""
        self.stop.set()
        if self.task is not None:
            await asyncio.wait_for(self.task, timeout=PATIENCE)


async def replied(api: FakeBotApi, send: Callable[[], Awaitable[None]], count: int = 1) -> None:
    """Run ``send`` and wait for ``count`` messages to An."""
    seen = asyncio.Event()
    before = len(api.sent(AN.id))

    def on_call(call: Call) -> None:
        if len(api.sent(AN.id)) >= before + count:
            seen.set()

    api.on_call.append(on_call)
    try:
        await send()
        await asyncio.wait_for(seen.wait(), timeout=PATIENCE)
    finally:
        api.on_call.remove(on_call)


async def test_metrics_count_a_scripted_conversation(
    api: FakeBotApi, zalo: FakeZaloApi, tmp_path: Path
) -> None:
    """A Zalo POST without the secret, an event twice, Telegram updates (one failing), a 429
    on a reply and queued outbox rows: each is in /metrics as what it was."""
    db = tmp_path / "m.db"
    code = await roster_with_invite(db)
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:  # two rows the sender does not take before tomorrow: the depth stays 2 queued
        later = SystemClock().now().replace(year=2999)
        rows = [
            OutboxMessage(f"later:{n}", 1, Notice(template="notify.confirmed"), not_before=later)
            for n in range(2)
        ]
        await store.outbox.add(rows, SystemClock().now())
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
        web_port=port,
        public_url=f"http://127.0.0.1:{port}",
        telegram_receive="poll",  # the webhook's counts: tests/web/test_telegram_webhook.py
    )
    api.add_user(AN)
    bot = Bot(settings)
    async with bot as running, aiohttp.ClientSession() as http:
        web = f"http://127.0.0.1:{port}"
        async with http.post(f"{web}/zalo", json={}, headers={SECRET_HEADER: "wrong"}) as answer:
            assert answer.status == 403
        event = zalo.text(BINH, code)
        assert await zalo.push(event) == 200
        await zalo.until(lambda: signed_in(zalo))
        assert await zalo.push(event) == 200  # Zalo redelivers: taken once
        api.faults.append(Fault("sendMessage", 429, "Too Many Requests", retry_after=0))
        await replied(api, lambda: api.push_update(start(api)))  # waits 0 s, then goes out
        api.faults.append(Fault("sendMessage", 400, "Bad Request: message is broken"))
        await replied(api, lambda: api.push_update(start(api)))  # the error message
        async with http.get(f"{web}/metrics") as answer:
            assert answer.status == 200
            assert answer.headers["Content-Type"].startswith("text/plain; version=0.0.4")
            scraped = samples(await answer.text())
        async with http.get(f"{web}/readyz") as answer:
            assert (answer.status, await answer.text()) == (200, "ready")
    metrics: Metrics | None = running.metrics
    assert metrics is not None

    def value(name: str, **labels: str) -> float:
        return scraped.get((name, frozenset(labels.items())), -1.0)

    assert value("chuyende_updates_received_total", channel="zalo", result="refused") == 1
    assert value("chuyende_updates_received_total", channel="zalo", result="new") == 1
    assert value("chuyende_updates_received_total", channel="zalo", result="duplicate") == 1
    assert value("chuyende_updates_received_total", channel="telegram", result="new") == 2
    assert value("chuyende_rate_limited_total", channel="telegram") == 1
    assert value("chuyende_rate_limited_total", channel="zalo") == 0
    assert value("chuyende_outbox_depth", status="queued") == 2
    assert value("chuyende_outbox_depth", status="sent") == 0
    # Handling ends after the reply went out: read once everything in hand is done.
    handled = "chuyende_updates_handled_total"
    assert metrics.value(handled, channel="telegram", result="ok") == 1
    assert metrics.value(handled, channel="telegram", result="error") == 1
    assert metrics.value(handled, channel="zalo", result="ok") == 1
    assert metrics.value("chuyende_handling_seconds_count", channel="telegram") == 2
    assert metrics.value("chuyende_handling_seconds_count", channel="zalo") == 1
    assert metrics.value("chuyende_handling_seconds_sum", channel=Channel.TELEGRAM.value) > 0


async def test_on_stop_readiness_turns_first_while_the_event_in_hand_is_finished(
    zalo: FakeZaloApi, tmp_path: Path
) -> None:
    """SIGTERM with a Zalo reply in flight: /readyz is 503 at once, the server still answers,
    the reply goes out, then the bot stops."""
    db = tmp_path / "s.db"
    code = await roster_with_invite(db)
    port = free_port()
    settings = Settings(
        _env_file=None,
        zalo_bot_token=zalo.token,
        zalo_api_url=zalo.url,
        database_url=f"sqlite+aiosqlite:///{db}",
        web_port=port,
        public_url=f"http://127.0.0.1:{port}",
    )
    stop = asyncio.Event()
    stopped = asyncio.create_task(serve(settings, stop))
    await zalo.until(lambda: stopped.done() or bool(zalo.webhook_url))
    assert not stopped.done(), stopped.exception()
    web = f"http://127.0.0.1:{port}"
    async with aiohttp.ClientSession() as http:
        async with http.get(f"{web}/readyz") as answer:
            assert answer.status == 200
        release = zalo.hold("sendMessage")
        assert await zalo.push(zalo.text(BINH, code)) == 200
        await asyncio.wait_for(zalo.holding.wait(), timeout=PATIENCE)  # the reply is held
        stop.set()
        async with http.get(f"{web}/readyz") as answer:
            assert (answer.status, await answer.text()) == (503, "stopping")
        assert not stopped.done()
        release.set()
        await asyncio.wait_for(stopped, timeout=PATIENCE)
    assert signed_in(zalo)  # the reply in hand went out whole
    assert [call.code for call in zalo.calls_of("sendMessage")] == [200]


async def test_a_telegram_polling_bot_serves_health_when_web_port_is_set(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """Telegram alone, polling: with WEB_PORT set the web server runs for /readyz and /metrics;
    without it (and without Zalo or PUBLIC_URL) the bot needs no port."""
    port = free_port()
    settings = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        database_url=f"sqlite+aiosqlite:///{tmp_path / 't.db'}",
        web_port=port,
    )
    assert settings.serves_web
    assert not Settings(_env_file=None, telegram_bot_token=api.token).serves_web
    assert Settings(_env_file=None, zalo_bot_token="1:z").serves_web
    async with Bot(settings), aiohttp.ClientSession() as http:
        async with http.get(f"http://127.0.0.1:{port}/readyz") as answer:
            assert (answer.status, await answer.text()) == (200, "ready")
        async with http.get(f"http://127.0.0.1:{port}/metrics") as answer:
            assert answer.status == 200
            assert "chuyende_updates_received_total" in await answer.text()
