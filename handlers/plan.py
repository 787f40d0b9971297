"""The plan conversation on Telegram: open, typed answers, button presses, /huy, documents."""

from __future__ import annotations

from dataclasses import replace

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.callbacks import number, parse_desk, parse_plan
from bot.domain.models import Channel, Person
from bot.services.plan_view import PlanPresenter
from bot.services.plans import Current, PlanScreen, PlanService, Visit
from bot.services.proxy import ProxyService
from bot.services.replies import Presenter
from bot.services.signin import SigninService
from handlers.presses import pressed
from handlers.render import acknowledge, answer, send


class PlanHandlers:
    """Each callback looks the presser up and acts only on their own plan, or on the plan of the
    person they are filling for (re-checked at every update by the proxy service)."""

    def __init__(
        self,
        plans: PlanService,
        view: PlanPresenter,
        presenter: Presenter,
        proxy: ProxyService,
        signin: SigninService,
    ) -> None:
        self._plans = plans
        self._view = view
        self._presenter = presenter
        self._proxy = proxy
        self._signin = signin

    async def _show(self, update: Update, screen: PlanScreen, actor: Person | None = None) -> None:
        chat = update.effective_chat
        if chat is not None:
            shown = replace(screen, actor=actor) if actor is not None else screen
            await send(update.get_bot(), chat.id, self._view.render(shown))

    async def _filling_for(self, person: Person) -> Person | None:
        """The person whose plan ``person`` is typing, when filling by proxy."""
        return await self._proxy.current(person) if self._proxy.may_use(person) else None

    async def open(self, update: Update, person: Person) -> None:
        """Start or resume the member's own plan (ending any filling for someone else)."""
        if self._proxy.may_use(person):
            await self._proxy.stop(person)
        await self._show(update, await self._plans.open(person))

    async def pause(self, update: Update, person: Person) -> None:
        """/huy: keep the draft and leave the form (or stop filling for someone)."""
        message = update.effective_message
        if message is None:
            return
        if self._proxy.may_use(person) and await self._proxy.stop(person):
            await answer(message, self._presenter.simple("plan.proxy_stopped", person))
        elif await self._plans.pause(person):
            await answer(message, self._presenter.with_menu(self._view.paused_text(), person))
        else:
            await answer(message, self._presenter.menu(person))

    async def visit(self, update: Update) -> Visit:
        """The sender, the open campaign and their plan, read in one go."""
        user = update.effective_user
        if user is None:
            return Visit(None, (None, None))
        return await self._plans.visit(Channel.TELEGRAM, str(user.id))

    async def text(
        self, update: Update, person: Person, text: str, known: Current | None = None
    ) -> bool:
        """A typed answer while the form is open; False when the member is not in a form."""
        member = await self._filling_for(person)
        message = update.effective_message
        source = f"{message.chat_id}:{message.message_id}" if message is not None else ""
        if member is not None:
            screen = await self._plans.text(member, text, actor=person, source=source)
        else:
            screen = await self._plans.text(person, text, known, source=source)
        if screen is None:
            return False
        await self._show(update, screen, person if member is not None else None)
        return True

    async def not_text(self, update: Update, person: Person) -> bool:
        """A photo, sticker or file while in the form: ask again; False when not in a form."""
        member = await self._filling_for(person)
        screen = await self._plans.not_text(member or person)
        if screen is None:
            return False
        await self._show(update, screen, person if member is not None else None)
        return True

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A plan button: re-checked against the presser's own plan and its current step."""
        query, user = update.callback_query, update.effective_user
        if query is None or user is None:
            return
        press = parse_plan(query.data or "")
        visit = await self._plans.visit(Channel.TELEGRAM, str(user.id))
        person = visit.person
        if press is None or person is None or not person.active:
            await acknowledge(query, self._presenter.plain("common.stale_button"))
            chat = update.effective_chat
            if chat is not None:
                reply = (
                    self._presenter.menu(person)
                    if person and person.active
                    else self._presenter.need_signin()
                )
                await send(context.bot, chat.id, reply)
            return
        if press.owner is None:  # the presser's own plan
            await acknowledge(query)
            screen = await self._plans.act(person, press.rev, press.code, press.arg, visit.current)
            await self._show(update, screen)
            return
        member = await self._filling_for(person)
        if member is None or member.id != press.owner:  # that proxy session is over
            await acknowledge(query, self._presenter.plain("common.stale_button"))
            chat = update.effective_chat
            if chat is not None:
                await send(context.bot, chat.id, self._presenter.simple("plan.proxy_over", person))
            return
        await acknowledge(query)
        screen = await self._plans.act(member, press.rev, press.code, press.arg, actor=person)
        await self._show(update, screen, person)

    async def proxy_press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The desk's "fill for someone" buttons: the list of people, then the chosen one's plan."""
        found = await pressed(update, self._signin, self._presenter, parse_desk)
        if found is None:
            return
        person, press = found
        code, arg = press.code, press.arg
        if code == "pf" and (person_id := number(arg)) is not None:
            member = await self._proxy.start(person, person_id)
            if member is not None:
                await self._show(update, await self._plans.open(member), person)
                return
            reply = self._presenter.simple("common.no_right", person)
        else:
            listing = await self._proxy.candidates(person, number(arg) or 0)
            reply = (
                self._view.proxy_list(listing)
                if listing is not None
                else self._presenter.simple("common.no_right", person)
            )
        chat = update.effective_chat
        if chat is not None:
            await send(update.get_bot(), chat.id, reply)
