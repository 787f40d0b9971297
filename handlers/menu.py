"""The menu: help, my card, my unit, roster counts; plain text and non-text messages."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.menu import Command, may_use
from bot.domain.models import Channel, Person
from bot.services.directory import DirectoryService
from bot.services.replies import Presenter, Reply
from bot.services.roster import RosterService
from bot.services.signin import SigninService
from handlers.composer import ComposerHandlers
from handlers.desk import DeskHandlers
from handlers.meetings import MeetingHandlers
from handlers.plan import PlanHandlers
from handlers.render import acknowledge, answer, send
from handlers.signin import SigninHandlers


class MenuHandlers:
    """Commands and menu buttons; each checks the presser's rights at the entrance."""

    def __init__(
        self,
        signin: SigninService,
        directory: DirectoryService,
        roster: RosterService,
        presenter: Presenter,
        signin_handlers: SigninHandlers,
        plan_handlers: PlanHandlers,
        meeting_handlers: MeetingHandlers,
        desk_handlers: DeskHandlers,
        composer_handlers: ComposerHandlers,
    ) -> None:
        self._signin = signin
        self._directory = directory
        self._roster = roster
        self._presenter = presenter
        self._signin_handlers = signin_handlers
        self._plan = plan_handlers
        self._meetings = meeting_handlers
        self._desk = desk_handlers
        self._composer = composer_handlers

    async def _person(self, update: Update) -> Person | None:
        user = update.effective_user
        return None if user is None else await self._signin.whoami(Channel.TELEGRAM, str(user.id))

    async def _reply(self, update: Update, reply: Reply) -> None:
        if update.effective_message is not None:
            await answer(update.effective_message, reply)

    async def run(self, update: Update, command: Command, person: Person | None) -> None:
        """Carry out ``command`` for ``person`` after checking they may use it."""
        p = self._presenter
        if command is Command.HELP:
            await self._reply(update, p.help(person))
            return
        if person is None or not person.active:
            await self._reply(update, p.need_signin())
            return
        if not may_use(person, command):
            await self._reply(update, p.simple("common.no_right", person))
            return
        if command is Command.PLAN:
            await self._plan.open(update, person)
        elif command is Command.CANCEL:
            await self._cancel(update, person)
        elif command is Command.MEETINGS:
            await self._meetings.overview(update, person)
        elif command is Command.REPORT:
            await self._meetings.report(update, person)
        elif command is Command.REVIEW:
            await self._desk.listing(update, person)
        elif command is Command.BROADCAST:
            await self._composer.start(update, person)
        elif command is Command.ME:
            await self._reply(update, p.me(person))
        elif command is Command.UNIT:
            overview = await self._directory.unit_overview(person)
            await self._reply(
                update,
                p.unit(person, overview) if overview else p.simple("common.no_right", person),
            )
        elif command is Command.STATS:
            stats = await self._directory.stats(person)
            await self._reply(
                update, p.stats(person, stats) if stats else p.simple("common.no_right", person)
            )
        else:
            await self._reply(update, p.menu(person))

    async def _cancel(self, update: Update, person: Person) -> None:
        """/huy: stop whatever typed input was expected (meeting, comment, broadcast, plan)."""
        p = self._presenter
        if await self._meetings.stop(person):
            await self._reply(update, p.simple("meeting.stopped", person))
        elif await self._desk.stop(person):
            await self._reply(update, p.simple("desk.stopped", person))
        elif await self._composer.stop(person):
            await self._reply(update, p.simple("compose.stopped", person))
        else:
            await self._plan.pause(update, person)

    async def help(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show what the person can do."""
        await self.run(update, Command.HELP, await self._person(update))

    async def plan(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Open the member's personal plan."""
        await self.run(update, Command.PLAN, await self._person(update))

    async def cancel(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Leave the form; the draft is kept."""
        await self.run(update, Command.CANCEL, await self._person(update))

    async def me(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the person's own card."""
        await self.run(update, Command.ME, await self._person(update))

    async def unit(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the secretary's or head's unit and who has not signed in."""
        await self.run(update, Command.UNIT, await self._person(update))

    async def stats(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show roster counts to an admin."""
        await self.run(update, Command.STATS, await self._person(update))

    async def meetings(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the meetings calendar."""
        await self.run(update, Command.MEETINGS, await self._person(update))

    async def broadcast(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Start writing an announcement (admins)."""
        await self.run(update, Command.BROADCAST, await self._person(update))

    async def review(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the plans waiting for the reviewer's decision."""
        await self.run(update, Command.REVIEW, await self._person(update))

    async def report(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Show the progress report of the person's unit."""
        await self.run(update, Command.REPORT, await self._person(update))

    async def text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Route typed text: an invite code, a menu button, or else the menu again."""
        message = update.effective_message
        if message is None or message.text is None:
            return
        visit = await self._plan.visit(update)
        person = visit.person
        command = self._presenter.command_for_label(message.text)
        if command is not None:
            await self.run(update, command, person)
            return
        if person is not None and person.active:
            if self._meetings.may_type(person) and await self._meetings.typed(
                update, person, message.text
            ):
                return
            if self._desk.may_type(person) and await self._desk.typed(update, person, message.text):
                return
            if self._composer.may_type(person) and await self._composer.typed(update, person):
                return
            if not await self._plan.text(update, person, message.text, visit.current):
                await self._reply(update, self._presenter.menu(person))
        elif not await self._signin_handlers.code(update, context, person):
            await self._reply(update, self._presenter.need_signin())

    async def unknown_command(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a command the bot does not have."""
        person = await self._person(update)
        await self._reply(update, self._presenter.simple("common.unknown_command", person))

    async def not_text(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a photo, sticker, voice note or file where text is expected."""
        person = await self._person(update)
        if person is not None and person.active:
            if self._composer.may_type(person) and await self._composer.attachment(update, person):
                return
            if await self._plan.not_text(update, person):
                return
        await self._reply(update, self._presenter.simple("common.not_text", person))

    async def unit_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The unit view's button: invite codes for those not signed in (secretaries, heads)."""
        query = update.callback_query
        if query is None:
            return
        await acknowledge(query)
        person = await self._person(update)
        if person is None or not person.active:
            await self._reply_to_query(update, self._presenter.need_signin())
            return
        batch = await self._roster.invites_for(person)
        if batch is None:
            await self._reply_to_query(update, self._presenter.simple("common.no_right", person))
            return
        username = await self._roster.bot_username()
        await self._reply_to_query(update, self._presenter.invites(person, batch.open, username))

    async def _reply_to_query(self, update: Update, reply: Reply) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send(update.get_bot(), chat.id, reply)

    async def stale_button(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Answer a press on an inline button that no longer leads anywhere, then show the menu."""
        query, chat = update.callback_query, update.effective_chat
        if query is None:
            return
        await acknowledge(query, self._presenter.plain("common.stale_button"))
        if chat is not None:
            person = await self._person(update)
            menu = (
                self._presenter.menu(person)
                if person and person.active
                else self._presenter.need_signin()
            )
            await send(context.bot, chat.id, menu)
