"""chuyende broadcast send | status | cancel: messages to many people."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command, json_option
from bot.cli.records import failure_document, show_failures
from bot.cli.watch import Reading, Watch, by_reason
from bot.domain.broadcast import MAX_FILE_BYTES, BroadcastFile, FileError
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
    send.add_argument("--follow", action="store_true", help=t("cli.live.follow_help"))
    send.add_argument("--save-as-news", action="store_true", help=t("news.cli_save"))
    send.add_argument("--item", type=int, metavar="ID", help=t("news.cli_item"))
    send.set_defaults(func=_send)
    for name in ("status", "cancel"):
        sub = command(broadcast_commands, name, f"cli.broadcast_{name}_help", t)
        sub.add_argument("id", type=int, metavar="ID")
        if name == "status":
            json_option(sub, t, "cli.broadcast_json")
            sub.add_argument(
                "--follow",
                action="store_true",
                help=f"{t('cli.live.follow_help')} {t('cli.live.follow_json')}",
            )
        sub.set_defaults(func=_status if name == "status" else _cancel)


async def _send(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: broadcast_send(cli, store, args))


async def _status(cli: Cli, args: argparse.Namespace) -> int:
    if args.follow:
        return await cli.with_store(lambda store: broadcast_follow(cli, store, args.id, args.json))
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
            data = await read_attachment(cli, Path(args.attach))
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
    linked = None
    if args.item is not None:  # the line naming it, and its "📚 Mở tài liệu" button
        linked = await services.library.material(args.item)
        if linked is None:
            cli.say("news.cli_item_unknown", id=args.item)
            return USAGE
        text = f"{text.strip()}\n\n{services.composer_view.linked_line(linked)}"
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
        broadcast_id, queued = await services.broadcasts.send(
            text,
            args.to,
            unit,
            at,
            file=attachment,
            again=args.again,
            link=linked.id if linked is not None else None,
        )
    except BroadcastError as error:
        cli.say(f"broadcast.error.{error.code}", detail=error.detail)
        return USAGE
    cli.say("cli.broadcast_queued", id=broadcast_id, count=len(preview.people))
    if args.save_as_news:
        saved = await services.library.save_news(
            None,
            queued.text,
            args.to,
            unit,
            file=attachment,
            fallback_title=services.composer_view.news_title(cli.clock.now()),
        )
        cli.say("news.report_saved", id=saved.material.id, title=saved.material.title)
        if saved.widened:
            cli.say("news.saved_widened")
        if saved.dropped:
            cli.say("news.saved_no_file")
    if args.follow:
        return await broadcast_follow(cli, store, broadcast_id)
    return OK


CHUNK = 1 << 20  # bytes read at a time from an attachment
KB = 1024


async def read_attachment(cli: Cli, path: Path) -> bytes:
    """The attachment's bytes, read with a bar (in KB); no more than one byte past the largest
    file the channel takes, so a huge file is refused without being read whole.

    The file is not uploaded here: the outbox sender uploads it with the first message of the
    wave (and sends the others by Telegram's file id), so what the command line can show is
    the reading."""
    limit = max(MAX_FILE_BYTES.values()) + 1
    size = await asyncio.to_thread(lambda: path.stat().st_size)
    label = cli.c.plain("cli.live.attach", name=path.name)
    with cli.phases().running() as phases:
        tick = phases.phase(label, -(-min(size, limit) // KB))
        with await asyncio.to_thread(path.open, "rb") as handle:
            parts: list[bytes] = []
            read = 0
            while read < limit and (part := await asyncio.to_thread(handle.read, CHUNK)):
                parts.append(part[: limit - read])
                read += len(parts[-1])
                tick(-(-read // KB), -(-min(size, limit) // KB))
    return b"".join(parts)


class Wave:
    """How a broadcast's wave stands, one look at a time; its failures are read again only
    when their count has changed."""

    def __init__(self, store: Store, broadcast_id: int) -> None:
        self._store, self._id = store, broadcast_id
        self._failed, self._reasons = 0, dict[str, int]()

    async def __call__(self) -> Reading:
        row = await self._store.broadcasts.get(self._id)
        if row is None:  # gone (a restore from before it): nothing waits
            return Reading(total=0, sent=0, waiting=0, withdrawn=0)
        progress = row.progress()
        failed = progress["failed"]
        if failed != self._failed:
            found = await self._store.broadcasts.failures(self._id, limit=failed)
            self._failed, self._reasons = failed, by_reason(found, failed)
        return Reading(
            total=max(row.recipients, sum(row.counts.values())),
            sent=progress["sent"],
            waiting=progress["queued"],
            withdrawn=progress["cancelled"] + progress["skipped"],
            failed=self._reasons,
        )


async def broadcast_follow(cli: Cli, store: Store, broadcast_id: int, as_json: bool = False) -> int:
    """Watch the broadcast's wave live until nothing of it waits; Ctrl+C stops the watching
    only. With ``as_json`` nothing is drawn and the status document is printed at the end."""
    if await store.broadcasts.get(broadcast_id) is None:
        cli.say("cli.broadcast_unknown", id=broadcast_id)
        return FAILED
    title = cli.c.plain("cli.live.broadcast_title", id=broadcast_id)
    watch = Watch(cli, title, Wave(store, broadcast_id), quiet=as_json)
    last = await watch.run()
    if watch.stopped:
        cli.say("cli.live.broadcast_goes_on", id=broadcast_id)
        return OK
    if as_json:
        return await broadcast_status(cli, store, broadcast_id, True)
    if last is not None:
        cli.say("cli.live.broadcast_done", id=broadcast_id)
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
