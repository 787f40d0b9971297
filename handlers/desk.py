"""The reviewer's desk router: /duyet, its buttons, and the comment typed for a return."""

from __future__ import annotations

from bot.domain.callbacks import DeskCode, DeskPress, number, two_numbers, year_page
from bot.domain.models import Person
from bot.domain.pending import Pending, ReturnComment
from bot.locales import Catalog
from bot.services.desk import DeskExport, DeskRefused, DeskScreen, DeskService, DeskStopped
from bot.services.desk_view import DeskPresenter
from handlers.inbound import Turn


class DeskRouter:
    """Every press is re-checked by the desk service."""

    def __init__(self, desk: DeskService, view: DeskPresenter, catalog: Catalog) -> None:
        self._catalog = catalog
        self._desk = desk
        self._view = view

    async def _show(self, turn: Turn, screen: DeskScreen) -> None:
        """The list, one plan, the confirmation and the comment are screens: each takes the
        buttons off the one before (the list and the questions shrink to a line; a plan keeps
        its text). A refusal is a message of its own: the screen it refused stays live."""
        if isinstance(screen, DeskRefused):
            await turn.reply(self._view.render(screen))
        else:
            await turn.screen(self._view.render(screen))

    async def listing(self, turn: Turn, person: Person) -> None:
        """/duyet: the plans waiting for a decision."""
        await self._show(turn, await self._desk.listing(person))

    async def typed(self, turn: Turn, person: Person, pending: ReturnComment, text: str) -> bool:
        """The comment typed for the plan being returned; False when it is no longer taken."""
        screen = await self._desk.typed(person, pending, text)
        if screen is None:
            return False
        await self._show(turn, screen)
        return True

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while typing a comment: forget it; False when none was being typed."""
        return self._desk.may_use(person) and await self._desk.stop(person, pending)

    async def press(
        self, turn: Turn, person: Person, pending: Pending | None, press: DeskPress
    ) -> None:
        """A desk button."""
        code, arg = press.code, press.arg
        pair = two_numbers(arg)
        if code is DeskCode.OPEN and (plan_id := number(arg)) is not None:
            await turn.working()  # the plan comes with its DOCX
            screen = await self._desk.show(person, plan_id)
        elif code is DeskCode.CONFIRM and pair is not None:
            screen = await self._desk.confirm(person, *pair)
        elif code is DeskCode.RETURN and pair is not None:
            screen = await self._desk.ask_return(person, *pair)
        elif code is DeskCode.CONFIRM_RETURN and pair is not None:
            screen = await self._desk.ask_comment(person, *pair)
        elif code is DeskCode.PAST:
            screen = await self._desk.past(person, number(arg) or 0)
        elif code is DeskCode.YEARS:
            screen = await self._desk.years(person)
        elif code is DeskCode.YEAR:  # a malformed year: the years there are
            at = year_page(arg)
            screen = await (self._desk.year_list(person, *at) if at else self._desk.years(person))
        elif code is DeskCode.STOP:
            await self._desk.stop(person, pending)
            screen = DeskStopped(person)
        elif code is DeskCode.EXPORT:
            await turn.working()  # the unit's XLSX and ZIP
            year = year_page(arg) if arg else None  # an earlier year's (checked there)
            if arg and year is None:
                await self._show(turn, await self._desk.years(person))
                return
            screen = await self._desk.export(person, year[0] if year else None)
            if isinstance(screen, DeskExport):
                # openpyxl (and numpy through it) loads at the first export, not at start
                from bot.office.plan_sheet import documents_zip, plans_xlsx

                bundle = screen.export
                table = plans_xlsx(self._catalog, bundle)
                archive = documents_zip(bundle.documents) if bundle.documents else None
                for reply in self._view.export(screen, table, archive):
                    await turn.reply(reply)
                return
        else:
            status, _, page = arg.partition(".")
            screen = await self._desk.listing(person, status, number(page) or 0)
        await self._show(turn, screen)
