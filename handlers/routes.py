"""The conversation: every feature router composed in one visible order, for every channel.

A channel edge hands each message or press over as an ``Inbound`` with a ``Turn``
(``Conversation.handle``). The order, explained once:

1. A press goes to the feature its callback data names (``bot.domain.callbacks``): plan ``p:``,
   calendar ``m:``, filling for someone ``r:px``/``r:pf``, desk ``r:``, broadcast ``b:``, the unit
   view's invite codes ``u:inv:``, the report by unit ``u:rep:``, progress ``t:``, the study
   library ``l:``, exemplary models ``e:``, the year-end draft ``k:``, the mid-year self-check
   ``h:``; anything else is a stale button.
   On a channel without buttons a typed number or label of the choices last shown is that press.
2. ``/start`` signs in (with a deep-link code) or shows the menu; a shared contact signs in.
3. Known commands, each checked against the person's rights at the entrance; any other command is
   answered as unknown (so ``/xyz`` is never taken as an answer).
4. Typed text: a menu button's label is its command; else what the person is in the middle of
   (``Visit.pending``, read with the person in one query) owns the text: meeting details, a
   return comment, an announcement, a progress note, a self-check's note or self-assessment, a
   library material's link; else the plan
   form takes it as an answer; else the menu.
   Someone not signed in: an invite code, or the sign-in help.
5. Anything else (photo, sticker, voice, file): a progress update's photo, an announcement's
   attachment, the photo of a meeting's minutes being recorded, a library material, the form's
   "please type" or a request for text.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from bot.domain.callbacks import (
    BroadcastPress,
    DeskCode,
    DeskPress,
    InvitesPress,
    LibraryPress,
    MeetingPress,
    MidyearPress,
    ModelsPress,
    NotifyPress,
    PlanPress,
    Press,
    ProgressPress,
    ReportPress,
    YearPress,
    looks_like_feature,
    looks_like_plan,
    parse,
)
from bot.domain.menu import Command, may_use
from bot.domain.models import Person
from bot.domain.pending import (
    BroadcastText,
    BroadcastTime,
    EditMeeting,
    LibraryUpload,
    MidyearAnswer,
    MidyearNote,
    ModelDraft,
    ModelReturn,
    NewMeeting,
    ProgressNote,
    RecordMeeting,
    ReturnComment,
)
from bot.services.plans import PlanService, Visit
from bot.services.replies import Presenter
from handlers.composer import ComposerRouter
from handlers.desk import DeskRouter
from handlers.inbound import Inbound, Kind, Turn
from handlers.library import LibraryRouter
from handlers.meetings import MeetingRouter
from handlers.menu import MenuRouter
from handlers.midyear import MidyearRouter
from handlers.models import ModelsRouter
from handlers.plan import PlanRouter
from handlers.progress import ProgressRouter
from handlers.signin import SigninRouter
from handlers.yearend import YearEndRouter

log = logging.getLogger(__name__)


class Conversation:
    """Routes each inbound message or press to the feature that owns it."""

    def __init__(
        self,
        plans: PlanService,
        presenter: Presenter,
        signin: SigninRouter,
        menu: MenuRouter,
        plan: PlanRouter,
        meetings: MeetingRouter,
        desk: DeskRouter,
        composer: ComposerRouter,
        progress: ProgressRouter,
        library: LibraryRouter,
        models: ModelsRouter,
        yearend: YearEndRouter | None = None,
        midyear: MidyearRouter | None = None,
    ) -> None:
        self._plans = plans
        self._presenter = presenter
        self._signin = signin
        self._menu = menu
        self._plan = plan
        self._meetings = meetings
        self._desk = desk
        self._composer = composer
        self._progress = progress
        self._library = library
        self._models = models
        self._yearend = yearend
        self._midyear = midyear

    async def handle(self, inbound: Inbound, turn: Turn) -> None:
        """Answer one message or press. Errors propagate: the edge logs them and calls
        ``failed`` (on Telegram, PTB's error handler)."""
        await self._route(inbound, turn)

    async def failed(self, turn: Turn) -> None:
        """Tell the person something went wrong, without details (logged by the caller)."""
        try:
            await turn.reply(self._presenter.bare("common.error"))
        except Exception:  # the error may be that the channel is unreachable
            log.warning("could not tell the user about the error", exc_info=True)

    async def _visit(self, inbound: Inbound) -> Visit:
        return await self._plans.visit(inbound.channel, inbound.user_id)

    async def _route(self, inbound: Inbound, turn: Turn) -> None:
        if inbound.kind is Kind.TEXT and (data := await turn.press_for(inbound.text)) is not None:
            inbound = replace(inbound, kind=Kind.PRESS, data=data)
        if inbound.kind is Kind.PRESS:
            await self._press(inbound, turn)
        elif inbound.kind is Kind.CONTACT:
            await self._signin.contact(inbound, turn)
        elif inbound.kind is Kind.COMMAND:
            await self._command(inbound, turn)
        elif inbound.kind is Kind.TEXT:
            await self._text(inbound, turn)
        else:
            await self._other(inbound, turn)

    async def _command(self, inbound: Inbound, turn: Turn) -> None:
        if inbound.command == Command.START.value:
            await self._signin.start(inbound, turn)
            return
        if inbound.command not in set(Command):
            visit = await self._visit(inbound)
            await turn.reply(self._presenter.simple("common.unknown_command", visit.person))
            return
        await self.run(turn, Command(inbound.command), await self._visit(inbound))

    async def run(self, turn: Turn, command: Command, visit: Visit) -> None:
        """Carry out ``command`` for the visitor after checking they may use it."""
        p, person = self._presenter, visit.person
        if command is Command.HELP:
            await turn.reply(p.help(person, turn.capabilities.contact_sharing))
            return
        if person is None or not person.active:
            await turn.reply(p.need_signin(turn.capabilities.contact_sharing))
            return
        if not may_use(person, command):
            await turn.reply(p.simple("common.no_right", person))
            return
        if command is not Command.CANCEL:  # a note asked for is over once they go elsewhere
            await self._progress.stop(person, visit.pending)
            if self._midyear is not None:
                await self._midyear.stop(person, visit.pending)
        if command is Command.PLAN:
            await self._plan.open(turn, person, visit.pending)
        elif command is Command.CANCEL:
            await self._cancel(turn, person, visit)
        elif command is Command.MEETINGS:
            await self._meetings.overview(turn, person)
        elif command is Command.REPORT:
            await self._meetings.report(turn, person)
        elif command is Command.REVIEW:
            await self._desk.listing(turn, person)
        elif command is Command.BROADCAST:
            await self._composer.start(turn, person)
        elif command is Command.LINK:
            await self._signin.link_code(turn, person)
        elif command is Command.LIBRARY:
            await self._library.listing(turn, person)
        elif command is Command.MODELS:
            await self._models.listing(turn, person)
        else:
            await self._menu.show(turn, command, person)

    async def _cancel(self, turn: Turn, person: Person, visit: Visit) -> None:
        """/huy: stop whatever typed input was expected (meeting, comment, broadcast, plan)."""
        p, pending = self._presenter, visit.pending
        if await self._meetings.stop(person, pending):
            await turn.reply(p.simple("meeting.stopped", person))
        elif await self._desk.stop(person, pending):
            await turn.reply(p.simple("desk.stopped", person))
        elif await self._composer.stop(person, pending):
            await turn.reply(p.simple("compose.stopped", person))
        elif await self._progress.stop(person, pending):
            await turn.reply(p.simple("progress.stopped", person))
        elif await self._library.stop(person, pending):
            await turn.reply(p.simple("library.add_stopped", person))
        elif await self._models.stop(person, pending):
            await turn.reply(p.simple("models.stopped", person))
        elif self._midyear is not None and await self._midyear.stop(person, pending):
            await turn.reply(p.simple("midyear.stopped", person))
        elif self._yearend is not None and await self._yearend.stop(person):
            await turn.reply(p.simple("yearend.text.stopped", person))
        else:
            await self._plan.pause(turn, person, pending)

    async def _text(self, inbound: Inbound, turn: Turn) -> None:
        visit = await self._visit(inbound)
        person = visit.person
        command = self._presenter.command_for_label(inbound.text)
        if command is not None:
            await self.run(turn, command, visit)
            return
        if person is None or not person.active:
            if not await self._signin.code(inbound, turn, person):
                await turn.reply(self._presenter.need_signin(turn.capabilities.contact_sharing))
            return
        pending, text = visit.pending, inbound.text
        if isinstance(pending, NewMeeting | EditMeeting | RecordMeeting):
            if await self._meetings.typed(turn, person, pending, text):
                return
        elif isinstance(pending, ReturnComment):
            if await self._desk.typed(turn, person, pending, text):
                return
        elif isinstance(pending, ProgressNote):
            await self._progress.typed(inbound, turn, person, pending)
            return
        elif isinstance(pending, MidyearAnswer | MidyearNote) and self._midyear is not None:
            await self._midyear.typed(turn, person, pending, text)
            return
        elif isinstance(pending, LibraryUpload):
            if await self._library.typed(inbound, turn, person, pending):
                return
        elif isinstance(pending, ModelDraft | ModelReturn):
            if await self._models.typed(turn, person, pending, text):
                return
        elif isinstance(pending, BroadcastText | BroadcastTime) and await self._composer.typed(
            inbound, turn, person, pending
        ):
            return
        if await self._plan.text(inbound, turn, person, visit):
            return
        if self._yearend is None or not await self._yearend.text(turn, person, text):
            await turn.reply(self._presenter.menu(person))

    async def _other(self, inbound: Inbound, turn: Turn) -> None:
        visit = await self._visit(inbound)
        person, pending = visit.person, visit.pending
        if person is not None and person.active:
            if isinstance(pending, ProgressNote) and inbound.picture:
                await self._progress.typed(inbound, turn, person, pending)  # a photo as evidence
                return
            if (
                isinstance(pending, BroadcastText | BroadcastTime)
                and inbound.file is not None
                and await self._composer.typed(inbound, turn, person, pending)
            ):
                return
            if inbound.picture and await self._meetings.photo(
                turn, person, pending, inbound.channel, inbound.picture
            ):  # the minutes of a meeting being recorded
                return
            if (
                isinstance(pending, ModelDraft)
                and inbound.picture
                and await self._models.typed(turn, person, pending, inbound.text, inbound)
            ):  # a nomination's photo with its text as the caption
                return
            if (
                isinstance(pending, LibraryUpload)
                and inbound.file is not None
                and await self._library.typed(inbound, turn, person, pending)
            ):
                return
            if await self._plan.not_text(turn, person, pending):
                return
        await turn.reply(self._presenter.simple("common.not_text", person))

    async def _press(self, inbound: Inbound, turn: Turn) -> None:
        visit = await self._visit(inbound)
        press = parse(inbound.data)
        if (
            self._midyear is not None
            and visit.person is not None
            and not isinstance(press, MidyearPress)
        ):  # a self-check's note or answer asked for is over once they press elsewhere
            await self._midyear.stop(visit.person, visit.pending)
        if isinstance(press, PlanPress) or looks_like_plan(inbound.data):
            await self._plan.press(turn, press if isinstance(press, PlanPress) else None, visit)
        elif isinstance(press, InvitesPress):
            await self._menu.invites(turn, visit.person)
        elif press is None and looks_like_feature(inbound.data):
            await turn.toast(self._presenter.plain("common.stale_button"))  # a forged press
        elif press is None:
            await self._stale(turn, visit.person)
        elif (person := await self._pressed(turn, visit)) is not None:
            await self._feature_press(turn, person, visit, press)

    async def _feature_press(self, turn: Turn, person: Person, visit: Visit, press: Press) -> None:
        """A press of the calendar, the desk, the composer or the report, from a signed-in
        person (each feature re-checks their rights)."""
        match press:
            case MeetingPress():
                await self._meetings.press(turn, person, press)
            case DeskPress(code=DeskCode.PROXY_LIST | DeskCode.PROXY_FILL):
                await self._plan.proxy(turn, person, press)
            case DeskPress():
                await self._desk.press(turn, person, visit.pending, press)
            case BroadcastPress():
                await self._composer.press(turn, person, visit.pending, press)
            case ReportPress():
                await self._meetings.district(turn, person, press)
            case NotifyPress():
                await self._menu.notify(turn, person, press)
            case ProgressPress():
                await self._progress.press(turn, person, visit.pending, press)
            case LibraryPress():
                await self._library.press(turn, person, press)
            case ModelsPress():
                await self._models.press(turn, person, press)
            case YearPress() if self._yearend is not None:
                await self._yearend.press(turn, person, press)
            case MidyearPress() if self._midyear is not None:
                await self._midyear.stop(person, visit.pending)
                await self._midyear.press(turn, person, press)

    async def _pressed(self, turn: Turn, visit: Visit) -> Person | None:
        """The signed-in presser (the press is acknowledged); someone not (or no longer) signed
        in gets the "stale button" notice and None."""
        person = visit.person
        if person is None or not person.active:
            await turn.toast(self._presenter.plain("common.stale_button"))
            return None
        await turn.toast()
        return person

    async def _stale(self, turn: Turn, person: Person | None) -> None:
        """A press on a button that no longer leads anywhere: say so, then show the menu."""
        await turn.toast(self._presenter.plain("common.stale_button"))
        menu = (
            self._presenter.menu(person)
            if person and person.active
            else self._presenter.need_signin(turn.capabilities.contact_sharing)
        )
        await turn.reply(menu)
