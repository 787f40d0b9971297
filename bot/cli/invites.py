"""chuyende invites: the sheet of invite codes and links."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from bot.cli.context import FAILED, OK, Cli, Commands, command
from bot.domain.roster import split_unit_path
from bot.office.sheets import SheetError, write_rows
from bot.services.roster import PersonNotFound, UnitNotFound
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    invites = command(commands, "invites", "cli.invites_help", t)
    invites.add_argument(
        "--out",
        type=Path,
        default=Path("ma-moi.xlsx"),
        metavar=t("cli.metavar_file"),
        help=t("cli.invites_out"),
    )
    invites.add_argument("--unit", metavar=t("cli.metavar_unit"), help=t("cli.invites_unit"))
    invites.add_argument("--renew", metavar=t("cli.metavar_code"), help=t("cli.invites_renew"))
    invites.set_defaults(func=_invites)


async def _invites(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: invites(cli, store, args.out, args.unit, args.renew))


async def invites(cli: Cli, store: Store, out: Path, unit: str | None, renew: str | None) -> int:
    roster = cli.roster(store)
    path = split_unit_path(unit) if unit else None
    try:
        batch = await roster.issue_invites(path, renew)
    except UnitNotFound:
        cli.say("cli.unit_not_found", unit=unit)
        return FAILED
    except PersonNotFound:
        cli.say("cli.person_not_found", code=renew)
        return FAILED
    username = await roster.bot_username()
    columns = [
        cli.c.plain(f"invites.column.{name}")
        for name in ("code", "full_name", "unit", "invite", "link")
    ]
    rows = [
        [
            row.person_code,
            row.full_name,
            row.unit_path,
            row.code,
            f"https://t.me/{username}?start={row.code}" if username else "",
        ]
        for row in batch.open
    ]
    with cli.phases(lines=False).running() as phases:
        tick = phases.phase(cli.c.plain("cli.progress_invites"), len(rows))
        try:
            write_rows(out, columns, rows, title=cli.c.plain("sheet.invites"))
        except (SheetError, OSError):
            written = False
        else:
            written = True
            tick(len(rows), len(rows))
    if not written:
        cli.say("cli.file_unwritable", path=out)
        return FAILED
    if username is None:
        cli.say("cli.invites_no_username")
    cli.say("cli.invites_written", created=batch.created, path=out, count=len(rows))
    return OK
