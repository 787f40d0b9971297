"""chuyende run | migrate | backup | restore: the bot's process and its database file."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command
from storage.backup import BackupError, BackupInfo
from storage.backup import backup as backup_database
from storage.backup import inspect as inspect_backup
from storage.backup import restore as restore_database
from storage.engine import sqlite_file
from storage.instance_lock import DatabaseInUse, serving_lock
from storage.migrate import DatabaseProblem
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register ``run``."""
    command(commands, "run", "cli.run_help", t).set_defaults(func=_run)


def add_database(commands: Commands, t: Callable[..., str]) -> None:
    """Register ``migrate``, ``backup`` and ``restore`` (last in the help)."""
    command(commands, "migrate", "cli.migrate_help", t).set_defaults(func=_migrate)

    saving = command(commands, "backup", "cli.backup_help", t)
    saving.add_argument("--out", type=Path, metavar=t("cli.metavar_file"), help=t("cli.backup_out"))
    saving.set_defaults(func=_backup)
    putting = command(commands, "restore", "cli.restore_help", t)
    putting.add_argument("file", type=Path, metavar=t("cli.metavar_file"))
    putting.add_argument("--yes", action="store_true", help=t("cli.restore_yes"))
    putting.set_defaults(func=_restore)


async def _run(cli: Cli, args: argparse.Namespace) -> int:
    return await run(cli)


async def _migrate(cli: Cli, args: argparse.Namespace) -> int:
    async def migrated(_: Store) -> int:
        cli.say("cli.migrated")
        return OK

    return await cli.with_store(migrated)


async def _backup(cli: Cli, args: argparse.Namespace) -> int:
    return await backup(cli, args.out)


async def _restore(cli: Cli, args: argparse.Namespace) -> int:
    return await restore(cli, args.file, args.yes)


async def run(cli: Cli) -> int:
    """Serve the bot until SIGINT or SIGTERM; a clear line and exit status on what stops it."""
    token, zalo = cli.settings.telegram_bot_token, cli.settings.zalo_bot_token
    telegram = token is not None and bool(token.get_secret_value().strip())
    if not telegram and (zalo is None or not zalo.get_secret_value().strip()):
        cli.say("cli.no_token")
        return USAGE
    if telegram and not cli.settings.token_is_well_formed():
        cli.say("cli.bad_token_format")
        return USAGE
    if telegram and cli.settings.telegram_receive == "webhook" and not cli.settings.public_url:
        cli.say("cli.webhook.needs_public_url", path="/telegram")
        return USAGE
    url = cli.settings.database_url
    if cli.settings.workers > 1:  # one process is one replica: run more of them instead
        key = "replicas" if url.startswith("postgresql") else "sqlite"
        cli.say(f"pollers.cli.workers_{key}", workers=cli.settings.workers)
        return USAGE
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    # Here, not at the top: the other commands start without both channels' libraries.
    from telegram.error import InvalidToken, NetworkError

    from bot.app import serve
    from handlers.telegram.polling import AnotherInstance
    from handlers.zalo.client import TokenRefused

    database = sqlite_file(url) if url.startswith("sqlite") else None
    try:
        with serving_lock(database) if database else contextlib.nullcontext():
            await serve(cli.settings, stop, catalog=cli.c)
    except DatabaseInUse as exc:
        cli.say("cli.database_in_use", path=exc.path)
        return FAILED
    except AnotherInstance:  # on PostgreSQL: a poller outside this deployment's replicas
        replicas = url.startswith("postgresql")
        cli.say("pollers.cli.another_instance" if replicas else "cli.another_instance")
        return FAILED
    except InvalidToken:
        cli.say("cli.token_rejected")
        return FAILED
    except TokenRefused:
        cli.say("cli.zalo_token_rejected")
        return FAILED
    except NetworkError as exc:
        cli.say("cli.api_unreachable", url=cli.settings.telegram_api_url, reason=str(exc))
        return FAILED
    except DatabaseProblem as problem:
        return cli.db_problem(problem)
    except (SQLAlchemyError, OSError) as exc:
        return cli.db_failed(exc)
    return OK


def _sqlite_path(cli: Cli) -> Path | None:
    """The SQLite file, or None after explaining what to do with PostgreSQL."""
    path = sqlite_file(cli.settings.database_url)
    if path is None:
        url = make_url(cli.settings.database_url)
        cli.say("cli.backup_postgres", database=url.database or "", host=url.host or "")
    return path


def _backup_failed(cli: Cli, error: BackupError) -> int:
    cli.say(f"cli.backup_error.{error.code}", path=error.path)
    return FAILED


def _backup_done(cli: Cli, key: str, info: BackupInfo) -> None:
    counts = info.counts
    cli.say(
        key,
        path=info.path,
        size=f"{info.size / 1_048_576:.1f}",
        people=counts["people"],
        accounts=counts["accounts"],
        plans=counts["plans"],
        schema=info.schema,
    )


async def backup(cli: Cli, out: Path | None) -> int:
    """Copy the live SQLite database to ``out`` (default: dated name beside it)."""
    database = _sqlite_path(cli)
    if database is None:
        return USAGE
    if out is None:
        stamp = datetime.now(cli.settings.tz).strftime("%Y%m%d-%H%M%S")
        out = database.with_name(f"{database.stem}-backup-{stamp}.db")
    try:
        with cli.spinner("cli.progress_backup"):
            info = await asyncio.to_thread(backup_database, database, out)
    except BackupError as error:
        return _backup_failed(cli, error)
    except OSError:
        cli.say("cli.file_unwritable", path=out)
        return FAILED
    _backup_done(cli, "cli.backup_done", info)
    return OK


async def restore(cli: Cli, file: Path, yes: bool) -> int:
    """Put a backup back in place of the database (the bot must be stopped)."""
    database = _sqlite_path(cli)
    if database is None:
        return USAGE
    try:
        info = await asyncio.to_thread(inspect_backup, file)
    except BackupError as error:
        return _backup_failed(cli, error)
    _backup_done(cli, "cli.restore_preview", info)
    if not yes:
        cli.say("cli.restore_confirm", database=database)
        return OK
    try:
        with cli.spinner("cli.progress_restore"):
            _, saved = await asyncio.to_thread(restore_database, file, database)
    except BackupError as error:
        return _backup_failed(cli, error)
    except OSError:
        cli.say("cli.file_unwritable", path=database)
        return FAILED
    cli.say("cli.restore_done", database=database, saved=saved or "-")
    return OK
