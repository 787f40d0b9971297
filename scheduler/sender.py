"""Drain the outbox: lease due rows, send them at the allowed pace, record what happened.

Rows go out through the channel port of the recipient's account (``bot.services.channels``):
the sender knows no messenger, only the port's errors (rate limited, blocked, bad request,
transient), and each channel has its own pace (a ``Pacer`` per channel). The stored codes below
(``429``, ``400``) name the port's errors, whichever channel raised them.

- Pace: the outbox books a slot per message on its channel's ``Pacer``: its own pace (Telegram's
  default 25/s) and what is left of the channel's overall limit after the replies to members,
  who never wait.
- One chat at a time: messages to one chat go in order, at least a second apart.
- Rate limited (429): everybody on that channel waits the time the channel asked for, no
  longer; the row is retried. The other channels go on at their own pace: while running, rows
  of the paused channel claimed meanwhile go back to the queue until the pause ends (they do
  not sit in memory in the other channels' way), and while every channel is paused nothing is
  claimed.
- Blocked (403): the row fails and the account is marked unreachable (their secretary sees it in
  the next digest).
- Bad request (400): a bug on our side; logged with the payload, the row fails.
- Network errors, time-outs and 5xx: retried with growing pauses, then failed.
- A payload that does not read as one of the kinds (``bot.domain.payloads``) fails its row with
  the reason; the rest of the queue goes on.
- Quiet hours: only urgent rows are claimed. Rows past their expiry are dropped, not sent.
- A broadcast's recipient is checked again when their turn comes: someone who left the roster
  or the audience meanwhile is skipped (``skipped``, "no longer in the audience").
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta, tzinfo

from bot.domain.broadcast import FileKind
from bot.domain.models import Channel
from bot.domain.outbox import MAX_ATTEMPTS, OutboxItem, OutboxStatus, Priority, Unreadable
from bot.domain.payloads import PAYLOAD, Broadcast, PlanDocument, Relinked
from bot.domain.schedule import Schedule
from bot.locales import CatalogError
from bot.services.channels import (
    BadRequest,
    Blocked,
    ChannelPort,
    Channels,
    RateLimited,
    Sent,
    Transient,
)
from bot.services.metrics import Metrics
from bot.services.notices import Notices
from bot.services.ports import BroadcastFiles, Clock, OutboxStore
from bot.services.replies import Attachment, Reply
from scheduler.pacing import PER_CHAT_GAP, Pacer

log = logging.getLogger(__name__)
Lane = tuple[Channel, str]  # one chat of one channel: its messages go in order, a gap apart
MAX_BACKOFF = timedelta(minutes=10)
LEASE = timedelta(minutes=3)
MAX_WAIT = timedelta(minutes=1)  # longer pauses hand the row back: its lease must not run out
SCHEDULE_TTL = 60.0  # seconds between two reads of the campaign's quiet hours


def _reason(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"


class OutboxSender:
    """Sends queued outbox rows through the channel of each recipient's account."""

    def __init__(
        self,
        outbox: OutboxStore,
        channels: Channels,
        notices: Notices,
        clock: Clock,
        documents: Callable[[int], Awaitable[Attachment | None]],
        pacers: Mapping[Channel, Pacer],
        schedule: Callable[[], Awaitable[Schedule | None]],
        tz: tzinfo,
        chat_gap: float = PER_CHAT_GAP,
        files: BroadcastFiles | None = None,
        lease: timedelta = LEASE,
        metrics: Metrics | None = None,
    ) -> None:
        """``metrics`` counts each row sent, or why not (``chuyende_sends_total``)."""
        self._metrics = metrics or Metrics()
        self._outbox = outbox
        self._channels = channels
        self._notices = notices
        self._clock = clock
        self._documents = documents
        unpaced = [channel.value for channel in channels if channel not in pacers]
        if unpaced or not pacers:
            raise ValueError(f"no pace for the channels {unpaced}")
        self._pacers = dict(pacers)
        # One stopwatch for the paces and the gaps between messages.
        self._timer = next(iter(pacers.values())).timer
        if any(pacer.timer is not self._timer for pacer in pacers.values()):
            raise ValueError("the pacers of one sender share one timer")
        self._schedule_source = schedule
        self._tz = tz
        self._chat_gap = chat_gap
        self._schedule: tuple[float, Schedule | None] | None = None
        self._chat_tail: dict[Lane, asyncio.Task[None]] = {}
        self._chat_last: dict[Lane, float] = {}
        self._in_flight: dict[asyncio.Task[None], Channel] = {}
        self._turns = {channel: asyncio.Lock() for channel in pacers}
        self._files = files
        self._uploads: dict[int, asyncio.Lock] = {}
        self._lease = lease
        self._max_wait = min(MAX_WAIT, lease / 3)  # a wait must end well inside the lease

    # ------------------------------------------------------------------ claiming
    async def _quiet(self, now: datetime) -> bool:
        loop_now = self._timer.monotonic()
        if self._schedule is None or loop_now - self._schedule[0] > SCHEDULE_TTL:
            self._schedule = (loop_now, await self._schedule_source())
        schedule = self._schedule[1] or Schedule()
        return schedule.is_quiet(now, self._tz)

    async def _claim(self, limit: int) -> list[OutboxItem]:
        now = self._clock.now()
        quiet = await self._quiet(now)
        return await self._outbox.claim(
            limit, now, self._lease, max_priority=Priority.URGENT if quiet else None
        )

    def _start(self, item: OutboxItem, patient: bool = True) -> asyncio.Task[None]:
        """Send ``item`` in its own task, after the previous message to the same chat; unless
        ``patient``, a row whose channel is paused by a 429 goes back to the queue at once."""
        chat = self._lane(item)
        before = self._chat_tail.get(chat) if chat is not None else None
        task = asyncio.create_task(self._after(before, item, patient), name=f"outbox-{item.id}")
        self._in_flight[task] = item.channel
        task.add_done_callback(lambda t: self._in_flight.pop(t, None))
        if chat is not None:
            self._chat_tail[chat] = task
            task.add_done_callback(lambda t: self._forget(chat, t))
        return task

    def _forget(self, chat: Lane, task: asyncio.Task[None]) -> None:
        if self._chat_tail.get(chat) is task:
            del self._chat_tail[chat]

    async def _after(
        self, before: asyncio.Task[None] | None, item: OutboxItem, patient: bool
    ) -> None:
        try:
            held = self._held(item.channel)
            if not patient and held > 0:  # claimed while its channel is paused: not held here
                await self._retry(item, item.parts_sent, timedelta(seconds=held), "paused by 429")
                return
            if before is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(before)
            await self._send(item)
        except Exception:  # a database hiccup: the lease runs out and the row is retried
            log.exception("outbox row %s could not be settled", item.key)

    async def drain_once(self, limit: int = 100) -> int:
        """Send what is due now (at most ``limit`` rows), wait for them; return how many."""
        items = await self._claim(limit)
        tasks = [self._start(item) for item in items]
        if tasks:
            await asyncio.gather(*tasks)
        return len(items)

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain until ``stop`` is set: claim about a second's worth at a time, keep sending."""
        await self._outbox.requeue_stuck(self._clock.now())
        batch = max(1, round(sum(pacer.pace for pacer in self._pacers.values())))
        # Rows of a process that died come back once their lease has run out: look for them
        # twice per lease, not only at the sweep, so a short lease means a short wait.
        every = self._lease.total_seconds() / 2
        next_requeue = self._timer.monotonic() + every
        try:
            while not stop.is_set():
                handled = 0
                try:
                    if self._timer.monotonic() >= next_requeue:
                        next_requeue = self._timer.monotonic() + every
                        await self._outbox.requeue_stuck(self._clock.now())
                    if self._busy() < batch and not self._all_paused():
                        claimed = await self._claim(batch)
                        handled = len([self._start(item, patient=False) for item in claimed])
                    else:  # still busy with what was claimed, or every channel paused
                        handled = 1  # look again soon
                except Exception:
                    log.exception("outbox claim failed; retrying")
                wait = 0.05 if handled else idle
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), wait)
        finally:
            if self._in_flight:
                await asyncio.gather(*self._in_flight, return_exceptions=True)

    def _held(self, channel: Channel) -> float:
        """Seconds until the 429 pause of ``channel`` ends (0 when there is none)."""
        pacer = self._pacers.get(channel)
        return pacer.held_for() if pacer is not None else 0.0

    def _all_paused(self) -> bool:
        """Every channel is paused by a 429: nothing claimed now could go out."""
        return all(self._held(channel) > 0 for channel in self._pacers)

    def _busy(self) -> int:
        """Rows in flight on channels that are not paused: a paused channel's rows wait for
        their channel, and must not keep the other channels' rows from being claimed."""
        return sum(1 for channel in self._in_flight.values() if self._held(channel) <= 0)

    # ------------------------------------------------------------------ sending
    def _port(self, item: OutboxItem) -> ChannelPort | None:
        return self._channels.get(item.channel)

    def _chat_of(self, item: OutboxItem) -> str | None:
        # A former account of the person, told it changed.
        to_chat = item.payload.to_chat if isinstance(item.payload, Relinked) else None
        chat_id = to_chat if to_chat is not None else item.chat_id
        port = self._port(item)
        if chat_id is None or port is None or not port.addressable(chat_id):
            return None
        return chat_id

    def _lane(self, item: OutboxItem) -> Lane | None:
        """The chat whose messages go in order: ids of two channels never mix."""
        chat = self._chat_of(item)
        return (item.channel, chat) if chat is not None else None

    @staticmethod
    def _broadcast(item: OutboxItem) -> int | None:
        return item.payload.broadcast if isinstance(item.payload, Broadcast) else None

    async def _parts(self, item: OutboxItem) -> list[Reply]:
        # Rendered now, not when queued: a reminder held by quiet hours, downtime or a 429 says
        # how much time is left at the moment it goes out.
        payload = item.payload
        if isinstance(payload, Unreadable):
            return []
        parts = self._notices.render(payload, self._clock.now().astimezone(self._tz))
        if isinstance(payload, PlanDocument) and parts:
            document = await self._documents(payload.document_plan)
            if document is not None:
                parts[-1] = replace(parts[-1], document=document)
        broadcast_id = self._broadcast(item)
        if broadcast_id is not None and parts and self._files is not None:
            file = await self._files.file(broadcast_id)
            if file is not None:
                attachment = Attachment(file.name, file.data or b"", file.file_id)
                if file.kind is FileKind.PHOTO:
                    parts[-1] = replace(parts[-1], photo=attachment)
                else:
                    parts[-1] = replace(parts[-1], document=attachment)
        return parts

    async def _send(self, item: OutboxItem) -> None:
        """Send one row; the first recipients of a broadcast's file go one at a time, so the file
        is uploaded once and the others get it by the channel's id."""
        broadcast_id = self._broadcast(item)
        if (
            broadcast_id is not None
            and self._files is not None
            and not self._files.uploaded(broadcast_id)
        ):
            async with self._uploads.setdefault(broadcast_id, asyncio.Lock()):
                await self._send_row(item)
            return
        await self._send_row(item)

    async def _learn(self, item: OutboxItem, parts: list[Reply], sent: list[Sent]) -> None:
        broadcast_id = self._broadcast(item)
        if broadcast_id is None or self._files is None or not parts:
            return
        last = parts[-1]
        attachment = last.photo or last.document
        if attachment is None or attachment.file_id is not None:
            return
        for message in sent:
            if message.file_id is not None:
                await self._files.learned(broadcast_id, message.file_id)
                self._uploads.pop(broadcast_id, None)
                return

    async def _wait_turn(self, chat: Lane) -> bool:
        """Wait for this chat's and its channel's turn; False if that would outlast the lease."""
        pacer = self._pacers[chat[0]]
        held = pacer.held_for()
        if held > self._max_wait.total_seconds():  # a long 429: hand the row back, not sit on it
            return False
        last = self._chat_last.get(chat)
        if last is not None:
            await self._timer.sleep_until(last + self._chat_gap)
        # One message at a time books its slot, and only once the slot is due: a reply sent
        # meanwhile pushes the slot back instead of adding to a second already booked.
        # Each channel books its own slots: one paused by a 429 keeps no other waiting.
        async with self._turns[chat[0]]:
            while True:  # replies sent while we wait push the slot back: look again
                wait = pacer.delay()
                if wait <= 0:
                    break
                await self._timer.sleep_until(self._timer.monotonic() + wait)
            pacer.reserve()
        self._chat_last[chat] = self._timer.monotonic()
        if len(self._chat_last) > 50_000:
            cutoff = self._timer.monotonic() - self._chat_gap
            self._chat_last = {c: t for c, t in self._chat_last.items() if t > cutoff}
        return True

    async def _send_row(self, item: OutboxItem) -> None:
        if isinstance(item.payload, Unreadable):  # written by a bug or by hand: never sent
            error = item.payload.error
            log.error("outbox row %s has an unreadable payload: %s", item.key, error)
            await self._outbox.settle(
                item.id, OutboxStatus.FAILED, self._clock.now(), f"bad payload: {error}"
            )
            return
        broadcast_id = self._broadcast(item)
        if (
            broadcast_id is not None
            and self._files is not None
            and item.parts_sent == 0
            and not await self._files.addressed(broadcast_id, item.person_id)
        ):
            await self._outbox.settle(
                item.id, OutboxStatus.SKIPPED, self._clock.now(), "no longer in the audience"
            )
            return
        port, chat = self._port(item), self._chat_of(item)
        if port is None or chat is None:
            reason = "not linked" if port is not None else f"no {item.channel.value} channel"
            await self._outbox.settle(item.id, OutboxStatus.FAILED, self._clock.now(), reason)
            return
        lane = (item.channel, chat)
        try:
            parts = await self._parts(item)
        except CatalogError as error:
            log.error("outbox row %s has a bad payload: %s", item.key, error)
            await self._outbox.settle(item.id, OutboxStatus.FAILED, self._clock.now(), str(error))
            return
        except Exception as error:  # a document that cannot be drawn, a database hiccup
            log.exception("outbox row %s could not be rendered", item.key)
            await self._give_up_later(item, item.parts_sent, f"render: {_reason(error)}")
            return
        done = item.parts_sent
        try:
            for index in range(done, len(parts)):
                if not await self._wait_turn(lane):
                    wait = timedelta(seconds=self._held(item.channel))
                    await self._retry(item, done, wait, "paused by 429")
                    return
                sent = await port.deliver(chat, parts[index])
                if index == len(parts) - 1:
                    await self._learn(item, parts, sent)
                done = index + 1
                if done < len(parts):
                    await self._outbox.progress(item.id, done)
        except Blocked as error:
            self._metrics.sent(item.channel, "blocked")
            await self._outbox.blocked(item, self._clock.now(), error.message)
        except RateLimited as error:
            self._metrics.sent(item.channel, "rate_limited")
            seconds = error.retry_after
            self._pacers[item.channel].hold(seconds)
            await self._retry(item, done, timedelta(seconds=seconds), "429")
        except BadRequest as error:
            self._metrics.sent(item.channel, "bad_request")
            log.error(
                "%s refused outbox row %s: %s; payload %s",
                port.channel.value.title(),
                item.key,
                error.message,
                PAYLOAD.dump_json(item.payload).decode(),
            )
            await self._outbox.settle(
                item.id, OutboxStatus.FAILED, self._clock.now(), f"400: {error.message}"
            )
        except Transient as error:
            self._metrics.sent(item.channel, "transient")
            if item.attempts >= MAX_ATTEMPTS:
                await self._outbox.settle(
                    item.id, OutboxStatus.FAILED, self._clock.now(), f"gave up: {error}"
                )
            else:
                backoff = min(timedelta(seconds=2**item.attempts), MAX_BACKOFF)
                await self._retry(item, done, backoff, str(error))
        except Exception as error:  # anything else (a part that cannot be built): never stuck
            self._metrics.sent(item.channel, "error")
            log.exception("outbox row %s could not be sent", item.key)
            await self._give_up_later(item, done, _reason(error))
        else:
            self._metrics.sent(item.channel, "sent")
            await self._outbox.settle(item.id, OutboxStatus.SENT, self._clock.now())

    async def _give_up_later(self, item: OutboxItem, done: int, reason: str) -> None:
        """Retry with growing pauses; after ``MAX_ATTEMPTS`` the row fails with ``reason``."""
        if item.attempts >= MAX_ATTEMPTS:
            if done > item.parts_sent:
                await self._outbox.progress(item.id, done)
            await self._outbox.settle(
                item.id, OutboxStatus.FAILED, self._clock.now(), f"gave up: {reason}"
            )
            return
        backoff = min(timedelta(seconds=2**item.attempts), MAX_BACKOFF)
        await self._retry(item, done, backoff, reason)

    async def _retry(self, item: OutboxItem, done: int, after: timedelta, error: str) -> None:
        if done > item.parts_sent:
            await self._outbox.progress(item.id, done)
        await self._outbox.retry_later(item.id, self._clock.now() + after, error)
