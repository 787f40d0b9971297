"""The study library router: the list (/tailieu, its pages and kinds), a material, "Đã học",
and the secretary's "who has studied"."""

from __future__ import annotations

from bot.domain.callbacks import LibraryCode, LibraryPress, number
from bot.domain.library import LibraryError, MaterialKind
from bot.domain.models import Person
from bot.domain.pending import LibraryUpload, Pending
from bot.services.library import LibraryService
from bot.services.library_view import LibraryPresenter
from bot.services.replies import Presenter
from handlers.inbound import Inbound, Turn


def _list_arg(arg: str) -> tuple[MaterialKind | None, int] | None:
    """ "chi_dao.2" -> (the kind, page 2); ".0" -> (every kind, page 0); None when malformed."""
    kind_text, sep, page_text = arg.partition(".")
    page = number(page_text)
    if not sep or page is None:
        return None
    if not kind_text:
        return None, page
    try:
        return MaterialKind(kind_text), page
    except ValueError:
        return None


class LibraryRouter:
    """Each press is re-checked by the service: the material must be for the presser."""

    def __init__(
        self, library: LibraryService, view: LibraryPresenter, presenter: Presenter
    ) -> None:
        self._library = library
        self._view = view
        self._presenter = presenter

    async def listing(self, turn: Turn, person: Person) -> None:
        """/tailieu: the newest materials for the person, every kind."""
        await turn.reply(self._view.page(await self._library.browse(person, None, 0)))

    async def press(self, turn: Turn, person: Person, press: LibraryPress) -> None:
        """A library button."""
        if press.code is LibraryCode.LIST:
            found = _list_arg(press.arg)
            kind, page = found if found is not None else (None, 0)
            await turn.refresh(self._view.page(await self._library.browse(person, kind, page)))
        elif press.code is LibraryCode.OPEN and (item_id := number(press.arg)) is not None:
            await self._open(turn, person, item_id)
        elif press.code is LibraryCode.STUDIED and (item_id := number(press.arg)) is not None:
            marked = await self._library.mark(person, item_id)
            reply = self._view.marked(marked) if marked else self._view.refused(person)
            await turn.reply(reply)
        elif press.code in (LibraryCode.ADD, LibraryCode.AUDIENCE):
            if press.code is LibraryCode.ADD:
                chosen = await self._library.start_add(person)
            else:
                chosen = await self._library.choose_audience(person, press.arg)
            if chosen is not None:
                await turn.reply(self._view.ask_upload(chosen))
            else:
                await turn.reply(self._presenter.simple("common.no_right", person))
        elif (
            press.code in (LibraryCode.NOTICE, LibraryCode.NOTICE_SEND)
            and (item_id := number(press.arg)) is not None
        ):
            await self._notice(turn, person, item_id, send=press.code is LibraryCode.NOTICE_SEND)
        elif press.code is LibraryCode.FOLLOW:
            follow = await self._library.follow(person)
            if follow is None:
                await turn.reply(self._presenter.simple("common.no_right", person))
            else:
                await turn.reply(self._view.follow(follow))
        else:
            await turn.reply(self._view.refused(person))

    async def typed(
        self, inbound: Inbound, turn: Turn, person: Person, upload: LibraryUpload
    ) -> bool:
        """The admin's file and caption (or typed link) for the library, for the audience they
        chose; False when the person may no longer add (the text then goes elsewhere)."""
        if inbound.file is not None:
            await turn.working()  # the file is fetched from Telegram first
        try:
            added = await self._library.add_from_chat(
                person,
                upload,
                inbound.text,
                inbound.file,
                documents=turn.capabilities.documents,
                fetch=turn.fetch,
            )
        except LibraryError as error:
            await turn.reply(self._view.add_refused(person, error.code, error.detail))
            return True
        if added is None:
            return False
        await turn.reply(self._view.added(person, added))
        return True

    async def _notice(self, turn: Turn, person: Person, item_id: int, *, send: bool) -> None:
        """An admin's notice of a material to its audience: previewed, then queued."""
        material = await self._library.material(item_id)
        text = self._view.notice_text(material) if material is not None else ""
        notice = await self._library.notice(person, item_id, text, send=send)
        if notice is None:
            await turn.reply(self._presenter.simple("common.no_right", person))
            return
        await turn.reply(self._view.notice(person, notice))

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while adding a material."""
        return await self._library.stop(person, pending)

    async def _open(self, turn: Turn, person: Person, item_id: int) -> None:
        """The material's file (by Telegram's id once it has it; a download link where the
        channel has no documents), then what it is with the "Đã học" button."""
        documents = turn.capabilities.documents
        opened = await self._library.open(person, item_id, bytes_needed=not documents)
        if opened is None:
            await turn.reply(self._view.refused(person))
            return
        file = self._view.file(opened)
        if file is not None:
            sent = await turn.reply(file)
            if documents and opened.material.file_id is None:
                known = next((s.file_id for s in sent if s.file_id), None)
                if known is not None:
                    await self._library.learned(item_id, known)
        await turn.reply(self._view.card(opened))
