"""chuyende report | audit | outbox: what happened, for the admin."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command, json_option
from bot.cli.screen import Cell, rate_bar
from bot.cli.text import audit_values, failure_values
from bot.cli.watch import Reading, Watch, by_reason
from bot.domain.outbox import Failure
from bot.office.report_chart import chart_png
from bot.office.report_sheet import write_report
from bot.office.sheets import write_private
from bot.services.digests import DistrictReport, ReportRow
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

    json_option(report, t, "cli.report_json")
    report.set_defaults(func=_report)

    log = command(commands, "audit", "cli.audit_help", t)
    log.add_argument("--limit", type=int, default=50, metavar="N", help=t("cli.audit_limit"))
    json_option(log, t, "cli.audit_json")
    log.set_defaults(func=_audit)


def add_outbox(commands: Commands, t: Callable[..., str]) -> None:
    """Register ``outbox`` (after ``person`` in the help, as it always was)."""
    box = command(commands, "outbox", "cli.outbox_help", t)
    box.add_argument(
        "--failures", type=int, default=10, metavar="N", help=t("cli.outbox_failures_help")
    )
    json_option(box, t, "cli.outbox_json")
    box.add_argument(
        "--watch",
        action="store_true",
        help=f"{t('cli.live.watch_help')} {t('cli.live.follow_json')}",
    )
    box.set_defaults(func=_outbox)


async def _report(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(
        lambda store: report(cli, store, args.out, args.chart, args.year, args.json)
    )


async def _audit(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: audit(cli, store, args.limit, args.json))


async def _outbox(cli: Cli, args: argparse.Namespace) -> int:
    if args.watch:
        return await cli.with_store(
            lambda store: outbox_watch(cli, store, args.failures, args.json)
        )
    return await cli.with_store(lambda store: outbox(cli, store, args.failures, args.json))


async def report(
    cli: Cli,
    store: Store,
    out: Path,
    chart: Path | None = None,
    year: int | None = None,
    as_json: bool = False,
) -> int:
    services = cli.services(store)
    if out.suffix.lower() != ".xlsx" or (chart is not None and chart.suffix.lower() != ".png"):
        cli.say("cli.report_xlsx_only")
        return USAGE
    with cli.spinner("cli.progress_report", shown=not as_json):
        report = await services.digests.district(year=year)
    if report is None:
        if year is None:
            cli.say("cli.campaign_none")
        else:
            known = await store.plans.campaign_years()
            if known:  # which years there are, so the next try is the right one
                years = ", ".join(str(y) for y in known)
                cli.say("years.cli.report_no_year", year=year, years=years)
            else:
                cli.say("years.cli.report_no_campaign", year=year)
        return FAILED
    try:
        with cli.spinner("cli.progress_report_file", shown=not as_json):
            await asyncio.to_thread(write_report, out, cli.c, report)
    except OSError:
        cli.say("cli.file_unwritable", path=out)
        return FAILED
    if as_json:
        cli.json(report_document(report, out))
    else:
        show_report(cli, report)
        cli.say("cli.report_written", path=out, units=len(report.rows), year=report.campaign.year)
    if chart is not None:
        picture = await asyncio.to_thread(chart_png, cli.c, report.rows)
        if picture is None:
            if not as_json:
                cli.say("cli.report_no_chart")
            return OK
        try:
            await asyncio.to_thread(write_private, chart, picture)
        except OSError:
            cli.say("cli.file_unwritable", path=chart)
            return FAILED
        if not as_json:
            cli.say("cli.report_chart_written", path=chart)
    return OK


REPORT_COLUMNS = ("unit", "required", "submitted", "confirmed", "rate")


def _row_cells(cli: Cli, row: ReportRow, name: str) -> list[Cell]:
    t = row.tally
    return [name, t.required, t.submitted, t.confirmed, rate_bar(row.rate, cli.terminal)]


def show_report(cli: Cli, report: DistrictReport) -> None:
    """The report as a table: a row per unit (indented by depth) with its bar, then the total."""
    rows = [
        _row_cells(cli, row, "  " * (row.depth - 1) + row.unit_path.rsplit(" / ", 1)[-1])
        for row in report.rows
    ]
    rows.append(_row_cells(cli, report.total, cli.c.plain("report.total")))
    cli.table(
        [cli.c.plain(f"report.column.{name}") for name in REPORT_COLUMNS],
        rows,
        numbers=(1, 2, 3),
        title=cli.c.plain("cli.report_table_title", year=report.campaign.year),
    )
    if report.total.study_people:  # a sixth column would not fit 80: the total, as a line
        done, people = report.total.studied_all, report.total.study_people
        cli.say("news.report_total", done=done, people=people)
    if report.total.models_nominated:  # the exemplary models, as a line too (issue 18 §2)
        t = report.total
        cli.say(
            "models_report.total",
            nominated=t.models_nominated,
            waiting=t.models_waiting,
            published=t.models_published,
        )
    total = report.total  # the meeting flags, counted in cells (issue 17)
    cli.say("meet.cli.no_briefing", count=total.cells_no_briefing, cells=total.cells)
    cli.say("meet.cli.thematic", count=total.cells_thematic_short, cells=total.cells)


def _row_document(row: ReportRow) -> dict[str, object]:
    t = row.tally
    return {
        "unit": row.unit_path,
        "depth": row.depth,
        "required": t.required,
        "submitted": t.submitted,
        "confirmed": t.confirmed,
        "returned": t.returned.count,
        "late": t.late,
        "exempt": t.exempt,
        "not_linked": t.not_linked,
        "rate": round(row.rate, 1),
        "cells": row.cells,
        "cells_thematic": row.cells_thematic,
        "cells_briefed": row.cells_briefed,
        "cells_no_briefing": row.cells_no_briefing,
        "cells_thematic_short": row.cells_thematic_short,
        "studied_all": row.studied_all,  # studied every required library material (issue 18)
        "study_people": row.study_people,  # had at least one required material meant for them
        "models_nominated": row.models_nominated,  # exemplary models of the year (issue 18 §2)
        "models_waiting": row.models_waiting,
        "models_published": row.models_published,
    }


def report_document(report: DistrictReport, out: Path) -> dict[str, object]:
    """What ``report --json`` prints."""
    return {
        "year": report.campaign.year,
        "title": report.campaign.title,
        "made_on": report.made_on.isoformat(),
        "file": str(out),
        "units": [_row_document(row) for row in report.rows],
        "total": _row_document(report.total),
    }


AUDIT_COLUMNS = ("at", "actor", "action", "target", "detail")


async def audit(cli: Cli, store: Store, limit: int, as_json: bool = False) -> int:
    services = cli.services(store)
    entries = await services.audit.entries(max(limit, 1))
    lines = [audit_values(cli.c, entry, cli.settings.tz) for entry in entries]
    if as_json:
        cli.json({"entries": lines})
        return OK
    if cli.terminal and lines:
        cli.table(
            [cli.c.plain(f"cli.audit_column.{name}") for name in AUDIT_COLUMNS],
            [[line[name] for name in AUDIT_COLUMNS] for line in lines],
            whole=(0,),
        )
        return OK
    if not entries:
        cli.say("cli.audit_empty")
    for entry in entries:
        cli.say("cli.audit_line", **audit_values(cli.c, entry, cli.settings.tz))
    return OK


OUTBOX_STATES = ("queued", "sending", "sent", "failed", "expired")


async def outbox(cli: Cli, store: Store, failures: int, as_json: bool = False) -> int:
    counts = await store.outbox.counts()
    found = await store.outbox.failures(max(failures, 0))
    if as_json:
        cli.json(
            {
                "counts": {state: counts.get(state, 0) for state in OUTBOX_STATES},
                "failures": [failure_document(cli, failure) for failure in found],
            }
        )
        return OK
    if cli.terminal:
        cli.table(
            [cli.c.plain("cli.table_state"), cli.c.plain("cli.table_count")],
            [[cli.c.plain(f"cli.outbox_state.{s}"), counts.get(s, 0)] for s in OUTBOX_STATES],
            numbers=(1,),
            title=cli.c.plain("cli.outbox_title"),
        )
        show_failures(cli, found)
        return OK
    cli.say(
        "cli.outbox_counts",
        queued=counts.get("queued", 0),
        sending=counts.get("sending", 0),
        sent=counts.get("sent", 0),
        failed=counts.get("failed", 0),
        expired=counts.get("expired", 0),
    )
    for failure in found:
        cli.say_failure(failure)
    return OK


FAILURE_COLUMNS = ("at", "status", "row", "error")


def failure_document(cli: Cli, failure: Failure) -> dict[str, str]:
    """One undelivered message in ``--json``: the words its table row shows."""
    shown = failure_values(cli.c, failure, cli.settings.tz)
    return {
        "at": shown["at"],
        "status": shown["status"],
        "key": shown["row"],
        "error": shown["error"],
    }


def show_failures(cli: Cli, failures: Sequence[Failure]) -> None:
    """The undelivered messages as a table (nothing when there are none)."""
    if not failures:
        return
    shown = [failure_values(cli.c, failure, cli.settings.tz) for failure in failures]
    cli.table(
        [cli.c.plain(f"cli.failure_column.{name}") for name in FAILURE_COLUMNS],
        [[line[name] for name in FAILURE_COLUMNS] for line in shown],
        title=cli.c.plain("cli.failures_title"),
        whole=(0,),
    )


REASONS_READ = 10_000  # failed rows read to count the reasons; any beyond count as "other"


class Outbox:
    """How the whole outbox stands, one look at a time (failures read again only when their
    count has changed)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._failed, self._reasons = 0, dict[str, int]()

    async def __call__(self) -> Reading:
        counts = await self._store.outbox.counts()
        failed = counts.get("failed", 0) + counts.get("expired", 0)
        if failed != self._failed:
            found = await self._store.outbox.failures(min(failed, REASONS_READ))
            self._failed, self._reasons = failed, by_reason(found, failed)
        return Reading(
            total=sum(counts.values()),
            sent=counts.get("sent", 0),
            waiting=counts.get("queued", 0) + counts.get("sending", 0),
            withdrawn=counts.get("cancelled", 0) + counts.get("skipped", 0),
            failed=self._reasons,
        )


async def outbox_watch(cli: Cli, store: Store, failures: int = 10, as_json: bool = False) -> int:
    """The whole outbox live until nothing waits in it (or Ctrl+C, which stops only this).
    With ``as_json`` nothing is drawn and ``outbox --json``'s document is printed at the end."""
    watch = Watch(cli, cli.c.plain("cli.outbox_title"), Outbox(store), quiet=as_json)
    await watch.run()
    if watch.stopped:
        return OK
    if as_json:
        return await outbox(cli, store, failures, True)
    cli.say("cli.live.outbox_done")
    return OK
