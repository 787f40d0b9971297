"""The broadcast composer on Telegram: /thongbao, the typed text, the audience buttons."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.domain.broadcast import BroadcastFile, FileKind
from bot.domain.callbacks import number, parse_broadcast
from bot.domain.models import Person
from bot.services.composer import ComposeRefused, ComposerService, ComposeScreen, ComposeStopped
from bot.services.composer_view import ComposerPresenter
from bot.services.replies import Presenter
from bot.services.signin import SigninService
from handlers.presses import pressed
from handlers.render import edit, send


class ComposerHandlers:
    """Each step re-checks that the presser is an admin."""

    def __init__(
        self,
        composer: ComposerService,
        view: ComposerPresenter,
        signin: SigninService,
        presenter: Presenter,
    ) -> None:
        self._composer = composer
        self._view = view
        self._signin = signin
        self._presenter = presenter

    async def _show(self, update: Update, screen: ComposeScreen) -> None:
        chat = update.effective_chat
        if chat is not None:
            await send(update.get_bot(), chat.id, self._view.render(screen))

    def may_type(self, person: Person) -> bool:
        """True when typed text may be a broadcast being written."""
        return self._composer.may_use(person)

    async def start(self, update: Update, person: Person) -> None:
        """/thongbao: ask for the text."""
        await self._show(update, await self._composer.start(person))

    async def typed(self, update: Update, person: Person) -> bool:
        """The broadcast's text, with the admin's formatting kept; False if none was asked for."""
        message = update.effective_message
        if message is None or message.text is None:
            return False
        screen = await self._composer.typed(person, message.text_html)
        if screen is None:
            return False
        await self._show(update, screen)
        return True

    async def attachment(self, update: Update, person: Person) -> bool:
        """A photo or document (its caption the text) while a broadcast is being written."""
        message = update.effective_message
        if message is None:
            return False
        if message.photo:
            file = BroadcastFile(FileKind.PHOTO, "anh.jpg", message.photo[-1].file_id)
        elif message.document is not None:
            name = message.document.file_name or "tai-lieu"
            file = BroadcastFile(FileKind.DOCUMENT, name[:255], message.document.file_id)
        else:
            return False
        screen = await self._composer.typed(person, message.caption_html or "", file)
        if screen is None:
            return False
        await self._show(update, screen)
        return True

    async def stop(self, person: Person) -> bool:
        """/huy while composing: forget the draft."""
        return await self._composer.stop(person)

    async def press(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """A composer button."""
        found = await pressed(update, self._signin, self._presenter, parse_broadcast)
        if found is None:
            return
        person, press = found
        code, arg = press.code, press.arg
        composer = self._composer
        if code == "au":
            screen = await composer.choose(person, arg)
        elif code == "go":
            screen = await composer.send(person, arg)
        elif code == "ga":  # "send again" under a preview that warned of a repeat
            screen = await composer.send(person, arg, again=True)
        elif code == "un":
            screen = await composer.units(person)
        elif code == "in" and (unit := number(arg)) is not None:
            screen = await composer.within(person, unit)
        elif code == "at":
            screen = await composer.ask_time(person, arg)
        elif code == "pr" and (wave := number(arg)) is not None and update.callback_query:
            # The count is refreshed in the same message: press again to watch it move.
            screen = await composer.progress(person, wave)
            await edit(update.callback_query, self._view.render(screen))
            return
        elif code == "cx" and (wave := number(arg)) is not None:
            screen = await composer.cancel(person, wave)
        elif code == "st":
            await composer.stop(person)
            screen = ComposeStopped(person)
        else:
            screen = ComposeRefused(person)
        await self._show(update, screen)
