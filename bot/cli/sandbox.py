"""chuyende sandbox: the real bot offline, with a chat page in the browser."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    box = command(commands, "sandbox", "cli.sandbox_help", t)
    box.add_argument("--port", type=int, default=8080, help=t("cli.sandbox_port"))
    box.add_argument(
        "--db",
        type=Path,
        default=Path("chuyende-sandbox.db"),
        metavar=t("cli.metavar_file"),
        help=t("cli.sandbox_db"),
    )
    box.add_argument("--no-browser", action="store_true", help=t("cli.sandbox_no_browser"))
    box.add_argument("--i-know", action="store_true", help=t("cli.sandbox_i_know"))
    box.set_defaults(func=_sandbox)


async def _sandbox(cli: Cli, args: argparse.Namespace) -> int:
    return await sandbox(cli, args.port, args.db, not args.no_browser, args.i_know)


def _has_screen() -> bool:
    """True where a graphical browser can open (not on a server over SSH, where a text-mode
    browser would take over the terminal)."""
    graphical = sys.platform in ("darwin", "win32")
    return graphical or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_browser(url: str) -> None:
    with contextlib.suppress(Exception):  # none there: the address was printed
        import webbrowser  # here: only the sandbox opens a browser

        webbrowser.open(url)


async def sandbox(cli: Cli, port: int, database: Path, browser: bool, trust: bool = False) -> int:
    """The real bot, offline, with the chat page on 127.0.0.1 (no token, no internet)."""
    if not 0 <= port <= 65535:
        cli.say("cli.sandbox_bad_port", port=port)
        return USAGE
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    def opened(url: str) -> None:
        cli.say("cli.sandbox_ready", url=url, db=database)
        if browser and _has_screen():
            # In a thread: a browser that takes its time must not hold up the bot.
            loop.run_in_executor(None, _open_browser, url)

    from bot.sandbox.server import NotASandbox, Sandbox  # here: its web server is for it alone

    try:
        await Sandbox(database, port=port, trust=trust).run(stop, opened)
    except NotASandbox:
        cli.say("cli.sandbox_real_roster", db=database)
        return USAGE
    except OSError as exc:
        cli.say("cli.sandbox_failed", port=port, reason=exc.strerror or str(exc))
        return FAILED
    return OK
