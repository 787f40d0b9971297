"""The year-end review draft router: open it from the handed-in plan, typed answers, presses."""

from __future__ import annotations

from bot.domain.callbacks import PlanCode, YearPress
from bot.domain.models import Person
from bot.services.yearend import YearEndService, YearScreen
from bot.services.yearend_view import YearEndPresenter
from handlers.inbound import Turn


class YearEndRouter:
    """Every press and answer acts on the presser's own draft (re-read by the service)."""

    def __init__(self, service: YearEndService, view: YearEndPresenter) -> None:
        self._service = service
        self._view = view

    async def _show(self, turn: Turn, screen: YearScreen, opened: bool = False) -> None:
        """``opened``: from the entry button, so the drafted text is shown in full first."""
        drafted = self._view.drafted(screen) if opened else None
        if drafted is not None:
            await turn.reply(drafted)
        await turn.screen(self._view.render(screen))

    async def press(self, turn: Turn, person: Person, press: YearPress) -> None:
        """A draft button (the entry under the plan is ``RESUME``; the summary ``cell``)."""
        if press.code is PlanCode.RESUME and press.arg == "cell":
            summary = await self._service.cell(person)
            if summary is not None:
                text = self._service.summary_text(summary, person.unit_path)
                await turn.reply(self._view.cell(summary, text))
            else:
                await turn.reply(self._view.refused(person))
            return
        if press.code is PlanCode.RESUME:
            await self._show(turn, await self._service.open(person), opened=True)
            return
        if press.code is PlanCode.DOCUMENT:
            await turn.working()
        await self._show(turn, await self._service.act(person, press.rev, press.code, press.arg))

    async def text(self, turn: Turn, person: Person, text: str) -> bool:
        """A typed answer while the draft asks one; False when it asks none."""
        screen = await self._service.text(person, text)
        if screen is None:
            return False
        await self._show(turn, screen)
        return True

    async def stop(self, person: Person) -> bool:
        """/huy while the draft asks an answer: back to its review; False when it asks none."""
        return await self._service.stop(person)
