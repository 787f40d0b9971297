"""Group commit: the same small operation asked for by many tasks at once, done in one hand-over.

A Zalo event costs a few tiny statements of its own (its seen key, the choices offered in its
chat, read and written) beside the answer itself. With many people typing at once those calls
pile up behind one another on the database (SQLite's one thread, or a PostgreSQL round trip
each). ``Batch.submit`` joins the calls that arrive while one is being done into the next
hand-over: one transaction for all of them, each caller getting its own result, and nobody
returning before the transaction holding its item has committed. No timer and no task of its
own: the first caller does the work; whoever arrived meanwhile is woken, and the first of them
does the next batch.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

I = TypeVar("I")  # noqa: E741 - an item asked for
O = TypeVar("O")  # noqa: E741 - its result

MAX_BATCH = 500  # items in one transaction (SQLite allows 32,766 bound values per statement)


class _Entry(Generic[I, O]):
    """One caller's item, and what became of it."""

    def __init__(self, item: I) -> None:
        self.item = item
        self.woken = asyncio.Event()  # its result is in, or it is to do the next batch
        self.done = False
        self.result: tuple[O] | None = None  # in a tuple: O itself may be None
        self.error: BaseException | None = None

    def settle(self, result: tuple[O] | None, error: BaseException | None) -> None:
        self.done, self.result, self.error = True, result, error
        self.woken.set()

    def outcome(self) -> O:
        if self.error is not None:
            raise self.error
        if self.result is None:
            raise RuntimeError("no result")
        return self.result[0]


class Batch(Generic[I, O]):
    """Runs ``run(items)`` (one transaction, one result per item, in order) for callers who
    ask at about the same time."""

    def __init__(
        self, run: Callable[[list[I]], Awaitable[Sequence[O]]], limit: int = MAX_BATCH
    ) -> None:
        self._run = run
        self._limit = limit
        self._waiting: list[_Entry[I, O]] = []
        self._busy = False

    async def submit(self, item: I) -> O:
        """``item``'s result, once the transaction holding it has committed."""
        entry: _Entry[I, O] = _Entry(item)
        self._waiting.append(entry)
        if self._busy:
            try:
                await entry.woken.wait()
            except asyncio.CancelledError:
                self._leave(entry)
                raise
            if entry.done:
                return entry.outcome()
        await self._lead()
        return entry.outcome()

    async def _lead(self) -> None:
        """Do one batch: everyone waiting now (up to the limit), oldest first."""
        self._busy = True
        batch, self._waiting = self._waiting[: self._limit], self._waiting[self._limit :]
        try:
            results = await self._run([entry.item for entry in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"a batch of {len(batch)} gave {len(results)} results")
        except BaseException as error:  # each caller sees the failure (cancelled too)
            failure = error if isinstance(error, Exception) else RuntimeError("batch cancelled")
            for entry in batch:
                entry.settle(None, failure)
            if not isinstance(error, Exception):
                raise
        else:
            for entry, result in zip(batch, results, strict=True):
                entry.settle((result,), None)
        finally:
            self._busy = False
            self._wake_next()

    def _leave(self, entry: _Entry[I, O]) -> None:
        """A caller cancelled while waiting: out of the line; if it was to lead, the next one."""
        if entry in self._waiting:
            self._waiting.remove(entry)
        if entry.woken.is_set() and not entry.done:
            self._busy = False
        self._wake_next()

    def _wake_next(self) -> None:
        if not self._busy and self._waiting and not self._waiting[0].woken.is_set():
            self._busy = True  # the woken one leads; nobody else starts a batch meanwhile
            self._waiting[0].woken.set()
