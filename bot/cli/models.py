"""chuyende models list | approve | return: the exemplary models' nominations, reviewed at the
server as the admin reviews them in the chat (audited as the command line's, the nominator told
through the outbox)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from bot.cli.context import FAILED, OK, USAGE, Cli, Commands, command, json_option
from bot.domain.exemplars import ModelStatus
from bot.domain.pending import ModelReturn
from storage.store import Store

STATUSES = {"all": None, **{status.value: status for status in ModelStatus}}


def add(commands: Commands, t: Callable[..., str]) -> None:
    """Register this group's sub-commands."""
    models = command(commands, "models", "cli.models.help", t)
    actions = models.add_subparsers(
        dest="models_command", required=True, metavar=t("cli.metavar_action")
    )
    listing = command(actions, "list", "cli.models.list_help", t)
    listing.add_argument(
        "--status", choices=tuple(STATUSES), default="all", help=t("cli.models.status")
    )
    listing.add_argument("--year", type=int, help=t("cli.models.year"))
    json_option(listing, t, "cli.models.json")
    listing.set_defaults(func=_list)
    approving = command(actions, "approve", "cli.models.approve_help", t)
    approving.add_argument("id", type=int, metavar="ID")
    approving.set_defaults(func=_approve)
    returning = command(actions, "return", "cli.models.return_help", t)
    returning.add_argument("id", type=int, metavar="ID")
    returning.add_argument("--comment", required=True, help=t("cli.models.comment"))
    returning.set_defaults(func=_return)


async def _list(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: models_list(cli, store, args))


async def models_list(cli: Cli, store: Store, args: argparse.Namespace) -> int:
    services = cli.services(store)
    found = await services.models.listing(STATUSES[args.status], args.year)
    tz = cli.settings.tz
    if args.json:
        cli.json(
            [
                {
                    "id": m.id,
                    "status": m.status.value,
                    "year": m.year,
                    "unit": m.unit_path,
                    "who": m.who,
                    "deed": m.deed,
                    "result": m.result,
                    "comment": m.comment,
                    "nominated_by": m.nominated_by,
                    "nominated_at": m.nominated_at.astimezone(tz).isoformat(),
                }
                for m in found
            ]
        )
        return OK
    if not found:
        cli.say("cli.models.empty")
        return OK
    t = cli.c.plain
    headers = [t(f"cli.models.col_{name}") for name in ("id", "status", "year", "unit", "who")]
    headers.append(t("cli.models.col_nominated"))
    cli.table(
        headers,
        [
            [
                m.id,
                t(f"models.status.{m.status.value}"),
                m.year,
                m.unit_path.rsplit(" / ", 1)[-1],
                m.who,
                m.nominated_at.astimezone(tz).strftime("%d/%m/%Y"),
            ]
            for m in found
        ],
        numbers=(0, 2),
        title=t("cli.models.table_title"),
    )
    return OK


async def _approve(cli: Cli, args: argparse.Namespace) -> int:
    return await cli.with_store(lambda store: models_approve(cli, store, args.id))


async def models_approve(cli: Cli, store: Store, model_id: int) -> int:
    approved = await cli.services(store).models.approve(None, model_id)
    if approved is None:
        cli.say("cli.models.not_waiting", id=model_id)
        return FAILED
    cli.say("cli.models.approved", id=model_id, who=approved.who)
    return OK


async def _return(cli: Cli, args: argparse.Namespace) -> int:
    if not " ".join(args.comment.split()):
        cli.say("cli.models.need_comment")
        return USAGE
    return await cli.with_store(lambda store: models_return(cli, store, args.id, args.comment))


async def models_return(cli: Cli, store: Store, model_id: int, comment: str) -> int:
    returned = await cli.services(store).models.returned(None, ModelReturn(model_id), comment)
    if returned is None:
        cli.say("cli.models.not_waiting", id=model_id)
        return FAILED
    cli.say("cli.models.returned", id=model_id, who=returned.who)
    return OK
