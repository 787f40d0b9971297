"""The long-poll loop and the webhook receiver hand each event on once, treat Zalo's 408 as
normal, back off through the timer, and check the webhook's secret."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

import aiohttp
import pytest

from bot.sandbox.fake_zalo import SECRET_HEADER, FakeZaloApi
from handlers.zalo.client import TokenRefused, ZaloClient
from handlers.zalo.events import Event
from handlers.zalo.polling import Poller, webhook_receiver, webhook_secret
from scheduler.timer import VirtualTimer
from tests.zalo.conftest import TED, serving

PATIENCE = 60.0  # seconds: a safety net for a hung loop, never a pause


class Inbox:
    """The callback: keeps the events, stops the loop after ``stop_after`` of them."""

    def __init__(self, stop: asyncio.Event, stop_after: int = 1_000) -> None:
        self.events: list[Event] = []
        self._stop = stop
        self._stop_after = stop_after

    async def __call__(self, event: Event) -> None:
        self.events.append(event)
        if len(self.events) >= self._stop_after:
            self._stop.set()

    def texts(self) -> list[str | None]:
        """The texts received, in order."""
        return [event.message.text for event in self.events]


async def run(poller: Poller) -> None:
    """Run the loop to its end (a hung one fails the test)."""
    async with asyncio.timeout(PATIENCE):
        await poller.run()


async def test_events_are_handed_on_in_order_and_a_redelivery_once(
    client: ZaloClient, zalo: FakeZaloApi
) -> None:
    """Each polled event reaches the callback once, in order; the same event again is dropped."""
    stop, timer = asyncio.Event(), VirtualTimer()
    inbox = Inbox(stop, stop_after=3)
    first = zalo.text(TED, "một")
    for event in (first, first, zalo.image(TED, "https://zalo.test/a.jpg"), zalo.text(TED, "ba")):
        await zalo.push(event)
    await run(Poller(client, inbox, timer, stop, wait=0))
    assert inbox.texts() == ["một", None, "ba"]
    assert len(zalo.calls_of("getUpdates")) == 4 and zalo.pending() == 0
    assert timer.waits == []


async def test_idle_polls_are_normal(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """408 after an idle poll: poll again at once, no back-off, nothing handed on."""
    stop, timer = asyncio.Event(), VirtualTimer()
    inbox = Inbox(stop)
    task = asyncio.ensure_future(run(Poller(client, inbox, timer, stop, wait=0)))
    await zalo.until(lambda: len(zalo.calls_of("getUpdates")) >= 5)
    stop.set()
    await task
    assert {call.code for call in zalo.calls_of("getUpdates")} == {408}
    assert inbox.events == [] and timer.waits == []


async def test_failures_back_off_through_the_timer(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """5xx and time-outs double the pause (1, 2, 4 s); a 429 waits what it asks; then on."""
    stop, timer = asyncio.Event(), VirtualTimer()
    inbox = Inbox(stop, stop_after=1)
    zalo.fail("getUpdates", 500, times=3)
    zalo.fail("getUpdates", 429, "Quota exceeded", retry_after=7)
    await zalo.push(zalo.text(TED, "cuối cùng"))
    poller = Poller(client, inbox, timer, stop, wait=0)
    await run(poller)
    assert timer.waits == [1.0, 2.0, 4.0, 7.0]
    assert inbox.texts() == ["cuối cùng"] and poller.failures == 0


async def test_unknown_and_malformed_events_are_skipped(
    client: ZaloClient, zalo: FakeZaloApi
) -> None:
    """An unknown event name and a body that is no event are logged; the next event arrives."""
    stop = asyncio.Event()
    inbox = Inbox(stop, stop_after=1)
    await zalo.push({"ok": True, "result": {"event_name": "user.follow"}})
    await zalo.push({"ok": True, "result": {"event_name": "message.text.received"}})
    await zalo.push(zalo.text(TED, "vẫn nhận"))
    await run(Poller(client, inbox, VirtualTimer(), stop, wait=0))
    assert inbox.texts() == ["vẫn nhận"]


async def test_a_failing_callback_does_not_stop_the_loop(
    client: ZaloClient, zalo: FakeZaloApi
) -> None:
    """An event the callback cannot take is logged; the loop carries on with the next."""
    stop = asyncio.Event()
    inbox = Inbox(stop, stop_after=1)

    async def fussy(event: Event) -> None:
        if event.message.text == "hỏng":
            raise RuntimeError("database down")
        await inbox(event)

    await zalo.push(zalo.text(TED, "hỏng"))
    await zalo.push(zalo.text(TED, "tốt"))
    await run(Poller(client, fussy, VirtualTimer(), stop, wait=0))
    assert inbox.texts() == ["tốt"]


async def test_stop_ends_a_waiting_long_poll(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """Setting the stop event while Zalo holds a poll open ends the loop at once."""
    stop = asyncio.Event()
    task = asyncio.ensure_future(run(Poller(client, Inbox(stop), VirtualTimer(), stop, wait=60)))
    await zalo.polling.wait()
    stop.set()
    await task
    assert task.exception() is None


async def test_several_polls_take_an_event_while_one_is_held(
    client: ZaloClient, zalo: FakeZaloApi
) -> None:
    """With two polls open, an event comes through while Zalo holds the other poll's answer."""
    stop = asyncio.Event()
    inbox = Inbox(stop, stop_after=1)
    release = zalo.hold("getUpdates")
    await zalo.push(zalo.text(TED, "một"))
    await run(Poller(client, inbox, VirtualTimer(), stop, wait=60, polls=2))
    release.set()
    assert inbox.texts() == ["một"]


