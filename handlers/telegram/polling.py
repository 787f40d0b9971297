"""Long polling: the ``getUpdates`` loop, which hands each batch on before confirming it.

Two callers (``bot.app``): the one-process bot on SQLite puts each update on the application's
queue; replicas on PostgreSQL record each batch in the inbox, only in the replica elected to poll
(``storage/poller_lock.py``). Either way an update is confirmed (by the next call's ``offset``)
only once ``take`` has returned for its whole batch: an update Telegram handed out and that was
not taken (the process killed, the database down) comes again with the next poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from telegram import Bot
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.warnings import PTBUserWarning

from handlers.telegram.channel import retry_seconds

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open
CONFLICTS = 5  # 409s in a row, after having polled, before this instance gives up
BACKOFF_FIRST, BACKOFF_LAST = 1.0, 30.0  # seconds before polling again after a failure

Take = Callable[[list[dict[str, Any]]], Awaitable[bool]]
"""Hand on one batch of updates; True once taken (they may be confirmed), False to have them
again from Telegram after a pause (e.g. the database did not answer)."""


class AnotherInstance(RuntimeError):
    """Telegram answered 409 Conflict: another process polls with this token; this one stops."""


def sender_of(update: dict[str, Any]) -> int | None:
    """The Telegram user id an update comes from, if any."""
    for kind in ("message", "edited_message", "callback_query"):
        part = update.get(kind)
        if isinstance(part, dict):
            sender = part.get("from")
            if isinstance(sender, dict) and isinstance(sender.get("id"), int):
                return int(sender["id"])
    return None


async def poll(
    bot: Bot,
    take: Take,
    stop: asyncio.Event,
    *,
    allowed_updates: Sequence[str] = ALLOWED_UPDATES,
    newcomer_yields: bool = True,
    backoff: float = BACKOFF_FIRST,
) -> int | None:
    """Long-poll ``getUpdates`` and hand each batch to ``take``, until ``stop`` is set; the
    offset that confirms what was taken (give it to ``confirm`` when stopping in order).

    A 409 Conflict means another instance polls with the same token (Telegram ends the older of
    two polls). Before this process has polled once, it is the newcomer (``newcomer_yields``):
    ``AnotherInstance`` at once, so the instance already serving keeps running. Later, the other
    one is the newcomer and stops on its own 409: poll again after a pause; ``CONFLICTS`` in a
    row (two that both think they came first) give up too. Giving up skips the final confirming
    call, which would in turn cut off the other instance's poll. A replica elected to poll is no
    newcomer (``newcomer_yields=False``): the poller it took over from may still have a poll
    open at Telegram. ``backoff``: the first pause after a failure (doubling to 30 s).
    """
    # Raw dicts on purpose: the inbox stores them as they came, the application builds objects.
    warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)
    offset: int | None = None
    first_backoff = backoff
    polled, conflicts = not newcomer_yields, 0
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            request = asyncio.ensure_future(
                bot.do_api_request(
                    "getUpdates",
                    {
                        "offset": offset,
                        "timeout": POLL_TIMEOUT,
                        "allowed_updates": list(allowed_updates),
                    },
                    read_timeout=POLL_TIMEOUT + 10,
                )
            )
            await asyncio.wait({request, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if not request.done():
                request.cancel()
                with contextlib.suppress(asyncio.CancelledError, TelegramError):
                    await request
                break
            try:
                updates = request.result()
            except InvalidToken:
                raise
            except Conflict as error:
                conflicts += 1
                if not polled or conflicts >= CONFLICTS:
                    raise AnotherInstance(str(error)) from error
                log.warning("getUpdates: another instance polls with this token; polling again")
                await _pause(backoff, stop)
                backoff = min(backoff * 2, BACKOFF_LAST)
                continue
            except RetryAfter as error:
                await _pause(retry_seconds(error), stop)
                continue
            except (NetworkError, TelegramError) as error:
                log.warning("getUpdates failed (%s); trying again in %.0f s", error, backoff)
                await _pause(backoff, stop)
                backoff = min(backoff * 2, BACKOFF_LAST)
                continue
            polled, conflicts = True, 0
            batch = [
                update
                for update in (updates if isinstance(updates, list) else [])
                if isinstance(update, dict)
                and isinstance(update.get("update_id"), int)
                and not isinstance(update.get("update_id"), bool)
            ]
            if not batch:
                backoff = first_backoff
                continue
            if not await take(batch):
                await _pause(backoff, stop)  # asked again from the same offset: the same batch
                backoff = min(backoff * 2, BACKOFF_LAST)
                continue
            backoff = first_backoff
            offset = max(int(update["update_id"]) for update in batch) + 1
    finally:
        stopping.cancel()
    return offset


async def confirm(bot: Bot, offset: int | None) -> None:
    """Confirm what was taken, as PTB does when it stops (else it comes again next time)."""
    if offset is not None:
        with contextlib.suppress(TelegramError):
            await bot.do_api_request("getUpdates", {"offset": offset, "timeout": 0})


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
