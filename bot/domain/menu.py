"""What each role can do: the command list and the menu are derived from the roles."""

from __future__ import annotations

from enum import StrEnum

from bot.domain.models import Person, Role


class Command(StrEnum):
    """A bot command; the value is what is typed after the slash."""

    START = "start"
    HELP = "help"
    PLAN = "kehoach"
    CANCEL = "huy"
    ME = "toi"
    UNIT = "donvi"
    STATS = "thongke"
    MEETINGS = "lichhop"
    REPORT = "baocao"
    REVIEW = "duyet"
    BROADCAST = "thongbao"
    LINK = "lienket"  # a one-time code to sign in on the person's other channel
    LIBRARY = "tailieu"  # the study library
    MODELS = "guong"  # exemplary models (gương điển hình)


GUEST_COMMANDS = (Command.START, Command.HELP)


def commands_for(person: Person | None) -> tuple[Command, ...]:
    """Commands a person may use, in menu order; a guest (not linked) only starts and reads help."""
    if person is None or not person.active:
        return GUEST_COMMANDS
    commands = [
        Command.PLAN,
        Command.ME,
        Command.MEETINGS,
        Command.LIBRARY,
        Command.MODELS,
        Command.LINK,
    ]
    leads = person.has(Role.SECRETARY) or person.has(Role.HEAD)
    if leads:
        commands.append(Command.UNIT)
    if leads or person.has(Role.ADMIN):
        commands += [Command.REVIEW, Command.REPORT]
    if person.has(Role.ADMIN):
        commands += [Command.BROADCAST, Command.STATS]
    commands += [Command.HELP, Command.CANCEL]
    return tuple(commands)


def menu_for(person: Person | None) -> tuple[Command, ...]:
    """The menu buttons: the commands less those that only make sense typed."""
    typed_only = (Command.START, Command.CANCEL, Command.LINK)
    return tuple(c for c in commands_for(person) if c not in typed_only)


def may_use(person: Person | None, command: Command) -> bool:
    """True when ``person`` may use ``command`` right now."""
    return command in commands_for(person) or command is Command.START
