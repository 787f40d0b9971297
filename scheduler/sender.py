"""Drain the outbox: claim due rows, render them, send them, record what happened.

This first version sends one batch at a time with a small pause between messages; pacing per
chat, 429 storms and backoff schedules are refined with the scheduler (see the README).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta

from telegram import Bot
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.domain.outbox import OutboxItem, OutboxStatus
from bot.locales import CatalogError
from bot.services.ports import Clock, OutboxStore
from bot.services.replies import Attachment, Presenter
from handlers.render import send

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5


class OutboxSender:
    """Sends queued outbox rows through the Telegram bot."""

    def __init__(
        self,
        outbox: OutboxStore,
        bot: Bot,
        presenter: Presenter,
        clock: Clock,
        documents: Callable[[int], Awaitable[Attachment | None]],
    ) -> None:
        self._outbox = outbox
        self._bot = bot
        self._presenter = presenter
        self._clock = clock
        self._documents = documents

    async def drain_once(self, limit: int = 25) -> int:
        """Send what is due now (at most ``limit`` rows); return how many rows were handled."""
        items = await self._outbox.claim(limit, self._clock.now())
        for item in items:
            await self._send(item)
        return len(items)

    async def _send(self, item: OutboxItem) -> None:
        now = self._clock.now()
        to_chat = item.payload.get(
            "to_chat"
        )  # a former account of the person, told it was replaced
        chat_id = str(to_chat) if isinstance(to_chat, str | int) else item.chat_id
        if chat_id is None or not chat_id.lstrip("-").isdigit():
            await self._outbox.settle(item.id, OutboxStatus.FAILED, now, "not linked")
            return
        try:
            reply = self._presenter.notification(item.payload)
            plan_id = item.payload.get("document_plan")
            if isinstance(plan_id, int):
                document = await self._documents(plan_id)
                if document is not None:
                    reply = replace(reply, document=document)
            await send(self._bot, int(chat_id), reply)
        except CatalogError as error:
            log.error("outbox row %s has a bad payload: %s", item.key, error)
            await self._outbox.settle(item.id, OutboxStatus.FAILED, now, str(error))
        except Forbidden as error:
            await self._outbox.settle(
                item.id, OutboxStatus.FAILED, now, f"blocked: {error.message}"
            )
        except RetryAfter as error:
            wait = error.retry_after
            seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
            await self._outbox.retry_later(item.id, now + timedelta(seconds=seconds), "429")
        except BadRequest as error:
            log.error("Telegram refused outbox row %s: %s", item.key, error.message)
            await self._outbox.settle(item.id, OutboxStatus.FAILED, now, f"400: {error.message}")
        except TelegramError as error:
            if item.attempts >= MAX_ATTEMPTS:
                await self._outbox.settle(item.id, OutboxStatus.FAILED, now, str(error))
            else:
                backoff = timedelta(seconds=2**item.attempts)
                await self._outbox.retry_later(item.id, now + backoff, str(error))
        else:
            await self._outbox.settle(item.id, OutboxStatus.SENT, now)

    async def run(self, stop: asyncio.Event, idle: float = 1.0) -> None:
        """Drain until ``stop`` is set, resting ``idle`` seconds when nothing is due."""
        await self._outbox.requeue_stuck(self._clock.now())
        while not stop.is_set():
            try:
                handled = await self.drain_once()
            except Exception:
                log.exception("outbox drain failed; retrying")
                handled = 0
            if not handled:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), idle)
