"""The Zalo edge: an event becomes an ``Inbound``; one person's events in order, people at once.

Zalo has no slash-command menu and no buttons: a typed ``/kehoach`` is a command as on Telegram,
and so are the command words without diacritics (``ke hoach``, ``duyet``, ``bao cao``, ``huy``,
``tro giup``); choices come as numbered lines (``handlers/text_turn.py``).

An event is recorded as a row of the inbox (channel ``zalo``, key ``Event.key``, lane
``z:<sender id>``, seq its arrival order) before the webhook answers 200 or the poller takes the
next one, and the lane runner hands each row to ``handle_row``: a redelivered event (by Zalo, or
to two replicas) is taken once (the inbox's key), one person's events are handled one at a time
in arrival order, and handling is *at least once*: an event recorded and not handled when the
process died is handled at the next start (or by another replica).

``Lanes`` (one line per person in this process, no database) is what the bare echo bot of
``bench/zalo_echo.py`` answers in.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace

from bot.domain.inbox import InboxRow, lane_name
from bot.domain.models import Channel
from bot.services.channels import ChannelPort
from bot.services.metrics import Metrics
from bot.services.ports import Clock, InboxStore, OfferStore
from bot.services.replies import Presenter
from handlers.inbound import Inbound, Kind
from handlers.routes import Conversation
from handlers.text_turn import ChannelTurn
from handlers.zalo.events import Event, EventKind, parse_event

log = logging.getLogger(__name__)

MAX_PENDING_PER_PERSON = 20  # a flood from one chat waits in line; beyond this it is dropped
PRIVATE = "PRIVATE"
CHANNEL = "zalo"  # the inbox's channel of Zalo rows
LANE_LENGTH = 64  # as the inbox keeps it (storage/inbox_repo.py)


def lane_of(event: Event) -> str:
    """The inbox lane of an event: its sender's."""
    return lane_name(CHANNEL, event.message.sender.id)[:LANE_LENGTH]


def inbound_of(event: Event, presenter: Presenter) -> Inbound | None:
    """The channel-neutral view of a Zalo message; None when Zalo hid its content."""
    message = event.message
    base = Inbound(
        Channel.ZALO, message.sender.id, message.chat.id, Kind.OTHER, message_id=message.message_id
    )
    if event.event_name is EventKind.UNSUPPORTED:
        return None
    if event.event_name is not EventKind.TEXT or message.text is None:
        picture = (message.photo or "") if event.event_name is EventKind.IMAGE else ""
        return replace(base, text=message.caption or "", picture=picture)  # a picture, a sticker
    text = message.text
    if text.startswith("/") and len(text) > 1:
        word, *args = text[1:].split()
        return replace(
            base,
            kind=Kind.COMMAND,
            text=text,
            command=word.partition("@")[0].lower(),
            args=tuple(args),
        )
    named = presenter.command_for_word(text)
    if named is not None:
        return replace(base, kind=Kind.COMMAND, text=text, command=named.value)
    return replace(base, kind=Kind.TEXT, text=text)


