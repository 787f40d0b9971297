"""The meetings router: the calendar (/lichhop, its buttons) and the progress report (/baocao)."""

from __future__ import annotations

import asyncio
from dataclasses import replace

from bot.domain.callbacks import MeetingCode, MeetingPress, ReportPress, number, two_numbers
from bot.domain.models import Person
from bot.domain.pending import EditMeeting, NewMeeting, Pending
from bot.domain.pending import Meeting as MeetingInput
from bot.locales import Catalog
from bot.services.digests import DigestService
from bot.services.meeting_view import MeetingPresenter
from bot.services.meetings import MeetingScreen, MeetingService
from bot.services.notices import Notices
from bot.services.replies import Attachment, Presenter
from handlers.inbound import Turn


class MeetingRouter:
    """Each press is re-checked: the presser must be the secretary of the meeting's unit."""

    def __init__(
        self,
        meetings: MeetingService,
        view: MeetingPresenter,
        digests: DigestService,
        notices: Notices,
        presenter: Presenter,
        catalog: Catalog,
    ) -> None:
        self._catalog = catalog
        self._meetings = meetings
        self._view = view
        self._digests = digests
        self._notices = notices
        self._presenter = presenter

    async def _show(self, turn: Turn, screen: MeetingScreen) -> None:
        await turn.reply(self._view.render(screen))

    async def overview(self, turn: Turn, person: Person) -> None:
        """/lichhop: upcoming meetings; a secretary also gets the buttons to manage them."""
        await self._show(turn, await self._meetings.overview(person))

    async def report(self, turn: Turn, person: Person) -> None:
        """/baocao: the progress digest of the person's unit, made now."""
        data = await self._digests.report_for(person)
        if data is None:
            await turn.reply(self._presenter.simple("digest.nothing", person))
            return
        parts = self._notices.digest(data)
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            reply = self._presenter.with_menu(part.text, person) if last else part
            if last and self._digests.may_see_district(person):  # and the table by unit
                past = await self._digests.past_year()
                reply = replace(part, choices=self._presenter.district_button(past))
            await turn.reply(reply)

    async def district(self, turn: Turn, person: Person, press: ReportPress) -> None:
        """The admin's button under the report: the district XLSX with its chart."""
        try:
            report = await self._digests.district(person, press.year)
        except PermissionError:
            await turn.reply(self._presenter.simple("common.no_right", person))
            return
        if report is None:
            await turn.reply(self._presenter.simple("digest.nothing", person))
            return
        # matplotlib and openpyxl load at the first report, not at start
        from bot.office.report_chart import chart_png
        from bot.office.report_sheet import report_bytes

        picture = await asyncio.to_thread(chart_png, self._catalog, report.rows)
        if picture is not None:
            chart = Attachment("ty-le-nop-theo-don-vi.png", picture)
            await turn.reply(replace(self._presenter.bare("report.chart"), photo=chart))
        content = await asyncio.to_thread(report_bytes, self._catalog, report)
        attachment = Attachment("bao-cao-theo-don-vi.xlsx", content)
        await turn.reply(replace(self._presenter.bare("report.sent"), document=attachment))

    async def typed(self, turn: Turn, person: Person, pending: MeetingInput, text: str) -> bool:
        """Details of the meeting a secretary was asked for; False when no longer taken."""
        screen = await self._meetings.typed(person, pending, text)
        if screen is None:
            return False
        await self._show(turn, screen)
        return True

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while entering a meeting: forget it; False when none was being entered."""
        if not isinstance(pending, NewMeeting | EditMeeting):
            return False
        if not self._meetings.may_manage(person):
            return False
        await self._meetings.drop_entry(person)
        return True

    async def press(self, turn: Turn, person: Person, press: MeetingPress) -> None:
        """A calendar button."""
        service, arg = self._meetings, press.arg
        if press.code is MeetingCode.NEW:
            screen = await service.start_new(person, arg)
        elif press.code is MeetingCode.STOP:
            screen = await service.stop(person)
        elif (
            press.code in (MeetingCode.EDIT, MeetingCode.CANCEL)
            and (meeting_id := number(arg)) is not None
        ):
            opener = service.start_edit if press.code is MeetingCode.EDIT else service.ask_cancel
            screen = await opener(person, meeting_id)
        elif press.code is MeetingCode.CONFIRM_CANCEL and (pair := two_numbers(arg)) is not None:
            screen = await service.cancel(person, *pair)
        else:
            screen = await service.overview(person)
        await self._show(turn, screen)
