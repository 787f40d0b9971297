"""Every Telegram route in one visible list; the order is the order PTB tries them."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from bot.domain.callbacks import Route
from bot.domain.menu import Command
from bot.services.replies import Presenter
from handlers.composer import ComposerHandlers
from handlers.desk import DeskHandlers
from handlers.meetings import MeetingHandlers
from handlers.menu import MenuHandlers
from handlers.plan import PlanHandlers
from handlers.render import send
from handlers.signin import SigninHandlers

log = logging.getLogger(__name__)

# Only new messages in private chats: edits, channel posts and group chats are ignored.
PRIVATE = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE


def routes(
    signin: SigninHandlers,
    menu: MenuHandlers,
    plan: PlanHandlers,
    meetings: MeetingHandlers,
    desk: DeskHandlers,
    composer: ComposerHandlers,
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    """The handlers of group 0, most specific first.

    1. /start before anything: it signs in (deep-link code) or shows the menu.
    2. A shared contact.
    3. Known commands, then any other command (so ``/xyz`` is not taken as text).
    4. Text: an invite code, a menu button, or the menu again.
    5. Anything else in a private chat (photo, sticker, voice, file): ask for text.
    6. Plan (``p:``), calendar (``m:``), filling for someone (``r:px``, ``r:pf``), desk (``r:``),
       broadcast (``b:``) and unit (``u:``) buttons, then any unknown button.
    """
    return [
        CommandHandler(Command.START.value, signin.start, filters=PRIVATE),
        MessageHandler(PRIVATE & filters.CONTACT, signin.contact),
        CommandHandler(Command.PLAN.value, menu.plan, filters=PRIVATE),
        CommandHandler(Command.CANCEL.value, menu.cancel, filters=PRIVATE),
        CommandHandler(Command.HELP.value, menu.help, filters=PRIVATE),
        CommandHandler(Command.ME.value, menu.me, filters=PRIVATE),
        CommandHandler(Command.UNIT.value, menu.unit, filters=PRIVATE),
        CommandHandler(Command.STATS.value, menu.stats, filters=PRIVATE),
        CommandHandler(Command.MEETINGS.value, menu.meetings, filters=PRIVATE),
        CommandHandler(Command.REPORT.value, menu.report, filters=PRIVATE),
        CommandHandler(Command.REVIEW.value, menu.review, filters=PRIVATE),
        CommandHandler(Command.BROADCAST.value, menu.broadcast, filters=PRIVATE),
        MessageHandler(PRIVATE & filters.COMMAND, menu.unknown_command),
        MessageHandler(PRIVATE & filters.TEXT, menu.text),
        MessageHandler(PRIVATE, menu.not_text),
        CallbackQueryHandler(plan.press, pattern=Route.PLAN),
        CallbackQueryHandler(meetings.press, pattern=Route.MEETING),
        CallbackQueryHandler(plan.proxy_press, pattern=Route.PROXY),
        CallbackQueryHandler(desk.press, pattern=Route.DESK),
        CallbackQueryHandler(composer.press, pattern=Route.BROADCAST),
        CallbackQueryHandler(menu.unit_button, pattern=Route.INVITES),
        CallbackQueryHandler(meetings.district, pattern=Route.REPORT),
        CallbackQueryHandler(menu.stale_button),
    ]


def error_handler(
    presenter: Presenter,
) -> Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    """Log an unexpected error and tell the person, without exposing details."""

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        log.error("error while handling an update", exc_info=context.error)
        if isinstance(update, Update) and update.effective_chat is not None:
            try:
                await send(context.bot, update.effective_chat.id, presenter.bare("common.error"))
            except Exception:  # the error may be that Telegram is unreachable
                log.warning("could not tell the user about the error", exc_info=True)

    return on_error
