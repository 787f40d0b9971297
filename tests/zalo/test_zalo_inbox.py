"""Zalo events through the inbox: recorded before the webhook's 200, taken once, handled one
sender at a time in arrival order, and at least once across a crash."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import aiohttp

from bot.app import build_conversation
from bot.domain.inbox import InboxRow, InboxStatus
from bot.sandbox.fake_zalo import FakeZaloUser
from bot.services.metrics import Metrics
from handlers.inbox import ByChannel, Drainer, LocalLanes
from handlers.zalo.channel import ChatOffers, ZaloChannel
from handlers.zalo.polling import SECRET_HEADER, webhook_receiver
from handlers.zalo.updates import ZaloEdge
from tests.zalo.conftest import serving
from tests.zalo.zalo_chat import BINH, FakeLinks, ZaloBot, invite_code

SECRET = "s" * 32
PEOPLE = [FakeZaloUser(id=f"{n:020d}", display_name=f"Người {n}") for n in range(1, 4)]


@dataclass
class Handled:
    """The Zalo rows handled, in order, and how many of one lane were in hand at once."""

    rows: list[InboxRow] = field(default_factory=list)
    at_once: dict[str, int] = field(default_factory=dict)
    most_at_once: int = 0


@dataclass
class Replica:
    """A Zalo edge recording into the harness's inbox and the lane runner handling its rows."""

    edge: ZaloEdge
    lanes: LocalLanes
    metrics: Metrics
    handled: Handled


def replica(zalo_bot: ZaloBot, metrics: Metrics | None = None) -> Replica:
    """The edge on the inbox, its rows handed to it by one ``Drainer`` through ``ByChannel``."""
    bot = zalo_bot.bot
    metrics = metrics or Metrics()
    handles, handled = ByChannel(), Handled()
    drainer = Drainer(bot.store.inbox, handles, bot.clock, serves=handles.serves)
    lanes = LocalLanes(drainer.drain, bot.store.inbox.lanes_with_todo, drainer.halt)
    channel = ZaloChannel(
        zalo_bot.client,
        FakeLinks(),
        bot.services.catalog,
        offers=ChatOffers(bot.store.offers, bot.clock),
    )
    edge = ZaloEdge(
        build_conversation(bot.services),
        channel,
        bot.store.offers,
        bot.services.presenter,
        bot.clock,
        bot.store.inbox,
        lanes.wake,
        metrics=metrics,
    )

    async def handle(row: InboxRow) -> None:
        handled.at_once[row.lane] = handled.at_once.get(row.lane, 0) + 1
        handled.most_at_once = max(handled.most_at_once, handled.at_once[row.lane])
        try:
            handled.rows.append(row)
            await edge.handle_row(row)
        finally:
            handled.at_once[row.lane] -= 1

    handles.add("zalo", handle)
    return Replica(edge, lanes, metrics, handled)


@asynccontextmanager
async def webhook(side: Replica) -> AsyncIterator[str]:
    """The Zalo webhook receiver of ``side`` on 127.0.0.1 (its own memory of recent keys)."""
    async with serving(webhook_receiver(SECRET, side.edge.on_event, metrics=side.metrics)) as url:
        yield url


async def post(http: aiohttp.ClientSession, url: str, body: object) -> int:
    """POST an event body as Zalo does; the status answered."""
    async with http.post(url, json=body, headers={SECRET_HEADER: SECRET}) as response:
        return response.status


