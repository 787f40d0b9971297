"""The command line's own words in the catalog: argparse's, the settings' errors, the log's.

argparse writes its words through ``gettext`` with its English messages as the message ids.
Rather than patch argparse's module-wide ``_`` (state shared with every other parser in the
process), our parser subclass supplies each word where argparse lets a subclass do so: the
usage prefix (the formatter), the group titles, its own ``-h`` (``add_help=False``), and
``error()``, which receives argparse's finished English message and says it in Vietnamese by
matching it against those same message ids (``ARGPARSE_MESSAGES``). A message not listed (a
future Python's new wording) is still printed, inside a Vietnamese sentence.
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Mapping
from datetime import tzinfo
from typing import Any, NoReturn

from pydantic import ValidationError

from bot.domain.audit import AuditAction, AuditEntry, read_detail
from bot.domain.outbox import Failure
from bot.locales import Catalog
from bot.services.audit import COMMAND_LINE

SECRET_SETTINGS = ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")  # their values are never printed


def _pattern(msgid: str) -> re.Pattern[str]:
    """A regular expression matching what argparse prints for ``msgid`` (its gettext id)."""
    parts = re.split(r"(%\((\w+)\)[sr]|%[sr])", msgid)
    regex, names = "", iter(parts)
    for literal in names:
        regex += re.escape(literal)
        whole, name = next(names, None), next(names, None)
        if whole is not None:
            regex += f"(?P<{name or 'value'}>.+?)"
    return re.compile(f"^{regex}$", re.S)


# argparse's message ids (Python 3.11-3.13) -> our catalog key under cli.parse.
ARGPARSE_MESSAGES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (_pattern(msgid), key)
    for msgid, key in (
        ("the following arguments are required: %s", "required"),
        ("unrecognized arguments: %s", "unrecognized"),
        ("one of the arguments %s is required", "one_required"),
        ("ambiguous option: %(option)s could match %(matches)s", "ambiguous"),
        ("invalid choice: %(value)r (choose from %(choices)s)", "invalid_choice"),
        ("invalid %(type)s value: %(value)r", "invalid_value"),
        ("expected one argument", "expected_one"),
        ("expected at most one argument", "expected_at_most_one"),
        ("expected at least one argument", "expected_at_least_one"),
        ("expected %(count)s argument", "expected_count"),  # ngettext's "expected %s argument"
        ("expected %(count)s arguments", "expected_count"),
        ("not allowed with argument %s", "not_allowed_with"),
        ("ignored explicit argument %r", "ignored_value"),
    )
)
_ARGUMENT = _pattern("argument %(argument)s: %(message)s")


def _unquote(text: str) -> str:
    """``'abc'`` (a repr argparse printed) -> ``abc``; anything else as it is."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    return value if isinstance(value, str) else text


def parse_message(catalog: Catalog, message: str) -> str:
    """argparse's English error ``message`` said in Vietnamese."""
    t = catalog.plain
    argument = _ARGUMENT.match(message)
    if argument is not None:
        inner = parse_message(catalog, argument["message"])
        return t("cli.parse.argument", argument=argument["argument"], message=inner)
    for pattern, key in ARGPARSE_MESSAGES:
        found = pattern.match(message)
        if found is None:
            continue
        values = {name: _unquote(value) for name, value in found.groupdict().items()}
        if key == "invalid_choice":
            values["choices"] = ", ".join(_unquote(c.strip()) for c in values["choices"].split(","))
        if key == "invalid_value":
            kind = f"cli.parse.type.{values.pop('type')}"
            if not catalog.has(kind):
                return t("cli.parse.invalid_value_any", value=values["value"])
            values["type"] = t(kind)
        return t(f"cli.parse.{key}", **values)
    return t("cli.parse.other", message=message)


def parser_class(catalog: Catalog) -> type[argparse.ArgumentParser]:
    """argparse whose every word comes from the catalog (see the module's docstring)."""
    t = catalog.plain

    class Formatter(argparse.HelpFormatter):
        def add_usage(
            self,
            usage: str | None,
            actions: Iterable[argparse.Action],
            groups: Iterable[argparse._MutuallyExclusiveGroup],
            prefix: str | None = None,
        ) -> None:
            super().add_usage(usage, actions, groups, t("cli.usage") if prefix is None else prefix)

    class Parser(argparse.ArgumentParser):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs["add_help"] = False
            kwargs.setdefault("formatter_class", Formatter)
            kwargs.setdefault("epilog", t("cli.exit_codes"))  # the same statuses everywhere
            super().__init__(*args, **kwargs)
            self._positionals.title = t("cli.positionals")
            self._optionals.title = t("cli.optionals")
            self.add_argument("-h", "--help", action="help", help=t("cli.help_help"))

        def error(self, message: str) -> NoReturn:
            """Print the usage and argparse's complaint in Vietnamese; exit with status 2."""
            self.print_usage(sys.stderr)
            said = t("cli.parse.error", prog=self.prog, message=parse_message(catalog, message))
            self.exit(2, f"{said}\n")

    return Parser


def config_error(catalog: Catalog, error: ValidationError) -> str:
    """One line naming each wrong variable and what is wrong with it, in Vietnamese."""
    reasons = []
    for problem in error.errors():
        variable = ".".join(str(part) for part in problem["loc"]).upper()
        context = {name: _number(value) for name, value in (problem.get("ctx") or {}).items()}
        key = f"cli.config_error.{problem['type']}"
        if not catalog.has(key):
            key = "cli.config_error.other"
        shown = "***" if variable in SECRET_SETTINGS else str(problem.get("input", ""))
        available = {"limit": next(iter(context.values()), ""), "value": shown, **context}
        values = {name: available.get(name, "") for name in catalog.params(key)}
        reason = catalog.plain(key, **values)
        reasons.append(catalog.plain("cli.config_reason", variable=variable, reason=reason))
    return catalog.plain("cli.bad_config", reason="; ".join(reasons))


