"""Receiving Zalo events: the ``getUpdates`` long-poll loop, and the webhook receiver.

Both hand each event the bot understands to one async callback, which should record it (a row)
and return quickly: Zalo keeps no offset for ``getUpdates`` (an event taken is gone from its
side), and the webhook's time-out and retry policy are unknown, so the receiver answers 200 only
once the callback has taken the event and 500 when it failed (a redelivery, if Zalo makes one,
is welcome then). Redeliveries are assumed: a key seen lately is dropped here, and the callback's
own record (by ``Event.key``) is the check that holds across restarts and replicas.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable

from aiohttp import web

from bot.services.channels import RateLimited
from bot.services.metrics import Metrics
from handlers.zalo.client import TokenRefused, ZaloClient
from handlers.zalo.events import (
    Event,
    MalformedEvent,
    Parsed,
    UnknownEvent,
    parse_body,
    parse_result,
)
from scheduler.timer import Timer

SECRET_HEADER = "X-Bot-Api-Secret-Token"
POLL_WAIT = 30  # seconds Zalo holds a getUpdates open (its default)
BACKOFF_FIRST = 1.0  # seconds after the first failure; doubled after each one in a row
BACKOFF_MAX = 60.0
RECENT = 1024  # event keys remembered to drop a quick redelivery
ZALO = "zalo"  # the channel's label in the metrics

log = logging.getLogger(__name__)

OnEvent = Callable[[Event], Awaitable[None]]
Receiver = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_secret(token: str) -> str:
    """The webhook's secret derived from the bot token: every replica knows it without another
    setting, and it changes when the token is reset (64 hex digits, within Zalo's 8-256)."""
    return hmac.new(token.encode(), b"chuyende zalo webhook", hashlib.sha256).hexdigest()


class RecentKeys:
    """The keys of the last events handled, oldest forgotten first."""

    def __init__(self, size: int = RECENT) -> None:
        self._size = size
        self._keys: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, key: str) -> bool:
        return key in self._keys

    def add(self, key: str) -> None:
        """Remember ``key``."""
        self._keys[key] = None
        self._keys.move_to_end(key)
        while len(self._keys) > self._size:
            self._keys.popitem(last=False)


async def hand_on(
    events: Iterable[Parsed],
    on_event: OnEvent,
    recent: RecentKeys,
    metrics: Metrics | None = None,
) -> None:
    """Give each understood event to ``on_event`` once; log and skip the rest (a redelivery
    counts as a ``duplicate`` in ``metrics``)."""
    for event in events:
        if isinstance(event, UnknownEvent):
            log.info("zalo event %r is not one the bot knows: ignored", event.event_name)
            continue
        if event.key in recent:
            log.info("zalo event %s came again: ignored", event.key)
            if metrics is not None:
                metrics.received(ZALO, "duplicate")
            continue
        await on_event(event)
        recent.add(event.key)


