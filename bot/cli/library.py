"""chuyende library add | list | remove: the study library's materials."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command, json_option
from bot.domain.library import MAX_FILE_BYTES, Audience, LibraryError, Material, check_file
from bot.services.library_view import error_text
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    library = command(commands, "library", "cli.library.help", t)
    actions = library.add_subparsers(
        dest="library_command", required=True, metavar=t("cli.metavar_action")
    )
    adding = command(actions, "add", "cli.library.add_help", t)
    adding.add_argument(
        "file", nargs="?", type=Path, metavar=t("cli.metavar_file"), help=t("cli.library.file")
    )
    adding.add_argument("--link", metavar="URL", help=t("cli.library.link"))
    adding.add_argument("--title", required=True, help=t("cli.library.title"))
    adding.add_argument("--kind", required=True, help=t("cli.library.kind"))
    adding.add_argument("--summary", default="", help=t("cli.library.summary"))
    adding.add_argument("--audience", default="all", help=t("cli.library.audience"))
    adding.add_argument("--year", type=int, help=t("cli.library.year"))
    adding.set_defaults(func=_add)
    listing = command(actions, "list", "cli.library.list_help", t)
    json_option(listing, t, "cli.library.json")
    listing.set_defaults(func=_list)
    removing = command(actions, "remove", "cli.library.remove_help", t)
    removing.add_argument("id", type=int, metavar="ID")
    removing.set_defaults(func=_remove)


def _read(path: Path) -> bytes:
    """The file's bytes; LibraryError when it is too big (checked before reading it)."""
    if path.exists() and not path.is_file():
        raise IsADirectoryError(path)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise LibraryError("file_too_big", path.name)
    return path.read_bytes()


async def _add(cli: Cli, args: argparse.Namespace) -> int:
    if (args.file is None) == (args.link is None):
        cli.say("cli.library.need_one")
        return USAGE
    data = b""
    if args.file is not None:
        path = Path(args.file)
        try:
            data = await asyncio.to_thread(_read, path)
            check_file(path.name, data)  # refused before the database is opened
        except IsADirectoryError:
            cli.say("cli.library.not_file", path=path)
            return FAILED
        except OSError:
            cli.say("cli.library.cannot_read", path=path)
            return FAILED
        except LibraryError as error:
            print(error_text(cli.c, error.code, error.detail), file=cli.out)
            return FAILED
    return await cli.with_store(lambda store: library_add(cli, store, args, data))


async def library_add(cli: Cli, store: Store, args: argparse.Namespace, data: bytes) -> int:
    service = cli.services(store).library
    title, kind, summary, audience, year = (
        args.title,
        args.kind,
        args.summary,
        args.audience,
        args.year,
    )
    try:
        if args.link is not None:
            material = await service.add_link(
                None,
                args.link,
                title=title,
                kind=kind,
                summary=summary,
                audience=audience,
                year=year,
            )
        else:
            material = await service.add_file(
                None,
                Path(args.file).name,
                data,
                title=title,
                kind=kind,
                summary=summary,
                audience=audience,
                year=year,
            )
    except LibraryError as error:
        print(error_text(cli.c, error.code, error.detail), file=cli.out)
        return FAILED
    view = cli.services(store).library_view
    cli.say(
        "cli.library.added",
        id=material.id,
        title=material.title,
        kind=view.kind(material.kind),
        year=material.year,
        audience=view.audience(material),
    )
    return OK


async def _list(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: library_list(cli, store, args.json))


def _audience(material: Material) -> str:
    if material.audience is Audience.UNIT:
        return f"unit:{material.unit_path}"
    return material.audience.value


async def library_list(cli: Cli, store: Store, as_json: bool) -> int:
    services = cli.services(store)
    rows = await services.library.listing()
    tz = cli.settings.tz
    if as_json:
        cli.json(
            [
                {
                    "id": m.id,
                    "title": m.title,
                    "kind": m.kind.value,
                    "year": m.year,
                    "audience": _audience(m),
                    "file": m.file_name,
                    "url": m.url,
                    "studied": studied,
                    "added_by": m.added_by,
                    "added_at": m.added_at.astimezone(tz).isoformat(),
                }
                for m, studied in rows
            ]
        )
        return OK
    if not rows:
        cli.say("cli.library.empty")
        return OK
    t, view = cli.c.plain, services.library_view
    headers = [
        t(f"cli.library.col_{name}")
        for name in ("id", "title", "kind", "year", "audience", "source", "studied", "added")
    ]
    cli.table(
        headers,
        [
            [
                m.id,
                m.title,
                view.kind(m.kind),
                m.year,
                view.audience(m),
                m.file_name or m.url or "",
                studied,
                m.added_at.astimezone(tz).strftime("%d/%m/%Y"),
            ]
            for m, studied in rows
        ],
        numbers=(0, 3, 6),
        title=t("cli.library.table_title"),
    )
    return OK


async def _remove(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: library_remove(cli, store, args.id))


async def library_remove(cli: Cli, store: Store, item_id: int) -> int:
    if not await cli.services(store).library.remove(item_id):
        cli.say("cli.library.unknown", id=item_id)
        return FAILED
    cli.say("cli.library.removed", id=item_id)
    return OK