def _number(value: object) -> object:
    """30.0 -> 30 (pydantic's limits are floats for float fields)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


class RuleError(ValueError):
    """A reminder rule typed on the command line cannot be read (``code``: cli.rule_error)."""

    def __init__(self, code: str, option: str, value: str) -> None:
        super().__init__(f"{option}: {value!r}")
        self.code = code
        self.option = option
        self.value = value


_RULE_OPTIONS = {
    "deadline_days": "--reminders",
    "meeting_hours": "--meeting-reminders",
    "remind_at": "--remind-at",
    "digest_at": "--digest-at",
    "quiet_start": "--quiet",
    "quiet_end": "--quiet",
    "late_every_days": "--late-reminders",
    "midyear": "--midyear",
    "year_review": "--year-review",
}


def rule_reasons(catalog: Catalog, error: RuleError | ValidationError) -> str:
    """What is wrong with the reminder rules, naming the option, in Vietnamese."""
    problems: list[tuple[str, str, object, Mapping[str, object]]]
    if isinstance(error, RuleError):
        problems = [(error.option, error.code, error.value, {})]
    else:
        problems = [
            (
                _RULE_OPTIONS.get(str(problem["loc"][0]), str(problem["loc"][0])),
                problem["type"],
                problem.get("input", ""),
                problem.get("ctx") or {},
            )
            for problem in error.errors()
        ]
    reasons = []
    for option, code, value, context in problems:
        key = f"cli.rule_error.{code}"
        if not catalog.has(key):
            key = "cli.rule_error.other"
        shown = ",".join(map(str, value)) if isinstance(value, tuple) else str(value)
        available = {"value": shown, **{k: _number(v) for k, v in context.items()}}
        reason = catalog.plain(key, **{name: available[name] for name in catalog.params(key)})
        reasons.append(catalog.plain("cli.config_reason", variable=option, reason=reason))
    return "; ".join(reasons)


def audit_values(catalog: Catalog, entry: AuditEntry, tz: tzinfo) -> dict[str, str]:
    """The fields of ``cli.audit_line`` for one entry, in words."""
    t = catalog.plain
    kind, sep, number = entry.target.partition(":")
    target = entry.target
    if sep and number.isdigit() and catalog.has(f"cli.audit_target.{kind}"):
        target = t(f"cli.audit_target.{kind}", id=number)
    elif entry.target in ("district", "all"):
        target = t("cli.audit_target.everyone")
    return {
        "at": entry.at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
        "actor": t("cli.audit_actor_command_line") if entry.actor == COMMAND_LINE else entry.actor,
        "action": t(f"cli.audit_action.{entry.action.value}"),
        "target": target,
        "detail": _audit_detail(catalog, entry),
    }


def _audit_detail(catalog: Catalog, entry: AuditEntry) -> str:
    t = catalog.plain
    detail = entry.detail
    if entry.action is AuditAction.FORGET:
        found = read_detail(detail)
        category, plan = found.get("category", ""), found.get("plan", "")
        if catalog.has(f"label.category.{category}") and found.get("exempt") in ("True", "False"):
            return t(
                "cli.audit_forgotten",
                category=t(f"label.category.{category}"),
                exempt=t("cli.word_yes" if found["exempt"] == "True" else "cli.word_no"),
                plan=t(f"plan.status.{plan}")
                if catalog.has(f"plan.status.{plan}")
                else t("cli.audit_no_plan"),
            )
    if entry.action is AuditAction.BROADCAST:
        audience, sep, count = detail.rpartition("; ")
        if sep and count.isdigit():
            return t("cli.audit_broadcast", audience=audience, count=count)
    if entry.action is AuditAction.EXPORT:  # an earlier year's export: "N; year"
        count, sep, year = detail.partition("; ")
        if sep and count.isdigit() and year.isdigit():
            return t("years.cli.audit_exported", count=count, year=year)
    counted = {
        AuditAction.BROADCAST_CANCEL: "cli.audit_cancelled",
        AuditAction.EXPORT: "cli.audit_exported",
    }
    if entry.action in counted and detail.isdigit():
        return t(counted[entry.action], count=detail)
    return detail


def failure_values(catalog: Catalog, failure: Failure, tz: tzinfo) -> Mapping[str, str]:
    """The fields of ``cli.outbox_failure`` for one undelivered message, in words."""
    t = catalog.plain
    kind, rest = failure.reason()
    status = f"cli.outbox_state.{failure.status}"
    return {
        "row": failure.key,
        "status": t(status) if catalog.has(status) else failure.status,
        "error": _reason(catalog, kind, rest, t(f"cli.channel_name.{failure.channel.value}")),
        "at": failure.at.astimezone(tz).strftime("%d/%m/%Y %H:%M"),
    }


def _reason(catalog: Catalog, kind: str, rest: str, channel: str) -> str:
    key = f"cli.outbox_reason.{kind}"
    if not catalog.has(key):
        return rest or "-"
    given = {"detail": rest, "channel": channel}
    return catalog.plain(key, **{name: given[name] for name in catalog.params(key) & set(given)})