async def test_a_redelivered_event_is_handled_once_through_the_inbox(zalo_bot: ZaloBot) -> None:
    """The same event POSTed to two receivers (two replicas' memories) and again to the first:
    one row, handled once (one welcome), counted new once, duplicate twice, handled ok once."""
    zalo, bot = zalo_bot.zalo, zalo_bot.bot
    side = replica(zalo_bot)
    other = webhook_receiver(SECRET, side.edge.on_event, metrics=side.metrics)
    body = zalo.text(BINH, await invite_code(bot, "DV002"))
    await side.lanes.start()
    try:
        async with (
            webhook(side) as first,
            serving(other) as second,
            aiohttp.ClientSession() as http,
        ):
            assert [await post(http, url, body) for url in (first, second, first)] == [200] * 3
            await zalo.until(lambda: any("Trần Thị Bình" in s.text for s in zalo.sent(BINH.id)))
    finally:
        await side.lanes.stop()
    assert len(zalo.sent(BINH.id)) == 1
    [row] = await bot.store.inbox.rows([row.key for row in side.handled.rows], channel="zalo")
    assert (await bot.store.inbox.counts()).get(InboxStatus.DONE.value) == 1
    assert row.lane == f"z:{BINH.id}"
    value = side.metrics.value
    assert value("chuyende_updates_received_total", channel="zalo", result="new") == 1
    assert value("chuyende_updates_received_total", channel="zalo", result="duplicate") == 2
    assert value("chuyende_updates_handled_total", channel="zalo", result="ok") == 1


async def test_an_event_recorded_before_a_crash_is_handled_at_the_next_start(
    zalo_bot: ZaloBot,
) -> None:
    """Answered 200 and recorded while no runner ran (the process died before handling it),
    another taken in hand and cut short: both are handled, in order, once the runner starts."""
    zalo, bot = zalo_bot.zalo, zalo_bot.bot
    crashed = replica(zalo_bot)  # its runner never starts: it died after the commit
    code = zalo.text(BINH, await invite_code(bot, "DV002"))
    async with webhook(crashed) as url, aiohttp.ClientSession() as http:
        assert await post(http, url, code) == 200
        assert await post(http, url, zalo.text(BINH, "ke hoach")) == 200
    assert zalo.sent(BINH.id) == []
    [first, _] = sorted(
        (await bot.store.inbox.ready(f"z:{BINH.id}", bot.clock.now())).rows, key=lambda r: r.seq
    )
    assert await bot.store.inbox.take(first.id) == 1  # in hand when the process died
    restarted = replica(zalo_bot)
    await restarted.lanes.start()
    try:
        await zalo.until(lambda: len(zalo.sent(BINH.id)) == 2)
    finally:
        await restarted.lanes.stop()
    [welcome, question] = [sent.text for sent in zalo.sent(BINH.id)]
    assert "Trần Thị Bình" in welcome and "Câu 1/6" in question
    assert (await bot.store.inbox.counts()) == {InboxStatus.DONE.value: 2}


async def test_each_sender_is_handled_in_arrival_order_under_concurrent_posts(
    zalo_bot: ZaloBot,
) -> None:
    """Three people each POST eight messages one after another, the three at once: each
    person's are handled once each, in the order they arrived, never two of one person at once."""
    zalo = zalo_bot.zalo
    for person in PEOPLE:
        zalo.users[person.id] = person
    side = replica(zalo_bot)
    sent: dict[str, list[str]] = {person.id: [] for person in PEOPLE}

    async def write(http: aiohttp.ClientSession, url: str, person: FakeZaloUser) -> None:
        for n in range(8):
            body = zalo.text(person, f"tin {n}")
            sent[person.id].append(str(body["result"]["message"]["message_id"]))  # type: ignore[index]
            assert await post(http, url, body) == 200

    await side.lanes.start()
    try:
        async with webhook(side) as url, aiohttp.ClientSession() as http:
            await asyncio.gather(*(write(http, url, person) for person in PEOPLE))
        total = 8 * len(PEOPLE)
        await zalo.until(lambda: len(side.handled.rows) == total)
    finally:
        await side.lanes.stop()
    for person in PEOPLE:
        lane = [row for row in side.handled.rows if row.lane == f"z:{person.id}"]
        assert [row.key.rpartition(":")[2] for row in lane] == sent[person.id]
    assert side.handled.most_at_once == 1
    assert side.metrics.value(
        "chuyende_updates_handled_total", channel="zalo", result="ok"
    ) == 8 * len(PEOPLE)
