"""The reviewer's desk on Telegram: /duyet, its buttons, and the comment typed for a return."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.callbacks import number, parse_desk, two_numbers
from bot.domain.models import Person
from bot.locales import Catalog
from bot.office.plan_sheet import documents_zip, plans_xlsx
from bot.services.desk import DeskExport, DeskScreen, DeskService, DeskStopped
from bot.services.desk_view import DeskPresenter
from bot.services.replies import Presenter
from bot.services.signin import SigninService
from handlers.presses import pressed
from handlers.render import send


class DeskHandlers:
    """Every press looks the presser up and is re-checked by the desk service."""

    def __init__(
        self,
        desk: DeskService,
        view: DeskPresenter,
        signin: SigninService,
        presenter: Presenter,
        catalog: Catalog,
    ) -> None:
        self._catalog = catalog
        self._desk = desk
        self._view = view
        self._signin = signin
        self._presenter = presenter

    async def _show(self, update: Update, screen: DeskScreen) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send(update.get_bot(), chat.id, self._view.render(screen))

    def may_type(self, person: Person) -> bool:
        """True when typed text may be a comment for a returned plan."""
        return self._desk.may_use(person)

    async def listing(self, update: Update, person: Person) -> None:
        """/duyet: the plans waiting for a decision."""
        await self._show(update, await self._desk.listing(person))

    async def typed(self, update: Update, person: Person, text: str) -> bool:
        """A comment typed for a plan being returned; False when none was asked for."""
        screen = await self._desk.typed(person, text)
        if screen is None:
            return False
        await self._show(update, screen)
        return True

    async def stop(self, person: Person) -> bool:
        """/huy while typing a comment: forget it."""
        return self._desk.may_use(person) and await self._desk.stop(person)

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A desk button."""
        found = await pressed(update, self._signin, self._presenter, parse_desk)
        if found is None:
            return
        person, press = found
        code, arg = press.code, press.arg
        pair = two_numbers(arg)
        if code == "op" and (plan_id := number(arg)) is not None:
            screen = await self._desk.show(person, plan_id)
        elif code == "ok" and pair is not None:
            screen = await self._desk.confirm(person, *pair)
        elif code == "rt" and pair is not None:
            screen = await self._desk.ask_comment(person, *pair)
        elif code == "py":
            screen = await self._desk.past(person, number(arg) or 0)
        elif code == "st":
            await self._desk.stop(person)
            screen = DeskStopped(person)
        elif code == "ex":
            screen = await self._desk.export(person)
            chat = update.effective_chat
            if isinstance(screen, DeskExport) and chat is not None:
                bundle = screen.export
                table = plans_xlsx(self._catalog, bundle)
                archive = documents_zip(bundle.documents) if bundle.documents else None
                for reply in self._view.export(screen, table, archive):
                    await send(update.get_bot(), chat.id, reply)
                return
        else:
            status, _, page = arg.partition(".")
            screen = await self._desk.listing(person, status, number(page) or 0)
        await self._show(update, screen)
