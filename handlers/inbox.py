"""Handling the inbox: each lane's recorded updates, one at a time, in order.

``Drainer.drain(lane)`` handles the lane's rows that may be handled now, each marked done once
its handling has returned; it answers the seconds after which to look again when later rows are
held back by a gap in the update numbering, else None. A row is counted as taken before it is
handled (the lane's first by ``ready``'s own transaction, each next one by the transaction that
finishes the one before: a row costs its record, one ready or finish, and its finish), so one
that kills the process every time is given up (dead) after ``MAX_ATTEMPTS``
instead of stopping its person for ever; one whose handling raises is tried again at once, up to
the same limit. Handling is at least once: a crash after the reply went out and before the row
was marked done handles it again after the restart (a typed answer is not stored twice, see
``plans.last_input``; the screen may show twice).

One runner (and one ``Drainer``) per process serves every channel: ``ByChannel`` hands a row to
the handler of its channel (Telegram rows to PTB, Zalo rows to the Zalo edge). A lane is one
channel's (``t:<id>``, ``z:<id>``); a lane of a channel this process does not serve (e.g. Telegram
rows left by a former webhook run, now that Telegram polls) is left as it is, untaken.

``LocalLanes`` is the runner of one process (the ``LaneRunner`` port): at most one task per
lane; a wake while it drains makes it look once more; ``start`` takes up the lanes left with
todo rows (a crash, a stop in the middle), and again every ``SWEEP_EVERY`` (a wake lost, e.g.
a row recorded while the runner was stopping); ``stop`` lets each task finish the row in hand.
A runner must drain a lane again when it is woken while draining it: ``drain`` looks at the
lane's rows once (or until none are left beyond its batch), not again for rows recorded meanwhile.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable

from bot.domain.inbox import MAX_ATTEMPTS, InboxRow, InboxStatus, channel_of
from bot.services.ports import Clock, InboxStore

log = logging.getLogger(__name__)
Handle = Callable[[InboxRow], Awaitable[None]]
Drain = Callable[[str], Awaitable[float | None]]
RETRY = 1.0  # seconds before a lane whose draining failed (e.g. the database) is tried again
SWEEP = 1000  # lanes taken up at once by a sweep
SWEEP_EVERY = 30.0  # seconds between sweeps for lanes with todo rows


class ByChannel:
    """The handler of each channel served by this process, as one ``Handle``."""

    def __init__(self) -> None:
        self._handles: dict[str, Handle] = {}

    def add(self, channel: str, handle: Handle) -> None:
        """Hand the rows of ``channel`` to ``handle`` from now on."""
        self._handles[channel] = handle

    def serves(self, channel: str) -> bool:
        """Whether rows of ``channel`` have a handler."""
        return channel in self._handles

    async def __call__(self, row: InboxRow) -> None:
        await self._handles[row.channel](row)


class Drainer:
    """Handles a lane's ready rows with ``handle`` (e.g. PTB's ``process_update``); with
    ``serves``, only lanes whose channel it answers True for (the others are left todo)."""

    def __init__(
        self,
        inbox: InboxStore,
        handle: Handle,
        clock: Clock,
        serves: Callable[[str], bool] | None = None,
    ) -> None:
        self._inbox = inbox
        self._handle = handle
        self._clock = clock
        self._serves = serves
        self._halted = False

    def halt(self) -> None:
        """From now on, every drain returns after the row in hand (a graceful stop)."""
        self._halted = True

    def _stops(self, held: Callable[[], bool] | None) -> bool:
        """Whether the drain begins no further row: halted, or its lease lost."""
        return self._halted or (held is not None and not held())

    async def drain(self, lane: str, held: Callable[[], bool] | None = None) -> float | None:
        """Handle the lane's rows that may be handled now, in seq order; the seconds after which
        held-back rows may be ready, or None when nothing is held back. With ``held`` (the
        lane's lease, on PostgreSQL), no row is begun once it answers False, not even one taken
        already (its attempt is counted; the lease's next holder takes it again)."""
        channel = channel_of(lane)
        if self._serves is not None and channel is not None and not self._serves(channel):
            log.debug("lane %s: its channel is not served here; left", lane)
            return None
        # The first row is taken by ``ready`` itself, unless the lane's channel is unknown
        # (then whether it is served is seen from its rows, and none may be taken before).
        take = self._serves is None or channel is not None
        while not self._halted:
            if held is not None and not held():
                return None
            ready = await self._inbox.ready(lane, self._clock.now(), take=take)
            if ready.rows and self._serves is not None and not self._serves(ready.rows[0].channel):
                log.debug("lane %s: its channel is not served here; left", lane)
                return None
            taken = ready.taken  # the attempts of the row in hand, once taken
            for index, row in enumerate(ready.rows):
                if held is not None and not held():
                    return None
                if self._halted and taken is None:
                    return None
                following = ready.rows[index + 1] if index + 1 < len(ready.rows) else None
                taken = await self._one(row, taken, following, held)
            # Rows recorded meanwhile woke the lane (the runner drains it again): no second look.
            if not ready.more:
                return ready.wait
        return None

    async def _one(
        self,
        row: InboxRow,
        taken: int | None,
        following: InboxRow | None,
        held: Callable[[], bool] | None = None,
    ) -> int | None:
        """Handle and finish one row (taken first unless ``taken`` says it is; again on an
        error, up to ``MAX_ATTEMPTS``); the next row is taken by the same transaction as this
        one's finish (unless halted or the lease is lost): its attempts, or None when it was
        not taken."""
        attempts = taken
        while True:
            if attempts is None:
                attempts = await self._inbox.take(row.id)
                if attempts is None:
                    return None  # handled meanwhile (another runner)
            then = None if following is None or self._stops(held) else following.id
            if attempts > MAX_ATTEMPTS:
                log.error("inbox %s %s: taken %d times, given up", row.channel, row.key, attempts)
                return await self._inbox.finish(row.id, InboxStatus.DEAD, self._clock.now(), then)
            try:
                await self._handle(row)
            except Exception:
                log.exception("inbox %s %s: handling failed", row.channel, row.key)
                attempts = None
                continue
            then = None if following is None or self._stops(held) else following.id
            return await self._inbox.finish(row.id, InboxStatus.DONE, self._clock.now(), then)


class LocalLanes:
    """Drains lanes in this process: one task per lane at a time, kept and awaited."""

    def __init__(
        self,
        drain: Drain,
        lanes: Callable[[int], Awaitable[list[str]]],
        halt: Callable[[], None] | None = None,
        retry: float = RETRY,
        sweep_every: float = SWEEP_EVERY,
    ) -> None:
        self._drain = drain
        self._lanes = lanes
        self._halt = halt
        self._retry = retry
        self._sweep_every = sweep_every
        self._sweeping: asyncio.Task[None] | None = None
        self._quit = asyncio.Event()
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._woken: dict[str, asyncio.Event] = {}
        self._held: set[str] = set()
        self._started = False
        self._stopping = False

    @property
    def busy(self) -> int:
        """Lanes with a task now."""
        return len(self._tasks)

    async def start(self) -> None:
        """Take up every lane with todo rows, then follow the wakes (and sweep now and then)."""
        self._started = True
        await self._sweep()
        self._sweeping = asyncio.create_task(self._sweeps(), name="lane sweeps")

    async def _sweep(self) -> None:
        for lane in await self._lanes(SWEEP):
            if lane not in self._tasks:
                self.wake(lane)

    async def _sweeps(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._quit.wait(), self._sweep_every)
            if self._stopping:
                return
            try:
                await self._sweep()
            except Exception:
                log.exception("inbox sweep failed; again in %.0f s", self._sweep_every)

    def wake(self, lane: str) -> None:
        """Have ``lane`` drained soon (never blocks). Held lanes look again too: the row just
        recorded may be the one their gap was waiting for."""
        if not self._started or self._stopping:
            return  # ``start`` sweeps whatever was recorded before it
        for other in [lane, *self._held]:
            self._held.discard(other)
            woken = self._woken.get(other)
            if woken is not None:
                woken.set()
            elif other not in self._tasks:
                self._woken[other] = asyncio.Event()
                self._tasks[other] = asyncio.create_task(self._run(other), name=f"lane {other}")

    async def _run(self, lane: str) -> None:
        woken = self._woken[lane]
        try:
            while not self._stopping:
                woken.clear()
                try:
                    wait = await self._drain(lane)
                except Exception:
                    log.exception("lane %s: draining failed; again in %.0f s", lane, self._retry)
                    wait = self._retry
                if self._stopping or (wait is None and not woken.is_set()):
                    return
                if woken.is_set():
                    continue
                self._held.add(lane)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), wait)
                self._held.discard(lane)
        finally:
            self._held.discard(lane)
            del self._tasks[lane], self._woken[lane]

    async def stop(self) -> None:
        """Take no more wakes; each task finishes the row in hand, then ends."""
        self._stopping = True
        self._quit.set()
        if self._halt is not None:  # before any await: the row in hand is the last one taken
            self._halt()
        for woken in self._woken.values():
            woken.set()
        if self._sweeping is not None:
            await self._sweeping
        tasks = list(self._tasks.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
