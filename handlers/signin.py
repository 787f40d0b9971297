"""The sign-in router: /start (with an optional invite code), a shared contact, a typed code."""

from __future__ import annotations

import logging

from bot.domain.models import Person
from bot.domain.signin import Verdict
from bot.services.plans import PlanService
from bot.services.replies import Presenter
from bot.services.signin import SigninResult, SigninService
from handlers.inbound import Inbound, Turn

log = logging.getLogger(__name__)


class SigninRouter:
    """Signing in; dependencies are passed in, never looked up."""

    def __init__(self, signin: SigninService, presenter: Presenter, plans: PlanService) -> None:
        self._signin = signin
        self._plans = plans
        self._presenter = presenter

    async def start(self, inbound: Inbound, turn: Turn) -> None:
        """Greet, sign in with a deep-link code, or show the menu to a linked person."""
        if inbound.args:
            result = await self._signin.by_code(
                inbound.channel, inbound.user_id, inbound.chat_id, inbound.args[0]
            )
            if result is not None:
                await self._finish(turn, result)
                return
        person = await self._signin.welcome_back(inbound.channel, inbound.user_id)
        if person is None or not person.active:
            await turn.reply(self._presenter.welcome(turn.capabilities.contact_sharing))
        else:
            await turn.reply(self._presenter.menu(person))
            await turn.commands(person)  # roles may have changed

    async def link_code(self, turn: Turn, person: Person) -> None:
        """/lienket: a one-time code to sign in with on the person's other channel."""
        made = await self._signin.link_code(person)
        if made is None:
            await turn.reply(self._presenter.simple("common.no_right", person))
            return
        await turn.reply(self._presenter.link_code(person, *made))

    async def contact(self, inbound: Inbound, turn: Turn) -> None:
        """Sign in with a shared contact (only the sender's own number counts)."""
        if inbound.contact is None:
            return
        result = await self._signin.by_contact(
            inbound.channel,
            inbound.user_id,
            inbound.chat_id,
            inbound.contact.user_id,
            inbound.contact.phone,
        )
        await self._finish(turn, result)

    async def code(self, inbound: Inbound, turn: Turn, person: Person | None) -> bool:
        """Try typed text as an invite code from someone not signed in; True when handled."""
        if person is not None and person.active:
            return False
        result = await self._signin.by_code(
            inbound.channel, inbound.user_id, inbound.chat_id, inbound.text
        )
        if result is None:
            return False
        await self._finish(turn, result)
        return True

    async def _finish(self, turn: Turn, result: SigninResult) -> None:
        person = result.decision.person
        signed_in = result.decision.verdict in (Verdict.LINK, Verdict.ALREADY_LINKED)
        duty = await self._plans.duty(person) if signed_in and person is not None else None
        await turn.reply(self._presenter.signin(result, duty))
        if result.linked and person is not None:
            log.info("linked person %s to an account", person.id)
            await turn.commands(person)