async def test_several_polls_hand_on_one_event_at_a_time(
    client: ZaloClient, zalo: FakeZaloApi
) -> None:
    """Events of concurrent polls reach the callback one after another, never two at once."""
    stop = asyncio.Event()
    inbox = Inbox(stop, stop_after=6)
    inside, most = 0, 0

    async def slow(event: Event) -> None:
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        await client.get_me()  # a real wait, in which another hand-off could start
        await inbox(event)
        inside -= 1

    for n in range(6):
        await zalo.push(zalo.text(TED, f"tin {n}"))
    await run(Poller(client, slow, VirtualTimer(), stop, wait=0, polls=3))
    assert sorted(inbox.texts(), key=str) == [f"tin {n}" for n in range(6)] and most == 1


async def test_a_refused_token_ends_the_loop(zalo: FakeZaloApi) -> None:
    """401 is not retried: the loop ends with TokenRefused (the bot is misconfigured)."""
    stop = asyncio.Event()
    async with ZaloClient("1:wrong", zalo.url) as client:
        with pytest.raises(TokenRefused):
            await run(Poller(client, Inbox(stop), VirtualTimer(), stop, wait=0))


async def test_a_webhook_while_polling_is_backed_off(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """getUpdates refused because a webhook is set: the loop waits and tries again."""
    stop, timer = asyncio.Event(), VirtualTimer()
    await client.set_webhook("https://bot.example.test/zalo", "s" * 16)
    task = asyncio.ensure_future(run(Poller(client, Inbox(stop), timer, stop, wait=0)))
    await zalo.until(lambda: len(zalo.calls_of("getUpdates")) >= 3)
    stop.set()
    await task
    assert {call.code for call in zalo.calls_of("getUpdates")} == {400}
    assert timer.waits[:2] == [1.0, 2.0]


def test_the_webhook_secret_comes_from_the_token() -> None:
    """Every replica derives the same secret, within Zalo's 8-256 characters, not the token."""
    secret = webhook_secret("1459232241454765289:abc")
    assert secret == webhook_secret("1459232241454765289:abc") != webhook_secret("1:other")
    assert len(secret) == 64 and "abc" not in secret


Handler = Callable[[Event], Awaitable[None]]


async def test_the_webhook_hands_events_on_once(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """With the right secret: 200 and the event handed on; a redelivery is answered 200 and
    dropped; a wrong secret is 403 and nothing is handed on."""
    stop = asyncio.Event()
    inbox = Inbox(stop)
    secret = webhook_secret(zalo.token)
    async with serving(webhook_receiver(secret, inbox)) as url:
        await client.set_webhook(url, secret)
        event = zalo.text(TED, "qua webhook")
        assert await zalo.push(event) == 200
        assert await zalo.push(event) == 200
        await client.set_webhook(url, "not-the-secret")
        assert await zalo.push(zalo.text(TED, "giả mạo")) == 403
    assert inbox.texts() == ["qua webhook"]


async def test_the_webhook_answers_200_only_once_the_event_is_taken(
    client: ZaloClient, zalo: FakeZaloApi
) -> None:
    """The answer waits for the callback; a callback that fails is answered 500."""
    entered, release = asyncio.Event(), asyncio.Event()
    taken: list[str | None] = []

    async def slow(event: Event) -> None:
        entered.set()
        await release.wait()
        if event.message.text == "hỏng":
            raise RuntimeError("database down")
        taken.append(event.message.text)

    secret = webhook_secret(zalo.token)
    async with serving(webhook_receiver(secret, slow)) as url:
        await client.set_webhook(url, secret)
        delivery = asyncio.ensure_future(zalo.push(zalo.text(TED, "chậm")))
        await entered.wait()
        assert not delivery.done() and taken == []
        release.set()
        assert await delivery == 200 and taken == ["chậm"]
        assert await zalo.push(zalo.text(TED, "hỏng")) == 500


async def test_the_webhook_refuses_bodies_that_are_no_event(zalo: FakeZaloApi) -> None:
    """Not JSON, or JSON that is no event: 400 with the reason; a missing header: 403."""
    secret = "s" * 32
    inbox = Inbox(asyncio.Event())
    async with serving(webhook_receiver(secret, inbox)) as url, aiohttp.ClientSession() as http:
        headers = {SECRET_HEADER: secret}
        async with http.post(url, data=b"{not json", headers=headers) as answer:
            assert answer.status == 400
        async with http.post(url, json={"ok": True, "result": {"x": 1}}, headers=headers) as answer:
            assert answer.status == 400 and "event_name" in (await answer.json())["description"]
        async with http.post(url, json=zalo.text(TED, "x")) as answer:
            assert answer.status == 403
        unknown = {"ok": True, "result": {"event_name": "user.follow"}}
        async with http.post(url, json=unknown, headers=headers) as answer:
            assert answer.status == 200
    assert inbox.events == []
