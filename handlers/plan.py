"""The plan conversation on Telegram: open, typed answers, button presses, /huy, documents."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.callbacks import parse_plan
from bot.domain.models import Channel, Person
from bot.services.plan_view import PlanPresenter
from bot.services.plans import Current, PlanScreen, PlanService, Visit
from bot.services.replies import Presenter
from handlers.render import answer, send


class PlanHandlers:
    """Each callback looks the presser up and acts only on their own plan."""

    def __init__(self, plans: PlanService, view: PlanPresenter, presenter: Presenter) -> None:
        self._plans = plans
        self._view = view
        self._presenter = presenter

    async def _show(self, update: Update, screen: PlanScreen) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send(update.get_bot(), chat.id, self._view.render(screen))

    async def open(self, update: Update, person: Person) -> None:
        """Start or resume the member's plan."""
        await self._show(update, await self._plans.open(person))

    async def pause(self, update: Update, person: Person) -> None:
        """/huy: keep the draft and leave the form."""
        message = update.effective_message
        if message is None:
            return
        if await self._plans.pause(person):
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
        screen = await self._plans.text(person, text, known)
        if screen is None:
            return False
        await self._show(update, screen)
        return True

    async def not_text(self, update: Update, person: Person) -> bool:
        """A photo, sticker or file while in the form: ask again; False when not in a form."""
        screen = await self._plans.not_text(person)
        if screen is None:
            return False
        await self._show(update, screen)
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
            await query.answer(self._presenter.plain("common.stale_button"))
            chat = update.effective_chat
            if chat is not None:
                reply = (
                    self._presenter.menu(person)
                    if person and person.active
                    else self._presenter.need_signin()
                )
                await send(context.bot, chat.id, reply)
            return
        await query.answer()
        screen = await self._plans.act(person, press.rev, press.code, press.arg, visit.current)
        await self._show(update, screen)
