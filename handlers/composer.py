"""The broadcast composer router: /thongbao, the typed text or file, the audience buttons."""

from __future__ import annotations

import html

from bot.domain.callbacks import BroadcastCode, BroadcastPress, number
from bot.domain.models import Person
from bot.domain.pending import Broadcast as BroadcastInput
from bot.domain.pending import Pending
from bot.services.composer import ComposeRefused, ComposerService, ComposeScreen, ComposeStopped
from bot.services.composer_view import ComposerPresenter
from handlers.inbound import Inbound, Turn


def _link_arg(arg: str) -> tuple[int, str] | None:
    """ "12.all" -> (item 12, audience "all"); None when malformed."""
    item_text, sep, audience = arg.partition(".")
    item = number(item_text)
    return (item, audience) if sep and item is not None else None


class ComposerRouter:
    """Each step re-checks that the presser is an admin."""

    def __init__(self, composer: ComposerService, view: ComposerPresenter) -> None:
        self._composer = composer
        self._view = view

    async def _show(self, turn: Turn, screen: ComposeScreen) -> None:
        await turn.reply(self._view.render(screen))

    async def start(self, turn: Turn, person: Person) -> None:
        """/thongbao: ask for the text."""
        await self._show(turn, await self._composer.start(person))

    async def typed(
        self, inbound: Inbound, turn: Turn, person: Person, pending: BroadcastInput
    ) -> bool:
        """The broadcast's text (its formatting kept), or a photo or document with the text as
        its caption; False when it is not taken."""
        text = inbound.html or html.escape(inbound.text, quote=False)  # plain on text channels
        screen = await self._composer.typed(person, pending, text, inbound.file)
        if screen is None:
            return False
        await self._show(turn, screen)
        return True

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while composing: forget the draft; False when nothing was being composed."""
        return await self._composer.stop(person, pending)

    async def press(
        self, turn: Turn, person: Person, pending: Pending | None, press: BroadcastPress
    ) -> None:
        """A composer button."""
        composer, code, arg = self._composer, press.code, press.arg
        if code is BroadcastCode.AUDIENCE:
            screen = await composer.choose(person, arg)
        elif code is BroadcastCode.SEND:
            audience, _, mark = arg.partition(".")  # "role:secretary.1a2b3c4d"
            screen = await composer.send(person, audience, mark=mark)
        elif (
            code is BroadcastCode.SEND_AGAIN
        ):  # "send again" under a preview that warned of a repeat
            audience, _, mark = arg.partition(".")
            screen = await composer.send(person, audience, again=True, mark=mark)
        elif code is BroadcastCode.UNITS:
            screen = await composer.units(person)
        elif code is BroadcastCode.IN_UNIT and (unit := number(arg)) is not None:
            screen = await composer.within(person, unit)
        elif code is BroadcastCode.LATER:
            screen = await composer.ask_time(person, arg)
        elif code is BroadcastCode.PROGRESS and (wave := number(arg)) is not None:
            # The count is refreshed in the same message: press again to watch it move.
            screen = await composer.progress(person, wave)
            await turn.refresh(self._view.render(screen))
            return
        elif code is BroadcastCode.CANCEL and (wave := number(arg)) is not None:
            screen = await composer.ask_cancel(person, wave)
        elif code is BroadcastCode.CONFIRM_CANCEL and (wave := number(arg)) is not None:
            screen = await composer.cancel(person, wave)
        elif code is BroadcastCode.NEWS:
            screen = await composer.toggle_news(person, arg)
        elif code is BroadcastCode.ITEMS:
            screen = await composer.items(person, arg)
        elif code is BroadcastCode.LINK and (linked := _link_arg(arg)) is not None:
            screen = await composer.link(person, linked[1], linked[0])
        elif code is BroadcastCode.STOP:
            await composer.stop(person, pending)
            screen = ComposeStopped(person)
        else:
            screen = ComposeRefused(person)
        await self._show(turn, screen)
