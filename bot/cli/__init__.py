"""The command line: ``chuyende run | sandbox | roster | invites | campaign | broadcast | ...``.

One module per command group; each registers its sub-commands with ``set_defaults(func=...)``,
and ``main`` calls the function the parsed command carries.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from importlib import metadata
from typing import TextIO

from pydantic import ValidationError

from bot.cli import (
    broadcast,
    campaign,
    invites,
    library,
    models,
    person,
    records,
    roster,
    sandbox,
    serving,
)
from bot.cli.context import USAGE, Cli, Handler, Pause
from bot.cli.text import config_error, parser_class
from bot.config import Settings
from bot.forms import FormError
from bot.locales import Catalog
from bot.logs import setup_logging
from bot.services.plans import FormVersionConflict
from bot.services.ports import Clock

__all__ = ["Cli", "main", "parser"]
ADDS = (
    serving.add,
    sandbox.add,
    roster.add,
    campaign.add,
    broadcast.add,
    library.add,
    models.add,
    records.add,
    person.add,
    records.add_outbox,
    invites.add,
    serving.add_database,
)


def version() -> str:
    """The installed package's version."""
    try:
        return metadata.version("chuyende-bot")
    except metadata.PackageNotFoundError:  # run from a source tree that was never installed
        return "0+source"


def parser(catalog: Catalog) -> argparse.ArgumentParser:
    """The argument parser; every help text comes from the catalog."""
    t = catalog.plain
    root = parser_class(catalog)(prog="chuyende", description=t("cli.description"))
    root.add_argument(
        "--version", action="version", version=f"chuyende {version()}", help=t("cli.version_help")
    )
    commands = root.add_subparsers(dest="command", required=True, metavar=t("cli.metavar_command"))
    for add in ADDS:  # the order of the help
        add(commands, t)
    return root


def main(
    argv: Sequence[str] | None = None,
    out: TextIO | None = None,
    clock: Clock | None = None,
    pause: Pause | None = None,
) -> int:
    """Entry point of ``chuyende`` and ``python -m bot``; returns the exit status.

    ``clock`` is the real one unless a test gives its own (what it queues is then due on it);
    ``pause`` is how a live view waits between two looks (``asyncio.sleep`` unless a test gives
    its own, which drives the sender).
    """
    catalog = Catalog.load()
    args = parser(catalog).parse_args(argv)
    stream = out or sys.stdout
    try:
        settings = Settings()
    except ValidationError as exc:
        print(config_error(catalog, exc), file=stream)
        return USAGE
    secret = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    zalo = settings.zalo_bot_token.get_secret_value() if settings.zalo_bot_token else None
    setup_logging(settings.log_level, secret, zalo)
    try:
        handle: Handler = args.func
        return asyncio.run(handle(Cli(catalog, settings, stream, clock, pause), args))
    except FormError as error:
        print(catalog.plain("cli.bad_form", reason=str(error)), file=stream)
        return USAGE
    except FormVersionConflict as error:
        print(catalog.plain("cli.form_version_conflict", forms=str(error)), file=stream)
        return USAGE
