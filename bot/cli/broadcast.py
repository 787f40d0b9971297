"""chuyende broadcast send | status | cancel: messages to many people."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command, json_option
from bot.cli.records import failure_document, show_failures
from bot.domain.broadcast import BroadcastFile, FileError
from bot.domain.text import parse_when
from bot.services.broadcasts import BroadcastError
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    broadcast = command(commands, "broadcast", "cli.broadcast_help", t)
    broadcast_commands = broadcast.add_subparsers(
        dest="broadcast_command", required=True, metavar=t("cli.metavar_action")
    )
    send = command(broadcast_commands, "send", "cli.broadcast_send_help", t)
    body = send.add_mutually_exclusive_group()
    body.add_argument("--message", metavar=t("cli.metavar_text"), help=t("cli.broadcast_message"))
    body.add_argument(
        "--file", type=Path, metavar=t("cli.metavar_file"), help=t("cli.broadcast_file")
    )
    send.add_argument(
        "--attach", type=Path, metavar=t("cli.metavar_file"), help=t("cli.broadcast_attach")
    )
    send.add_argument(
        "--to", default="all", metavar="all|category:…|role:…|status:…", help=t("cli.broadcast_to")
    )
    send.add_argument("--unit", metavar=t("cli.metavar_unit"), help=t("cli.broadcast_unit"))
    send.add_argument("--at", metavar="dd/mm/yyyy HH:MM", help=t("cli.broadcast_at"))
    send.add_argument("--yes", action="store_true", help=t("cli.broadcast_yes"))
    send.add_argument("--again", action="store_true", help=t("cli.broadcast_again"))
    send.set_defaults(func=_send)
    for name in ("status", "cancel"):
        sub = command(broadcast_commands, name, f"cli.broadcast_{name}_help", t)
        sub.add_argument("id", type=int, metavar="ID")
        if name == "status":
            json_option(sub, t, "cli.broadcast_json")
        sub.set_defaults(func=_status if name == "status" else _cancel)


async def _send(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: broadcast_send(cli, store, args))


async def _status(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: broadcast_status(cli, store, args.id, args.json))


async def _cancel(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: broadcast_cancel(cli, store, args.id))


async def broadcast_send(cli: Cli, store: Store, args: argparse.Namespace) -> int:
    services = cli.services(store)
    if args.file is not None:
        try:
            text = await asyncio.to_thread(Path(args.file).read_text, "utf-8")
        except (OSError, UnicodeDecodeError):
            cli.say("cli.file_cannot_read", path=args.file)
            return FAILED
    else:
        text = args.message or ""
    attachment = None
    if args.attach is not None:
        try:
            data = await asyncio.to_thread(Path(args.attach).read_bytes)
            attachment = BroadcastFile.from_upload(Path(args.attach).name, data)
        except OSError:
            cli.say("cli.file_cannot_read", path=args.attach)
            return FAILED
        except FileError as error:
            cli.say(f"broadcast.error.{error.code}", detail=error.name)
            return USAGE
    at = None
    if args.at:
        at = parse_when(args.at, cli.settings.tz)
        if at is None:
            cli.say("cli.bad_date", value=args.at)
            return USAGE
    unit = args.unit or ""
    try:
        preview = await services.broadcasts.preview(text, args.to, unit, attachment, at)
        cli.say(
            "cli.broadcast_preview",
            count=len(preview.people),
            not_linked=preview.not_linked,
            text=preview.text[:300],
        )
        if preview.repeat_of is not None and not args.again:
            first = preview.repeat_of.astimezone(cli.settings.tz)
            cli.say("cli.broadcast_repeat", when=first.strftime("%d/%m/%Y %H:%M"))
            return USAGE
        if not args.yes:
            cli.say("cli.broadcast_confirm")
            return OK
        broadcast_id, _ = await services.broadcasts.send(
            text, args.to, unit, at, file=attachment, again=args.again
        )
    except BroadcastError as error:
        cli.say(f"broadcast.error.{error.code}", detail=error.detail)
        return USAGE
    cli.say("cli.broadcast_queued", id=broadcast_id, count=len(preview.people))
    return OK


BROADCAST_STATES = ("queued", "sent", "failed", "cancelled", "skipped")


async def broadcast_status(cli: Cli, store: Store, broadcast_id: int, as_json: bool = False) -> int:
    services = cli.services(store)
    found = await services.broadcasts.status(broadcast_id)
    if found is None:
        cli.say("cli.broadcast_unknown", id=broadcast_id)
        return FAILED
    row, failures = found
    audience = row.audience + (f" @ {row.unit_path}" if row.unit_path else "")
    progress = row.progress()
    split = row.progress_by_channel()
    if as_json:
        cli.json(
            {
                "id": row.id,
                "audience": audience,
                "recipients": row.recipients,
                **progress,
                "channels": {channel.value: counts for channel, counts in split.items()},
                "failures": [failure_document(cli, failure) for failure in failures],
            }
        )
        return OK
    names = [cli.c.plain(f"cli.channel_name.{channel.value}") for channel in split]
    if cli.terminal:
        title = cli.c.plain(
            "cli.broadcast_title", id=row.id, audience=audience, recipients=row.recipients
        )
        cli.table(
            [cli.c.plain("cli.table_state"), cli.c.plain("cli.table_people"), *names],
            [
                [cli.c.plain(f"cli.outbox_state.{s}"), progress[s], *(c[s] for c in split.values())]
                for s in BROADCAST_STATES
            ],
            numbers=tuple(range(1, 2 + len(split))),
            title=title,
        )
        show_failures(cli, failures)
        return OK
    cli.say(
        "cli.broadcast_status", id=row.id, audience=audience, recipients=row.recipients, **progress
    )
    for name, counts in zip(names, split.values(), strict=True):
        cli.say("cli.split.channel", channel=name, **counts)
    for failure in failures:
        cli.say_failure(failure)
    return OK


async def broadcast_cancel(cli: Cli, store: Store, broadcast_id: int) -> int:
    services = cli.services(store)
    withdrawn = await services.broadcasts.cancel(broadcast_id)
    if withdrawn is None:
        cli.say("cli.broadcast_unknown", id=broadcast_id)
        return FAILED
    cli.say("cli.broadcast_cancelled", id=broadcast_id, count=withdrawn)
    return OK
