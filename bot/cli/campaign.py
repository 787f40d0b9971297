"""chuyende campaign show | set: the year's campaign and its reminder rules."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from datetime import datetime

from pydantic import ValidationError

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command, json_option
from bot.cli.text import RuleError, rule_reasons
from bot.domain.plans import Campaign
from bot.domain.schedule import Schedule
from storage.store import Store


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    campaign = command(commands, "campaign", "cli.campaign_help", t)
    campaign_commands = campaign.add_subparsers(
        dest="campaign_command", required=True, metavar=t("cli.metavar_action")
    )
    show = command(campaign_commands, "show", "cli.campaign_show_help", t)
    json_option(show, t, "cli.campaign_json")
    show.set_defaults(func=_show)
    setting = command(campaign_commands, "set", "cli.campaign_set_help", t)
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
    setting.add_argument("--midyear", metavar="dd/mm", help=t("progress.cli.midyear"))
    setting.add_argument("--year-review", metavar="dd/mm", help=t("progress.cli.year_review"))
    setting.add_argument("--midyear-check", metavar="on|off", help=t("midyear.cli.check"))
    setting.add_argument("--force", action="store_true", help=t("cli.campaign_force"))
    setting.set_defaults(func=_set)


async def _show(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: campaign_show(cli, store, args.json))


async def _set(cli: Cli, args: argparse.Namespace) -> int:
    rules = {
        "reminders": args.reminders,
        "remind_at": args.remind_at,
        "quiet": args.quiet,
        "meeting": args.meeting_reminders,
        "digest_at": args.digest_at,
        "late": args.late_reminders,
        "midyear": args.midyear,
        "year_review": args.year_review,
        "midyear_check": args.midyear_check,
    }
    return await cli.with_store(
        lambda store: campaign_set(
            cli, store, args.year, args.title, args.deadline, args.place, rules, args.force
        )
    )


def _numbers(text: str, option: str) -> tuple[int, ...]:
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise RuleError("numbers", option, text) from None


def _on_off(text: str, option: str) -> bool:
    value = text.strip().lower()
    if value in ("on", "1", "yes"):
        return True
    if value in ("off", "0", "no", ""):
        return False
    raise RuleError("on_off", option, text)


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
    for name in ("midyear", "year_review"):  # the progress prompts' days; "" turns one off
        if name in given:
            changes[name] = given[name].strip()
    if "midyear_check" in given:
        changes["midyear_check"] = _on_off(given["midyear_check"], "--midyear-check")
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


async def campaign_show(cli: Cli, store: Store, as_json: bool = False) -> int:
    services = cli.services(store)
    campaign = await services.plans.campaign()
    if as_json:
        cli.json(None if campaign is None else campaign_document(campaign))
        return OK
    if campaign is None:
        cli.say("cli.campaign_none")
        return OK
    if cli.terminal:
        show_campaign(cli, campaign)
        return OK
    cli.say(
        "cli.campaign_current",
        year=campaign.year,
        title=campaign.title,
        deadline=campaign.deadline.strftime("%d/%m/%Y"),
        place=campaign.place,
    )
    rules = campaign.schedule
    none = cli.c.plain("cli.campaign_no_reminder")  # `--reminders ""` keeps no reminder at all
    days = ", ".join(str(d) for d in rules.deadline_days)
    hours = ", ".join(str(h) for h in rules.meeting_hours)
    remind_at = rules.remind_at.strftime("%H:%M")
    cli.say(
        "cli.campaign_schedule",
        deadline=cli.c.plain("cli.campaign_deadline_days", days=days, remind_at=remind_at)
        if days
        else none,
        quiet=f"{rules.quiet_start:%H:%M}-{rules.quiet_end:%H:%M}",
        meeting=cli.c.plain("cli.campaign_meeting_hours", hours=hours) if hours else none,
        digest_at=rules.digest_at.strftime("%H:%M"),
        daily=rules.daily_digest_days,
    )
    if rules.late_every_days:
        cli.say("cli.campaign_late_on", every=rules.late_every_days, year=campaign.year)
    else:
        cli.say("cli.campaign_late_off")
    cli.say("midyear.cli.shown_on" if rules.midyear_check else "midyear.cli.shown_off")
    return OK


async def campaign_set(
    cli: Cli,
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
        cli.say("cli.bad_date", value=deadline)
        return USAGE
    if not 2000 <= year <= 2100 or not title.strip() or not place.strip():
        cli.say("cli.campaign_invalid")
        return USAGE
    if due.year != year and not force:
        # Most likely a typo (30/04/2002 for 2022): reminders would fire in the wrong year.
        cli.say("cli.campaign_deadline_year", deadline=due.strftime("%d/%m/%Y"), year=year)
        return FAILED
    services = cli.services(store)
    schedule = None
    given = {k: v for k, v in (rules or {}).items() if v is not None}
    if given:
        current = await services.plans.campaign()
        base = current.schedule if current and current.year == year else Schedule()
        try:
            schedule = schedule_with(base, given)
        except (ValidationError, RuleError) as exc:
            cli.say("cli.bad_schedule", reason=rule_reasons(cli.c, exc))
            return USAGE
    await services.plans.set_campaign(
        year=year, title=title.strip(), deadline=due, place=place.strip(), schedule=schedule
    )
    return await campaign_show(cli, store)


def campaign_document(campaign: Campaign) -> dict[str, object]:
    """What ``campaign show --json`` prints."""
    rules = campaign.schedule
    return {
        "year": campaign.year,
        "title": campaign.title,
        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
        "place": campaign.place,
        "reminder_days": list(rules.deadline_days),
        "remind_at": rules.remind_at.strftime("%H:%M"),
        "quiet": f"{rules.quiet_start:%H:%M}-{rules.quiet_end:%H:%M}",
        "meeting_hours": list(rules.meeting_hours),
        "digest_at": rules.digest_at.strftime("%H:%M"),
        "daily_digest_days": rules.daily_digest_days,
        "late_every_days": rules.late_every_days,
        "midyear": rules.midyear,
        "year_review": rules.year_review,
        "midyear_check": rules.midyear_check,
    }


def show_campaign(cli: Cli, campaign: Campaign) -> None:
    """The campaign and its rules as a two-column table."""
    t = cli.c.plain
    found = campaign_document(campaign)
    none = t("cli.campaign_no_reminder")
    days = ", ".join(str(d) for d in campaign.schedule.deadline_days)
    hours = ", ".join(str(h) for h in campaign.schedule.meeting_hours)
    values = {
        "year": str(campaign.year),
        "title": campaign.title,
        "deadline": str(found["deadline"]),
        "place": campaign.place,
        "reminders": t("cli.campaign_deadline_days", days=days, remind_at=found["remind_at"])
        if days
        else none,
        "quiet": str(found["quiet"]),
        "meeting": t("cli.campaign_meeting_hours", hours=hours) if hours else none,
        "digest_at": str(found["digest_at"]),
        "daily": str(campaign.schedule.daily_digest_days),
        "late": t("cli.campaign_late_every", every=campaign.schedule.late_every_days)
        if campaign.schedule.late_every_days
        else none,
    }
    cli.table(
        [t("cli.campaign_column.what"), t("cli.campaign_column.value")],
        [[t(f"cli.campaign_row.{name}"), value] for name, value in values.items()],
        title=t("cli.campaign_title_table"),
    )
