"""The command line: ``chuyende run | roster import/template/export | invites | migrate``."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import sys
import webbrowser
from collections.abc import Awaitable, Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TextIO

from pydantic import ValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from telegram.error import InvalidToken, NetworkError

from bot.app import Services, build_services, serve
from bot.cli_text import (
    RuleError,
    audit_values,
    config_error,
    failure_values,
    parser_class,
    rule_reasons,
)
from bot.config import Settings
from bot.domain.broadcast import BroadcastFile, FileError
from bot.domain.outbox import Failure
from bot.domain.roster import RowError, split_unit_path
from bot.domain.schedule import Schedule
from bot.domain.text import parse_when
from bot.forms import FormError
from bot.locales import Catalog
from bot.logs import setup_logging
from bot.office.report_chart import chart_png
from bot.office.report_sheet import write_report
from bot.office.roster_sheet import example_rows, header, person_row
from bot.office.sheets import SheetError, read_rows, write_private, write_rows
from bot.sandbox.server import NotASandbox, Sandbox
from bot.services.broadcasts import BroadcastError
from bot.services.clock import SystemClock
from bot.services.plans import FormVersionConflict
from bot.services.ports import Clock
from bot.services.roster import PersonNotFound, UnitNotFound
from handlers.workers import AnotherInstance, WorkersFailed
from storage.backup import BackupError, BackupInfo
from storage.backup import backup as backup_database
from storage.backup import inspect as inspect_backup
from storage.backup import restore as restore_database
from storage.engine import sqlite_file
from storage.instance_lock import DatabaseInUse, serving_lock
from storage.migrate import DatabaseProblem
from storage.store import Store

OK, FAILED, USAGE = 0, 1, 2
NAMES_SHOWN = 50  # names listed of the people absent from an imported roster


def _numbers(text: str, option: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise RuleError("numbers", option, text) from None


def schedule_with(base: Schedule, given: Mapping[str, str]) -> Schedule:
    """``base`` with the reminder rules given on the command line; RuleError or pydantic's
    ValidationError if one is bad."""
    changes: dict[str, object] = {}
    if "reminders" in given:
        changes["deadline_days"] = _numbers(given["reminders"], "--reminders")
    if "meeting" in given:
        changes["meeting_hours"] = _numbers(given["meeting"], "--meeting-reminders")
    if "late" in given:
        changes["late_every_days"] = given["late"].strip()
    for name, field in (("remind_at", "remind_at"), ("digest_at", "digest_at")):
        if name in given:
            changes[field] = given[name].strip()
    if "quiet" in given:
        start, sep, end = given["quiet"].partition("-")
        if not sep:
            raise RuleError("quiet", "--quiet", given["quiet"])
        changes["quiet_start"], changes["quiet_end"] = start.strip(), end.strip()
    data = base.model_dump() | changes
    return Schedule.model_validate(data)


def _has_screen() -> bool:
    """True where a graphical browser can open (not on a server over SSH, where a text-mode
    browser would take over the terminal)."""
    graphical = sys.platform in ("darwin", "win32")
    return graphical or bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def _open_browser(url: str) -> None:
    with contextlib.suppress(Exception):  # none there: the address was printed
        webbrowser.open(url)


def _command(
    commands: argparse._SubParsersAction[argparse.ArgumentParser],
    name: str,
    key: str,
    t: Callable[..., str],
) -> argparse.ArgumentParser:
    """A sub-command whose help and description are the catalog text ``key``."""
    return commands.add_parser(name, help=t(key), description=t(key))


def parser(catalog: Catalog) -> argparse.ArgumentParser:
    """The argument parser; every help text comes from the catalog."""
    t = catalog.plain
    root = parser_class(catalog)(prog="chuyende", description=t("cli.description"))
    commands = root.add_subparsers(dest="command", required=True, metavar=t("cli.metavar_command"))
    _command(commands, "run", "cli.run_help", t)
    box = _command(commands, "sandbox", "cli.sandbox_help", t)
    box.add_argument("--port", type=int, default=8080, help=t("cli.sandbox_port"))
    box.add_argument(
        "--db",
        type=Path,
        default=Path("chuyende-sandbox.db"),
        metavar=t("cli.metavar_file"),
        help=t("cli.sandbox_db"),
    )
    box.add_argument("--no-browser", action="store_true", help=t("cli.sandbox_no_browser"))
    box.add_argument("--i-know", action="store_true", help=t("cli.sandbox_i_know"))

    roster = _command(commands, "roster", "cli.roster_help", t)
    roster_commands = roster.add_subparsers(
        dest="roster_command", required=True, metavar=t("cli.metavar_action")
    )
    load = _command(roster_commands, "import", "cli.roster_import_help", t)
    load.add_argument(
        "file", type=Path, metavar=t("cli.metavar_file"), help=t("cli.roster_import_file")
    )
    load.add_argument("--remove-missing", action="store_true", help=t("cli.roster_remove_missing"))
    load.add_argument("--dry-run", action="store_true", help=t("cli.roster_dry_run"))
    for name in ("template", "export"):
        sub = _command(roster_commands, name, f"cli.roster_{name}_help", t)
        sub.add_argument(
            "file", type=Path, metavar=t("cli.metavar_file"), help=t("cli.output_file")
        )

    campaign = _command(commands, "campaign", "cli.campaign_help", t)
    campaign_commands = campaign.add_subparsers(
        dest="campaign_command", required=True, metavar=t("cli.metavar_action")
    )
    _command(campaign_commands, "show", "cli.campaign_show_help", t)
    setting = _command(campaign_commands, "set", "cli.campaign_set_help", t)
    setting.add_argument(
        "--year",
        type=int,
        required=True,
        metavar=t("cli.metavar_year"),
        help=t("cli.campaign_year"),
    )
    setting.add_argument(
        "--title", required=True, metavar=t("cli.metavar_title"), help=t("cli.campaign_title")
    )
    setting.add_argument(
        "--deadline", required=True, metavar="dd/mm/yyyy", help=t("cli.campaign_deadline")
    )
    setting.add_argument(
        "--place", required=True, metavar=t("cli.metavar_place"), help=t("cli.campaign_place")
    )
    setting.add_argument("--reminders", metavar="14,7,3,1", help=t("cli.campaign_reminders"))
    setting.add_argument("--remind-at", metavar="HH:MM", help=t("cli.campaign_remind_at"))
    setting.add_argument("--quiet", metavar="HH:MM-HH:MM", help=t("cli.campaign_quiet"))
    setting.add_argument("--meeting-reminders", metavar="72,2", help=t("cli.campaign_meeting"))
    setting.add_argument("--digest-at", metavar="HH:MM", help=t("cli.campaign_digest_at"))
    setting.add_argument("--late-reminders", metavar="7", help=t("cli.campaign_late"))
    setting.add_argument("--force", action="store_true", help=t("cli.campaign_force"))

    broadcast = _command(commands, "broadcast", "cli.broadcast_help", t)
    broadcast_commands = broadcast.add_subparsers(
        dest="broadcast_command", required=True, metavar=t("cli.metavar_action")
    )
    send = _command(broadcast_commands, "send", "cli.broadcast_send_help", t)
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
    for name in ("status", "cancel"):
        sub = _command(broadcast_commands, name, f"cli.broadcast_{name}_help", t)
        sub.add_argument("id", type=int, metavar="ID")

    report = _command(commands, "report", "cli.report_help", t)
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

    log = _command(commands, "audit", "cli.audit_help", t)
    log.add_argument("--limit", type=int, default=50, metavar="N", help=t("cli.audit_limit"))
    person = _command(commands, "person", "cli.person_help", t)
    person_commands = person.add_subparsers(
        dest="person_command", required=True, metavar=t("cli.metavar_action")
    )
    forget = _command(person_commands, "forget", "cli.forget_help", t)
    forget.add_argument("code", metavar=t("cli.metavar_code"), help=t("cli.forget_code"))
    forget.add_argument("--yes", action="store_true", help=t("cli.forget_yes"))

    box = _command(commands, "outbox", "cli.outbox_help", t)
    box.add_argument(
        "--failures", type=int, default=10, metavar="N", help=t("cli.outbox_failures_help")
    )

    invites = _command(commands, "invites", "cli.invites_help", t)
    invites.add_argument(
        "--out",
        type=Path,
        default=Path("ma-moi.xlsx"),
        metavar=t("cli.metavar_file"),
        help=t("cli.invites_out"),
    )
    invites.add_argument("--unit", metavar=t("cli.metavar_unit"), help=t("cli.invites_unit"))
    invites.add_argument("--renew", metavar=t("cli.metavar_code"), help=t("cli.invites_renew"))

    _command(commands, "migrate", "cli.migrate_help", t)

    saving = _command(commands, "backup", "cli.backup_help", t)
    saving.add_argument("--out", type=Path, metavar=t("cli.metavar_file"), help=t("cli.backup_out"))
    putting = _command(commands, "restore", "cli.restore_help", t)
    putting.add_argument("file", type=Path, metavar=t("cli.metavar_file"))
    putting.add_argument("--yes", action="store_true", help=t("cli.restore_yes"))
    return root


class Cli:
    """Carries out one parsed command; writes messages to ``out``."""

    def __init__(
        self, catalog: Catalog, settings: Settings, out: TextIO, clock: Clock | None = None
    ) -> None:
        self.c = catalog
        self.settings = settings
        self.out = out
        self.clock = clock or SystemClock()

    def say_failure(self, failure: Failure) -> None:
        """One undelivered message: when, its state, its key and why."""
        self.say("cli.outbox_failure", **failure_values(self.c, failure, self.settings.tz))

    def services(self, store: Store) -> Services:
        """The services on ``store``, on the real clock (or the one a test gives)."""
        return build_services(self.settings, store, self.clock, self.c)

    def say(self, key: str, **values: object) -> None:
        print(self.c.plain(key, **values), file=self.out)

    def db_failed(self, exc: Exception) -> int:
        url = make_url(self.settings.database_url).render_as_string(hide_password=True)
        self.say("cli.db_unreachable", url=url, reason=type(exc).__name__)
        return FAILED

    def db_problem(self, problem: DatabaseProblem) -> int:
        """One line on a database made by a newer version (exit 2) or damaged (exit 1)."""
        self.say(f"cli.db_problem.{problem.code}", detail=problem.detail)
        return USAGE if problem.code == "too_new" else FAILED

    def row_message(self, error: RowError) -> str:
        """The catalog message for one roster row error, with only the values it uses."""
        key = f"roster.error.{error.code}"
        available: dict[str, object] = {"value": error.value, "other_row": error.other_row}
        return self.c.plain(key, **{name: available[name] for name in self.c.params(key)})

    def _sqlite_path(self) -> Path | None:
        """The SQLite file, or None after explaining what to do with PostgreSQL."""
        path = sqlite_file(self.settings.database_url)
        if path is None:
            url = make_url(self.settings.database_url)
            self.say("cli.backup_postgres", database=url.database or "", host=url.host or "")
        return path

    def _backup_failed(self, error: BackupError) -> int:
        self.say(f"cli.backup_error.{error.code}", path=error.path)
        return FAILED

    def _backup_done(self, key: str, info: BackupInfo) -> None:
        counts = info.counts
        self.say(
            key,
            path=info.path,
            size=f"{info.size / 1_048_576:.1f}",
            people=counts["people"],
            accounts=counts["accounts"],
            plans=counts["plans"],
            schema=info.schema,
        )

    async def backup(self, out: Path | None) -> int:
        """Copy the live SQLite database to ``out`` (default: dated name beside it)."""
        database = self._sqlite_path()
        if database is None:
            return USAGE
        if out is None:
            stamp = datetime.now(self.settings.tz).strftime("%Y%m%d-%H%M%S")
            out = database.with_name(f"{database.stem}-backup-{stamp}.db")
        try:
            info = await asyncio.to_thread(backup_database, database, out)
        except BackupError as error:
            return self._backup_failed(error)
        except OSError:
            self.say("cli.file_unwritable", path=out)
            return FAILED
        self._backup_done("cli.backup_done", info)
        return OK

    async def restore(self, file: Path, yes: bool) -> int:
        """Put a backup back in place of the database (the bot must be stopped)."""
        database = self._sqlite_path()
        if database is None:
            return USAGE
        try:
            info = await asyncio.to_thread(inspect_backup, file)
        except BackupError as error:
            return self._backup_failed(error)
        self._backup_done("cli.restore_preview", info)
        if not yes:
            self.say("cli.restore_confirm", database=database)
            return OK
        try:
            _, saved = await asyncio.to_thread(restore_database, file, database)
        except BackupError as error:
            return self._backup_failed(error)
        except OSError:
            self.say("cli.file_unwritable", path=database)
            return FAILED
        self.say("cli.restore_done", database=database, saved=saved or "-")
        return OK

    async def sandbox(self, port: int, database: Path, browser: bool, trust: bool = False) -> int:
        """The real bot, offline, with the chat page on 127.0.0.1 (no token, no internet)."""
        if not 0 <= port <= 65535:
            self.say("cli.sandbox_bad_port", port=port)
            return USAGE
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)

        def opened(url: str) -> None:
            self.say("cli.sandbox_ready", url=url, db=database)
            if browser and _has_screen():
                # In a thread: a browser that takes its time must not hold up the bot.
                loop.run_in_executor(None, _open_browser, url)

        try:
            await Sandbox(database, port=port, trust=trust).run(stop, opened)
        except NotASandbox:
            self.say("cli.sandbox_real_roster", db=database)
            return USAGE
        except OSError as exc:
            self.say("cli.sandbox_failed", port=port, reason=exc.strerror or str(exc))
            return FAILED
        return OK

    async def with_store(self, action: Callable[[Store], Awaitable[int]]) -> int:
        try:
            store = await Store.open(self.settings.database_url)
        except DatabaseProblem as problem:
            return self.db_problem(problem)
        except (SQLAlchemyError, OSError) as exc:
            return self.db_failed(exc)
        try:
            return await action(store)
        finally:
            await store.close()

    async def roster_import(
        self, store: Store, file: Path, remove_missing: bool, dry_run: bool
    ) -> int:
        services = self.services(store)
        try:
            rows = read_rows(file)
        except SheetError as unreadable:
            return self.sheet_error(unreadable, file)
        outcome = await services.roster.import_table(
            rows, remove_missing=remove_missing, dry_run=dry_run
        )
        if outcome.summary is None:
            self.say("cli.import_errors", count=len(outcome.parsed.errors))
            for error in outcome.parsed.errors:
                self.say("cli.import_error_line", row=error.row, message=self.row_message(error))
            return FAILED
        for warning in outcome.parsed.warnings:
            self.say("cli.import_warning_line", row=warning.row, message=self.row_message(warning))
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
            names += self.c.plain("cli.import_more", more=len(summary.missing_names) - NAMES_SHOWN)
        if dry_run:
            self.say("cli.import_dry_ok", **counts)
            if remove_missing and summary.missing:
                self.say("cli.import_dry_removed", count=summary.missing, names=names)
            elif summary.missing:
                self.say("cli.import_missing", count=summary.missing, names=names)
            self.say("cli.import_dry_nothing_written")
            return OK
        self.say("cli.import_ok", **counts)
        if summary.removed:
            self.say("cli.import_removed", count=summary.removed, names=names)
        elif summary.missing:
            self.say("cli.import_missing", count=summary.missing, names=names)
        return OK

    def sheet_error(self, error: SheetError, file: Path) -> int:
        known: dict[str, object] = {"path": file, "reason": error.detail, **error.values}
        key = f"cli.{error.reason}"
        self.say(key, **{name: known[name] for name in self.c.params(key)})
        return FAILED

    def write(
        self, file: Path, rows: Sequence[Sequence[str]], notes: tuple[str, str] | None = None
    ) -> int | None:
        try:
            write_rows(file, header(self.c), rows, title=self.c.plain("sheet.roster"), notes=notes)
        except SheetError as error:
            return self.sheet_error(error, file)
        except OSError as exc:
            self.say("cli.file_unreadable", path=file, reason=exc.strerror or type(exc).__name__)
            return FAILED
        return None

    def template(self, file: Path) -> int:
        notes = (self.c.plain("template.guide_title"), self.c.plain("template.guide"))
        failed = self.write(file, example_rows(), notes)
        if failed is not None:
            return failed
        self.say("cli.template_written", path=file)
        return OK

    async def export(self, store: Store, file: Path) -> int:
        services = self.services(store)
        people = await services.roster.people()
        failed = self.write(file, [person_row(self.c, person) for person in people])
        if failed is not None:
            return failed
        self.say("cli.export_written", count=len(people), path=file)
        return OK

    async def invites(self, store: Store, out: Path, unit: str | None, renew: str | None) -> int:
        services = self.services(store)
        path = split_unit_path(unit) if unit else None
        try:
            batch = await services.roster.issue_invites(path, renew)
        except UnitNotFound:
            self.say("cli.unit_not_found", unit=unit)
            return FAILED
        except PersonNotFound:
            self.say("cli.person_not_found", code=renew)
            return FAILED
        username = await services.roster.bot_username()
        columns = [
            self.c.plain(f"invites.column.{name}")
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
        try:
            write_rows(out, columns, rows, title=self.c.plain("sheet.invites"))
        except (SheetError, OSError):
            self.say("cli.file_unwritable", path=out)
            return FAILED
        if username is None:
            self.say("cli.invites_no_username")
        self.say("cli.invites_written", created=batch.created, path=out, count=len(rows))
        return OK

    async def campaign_show(self, store: Store) -> int:
        services = self.services(store)
        campaign = await services.plans.campaign()
        if campaign is None:
            self.say("cli.campaign_none")
            return OK
        self.say(
            "cli.campaign_current",
            year=campaign.year,
            title=campaign.title,
            deadline=campaign.deadline.strftime("%d/%m/%Y"),
            place=campaign.place,
        )
        rules = campaign.schedule
        self.say(
            "cli.campaign_schedule",
            days=", ".join(str(d) for d in rules.deadline_days),
            remind_at=rules.remind_at.strftime("%H:%M"),
            quiet=f"{rules.quiet_start:%H:%M}-{rules.quiet_end:%H:%M}",
            meeting=", ".join(str(h) for h in rules.meeting_hours),
            digest_at=rules.digest_at.strftime("%H:%M"),
            daily=rules.daily_digest_days,
        )
        if rules.late_every_days:
            self.say("cli.campaign_late_on", every=rules.late_every_days, year=campaign.year)
        else:
            self.say("cli.campaign_late_off")
        return OK

    async def outbox(self, store: Store, failures: int) -> int:
        counts = await store.outbox.counts()
        self.say(
            "cli.outbox_counts",
            queued=counts.get("queued", 0),
            sending=counts.get("sending", 0),
            sent=counts.get("sent", 0),
            failed=counts.get("failed", 0),
            expired=counts.get("expired", 0),
        )
        for failure in await store.outbox.failures(max(failures, 0)):
            self.say_failure(failure)
        return OK

    async def broadcast_send(self, store: Store, args: argparse.Namespace) -> int:
        services = self.services(store)
        if args.file is not None:
            try:
                text = await asyncio.to_thread(Path(args.file).read_text, "utf-8")
            except (OSError, UnicodeDecodeError):
                self.say("cli.file_cannot_read", path=args.file)
                return FAILED
        else:
            text = args.message or ""
        attachment = None
        if args.attach is not None:
            try:
                data = await asyncio.to_thread(Path(args.attach).read_bytes)
                attachment = BroadcastFile.from_upload(Path(args.attach).name, data)
            except OSError:
                self.say("cli.file_cannot_read", path=args.attach)
                return FAILED
            except FileError as error:
                self.say(f"broadcast.error.{error.code}", detail=error.name)
                return USAGE
        at = None
        if args.at:
            at = parse_when(args.at, self.settings.tz)
            if at is None:
                self.say("cli.bad_date", value=args.at)
                return USAGE
        unit = args.unit or ""
        try:
            preview = await services.broadcasts.preview(text, args.to, unit, attachment, at)
            self.say(
                "cli.broadcast_preview",
                count=len(preview.people),
                not_linked=preview.not_linked,
                text=preview.text[:300],
            )
            if preview.repeat_of is not None and not args.again:
                first = preview.repeat_of.astimezone(self.settings.tz)
                self.say("cli.broadcast_repeat", when=first.strftime("%d/%m/%Y %H:%M"))
                return USAGE
            if not args.yes:
                self.say("cli.broadcast_confirm")
                return OK
            broadcast_id, _ = await services.broadcasts.send(
                text, args.to, unit, at, file=attachment, again=args.again
            )
        except BroadcastError as error:
            self.say(f"broadcast.error.{error.code}", detail=error.detail)
            return USAGE
        self.say("cli.broadcast_queued", id=broadcast_id, count=len(preview.people))
        return OK

    async def report(
        self, store: Store, out: Path, chart: Path | None = None, year: int | None = None
    ) -> int:
        services = self.services(store)
        if out.suffix.lower() != ".xlsx" or (chart is not None and chart.suffix.lower() != ".png"):
            self.say("cli.report_xlsx_only")
            return USAGE
        report = await services.digests.district(year=year)
        if report is None:
            if year is None:
                self.say("cli.campaign_none")
            else:
                self.say("cli.report_no_year", year=year)
            return FAILED
        try:
            await asyncio.to_thread(write_report, out, self.c, report)
        except OSError:
            self.say("cli.file_unwritable", path=out)
            return FAILED
        self.say("cli.report_written", path=out, units=len(report.rows), year=report.campaign.year)
        if chart is not None:
            picture = await asyncio.to_thread(chart_png, self.c, report.rows)
            if picture is None:
                self.say("cli.report_no_chart")
                return OK
            try:
                await asyncio.to_thread(write_private, chart, picture)
            except OSError:
                self.say("cli.file_unwritable", path=chart)
                return FAILED
            self.say("cli.report_chart_written", path=chart)
        return OK

    async def audit(self, store: Store, limit: int) -> int:
        services = self.services(store)
        entries = await services.audit.entries(max(limit, 1))
        if not entries:
            self.say("cli.audit_empty")
        for entry in entries:
            self.say("cli.audit_line", **audit_values(self.c, entry, self.settings.tz))
        return OK

    async def forget(self, store: Store, code: str, yes: bool) -> int:
        services = self.services(store)
        person = await services.audit.person(code)
        if person is None:
            self.say("cli.person_unknown", code=code)
            return FAILED
        if not yes:
            self.say("cli.forget_confirm", name=person.full_name, code=person.code)
            return OK
        unit = await services.audit.forget(code)
        if unit is None:
            self.say("cli.person_unknown", code=code)
            return FAILED
        self.say("cli.forgotten", code=code, unit=unit)
        return OK

    async def broadcast_status(self, store: Store, broadcast_id: int) -> int:
        services = self.services(store)
        found = await services.broadcasts.status(broadcast_id)
        if found is None:
            self.say("cli.broadcast_unknown", id=broadcast_id)
            return FAILED
        row, failures = found
        self.say(
            "cli.broadcast_status",
            id=row.id,
            audience=row.audience + (f" @ {row.unit_path}" if row.unit_path else ""),
            recipients=row.recipients,
            **row.progress(),
        )
        for failure in failures:
            self.say_failure(failure)
        return OK

    async def broadcast_cancel(self, store: Store, broadcast_id: int) -> int:
        services = self.services(store)
        withdrawn = await services.broadcasts.cancel(broadcast_id)
        if withdrawn is None:
            self.say("cli.broadcast_unknown", id=broadcast_id)
            return FAILED
        self.say("cli.broadcast_cancelled", id=broadcast_id, count=withdrawn)
        return OK

    async def campaign_set(
        self,
        store: Store,
        year: int,
        title: str,
        deadline: str,
        place: str,
        rules: Mapping[str, str | None] | None = None,
        force: bool = False,
    ) -> int:
        try:
            due = datetime.strptime(deadline.strip(), "%d/%m/%Y").date()
        except ValueError:
            self.say("cli.bad_date", value=deadline)
            return USAGE
        if not 2000 <= year <= 2100 or not title.strip() or not place.strip():
            self.say("cli.campaign_invalid")
            return USAGE
        if due.year != year and not force:
            # Most likely a typo (30/04/2002 for 2022): reminders would fire in the wrong year.
            self.say("cli.campaign_deadline_year", deadline=due.strftime("%d/%m/%Y"), year=year)
            return FAILED
        services = self.services(store)
        schedule = None
        given = {k: v for k, v in (rules or {}).items() if v is not None}
        if given:
            current = await services.plans.campaign()
            base = current.schedule if current and current.year == year else Schedule()
            try:
                schedule = schedule_with(base, given)
            except (ValidationError, RuleError) as exc:
                self.say("cli.bad_schedule", reason=rule_reasons(self.c, exc))
                return USAGE
        await services.plans.set_campaign(
            year=year, title=title.strip(), deadline=due, place=place.strip(), schedule=schedule
        )
        return await self.campaign_show(store)

    async def run(self) -> int:
        token = self.settings.telegram_bot_token
        if token is None or not token.get_secret_value().strip():
            self.say("cli.no_token")
            return USAGE
        if not self.settings.token_is_well_formed():
            self.say("cli.bad_token_format")
            return USAGE
        url = self.settings.database_url
        if self.settings.workers > 1 and url.startswith("sqlite") and sqlite_file(url) is None:
            self.say("cli.workers_need_file", workers=self.settings.workers)
            return USAGE
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, stop.set)
        database = sqlite_file(url) if url.startswith("sqlite") else None
        try:
            with serving_lock(database) if database else contextlib.nullcontext():
                await serve(self.settings, stop)
        except DatabaseInUse as exc:
            self.say("cli.database_in_use", path=exc.path)
            return FAILED
        except AnotherInstance:
            self.say("cli.another_instance")
            return FAILED
        except InvalidToken:
            self.say("cli.token_rejected")
            return FAILED
        except NetworkError as exc:
            self.say("cli.api_unreachable", url=self.settings.telegram_api_url, reason=str(exc))
            return FAILED
        except DatabaseProblem as problem:
            return self.db_problem(problem)
        except (SQLAlchemyError, OSError) as exc:
            return self.db_failed(exc)
        except WorkersFailed:
            self.say("cli.workers_failed")
            return FAILED
        return OK


async def _dispatch(args: argparse.Namespace, cli: Cli) -> int:
    if args.command == "run":
        return await cli.run()
    if args.command == "sandbox":
        return await cli.sandbox(args.port, args.db, not args.no_browser, args.i_know)
    if args.command == "backup":
        return await cli.backup(args.out)
    if args.command == "restore":
        return await cli.restore(args.file, args.yes)
    if args.command == "migrate":

        async def migrated(_: Store) -> int:
            cli.say("cli.migrated")
            return OK

        return await cli.with_store(migrated)
    if args.command == "invites":
        return await cli.with_store(
            lambda store: cli.invites(store, args.out, args.unit, args.renew)
        )
    if args.command == "broadcast":
        if args.broadcast_command == "send":
            return await cli.with_store(lambda store: cli.broadcast_send(store, args))
        if args.broadcast_command == "status":
            return await cli.with_store(lambda store: cli.broadcast_status(store, args.id))
        return await cli.with_store(lambda store: cli.broadcast_cancel(store, args.id))
    if args.command == "report":
        return await cli.with_store(
            lambda store: cli.report(store, args.out, args.chart, args.year)
        )
    if args.command == "audit":
        return await cli.with_store(lambda store: cli.audit(store, args.limit))
    if args.command == "person":
        return await cli.with_store(lambda store: cli.forget(store, args.code, args.yes))
    if args.command == "outbox":
        return await cli.with_store(lambda store: cli.outbox(store, args.failures))
    if args.command == "campaign":
        if args.campaign_command == "show":
            return await cli.with_store(cli.campaign_show)
        rules = {
            "reminders": args.reminders,
            "remind_at": args.remind_at,
            "quiet": args.quiet,
            "meeting": args.meeting_reminders,
            "digest_at": args.digest_at,
            "late": args.late_reminders,
        }
        return await cli.with_store(
            lambda store: cli.campaign_set(
                store, args.year, args.title, args.deadline, args.place, rules, args.force
            )
        )
    if args.roster_command == "template":
        return cli.template(args.file)
    if args.roster_command == "export":
        return await cli.with_store(lambda store: cli.export(store, args.file))
    return await cli.with_store(
        lambda store: cli.roster_import(store, args.file, args.remove_missing, args.dry_run)
    )


def main(
    argv: Sequence[str] | None = None, out: TextIO | None = None, clock: Clock | None = None
) -> int:
    """Entry point of ``chuyende`` and ``python -m bot``; returns the exit status.

    ``clock`` is the real one unless a test gives its own (what it queues is then due on it).
    """
    catalog = Catalog.load()
    args = parser(catalog).parse_args(argv)
    stream = out or sys.stdout
    try:
        settings = Settings()
    except ValidationError as exc:
        print(config_error(catalog, exc), file=stream)
        return USAGE
    secret = settings.telegram_bot_token.get_secret_value() if settings.telegram_bot_token else None
    setup_logging(settings.log_level, secret)
    try:
        return asyncio.run(_dispatch(args, Cli(catalog, settings, stream, clock)))
    except FormError as error:
        print(catalog.plain("cli.bad_form", reason=str(error)), file=stream)
        return USAGE
    except FormVersionConflict as error:
        print(catalog.plain("cli.form_version_conflict", forms=str(error)), file=stream)
        return USAGE
