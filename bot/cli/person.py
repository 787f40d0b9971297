"""chuyende person forget: erase one person's data."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.cli.context import FAILED, OK, Cli, Commands, command
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    person = command(commands, "person", "cli.person_help", t)
    person_commands = person.add_subparsers(
        dest="person_command", required=True, metavar=t("cli.metavar_action")
    )
    forget = command(person_commands, "forget", "cli.forget_help", t)
    forget.add_argument("code", metavar=t("cli.metavar_code"), help=t("cli.forget_code"))
    forget.add_argument("--yes", action="store_true", help=t("cli.forget_yes"))
    forget.set_defaults(func=_forget)


async def _forget(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: forget(cli, store, args.code, args.yes))


async def forget(cli: Cli, store: Store, code: str, yes: bool) -> int:
    services = cli.services(store)
    person = await services.audit.person(code)
    if person is None:
        cli.say("cli.person_unknown", code=code)
        return FAILED
    if not yes:
        cli.say("cli.forget_confirm", name=person.full_name, code=person.code)
        return OK
    unit = await services.audit.forget(code)
    if unit is None:
        cli.say("cli.person_unknown", code=code)
        return FAILED
    cli.say("cli.forgotten", code=code, unit=unit)
    return OK
