"""The meetings router: the calendar (/lichhop, its buttons) and the progress report (/baocao)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from bot.domain.callbacks import MeetingCode, MeetingPress, ReportPress, number, two_numbers
from bot.domain.models import Channel, Person
from bot.domain.pending import EditMeeting, NewMeeting, Pending, RecordMeeting
from bot.domain.pending import Meeting as MeetingInput
from bot.locales import Catalog
from bot.services.digests import DigestService
from bot.services.meeting_book import BookRefused, BookScreen, MeetingBook, RecordStep
from bot.services.meeting_book_view import MeetingBookPresenter
from bot.services.meeting_steps import MeetingSteps, PlanStep, StepScreen
from bot.services.meeting_view import MeetingPresenter
from bot.services.meetings import MeetingRefused, MeetingScreen, MeetingService
from bot.services.notices import Notices
from bot.services.replies import Attachment, Presenter
from handlers.inbound import Turn

# Presses of the step-by-step scheduling, and of recording a meeting after its time.
PLAN_CODES = frozenset(
    {MeetingCode.DAY, MeetingCode.TIME, MeetingCode.PLACE, MeetingCode.TOPIC, MeetingCode.SAVE}
)
RECORD_CODES = frozenset(
    {
        MeetingCode.RECORD_KIND,
        MeetingCode.OUTCOME,
        MeetingCode.RECORD_DAY,
        MeetingCode.ABSENT,
        MeetingCode.ATTENDANCE_DONE,
        MeetingCode.NO_PHOTO,
        MeetingCode.RECORD_SAVE,
    }
)


@dataclass(frozen=True, slots=True)
class MeetingFlows:
    """The step-by-step flows: scheduling by choosing, recording after the time."""

    steps: MeetingSteps
    book: MeetingBook
    view: MeetingBookPresenter


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
        flows: MeetingFlows,
    ) -> None:
        self._flows = flows
        self._catalog = catalog
        self._meetings = meetings
        self._view = view
        self._digests = digests
        self._notices = notices
        self._presenter = presenter

    async def _show(self, turn: Turn, screen: MeetingScreen | StepScreen) -> None:
        """The calendar and each step of scheduling are screens: the one shown before (a step
        of this flow or another's) loses its buttons and shrinks to its line. A refusal is a
        message of its own: the screen it refused stays live."""
        if isinstance(screen, PlanStep):
            await turn.screen(self._flows.view.plan(screen))
        elif isinstance(screen, MeetingRefused):
            await turn.reply(self._view.render(screen))
        else:
            await turn.screen(self._view.render(screen))

    async def _book(self, turn: Turn, screen: BookScreen) -> None:
        reply = self._flows.view.book(screen)
        if isinstance(screen, RecordStep) and screen.in_place:
            await turn.refresh(reply)  # a toggle of the roster: the same screen, updated
        elif isinstance(screen, BookRefused):
            await turn.reply(reply)
        else:
            await turn.screen(reply)  # a step of recording folds the one before

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
        await turn.working()  # the chart and the XLSX
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
        """Typed details of the meeting a secretary was asked for; False when no longer taken."""
        if isinstance(pending, RecordMeeting):
            book = await self._flows.book.typed(person, pending, text)
            if book is None:
                return False
            await self._book(turn, book)
            return True
        if isinstance(pending, NewMeeting):
            screen = await self._flows.steps.typed(person, pending, text)
        else:
            screen = await self._meetings.typed(person, pending, text)
        if screen is None:
            return False
        await self._show(turn, screen)
        return True

    async def photo(
        self,
        turn: Turn,
        person: Person,
        pending: Pending | None,
        channel: Channel,
        picture: str,
    ) -> bool:
        """A photo of the minutes while recording a meeting (``picture``: the channel's
        reference to it, as progress updates keep theirs); False when none is expected."""
        if not isinstance(pending, RecordMeeting) or not picture:
            return False
        screen = await self._flows.book.photo(person, f"{channel.value}:{picture}")
        if screen is None:
            return False
        await self._book(turn, screen)
        return True

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while entering a meeting: forget it; False when none was being entered."""
        if not isinstance(pending, NewMeeting | EditMeeting | RecordMeeting):
            return False
        if not self._meetings.may_manage(person):
            return False
        await self._meetings.drop_entry(person)
        await self._flows.book.drop(person)
        return True

    async def press(self, turn: Turn, person: Person, press: MeetingPress) -> None:
        """A calendar button (every one re-checked in the core against the presser)."""
        service, arg, code = self._meetings, press.arg, press.code
        if code in RECORD_CODES:
            await self._book(turn, await self._flows.book.press(person, code, arg))
            return
        if code is MeetingCode.RECORD:
            await self._book(turn, await self._flows.book.start(person, arg))
            return
        if code is MeetingCode.RECORD_NEW:
            await self._book(turn, await self._flows.book.start_new(person))
            return
        if code is MeetingCode.PAST:
            await self._book(turn, await self._flows.book.past(person))
            return
        screen: MeetingScreen | StepScreen
        if code in PLAN_CODES:
            screen = await self._flows.steps.press(person, code, arg)
        elif code is MeetingCode.NEW:
            screen = await self._flows.steps.start(person, arg)
        elif code is MeetingCode.STOP:
            await self._flows.book.drop(person)
            screen = await service.stop(person)
        elif (
            code in (MeetingCode.EDIT, MeetingCode.CANCEL)
            and (meeting_id := number(arg)) is not None
        ):
            opener = service.start_edit if code is MeetingCode.EDIT else service.ask_cancel
            screen = await opener(person, meeting_id)
        elif code is MeetingCode.CONFIRM_CANCEL and (pair := two_numbers(arg)) is not None:
            screen = await service.cancel(person, *pair)
        else:
            screen = await service.overview(person)
        await self._show(turn, screen)
