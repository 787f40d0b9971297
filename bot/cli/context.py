"""What the command groups share: the exit statuses, the sub-command maker and ``Cli``."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, TextIO, TypeAlias

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.screen import Cell, Phases, on_terminal, print_json, spinner, table
from bot.cli.text import failure_values
from bot.config import Settings
from bot.domain.outbox import Failure
from bot.locales import Catalog
from bot.services.clock import SystemClock
from bot.services.ports import Clock
from bot.services.roster import RosterService
from storage.migrate import DatabaseProblem
from storage.store import Store

if TYPE_CHECKING:  # bot.app pulls in both channels and every service: imported when used
    from bot.app import Services

OK, FAILED, USAGE = 0, 1, 2
Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler = Callable[["Cli", argparse.Namespace], Coroutine[Any, Any, int]]
"""What ``set_defaults(func=...)`` holds: carries out one parsed command, returns its status."""
Pause = Callable[[float], Awaitable[None]]
"""Wait about ``seconds`` between two looks of a live view (``asyncio.sleep``; a test gives
its own, which drives the outbox sender instead of waiting)."""


def command(
    commands: Commands,
    name: str,
    key: str,
    t: Callable[..., str],
) -> argparse.ArgumentParser:
    """A sub-command whose help and description are the catalog text ``key``."""
    return commands.add_parser(name, help=t(key), description=t(key))


class Cli:
    """What every command needs: the catalog, the settings, where to write, the clock, and how
    a live view waits between two looks."""

    def __init__(
        self,
        catalog: Catalog,
        settings: Settings,
        out: TextIO,
        clock: Clock | None = None,
        pause: Pause | None = None,
    ) -> None:
        self.c = catalog
        self.settings = settings
        self.out = out
        self.clock = clock or SystemClock()
        self.pause: Pause = pause or asyncio.sleep
        self.terminal = on_terminal(out)

    def table(
        self,
        headers: Sequence[str],
        rows: Sequence[Sequence[Cell]],
        numbers: Sequence[int] = (),
        title: str | None = None,
        whole: Sequence[int] = (),
    ) -> None:
        """Print an aligned table: boxed on a terminal, plain columns off one."""
        table(self.out, self.terminal, headers, rows, numbers, title, whole)

    def json(self, document: object) -> None:
        """Print ``document`` as the one JSON document of the command's output."""
        print_json(self.out, document)

    def spinner(self, key: str, shown: bool = True) -> AbstractContextManager[None]:
        """A spinner under the catalog text ``key`` while a job without counts runs (none when
        not ``shown``: under ``--json``)."""
        return spinner(self.out, self.terminal and shown, self.c.plain(key))

    def phases(self, lines: bool = True) -> Phases:
        """Progress of a long job; off a terminal, one ``cli.progress_line`` per phase (none
        without ``lines``: a one-phase job whose closing line already gives the count)."""
        return Phases(
            self.out,
            self.terminal,
            lines,
            lambda label, done, total: self.c.plain(
                "cli.progress_line", phase=label, done=done, total=total or done
            ),
        )

    def say_failure(self, failure: Failure) -> None:
        """One undelivered message: when, its state, its key and why."""
        self.say("cli.outbox_failure", **failure_values(self.c, failure, self.settings.tz))

    def services(self, store: Store) -> Services:
        """The services on ``store``, on the real clock (or the one a test gives)."""
        from bot.app import build_services  # here: the light commands start without it

        return build_services(self.settings, store, self.clock, self.c)

    def roster(self, store: Store) -> RosterService:
        """The roster service alone, as ``services`` wires it: the roster and invites commands
        start without loading the channels, the forms and every other service."""
        return RosterService(
            store.roster, store.accounts, store.directory, self.clock, self.settings.tz
        )

    def say(self, key: str, **values: object) -> None:
        print(self.c.plain(key, **values), file=self.out)

    def db_failed(self, exc: Exception) -> int:
        url = make_url(self.settings.database_url).render_as_string(hide_password=True)
        self.say("cli.db_unreachable", url=url, reason=type(exc).__name__)
        return FAILED

    def db_problem(self, problem: DatabaseProblem) -> int:
        """One line on a database made by a newer version (exit 2) or damaged (exit 1)."""
        self.say(f"cli.db_problem.{problem.code}", detail=problem.detail)
        return USAGE if problem.code == "too_new" else FAILED

    async def with_store(self, action: Callable[[Store], Awaitable[int]]) -> int:
        try:
            store = await Store.open(self.settings.database_url)
        except DatabaseProblem as problem:
            return self.db_problem(problem)
        except (SQLAlchemyError, OSError) as exc:
            return self.db_failed(exc)
        try:
            return await action(store)
        finally:
            await store.close()


def json_option(parser: argparse.ArgumentParser, t: Callable[..., str], shape: str) -> None:
    """Add ``--json``; its help says the document's shape (the catalog text ``shape``)."""
    parser.add_argument("--json", action="store_true", help=t("cli.json_help", shape=t(shape)))
