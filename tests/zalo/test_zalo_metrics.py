"""Zalo's side of the metrics: its API's 429s, and the webhook's refusals and redeliveries."""

from __future__ import annotations

import aiohttp
import pytest

from bot.domain.models import Channel
from bot.sandbox.fake_zalo import FakeZaloApi
from bot.services.channels import RateLimited
from bot.services.metrics import Metrics
from handlers.zalo.client import ZaloClient
from handlers.zalo.events import Event
from handlers.zalo.polling import SECRET_HEADER, webhook_receiver
from tests.zalo.conftest import TED, serving


async def test_a_429_from_zalo_is_counted_once_per_answer(zalo: FakeZaloApi) -> None:
    """Each 429 Zalo answers adds one to chuyende_rate_limited_total{channel="zalo"}."""
    metrics = Metrics()
    zalo.users[TED.id] = TED
    zalo.fail("sendMessage", 429, "Quota exceeded", times=2, retry_after=3)

    def on_429() -> None:
        metrics.rate_limited(Channel.ZALO)

    async with ZaloClient(zalo.token, zalo.url, timeout=10.0, on_429=on_429) as client:
        for _ in range(2):
            with pytest.raises(RateLimited):
                await client.send_message(TED.id, "xin chào")
        await client.send_message(TED.id, "xin chào")
    assert metrics.value("chuyende_rate_limited_total", channel="zalo") == 2
    assert metrics.value("chuyende_rate_limited_total", channel="telegram") == 0


async def test_the_webhook_counts_refusals_and_quick_redeliveries(zalo: FakeZaloApi) -> None:
    """No secret, a wrong one, a body that is no event: refused; the same event twice: one
    duplicate (the receiver's memory of recent keys)."""
    metrics = Metrics()
    taken: list[Event] = []

    async def take(event: Event) -> None:
        taken.append(event)

    event = zalo.text(TED, "xin chào")
    receiver = webhook_receiver("s" * 16, take, metrics=metrics)
    async with serving(receiver) as url, aiohttp.ClientSession() as http:
        for headers, body in (
            ({}, event),
            ({SECRET_HEADER: "wrong"}, event),
            ({SECRET_HEADER: "s" * 16}, {"no": "event"}),
            ({SECRET_HEADER: "s" * 16}, event),
            ({SECRET_HEADER: "s" * 16}, event),
        ):
            async with http.post(url, json=body, headers=headers):
                pass
    assert len(taken) == 1
    assert metrics.value("chuyende_updates_received_total", channel="zalo", result="refused") == 3
    assert metrics.value("chuyende_updates_received_total", channel="zalo", result="duplicate") == 1
