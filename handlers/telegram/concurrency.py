"""Updates of different people run concurrently; updates of one person strictly in order."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.services.metrics import Metrics

log = logging.getLogger(__name__)

MAX_PENDING_PER_PERSON = 50  # beyond this one person is flooding: their extra updates are dropped
TELEGRAM = "telegram"  # the channel's label in the metrics


class PerPersonUpdateProcessor(BaseUpdateProcessor):
    """One FIFO lock per person: their answers are handled in the order they were sent.

    asyncio.Lock wakes waiters first-come first-served, and PTB starts one task per update in
    the order getUpdates returned them, so a person's updates keep their order while other
    people's updates proceed in parallel (a slow Telegram call for A never blocks B).
    """

    def __init__(
        self,
        max_concurrent_updates: int = 4096,
        on_done: Callable[[object], None] | None = None,
        metrics: Metrics | None = None,
    ) -> None:
        """``on_done`` is told of every update once handled (or dropped); ``metrics`` counts
        them with their outcome (``failed`` marks an update whose handler raised)."""
        super().__init__(max_concurrent_updates)
        self._on_done = on_done
        self._metrics = metrics or Metrics()
        self._locks: dict[int, asyncio.Lock] = {}
        self._pending: dict[int, int] = {}
        self._failed: set[int] = set()  # id() of updates in hand whose handler raised

    def failed(self, update: object) -> None:
        """The error handler saw ``update``'s handler raise (PTB catches it there)."""
        if update is not None:
            self._failed.add(id(update))

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers after the same person's earlier updates have finished."""
        started, result = self._metrics.monotonic(), "ok"
        try:
            if not await self._in_turn(update, coroutine):
                result = "dropped"
        except BaseException:
            result = "error"
            raise
        finally:
            if id(update) in self._failed:
                self._failed.discard(id(update))
                result = "error"
            took = None if result == "dropped" else self._metrics.since(started)
            self._metrics.handled(TELEGRAM, result, took)
            if self._on_done is not None:
                self._on_done(update)

    async def _in_turn(self, update: object, coroutine: Awaitable[Any]) -> bool:
        """Handle ``update`` in its person's turn; False when it was dropped (a flood)."""
        key = (
            update.effective_user.id
            if isinstance(update, Update) and update.effective_user
            else None
        )
        if key is None:
            await coroutine
            return True
        if self._pending.get(key, 0) >= MAX_PENDING_PER_PERSON:
            log.warning(
                "dropping an update from user %s: %s updates already waiting",
                key,
                MAX_PENDING_PER_PERSON,
            )
            if isinstance(coroutine, Coroutine):
                coroutine.close()
            return False
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._pending[key] = self._pending.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._pending[key] -= 1
            if not self._pending[key]:
                del self._pending[key]
                del self._locks[key]
        return True

    async def initialize(self) -> None:
        """Nothing to allocate."""

    async def shutdown(self) -> None:
        """Nothing to free."""


class InHand:
    """A cap on the people whose updates have been taken from Telegram and not yet handled.

    The poll waits for a free place before it takes an update from someone with nothing in
    hand, so a burst stays at Telegram (unconfirmed) instead of in this process's memory. A
    person holds one place however many of their updates wait (at most
    ``MAX_PENDING_PER_PERSON``): one flooding account cannot fill the places of everyone else.
    """

    def __init__(self, people: int) -> None:
        self._places = asyncio.Semaphore(people)
        self._held: dict[int, int] = {}
        self._anonymous = 0

    async def take(self, sender: int | None) -> None:
        """Wait for a place for ``sender`` (None: an update from nobody, one place of its own)."""
        if sender is None or sender not in self._held:
            await self._places.acquire()
        if sender is None:
            self._anonymous += 1
        else:
            self._held[sender] = self._held.get(sender, 0) + 1

    def done(self, update: object) -> None:
        """An update taken with ``take`` has been handled or dropped."""
        sender = (
            update.effective_user.id
            if isinstance(update, Update) and update.effective_user
            else None
        )
        if sender is None or sender not in self._held:
            if self._anonymous:
                self._anonymous -= 1
                self._places.release()
            return
        self._held[sender] -= 1
        if not self._held[sender]:
            del self._held[sender]
            self._places.release()
