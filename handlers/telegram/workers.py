"""Several worker processes for the updates, so a bot on a many-core machine uses every core.

``chuyende run`` with ``WORKERS=N`` (N > 1) runs as a supervisor: it long-polls Telegram itself,
keeps the scheduler and the outbox (one of each, as with one process), and hands every update to
worker ``user id mod N``: a child process (``python -m bot.worker``, whose composition is
``bot.app.worker_application``) that runs the same handlers as the single-process bot on the same
database. This module knows the pipes and the processes, not how a bot is built: the supervisor is
given the command that starts a worker, the worker is given the function that builds its
application. One person's updates therefore always reach the same
worker, which handles them strictly in order (``PerPersonUpdateProcessor``); different people are
spread over the workers.

The pipe protocol is one line per message. Supervisor -> worker: the settings (JSON) once, then
one Telegram update (JSON) per line. Worker -> supervisor: ``d <update_id>`` when an update has
been handled, ``s`` for each message it sent (the outbox's pacer counts replies, so broadcasts
leave room for them). Updates a worker has not reported done are kept by the supervisor and given
again, in order, to the worker started in place of one that died; an answer typed twice this way
is recognised (``plans.last_input``) and not stored twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import signal
import sys
import time
import warnings
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any

from telegram import Bot, Update
from telegram.error import Conflict, InvalidToken, NetworkError, RetryAfter, TelegramError
from telegram.ext import Application
from telegram.warnings import PTBUserWarning

from bot.config import Settings
from bot.logs import setup_logging
from handlers.telegram.channel import retry_seconds

log = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "callback_query"]
POLL_TIMEOUT = 10  # seconds Telegram holds a getUpdates open
CONFLICTS = 5  # 409s in a row, after having polled, before this instance gives up
RESTARTS_PER_MINUTE = 5  # a worker dying more often than this stops the bot
STOP_GRACE = 15.0  # seconds a worker gets to finish its updates at shutdown


AnyApplication = Application[Any, Any, Any, Any, Any, Any]
OpenApplication = Callable[
    [Settings, Callable[[], None], Callable[[object], None]],
    AbstractAsyncContextManager[AnyApplication],
]
"""``(settings, on_sent, on_done)`` -> the worker's application, built and later torn down."""


class WorkersFailed(RuntimeError):
    """The worker processes kept dying: the bot stops rather than lose updates in a loop."""


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


def worker_for(update: dict[str, Any], count: int) -> int:
    """The worker that handles ``update``: always the same one for the same person."""
    sender = sender_of(update)
    return 0 if sender is None else sender % count


