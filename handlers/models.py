"""The exemplary-models router: the published list (/guong), a model, nominating and editing,
and the admin's review (approve, return with a comment, broadcast)."""

from __future__ import annotations

from bot.domain.callbacks import ModelsCode, ModelsPress, number
from bot.domain.exemplars import ModelError
from bot.domain.models import Person
from bot.domain.pending import ModelDraft, ModelReturn, Pending
from bot.services.models import ModelsService
from bot.services.models_view import ModelsPresenter
from bot.services.replies import Attachment, Reply
from handlers.inbound import Inbound, Turn

TELEGRAM_PHOTO = "telegram:"


def _list_arg(arg: str) -> tuple[int, int, bool]:
    """ "2025.1.0" -> (2025, 1, False); anything malformed: every year, the first page."""
    parts = arg.split(".")
    values = [number(p) for p in parts]
    if len(values) != 3 or any(v is None for v in values):
        return 0, 0, False
    year, page, mine = (v or 0 for v in values)
    return year, page, mine == 1


class ModelsRouter:
    """Each press is re-checked by the service."""

    def __init__(self, models: ModelsService, view: ModelsPresenter) -> None:
        self._models = models
        self._view = view

    async def listing(self, turn: Turn, person: Person) -> None:
        """/guong: the newest published models, every year."""
        await turn.reply(self._view.page(await self._models.browse(person, 0, 0, False)))

    async def press(self, turn: Turn, person: Person, press: ModelsPress) -> None:
        """An exemplary-models button."""
        code, view = press.code, self._view
        if code is ModelsCode.LIST:
            year, page, mine = _list_arg(press.arg)
            await turn.refresh(view.page(await self._models.browse(person, year, page, mine)))
            return
        if code is ModelsCode.NEW:
            started = await self._models.start(person)
            await turn.reply(view.ask(person, None) if started else view.refused(person))
            return
        if code in (ModelsCode.QUEUE, ModelsCode.MINE):
            found = await (
                self._models.queue(person)
                if code is ModelsCode.QUEUE
                else self._models.mine(person)
            )
            key = "models.queue_title" if code is ModelsCode.QUEUE else "models.mine_title"
            await turn.reply(view.refused(person) if found is None else view.listing(key, found))
            return
        model_id = number(press.arg)
        if model_id is None:
            await turn.reply(view.refused(person))
        elif code is ModelsCode.OPEN:
            model = await self._models.open(person, model_id)
            if model is None:
                await turn.reply(view.refused(person))
            else:
                actions = await self._models.actions(person, model)
                photo = model.photo_id or ""
                shown = turn.capabilities.documents and photo.startswith(TELEGRAM_PHOTO)
                if shown:
                    file_id = photo.removeprefix(TELEGRAM_PHOTO)
                    picture = Attachment("anh.jpg", b"", file_id)
                    await turn.reply(Reply(view.photo_caption(model), photo=picture))
                note = bool(photo) and not shown
                await turn.reply(view.card(person, model, actions, photo_note=note))
        elif code is ModelsCode.EDIT:
            model = await self._models.start_edit(person, model_id)
            await turn.reply(view.ask(person, model) if model else view.refused(person))
        elif code is ModelsCode.APPROVE:
            model = await self._models.approve(person, model_id)
            await turn.reply(view.approved(model) if model else view.refused(person))
        elif code is ModelsCode.RETURN:
            model = await self._models.start_return(person, model_id)
            await turn.reply(view.ask_comment(person, model) if model else view.refused(person))
        else:  # NOTICE, NOTICE_SEND
            model = await self._models.open(person, model_id)
            text = view.notice_text(model) if model is not None else ""
            send = code is ModelsCode.NOTICE_SEND
            notice = await self._models.notice(person, model_id, text, send=send)
            await turn.reply(view.notice(notice) if notice else view.refused(person))

    async def typed(
        self,
        turn: Turn,
        person: Person,
        pending: ModelDraft | ModelReturn,
        text: str,
        inbound: Inbound | None = None,
    ) -> bool:
        """A typed nomination or return comment (a nomination may come as a photo's caption);
        False when it is no longer expected."""
        picture = inbound.picture if inbound is not None else ""
        photo = f"{inbound.channel.value}:{picture}" if inbound is not None and picture else ""
        if isinstance(pending, ModelReturn):
            model = await self._models.returned(person, pending, text)
            if model is None:
                return False
            await turn.reply(self._view.returned_done(person, model))
            return True
        try:
            saved = await self._models.typed(person, pending, text, photo)
        except ModelError as error:
            await turn.reply(self._view.bad(error.code))
            return True
        if saved is None:
            return False
        await turn.reply(self._view.saved(person, saved))
        return True

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while typing a nomination or a comment."""
        return await self._models.stop(person, pending)
