"""chuyende report | audit | outbox: what happened, for the admin."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable
from pathlib import Path

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command
from bot.cli.text import audit_values
from bot.office.report_chart import chart_png
from bot.office.report_sheet import write_report
from bot.office.sheets import write_private
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    report = command(commands, "report", "cli.report_help", t)
    report.add_argument(
        "--out",
        type=Path,
        default=Path("bao-cao.xlsx"),
        metavar=t("cli.metavar_file"),
        help=t("cli.report_out"),
    )
    report.add_argument(
        "--chart", type=Path, metavar=t("cli.metavar_file"), help=t("cli.report_chart")
    )
    report.add_argument(
        "--year", type=int, metavar=t("cli.metavar_year"), help=t("cli.report_year")
    )

    report.set_defaults(func=_report)

    log = command(commands, "audit", "cli.audit_help", t)
    log.add_argument("--limit", type=int, default=50, metavar="N", help=t("cli.audit_limit"))
    log.set_defaults(func=_audit)


def add_outbox(commands: Commands, t: Callable[..., str]) -> None:
    """Register ``outbox`` (after ``person`` in the help, as it always was)."""
    box = command(commands, "outbox", "cli.outbox_help", t)
    box.add_argument(
        "--failures", type=int, default=10, metavar="N", help=t("cli.outbox_failures_help")
    )
    box.set_defaults(func=_outbox)


async def _report(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: report(cli, store, args.out, args.chart, args.year))


async def _audit(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: audit(cli, store, args.limit))


async def _outbox(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: outbox(cli, store, args.failures))


async def report(
    cli: Cli, store: Store, out: Path, chart: Path | None = None, year: int | None = None
) -> int:
    services = cli.services(store)
    if out.suffix.lower() != ".xlsx" or (chart is not None and chart.suffix.lower() != ".png"):
        cli.say("cli.report_xlsx_only")
        return USAGE
    report = await services.digests.district(year=year)
    if report is None:
        if year is None:
            cli.say("cli.campaign_none")
        else:
            cli.say("cli.report_no_year", year=year)
        return FAILED
    try:
        await asyncio.to_thread(write_report, out, cli.c, report)
    except OSError:
        cli.say("cli.file_unwritable", path=out)
        return FAILED
    cli.say("cli.report_written", path=out, units=len(report.rows), year=report.campaign.year)
    if chart is not None:
        picture = await asyncio.to_thread(chart_png, cli.c, report.rows)
        if picture is None:
            cli.say("cli.report_no_chart")
            return OK
        try:
            await asyncio.to_thread(write_private, chart, picture)
        except OSError:
            cli.say("cli.file_unwritable", path=chart)
            return FAILED
        cli.say("cli.report_chart_written", path=chart)
    return OK


async def audit(cli: Cli, store: Store, limit: int) -> int:
    services = cli.services(store)
    entries = await services.audit.entries(max(limit, 1))
    if not entries:
        cli.say("cli.audit_empty")
    for entry in entries:
        cli.say("cli.audit_line", **audit_values(cli.c, entry, cli.settings.tz))
    return OK


async def outbox(cli: Cli, store: Store, failures: int) -> int:
    counts = await store.outbox.counts()
    cli.say(
        "cli.outbox_counts",
        queued=counts.get("queued", 0),
        sending=counts.get("sending", 0),
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        expired=counts.get("expired", 0),
    )
    for failure in await store.outbox.failures(max(failures, 0)):
        cli.say_failure(failure)
    return OK
