"""The mid-year self-check router: its presses, the note or the self-assessment typed, /huy."""

from __future__ import annotations

from bot.domain.callbacks import MidyearPress
from bot.domain.models import Person
from bot.domain.pending import Midyear, Pending
from bot.services.midyear import MidyearService
from bot.services.midyear_view import MidyearPresenter
from handlers.inbound import Turn


class MidyearRouter:
    """Every press and text acts on the presser's own self-check (re-read by the service)."""

    def __init__(self, service: MidyearService, view: MidyearPresenter) -> None:
        self._service = service
        self._view = view

    async def press(self, turn: Turn, person: Person, press: MidyearPress) -> None:
        """A self-check button; each screen replaces the one before."""
        await turn.screen(
            self._view.render(await self._service.press(person, press.code, press.arg))
        )

    async def typed(self, turn: Turn, person: Person, pending: Midyear, text: str) -> None:
        """The note or the self-assessment asked for."""
        await turn.screen(self._view.render(await self._service.typed(person, pending, text)))

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while a note or the self-assessment was asked for; False when none was."""
        return await self._service.stop(person, pending)
