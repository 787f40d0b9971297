"""The menu router: help, my card, my unit and its invite codes, roster counts."""

from __future__ import annotations

from bot.domain.callbacks import NotifyPress
from bot.domain.menu import Command
from bot.domain.models import Person
from bot.services.directory import DirectoryService
from bot.services.replies import Presenter
from bot.services.roster import RosterService
from bot.services.signin import SigninService
from handlers.inbound import Turn


class MenuRouter:
    """What the menu shows about the person and their unit; rights checked by the service."""

    def __init__(
        self,
        directory: DirectoryService,
        roster: RosterService,
        signin: SigninService,
        presenter: Presenter,
    ) -> None:
        self._signin = signin
        self._directory = directory
        self._roster = roster
        self._presenter = presenter

    async def show(self, turn: Turn, command: Command, person: Person) -> None:
        """/toi, /donvi, /thongke, and the menu itself for anything else."""
        p = self._presenter
        if command is Command.ME:
            await turn.reply(p.me(person, *await self._signin.reach(person)))
        elif command is Command.UNIT:
            overview = await self._directory.unit_overview(person)
            await turn.reply(
                p.unit(person, overview) if overview else p.simple("common.no_right", person)
            )
        elif command is Command.STATS:
            stats = await self._directory.stats(person)
            await turn.reply(
                p.stats(person, stats) if stats else p.simple("common.no_right", person)
            )
        else:
            await turn.reply(p.menu(person))

    async def notify(self, turn: Turn, person: Person, press: NotifyPress) -> None:
        """The card's choice: the person's messages go on the channel pressed (one of theirs)."""
        if not await self._signin.choose_channel(person, press.channel):
            await turn.reply(self._presenter.simple("common.no_right", person))
            return
        await turn.reply(self._presenter.channel_chosen(person, press.channel))

    async def invites(self, turn: Turn, person: Person | None) -> None:
        """The unit view's button: invite codes for those not signed in (secretaries, heads)."""
        await turn.toast()
        if person is None or not person.active:
            await turn.reply(self._presenter.need_signin(turn.capabilities.contact_sharing))
            return
        batch = await self._roster.invites_for(person)
        if batch is None:
            await turn.reply(self._presenter.simple("common.no_right", person))
            return
        username = await self._roster.bot_username()
        await turn.reply(self._presenter.invites(person, batch.open, username))
