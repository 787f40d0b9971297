"""Long polling by replicas on one database: one elected replica polls, into the inbox.

The replica that holds the poller's lock (``PollerLock``, PostgreSQL's advisory lock in
``storage/poller_lock.py``) runs ``poll``; each batch ``getUpdates`` returns is recorded in the
inbox (``inbox_take``: the same ``record`` as the webhook's) and only then confirmed by the next
call's offset, so an update handed out by Telegram survives a SIGKILL of the poller at any
moment: unconfirmed, Telegram hands it out again to the replica that takes over, and a
redelivered update_id is recorded once. The lanes of every replica handle the rows.

The others wait for the lock; the poller that loses its lock's connection stops polling at once
(another replica may hold it by then) and joins the wait.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Callable
from typing import Any, Protocol

from telegram import Bot
from telegram.error import InvalidToken, TelegramError

from bot.services.metrics import Metrics
from bot.services.ports import Clock, InboxStore
from handlers.telegram.polling import Take, confirm, poll
from handlers.telegram.webhook import CHANNEL, WEBHOOK_UPDATES, lane_of

log = logging.getLogger(__name__)
SETUP_RETRY = 5.0  # seconds before an elected poller that could not delete the webhook tries again


class Lock(Protocol):
    """The poller's lock (``storage.poller_lock.PollerLock``)."""

    lost: asyncio.Event  # set when the lock held can no longer be vouched for

    async def acquire(self, stop: asyncio.Event) -> bool: ...  # False: ``stop`` came first
    async def release(self) -> None: ...


def inbox_take(
    inbox: InboxStore, clock: Clock, wake: Callable[[str], None], metrics: Metrics | None = None
) -> Take:
    """``poll``'s ``take`` recording each batch in ``inbox`` (one group commit) and then waking
    the lanes; False (the batch comes again) when the database failed."""
    counted = metrics or Metrics()

    async def take(batch: list[dict[str, Any]]) -> bool:
        now = clock.now()
        lanes = [lane_of(update) for update in batch]
        results = await asyncio.gather(
            *(
                inbox.record(
                    CHANNEL,
                    str(update["update_id"]),
                    lane,
                    int(update["update_id"]),
                    json.dumps(update, ensure_ascii=False, separators=(",", ":")),
                    now,
                )
                for update, lane in zip(batch, lanes, strict=True)
            ),
            return_exceptions=True,
        )
        failed = [r for r in results if isinstance(r, BaseException)]
        if failed:
            log.error(
                "telegram updates %d-%d could not be recorded: %r; asking for them again",
                batch[0]["update_id"],
                batch[-1]["update_id"],
                failed[0],
            )
            return False
        for new in results:
            counted.received(CHANNEL, "new" if new else "duplicate")
        for lane in dict.fromkeys(lanes):
            wake(lane)  # a redelivery too: it takes up a row a lost wake left
        return True

    return take


async def poll_when_elected(bot: Bot, lock: Lock, take: Take, stop: asyncio.Event) -> None:
    """Until ``stop``: wait to hold ``lock``, then poll (removing a webhook first) while it is
    held. A graceful stop confirms what was taken and then releases the lock; losing the lock
    stops the poll at once and skips that confirmation (it would cut off the new poller's)."""
    while not stop.is_set():
        if not await lock.acquire(stop):
            return
        try:
            await _poll_while_held(bot, lock, take, stop)
        finally:
            await lock.release()


async def _poll_while_held(bot: Bot, lock: Lock, take: Take, stop: asyncio.Event) -> None:
    halt = asyncio.Event()
    watch = asyncio.ensure_future(_either(stop, lock.lost, halt))
    try:
        try:
            await bot.delete_webhook()  # getUpdates is refused while a webhook is set
        except InvalidToken:
            raise
        except TelegramError as error:
            log.warning("elected to poll, but deleteWebhook failed (%s)", error)
            await lock.release()  # another replica may do better meanwhile
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), SETUP_RETRY)
            return
        log.info("this replica polls Telegram now")

        async def taking(batch: list[dict[str, Any]]) -> bool:
            taken = await take(batch)
            if lock.lost.is_set() or stop.is_set():
                halt.set()  # at once, not one more getUpdates (lost: its offset confirms)
            return taken

        offset = await poll(
            bot, taking, halt, allowed_updates=WEBHOOK_UPDATES, newcomer_yields=False
        )
        if lock.lost.is_set():
            log.warning("the poller's lock was lost: polling stopped, waiting to poll again")
        else:
            await confirm(bot, offset)
    finally:
        watch.cancel()


async def _either(first: asyncio.Event, second: asyncio.Event, then: asyncio.Event) -> None:
    """Set ``then`` as soon as one of two events is set."""
    waits = [asyncio.ensure_future(first.wait()), asyncio.ensure_future(second.wait())]
    try:
        await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
        then.set()
    finally:
        for w in waits:
            w.cancel()
