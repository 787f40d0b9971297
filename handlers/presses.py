"""The common start of every inline-button handler: who pressed, and what their press says."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from telegram import Update

from bot.domain.models import Channel, Person
from bot.services.replies import Presenter
from bot.services.signin import SigninService
from handlers.render import acknowledge

Parsed = TypeVar("Parsed")


async def pressed(
    update: Update,
    signin: SigninService,
    presenter: Presenter,
    parse: Callable[[str], Parsed | None],
) -> tuple[Person, Parsed] | None:
    """The signed-in presser and the parsed callback data; the query is answered either way.

    A malformed press, or one from someone not (or no longer) signed in, gets the "stale button"
    toast and None.
    """
    query, user = update.callback_query, update.effective_user
    if query is None or user is None:
        return None
    parsed = parse(query.data or "")
    person = await signin.whoami(Channel.TELEGRAM, str(user.id))
    if parsed is None or person is None or not person.active:
        await acknowledge(query, presenter.plain("common.stale_button"))
        return None
    await acknowledge(query)
    return person, parsed
