"""The meetings calendar and the progress report on Telegram: /lichhop, its buttons, /baocao."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.callbacks import number, parse_meeting_press, parse_report, two_numbers
from bot.domain.models import Person
from bot.locales import Catalog
from bot.office.report_chart import chart_png
from bot.office.report_sheet import report_bytes
from bot.services.digests import DigestService
from bot.services.meeting_view import MeetingPresenter
from bot.services.meetings import MeetingScreen, MeetingService
from bot.services.notices import Notices
from bot.services.replies import Attachment, Presenter
from bot.services.signin import SigninService
from handlers.presses import pressed
from handlers.render import send


class MeetingHandlers:
    """Each press is re-checked: the presser must be the secretary of the meeting's unit."""

    def __init__(
        self,
        meetings: MeetingService,
        view: MeetingPresenter,
        digests: DigestService,
        notices: Notices,
        signin: SigninService,
        presenter: Presenter,
        catalog: Catalog,
    ) -> None:
        self._catalog = catalog
        self._meetings = meetings
        self._view = view
        self._digests = digests
        self._notices = notices
        self._signin = signin
        self._presenter = presenter

    async def _show(self, update: Update, screen: MeetingScreen) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send(update.get_bot(), chat.id, self._view.render(screen))

    async def overview(self, update: Update, person: Person) -> None:
        """/lichhop: upcoming meetings; a secretary also gets the buttons to manage them."""
        await self._show(update, await self._meetings.overview(person))

    async def report(self, update: Update, person: Person) -> None:
        """/baocao: the progress digest of the person's unit, made now."""
        chat = update.effective_chat
        if chat is None:
            return
        data = await self._digests.report_for(person)
        if data is None:
            await send(update.get_bot(), chat.id, self._presenter.simple("digest.nothing", person))
            return
        parts = self._notices.digest(data)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            reply = self._presenter.with_menu(part.text, person) if last else part
            if last and self._digests.may_see_district(person):  # and the table by unit
                past = await self._digests.past_year()
                reply = replace(part, choices=self._presenter.district_button(past))
            await send(update.get_bot(), chat.id, reply)

    async def district(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The admin's button under the report: the district XLSX with its chart."""
        found = await pressed(update, self._signin, self._presenter, parse_report)
        chat = update.effective_chat
        if found is None or chat is None:
            return
        person, press = found
        try:
            report = await self._digests.district(person, press.year)
        except PermissionError:
            await send(update.get_bot(), chat.id, self._presenter.simple("common.no_right", person))
            return
        if report is None:
            await send(update.get_bot(), chat.id, self._presenter.simple("digest.nothing", person))
            return
        picture = await asyncio.to_thread(chart_png, self._catalog, report.rows)
        if picture is not None:
            chart = Attachment("ty-le-nop-theo-don-vi.png", picture)
            await send(
                update.get_bot(),
                chat.id,
                replace(self._presenter.bare("report.chart"), photo=chart),
            )
        content = await asyncio.to_thread(report_bytes, self._catalog, report)
        attachment = Attachment("bao-cao-theo-don-vi.xlsx", content)
        reply = replace(self._presenter.bare("report.sent"), document=attachment)
        await send(update.get_bot(), chat.id, reply)

    def may_type(self, person: Person) -> bool:
        """True when typed text may be meeting details (only secretaries enter meetings)."""
        return self._meetings.may_manage(person)

    async def typed(self, update: Update, person: Person, text: str) -> bool:
        """Details of a meeting typed by a secretary who was asked for them; False otherwise."""
        screen = await self._meetings.typed(person, text)
        if screen is None:
            return False
        await self._show(update, screen)
        return True

    async def stop(self, person: Person) -> bool:
        """/huy while entering a meeting: forget it; False when nothing was being entered."""
        return await self._meetings.drop_entry(person)

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A calendar button."""
        found = await pressed(update, self._signin, self._presenter, parse_meeting_press)
        if found is None:
            return
        person, press = found
        service, arg = self._meetings, press.arg
        if press.code == "new":
            screen = await service.start_new(person, arg)
        elif press.code == "st":
            screen = await service.stop(person)
        elif press.code in ("ed", "cx") and (meeting_id := number(arg)) is not None:
            opener = service.start_edit if press.code == "ed" else service.ask_cancel
            screen = await opener(person, meeting_id)
        elif press.code == "cy" and (pair := two_numbers(arg)) is not None:
            screen = await service.cancel(person, *pair)
        else:
            screen = await service.overview(person)
        await self._show(update, screen)