class Lanes:
    """One line per person: their events one after another, different people at once. Every
    task is kept until it is done (``drain`` waits for them): nothing is fire-and-forget."""

    def __init__(self, limit: int = MAX_PENDING_PER_PERSON) -> None:
        self._limit = limit
        self._tails: dict[str, asyncio.Task[None]] = {}
        self._waiting: dict[str, int] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    def submit(self, key: str, work: Callable[[], Awaitable[None]]) -> bool:
        """Run ``work`` after the work already given for ``key``; False when that line is full."""
        if self._waiting.get(key, 0) >= self._limit:
            return False
        previous = self._tails.get(key)
        task = asyncio.ensure_future(self._after(previous, work))
        self._tails[key] = task
        self._waiting[key] = self._waiting.get(key, 0) + 1
        self._tasks.add(task)
        task.add_done_callback(lambda done: self._done(key, done))
        return True

    @staticmethod
    async def _after(
        previous: asyncio.Task[None] | None, work: Callable[[], Awaitable[None]]
    ) -> None:
        if previous is not None:
            await asyncio.wait([previous])  # its outcome is its own
        await work()

    def _done(self, key: str, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        self._waiting[key] -= 1
        if not self._waiting[key]:
            del self._waiting[key]
        if self._tails.get(key) is task:
            del self._tails[key]
        if not task.cancelled() and task.exception() is not None:
            log.error("a zalo event failed", exc_info=task.exception())

    async def drain(self) -> None:
        """Wait until every line is empty."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


class ZaloEdge:
    """Takes Zalo events (from the poller or the webhook) to the conversation."""

    def __init__(
        self,
        conversation: Conversation,
        channel: ChannelPort,
        offers: OfferStore,
        presenter: Presenter,
        clock: Clock,
        inbox: InboxStore,
        wake: Callable[[str], None],
        metrics: Metrics | None = None,
    ) -> None:
        """Events are recorded in ``inbox`` and ``wake`` is told their lane (the lane runner
        then calls ``handle_row``); ``metrics`` counts the events taken (new or again) and
        handled."""
        self._metrics = metrics or Metrics()
        self._inbox = inbox
        self._wake = wake
        self._last_seq = 0
        self._conversation = conversation
        self._channel = channel
        self._offers = offers
        self._presenter = presenter
        self._clock = clock

    async def on_event(self, event: Event) -> None:
        """Record the event (private chats only), to be handled in its person's lane: for the
        webhook, whose answer tells Zalo whether the event was taken, and for the poller. It
        returns once the row has committed (a database error raises: the webhook answers 500)."""
        if self._from_a_person(event):
            await self._record(self._inbox, event)

    def _next_seq(self) -> int:
        """The arrival order: microseconds of the clock, strictly rising in this process (the
        inbox never holds a Zalo row back for a gap, see ``bot/domain/inbox.py``)."""
        stamp = int(self._clock.now().timestamp() * 1_000_000)
        self._last_seq = max(stamp, self._last_seq + 1)
        return self._last_seq

    async def _record(self, inbox: InboxStore, event: Event) -> None:
        lane = lane_of(event)
        body = event.model_dump_json(by_alias=True)
        now = self._clock.now()
        if await inbox.record(CHANNEL, event.key, lane, self._next_seq(), body, now):
            self._metrics.received(Channel.ZALO, "new")
        else:
            log.info("zalo event %s came again: taken once", event.key)
            self._metrics.received(Channel.ZALO, "duplicate")
        self._wake(lane)  # a redelivery too: harmless, and it takes up a row a lost wake left

    async def handle_row(self, row: InboxRow) -> None:
        """Handle a Zalo row of the inbox (the lane runner's handler for the channel)."""
        try:
            event = parse_event(json.loads(row.body))
        except ValueError:  # not JSON, or a MalformedEvent
            log.error("inbox zalo %s: the row is no event; skipped", row.key)
            return
        if isinstance(event, Event):
            await self._handle(event)

    @staticmethod
    def _from_a_person(event: Event) -> bool:
        message = event.message
        if message.chat.chat_type != PRIVATE or message.sender.is_bot:
            log.info("zalo event %s is not from a person's private chat: ignored", event.key)
            return False
        return True

    async def _handle(self, event: Event) -> None:
        turn = ChannelTurn(self._channel, event.message.chat.id, self._offers, self._clock)
        started, result = self._metrics.monotonic(), "ok"
        try:
            inbound = inbound_of(event, self._presenter)
            if inbound is None:
                await turn.reply(self._presenter.bare("zalo.unsupported"))
            else:
                await self._conversation.handle(inbound, turn)
        except Exception:
            result = "error"
            log.exception("error while handling a zalo event")
            await self._conversation.failed(turn)
        finally:
            self._metrics.handled(Channel.ZALO, result, self._metrics.since(started))
