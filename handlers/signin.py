"""Sign-in on Telegram: /start (with an optional invite code), a shared contact, a typed code."""

from __future__ import annotations

import logging

from telegram import BotCommand, BotCommandScopeChat, Update
from telegram.ext import ContextTypes

from bot.domain.menu import commands_for
from bot.domain.models import Channel, Person
from bot.domain.signin import Verdict
from bot.locales import Catalog
from bot.services.plans import PlanService
from bot.services.replies import Presenter
from bot.services.signin import SigninResult, SigninService
from handlers.render import answer

log = logging.getLogger(__name__)


class SigninHandlers:
    """Callbacks for signing in; dependencies are passed in, never looked up."""

    def __init__(
        self, signin: SigninService, presenter: Presenter, catalog: Catalog, plans: PlanService
    ) -> None:
        self._signin = signin
        self._plans = plans
        self._presenter = presenter
        self._catalog = catalog

    async def start(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Greet, sign in with a deep-link code, or show the menu to a linked person."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None:
            return
        if context.args:
            result = await self._signin.by_code(
                Channel.TELEGRAM, str(user.id), str(message.chat_id), context.args[0]
            )
            if result is not None:
                await self._finish(update, context, result)
                return
        person = await self._signin.welcome_back(Channel.TELEGRAM, str(user.id))
        if person is None or not person.active:
            await answer(message, self._presenter.welcome())
        else:
            await answer(message, self._presenter.menu(person))
            await self.set_commands(context, message.chat_id, person)  # roles may have changed

    async def contact(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Sign in with a shared contact (only the sender's own number counts)."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.contact is None:
            return
        contact = message.contact
        contact_user = str(contact.user_id) if contact.user_id is not None else None
        result = await self._signin.by_contact(
            Channel.TELEGRAM, str(user.id), str(message.chat_id), contact_user, contact.phone_number
        )
        await self._finish(update, context, result)

    async def code(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, person: Person | None
    ) -> bool:
        """Try typed text as an invite code from someone not signed in; True when handled."""
        message, user = update.effective_message, update.effective_user
        if message is None or user is None or message.text is None:
            return False
        if person is not None and person.active:
            return False
        result = await self._signin.by_code(
            Channel.TELEGRAM, str(user.id), str(message.chat_id), message.text
        )
        if result is None:
            return False
        await self._finish(update, context, result)
        return True

    async def _finish(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, result: SigninResult
    ) -> None:
        message = update.effective_message
        if message is None:
            return
        person = result.decision.person
        signed_in = result.decision.verdict in (Verdict.LINK, Verdict.ALREADY_LINKED)
        duty = await self._plans.duty(person) if signed_in and person is not None else None
        await answer(message, self._presenter.signin(result, duty))
        if result.linked and person is not None:
            log.info("linked person %s to a Telegram account", person.id)
            await self.set_commands(context, message.chat_id, person)

    async def set_commands(
        self, context: ContextTypes.DEFAULT_TYPE, chat_id: int, person: Person
    ) -> None:
        """Show this person's own command list in their chat."""
        commands = [
            BotCommand(cmd.value, self._catalog.plain(f"menu.{cmd.value}"))
            for cmd in commands_for(person)
        ]
        await context.bot.set_my_commands(commands, scope=BotCommandScopeChat(chat_id))
