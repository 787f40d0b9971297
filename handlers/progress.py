"""The progress router: "Cập nhật tiến độ" on one's own plan, its note, the cell's progress."""

from __future__ import annotations

from bot.domain.callbacks import ProgressCode, ProgressPress, number
from bot.domain.models import Person
from bot.domain.pending import Pending, ProgressNote
from bot.services.progress import ProgressScreen, ProgressService, Refused
from bot.services.progress_view import ProgressPresenter
from handlers.inbound import Inbound, Turn


class ProgressRouter:
    """Every press acts on the presser's own handed-in plan (re-read by the service), or shows
    the progress of the presser's own units."""

    def __init__(self, progress: ProgressService, view: ProgressPresenter) -> None:
        self._progress = progress
        self._view = view

    async def _show(self, turn: Turn, screen: ProgressScreen) -> None:
        """Each progress screen replaces the one before (its line stays, its buttons go); a
        refusal is a message of its own, the screen it refused stays live."""
        if isinstance(screen, Refused):
            await turn.reply(self._view.render(screen))
        else:
            await turn.screen(self._view.render(screen))

    async def press(
        self, turn: Turn, person: Person, pending: Pending | None, press: ProgressPress
    ) -> None:
        """A progress button (any but a status choice ends a note being asked for)."""
        service, code, arg = self._progress, press.code, press.arg
        if code is not ProgressCode.STATUS:
            await service.stop(person, pending)
        if code is ProgressCode.OPEN:
            screen = await service.open(person, arg)
        elif code is ProgressCode.STATUS:
            screen = await service.choose(person, arg)
        elif code is ProgressCode.SAVE:
            screen = await service.save(person, arg)
        elif code is ProgressCode.CELL:
            screen = await service.cell(person, number(arg) or 0)
        elif code is ProgressCode.LAST_YEAR:
            screen = await service.last_year(person)
        else:
            screen = await service.home(person)
        await self._show(turn, screen)

    async def typed(
        self, inbound: Inbound, turn: Turn, person: Person, pending: ProgressNote
    ) -> None:
        """The note (or the photo, with its caption) of the update asked for."""
        screen = await self._progress.typed(
            person, pending, inbound.text, inbound.picture, inbound.channel.value
        )
        await self._show(turn, screen)

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while a note was asked for; False when none was."""
        return await self._progress.stop(person, pending)