class Worker:
    """One child process and the updates it has been given but not finished."""

    def __init__(
        self,
        index: int,
        command: Sequence[str],
        settings_line: bytes,
        on_sent: Callable[[], None],
    ) -> None:
        self.index = index
        self._command = tuple(command)
        self._settings_line = settings_line
        self._on_sent = on_sent
        self._process: asyncio.subprocess.Process | None = None
        self._pending: dict[int, bytes] = {}  # update_id -> line, in the order given
        self._reader: asyncio.Task[None] | None = None
        self.exited = asyncio.Event()
        self.starts = 0

    @property
    def pending(self) -> int:
        """Updates given to this worker and not yet reported done."""
        return len(self._pending)

    async def start(self) -> None:
        """Start the child and give it again whatever its predecessor left unfinished."""
        self.exited.clear()
        self.starts += 1
        process = self._process = await asyncio.create_subprocess_exec(
            *self._command,
            str(self.index),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        if process.stdin is None or process.stdout is None:  # asked for above: never so
            raise RuntimeError("the worker process has no pipes")
        process.stdin.write(self._settings_line)
        for line in self._pending.values():
            process.stdin.write(line)
        self._reader = asyncio.create_task(self._read(process.stdout, process))

    def give(self, update_id: int, line: bytes) -> None:
        """Hand one update to the child (kept until it reports it done)."""
        self._pending[update_id] = line
        process = self._process
        if process is not None and process.stdin is not None and process.returncode is None:
            with contextlib.suppress(ConnectionError, RuntimeError):
                process.stdin.write(line)

    async def drain(self) -> None:
        """Wait until the pipe to the child has room again."""
        process = self._process
        if process is not None and process.stdin is not None and process.returncode is None:
            with contextlib.suppress(ConnectionError):
                await process.stdin.drain()

    async def _read(
        self, stdout: asyncio.StreamReader, process: asyncio.subprocess.Process
    ) -> None:
        try:
            async for raw in stdout:
                if raw.startswith(b"d "):
                    with contextlib.suppress(ValueError):
                        self._pending.pop(int(raw[2:]), None)
                elif raw.startswith(b"s"):
                    self._on_sent()
        finally:
            await process.wait()
            self.exited.set()

    async def stop(self) -> None:
        """Close the pipe (the child finishes what it has and exits), then wait for it."""
        process = self._process
        if process is None:
            return
        if process.stdin is not None:
            process.stdin.close()
        try:
            await asyncio.wait_for(self.exited.wait(), STOP_GRACE)
        except TimeoutError:
            log.warning("worker %s did not stop in %ss: killed", self.index, STOP_GRACE)
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await self.exited.wait()
        if self._reader is not None:
            await self._reader


class WorkerPool:
    """The workers of a supervisor, restarted when they die."""

    def __init__(
        self,
        settings: Settings,
        command: Sequence[str],
        on_sent: Callable[[], None],
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        """``command`` starts one worker (its index is added); ``monotonic`` times the deaths
        (a test gives a clock of its own)."""
        line = json.dumps(settings_values(settings), ensure_ascii=False).encode() + b"\n"
        self.workers = [Worker(i, command, line, on_sent) for i in range(settings.workers)]
        self._deaths: list[float] = []
        self._now = monotonic
        self._watch: asyncio.Task[None] | None = None
        self._stopping = False
        self.failed = asyncio.Event()

    async def start(self) -> None:
        """Start every worker and watch over them."""
        for worker in self.workers:
            await worker.start()
        self._watch = asyncio.create_task(self._watch_over())

    def give(self, update: dict[str, Any]) -> Worker:
        """Route one update to its worker."""
        worker = self.workers[worker_for(update, len(self.workers))]
        line = json.dumps(update, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
        worker.give(int(update["update_id"]), line)
        return worker

    async def _watch_over(self) -> None:
        while not self._stopping:
            waits = {asyncio.ensure_future(w.exited.wait()): w for w in self.workers}
            done, rest = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
            for future in rest:
                future.cancel()
            if self._stopping:
                return
            for future in done:
                worker = waits[future]
                now = self._now()
                self._deaths = [t for t in self._deaths if now - t < 60] + [now]
                if len(self._deaths) > RESTARTS_PER_MINUTE:
                    log.error("workers died %s times within a minute: stopping", len(self._deaths))
                    self.failed.set()
                    return
                log.error(
                    "worker %s exited; starting it again with its %s unfinished updates",
                    worker.index,
                    worker.pending,
                )
                await worker.start()

    async def stop(self) -> None:
        """Let every worker finish its updates and exit."""
        self._stopping = True
        if self._watch is not None:
            self._watch.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._watch
        await asyncio.gather(*(worker.stop() for worker in self.workers))


def settings_values(settings: Settings) -> dict[str, Any]:
    """The settings as plain JSON values, the token included (it travels over a private pipe)."""
    values = settings.model_dump(mode="json")
    token = settings.telegram_bot_token
    values["telegram_bot_token"] = token.get_secret_value() if token is not None else None
    return values


async def poll(
    bot: Bot, give: Callable[[dict[str, Any]], Awaitable[None]], stop: asyncio.Event
) -> None:
    """Long-poll ``getUpdates`` and hand each update on, until ``stop`` is set.

    Updates are confirmed (by the next call's offset) once handed to a worker, as PTB's own
    updater does; a worker that dies gets them again from the supervisor.

    A 409 Conflict means another instance polls with the same token (Telegram ends the older of
    two polls). Before this process has polled once, it is the newcomer: ``AnotherInstance`` at
    once, so the instance already serving keeps running. Later, the other one is the newcomer
    and stops on its own 409: poll again after a pause; ``CONFLICTS`` in a row (two that both
    think they came first) give up too. Giving up skips the final confirming call, which would
    in turn cut off the other instance's poll.
    """
    # Raw dicts on purpose: the supervisor only routes updates, the workers build the objects.
    warnings.filterwarnings("ignore", "Please use 'Bot.getUpdates'", PTBUserWarning)
    offset: int | None = None
    backoff = 1.0
    polled, conflicts = False, 0
    stopping = asyncio.ensure_future(stop.wait())
    try:
        while not stop.is_set():
            request = asyncio.ensure_future(
                bot.do_api_request(
                    "getUpdates",
                    {"offset": offset, "timeout": POLL_TIMEOUT, "allowed_updates": ALLOWED_UPDATES},
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
                backoff = min(backoff * 2, 30.0)
                continue
            except RetryAfter as error:
                await _pause(retry_seconds(error), stop)
                continue
            except (NetworkError, TelegramError) as error:
                log.warning("getUpdates failed (%s); trying again in %.0f s", error, backoff)
                await _pause(backoff, stop)
                backoff = min(backoff * 2, 30.0)
                continue
            backoff, polled, conflicts = 1.0, True, 0
            for update in updates if isinstance(updates, list) else []:
                if isinstance(update, dict) and isinstance(update.get("update_id"), int):
                    offset = update["update_id"] + 1
                    await give(update)
    finally:
        stopping.cancel()
    if offset is not None:  # confirm what was handed on, as PTB does when it stops
        with contextlib.suppress(TelegramError):
            await bot.do_api_request("getUpdates", {"offset": offset, "timeout": 0})


async def _pause(seconds: float, stop: asyncio.Event) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)


# --- the worker process ---------------------------------------------------------------------


def _report(line: bytes) -> None:
    """Tell the supervisor something (a short write to a pipe is atomic)."""
    with contextlib.suppress(BrokenPipeError):
        os.write(1, line)


async def work(open_application: OpenApplication) -> None:
    """Read the settings, then handle the updates arriving on stdin until it closes."""
    loop = asyncio.get_running_loop()
    reader = asyncio.StreamReader(limit=2**24)
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin.buffer)
    first = await reader.readline()
    if not first:
        return
    settings = Settings(_env_file=None, **json.loads(first))
    secret = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    zalo = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else None
    setup_logging(settings.log_level, secret, zalo)
    async with (
        open_application(settings, lambda: _report(b"s\n"), _done) as application,
        application,
    ):
        await application.start()
        try:
            async for raw in reader:
                data = json.loads(raw)  # the supervisor wrote it: always a JSON object
                try:
                    update = Update.de_json(data, application.bot)
                except (ValueError, TypeError, KeyError, AttributeError) as error:
                    log.error("worker could not read update %s: %s", data.get("update_id"), error)
                    _report(f"d {data.get('update_id')}\n".encode())  # never give it again
                    continue
                await application.update_queue.put(update)
            await application.update_queue.join()
        finally:
            await application.stop()


def _done(update: object) -> None:
    if isinstance(update, Update):
        _report(f"d {update.update_id}\n".encode())


def main(open_application: OpenApplication) -> int:
    """One worker process (``python -m bot.worker INDEX``): the first stdin line is the settings
    as JSON; ``open_application`` builds the application that handles the updates.

    Signals are left to the supervisor: it closes the pipe, and the worker finishes the updates
    it has and exits (also when the supervisor itself was killed).
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    asyncio.run(work(open_application))
    return 0
