"""chuyende roster import | template | export: the roster as a sheet."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli.context import FAILED, OK, Cli, Commands, command
from bot.domain.roster import RowError
from bot.office.roster_sheet import example_rows, header, person_row
from bot.office.sheets import SheetError, iter_rows, write_rows
from storage.store import Store

NAMES_SHOWN = 50  # names listed of the people absent from an imported roster
TICK_EVERY = 500  # rows between two moves of a progress bar


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    roster = command(commands, "roster", "cli.roster_help", t)
    roster_commands = roster.add_subparsers(
        dest="roster_command", required=True, metavar=t("cli.metavar_action")
    )
    load = command(roster_commands, "import", "cli.roster_import_help", t)
    load.add_argument(
        "file", type=Path, metavar=t("cli.metavar_file"), help=t("cli.roster_import_file")
    )
    load.add_argument("--remove-missing", action="store_true", help=t("cli.roster_remove_missing"))
    load.add_argument("--dry-run", action="store_true", help=t("cli.roster_dry_run"))
    load.set_defaults(func=_import)
    for name in ("template", "export"):
        sub = command(roster_commands, name, f"cli.roster_{name}_help", t)
        sub.add_argument(
            "file", type=Path, metavar=t("cli.metavar_file"), help=t("cli.output_file")
        )
        sub.set_defaults(func=_template if name == "template" else _export)


async def _import(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(
        lambda store: roster_import(cli, store, args.file, args.remove_missing, args.dry_run)
    )


async def _template(cli: Cli, args: argparse.Namespace) -> int:
    return template(cli, args.file)


async def _export(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: export(cli, store, args.file))


async def roster_import(
    cli: Cli, store: Store, file: Path, remove_missing: bool, dry_run: bool
) -> int:
    roster = cli.roster(store)
    labels = {
        "check": cli.c.plain("cli.progress_reading"),
        "write": cli.c.plain("cli.progress_comparing" if dry_run else "cli.progress_writing"),
    }
    with cli.phases().running() as phases:
        reading = phases.phase(labels["check"])
        try:  # the rows are read as they are checked
            outcome = await roster.import_table(
                iter_rows(file),
                remove_missing=remove_missing,
                dry_run=dry_run,
                progress=phases.follow(labels),
            )
        except SheetError as unreadable:
            reading(0, 0)
            return sheet_error(cli, unreadable, file)
    if outcome.summary is None:
        cli.say("cli.import_errors", count=len(outcome.parsed.errors))
        for error in outcome.parsed.errors:
            cli.say("cli.import_error_line", row=error.row, message=row_message(cli, error))
        return FAILED
    for warning in outcome.parsed.warnings:
        cli.say("cli.import_warning_line", row=warning.row, message=row_message(cli, warning))
    summary = outcome.summary
    counts = {
        "total": summary.total,
        "added": summary.added,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "units": summary.units_created,
    }
    names = ", ".join(summary.missing_names[:NAMES_SHOWN])
    if len(summary.missing_names) > NAMES_SHOWN:
        names += cli.c.plain("cli.import_more", more=len(summary.missing_names) - NAMES_SHOWN)
    if dry_run:
        cli.say("cli.import_dry_ok", **counts)
        if remove_missing and summary.missing:
            cli.say("cli.import_dry_removed", count=summary.missing, names=names)
        elif summary.missing:
            cli.say("cli.import_missing", count=summary.missing, names=names)
        cli.say("cli.import_dry_nothing_written")
        return OK
    cli.say("cli.import_ok", **counts)
    if summary.removed:
        cli.say("cli.import_removed", count=summary.removed, names=names)
    elif summary.missing:
        cli.say("cli.import_missing", count=summary.missing, names=names)
    return OK


def row_message(cli: Cli, error: RowError) -> str:
    """The catalog message for one roster row error, with only the values it uses."""
    key = f"roster.error.{error.code}"
    available: dict[str, object] = {"value": error.value, "other_row": error.other_row}
    return cli.c.plain(key, **{name: available[name] for name in cli.c.params(key)})


def sheet_error(cli: Cli, error: SheetError, file: Path) -> int:
    known: dict[str, object] = {"path": file, "reason": error.detail, **error.values}
    key = f"cli.{error.reason}"
    cli.say(key, **{name: known[name] for name in cli.c.params(key)})
    return FAILED


def write(
    cli: Cli, file: Path, rows: Sequence[Sequence[str]], notes: tuple[str, str] | None = None
) -> int | None:
    try:
        write_rows(file, header(cli.c), rows, title=cli.c.plain("sheet.roster"), notes=notes)
    except SheetError as error:
        return sheet_error(cli, error, file)
    except OSError as exc:
        cli.say("cli.file_unreadable", path=file, reason=exc.strerror or type(exc).__name__)
        return FAILED
    return None


def template(cli: Cli, file: Path) -> int:
    notes = (cli.c.plain("template.guide_title"), cli.c.plain("template.guide"))
    failed = write(cli, file, example_rows(), notes)
    if failed is not None:
        return failed
    cli.say("cli.template_written", path=file)
    return OK


async def export(cli: Cli, store: Store, file: Path) -> int:
    roster = cli.roster(store)
    people = await roster.people()
    with cli.phases(lines=False).running() as phases:
        tick = phases.phase(cli.c.plain("cli.progress_export"), len(people))
        rows = []
        for done, person in enumerate(people, 1):
            rows.append(person_row(cli.c, person))
            if done % TICK_EVERY == 0:
                tick(done, len(people))
        failed = write(cli, file, rows)
        tick(len(rows) if failed is None else 0, len(people))
    if failed is not None:
        return failed
    cli.say("cli.export_written", count=len(people), path=file)
    return OK