async def _first(*waits: Awaitable[object]) -> None:
    """Return once any of ``waits`` is done; cancel the others."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        pending = [task for task in tasks if not task.done()]
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)


class Poller:
    """Long-polls ``getUpdates`` until ``stop`` is set; failures wait on the ``Timer``."""

    def __init__(
        self,
        client: ZaloClient,
        on_event: OnEvent,
        timer: Timer,
        stop: asyncio.Event,
        wait: int = POLL_WAIT,
        recent: RecentKeys | None = None,
        polls: int = 1,
        metrics: Metrics | None = None,
    ) -> None:
        """``polls``: long polls kept open at once (see ``run``); ``metrics`` counts the
        redeliveries dropped here."""
        self._client = client
        self._on_event = on_event
        self._timer = timer
        self._stop = stop
        self._wait = wait
        self._recent = recent if recent is not None else RecentKeys()
        self._polls = max(1, polls)
        self._metrics = metrics
        self._handing = asyncio.Lock()  # one hand-off at a time, in the order polls came back
        self.failures = 0  # failed polls in a row

    async def run(self) -> None:
        """Poll, hand on, repeat; a refused token ends the loop with ``TokenRefused``.

        Zalo hands out one event per ``getUpdates``, so one poll at a time is one event per
        round trip. With ``polls`` > 1 that many loops poll at once, and their events are handed
        on one at a time in the order the answers came back. Whether Zalo allows concurrent
        polls, and answers them in the order it gave the events out, is not documented
        (ZALO.md): one person's quick messages could then reach the bot out of order. So the
        default stays one poll (about 12 events a second at 80 ms a round trip), and a busy bot
        takes the webhook instead (README, "Performance")."""
        loops = [asyncio.ensure_future(self._loop()) for _ in range(self._polls)]
        try:
            await asyncio.gather(*loops)
        finally:
            for loop in loops:
                loop.cancel()
            await asyncio.gather(*loops, return_exceptions=True)

    async def _loop(self) -> None:
        while not self._stop.is_set():
            pause = await self._once()
            if pause:
                await self._pause(pause)

    async def _once(self) -> float:
        """One poll and its events; the seconds to wait before the next one."""
        poll = asyncio.ensure_future(self._client.get_updates(self._wait))
        await _first(poll, self._stop.wait())
        if not poll.done() or poll.cancelled():
            return 0.0  # stopped while waiting
        try:
            result = poll.result()
        except TokenRefused:
            raise
        except RateLimited as error:
            log.warning("zalo getUpdates: %s; waiting %g s", error.message, error.retry_after)
            return error.retry_after
        except Exception as error:  # Transient, BadRequest (a webhook is set ...)
            self.failures += 1
            pause = min(BACKOFF_FIRST * 2.0 ** (self.failures - 1), BACKOFF_MAX)
            log.warning("zalo getUpdates failed (%s); trying again in %g s", error, pause)
            return pause
        self.failures = 0
        try:
            events = parse_result(result)
        except MalformedEvent as error:
            log.warning("zalo getUpdates gave a malformed event: %s", error)
            return 0.0
        try:
            async with self._handing:
                await hand_on(events, self._on_event, self._recent, self._metrics)
        except Exception:  # the event is gone from Zalo's side: say so and carry on
            log.exception("a zalo event could not be handled")
        return 0.0

    async def _pause(self, seconds: float) -> None:
        """Wait ``seconds`` on the timer, or until stopped."""
        deadline = self._timer.monotonic() + seconds
        await _first(self._timer.sleep_until(deadline), self._stop.wait())


def webhook_receiver(
    secret: str,
    on_event: OnEvent,
    recent: RecentKeys | None = None,
    metrics: Metrics | None = None,
) -> Receiver:
    """An aiohttp handler for Zalo's webhook POSTs: 403 without the right secret header, 400 for
    a body that is no event, 200 once ``on_event`` has taken the events, 500 if it failed.
    ``metrics`` counts the POSTs refused and the redeliveries."""
    expected = secret.encode()
    seen = recent if recent is not None else RecentKeys()

    def refused() -> None:
        if metrics is not None:
            metrics.received(ZALO, "refused")

    async def receive(request: web.Request) -> web.StreamResponse:
        """Check the secret, parse the body, hand the events on."""
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("a zalo webhook POST without the right secret: refused")
            refused()
            return web.json_response({"ok": False}, status=403)
        try:
            body = await request.json()
        except ValueError:
            refused()
            return web.json_response({"ok": False, "description": "not JSON"}, status=400)
        try:
            events = parse_body(body)
        except MalformedEvent as error:
            log.warning("a zalo webhook POST is not an event: %s", error)
            refused()
            return web.json_response({"ok": False, "description": str(error)}, status=400)
        try:
            await hand_on(events, on_event, seen, metrics)
        except Exception:
            log.exception("a zalo event could not be handled")
            return web.json_response({"ok": False}, status=500)
        return web.json_response({"ok": True})

    return receive
