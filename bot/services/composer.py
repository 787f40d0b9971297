"""An admin composes a broadcast in the chat: text, audience, preview with the count, send.

The draft text is kept in the database (a setting per admin) and the step in the pending input,
so a restart between two steps loses nothing. Only admins get past the first check.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
from collections import Counter
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Protocol

from bot.domain.broadcast import BroadcastFile, BroadcastRow, FileKind
from bot.domain.callbacks import number
from bot.domain.collation import path_key
from bot.domain.digest import UnitNode
from bot.domain.library import Material
from bot.domain.models import Person, Role
from bot.domain.pending import Broadcast as BroadcastInput
from bot.domain.pending import BroadcastText, BroadcastTime, Pending
from bot.domain.text import parse_when
from bot.services.broadcasts import BroadcastError, BroadcastService, Preview
from bot.services.library import LibraryService, Saved
from bot.services.ports import Clock, DirectoryStore, PendingStore, ScheduleStore

UNIT_DEPTH = 2  # units offered as buttons: the top level (depth 1) and the one below
MAX_UNITS = 40
AUDIENCES = (
    "all",
    "role:secretary",
    "status:not_submitted",
    "category:party_member",
    "category:staff",
    "category:union_member",
    "category:individual",
)


def _draft_key(person: Person) -> str:
    return f"broadcast_draft:{person.id}"


def _sent_key(person: Person) -> str:
    """The setting that names the last broadcast this person sent (for an old "Gửi ngay")."""
    return f"broadcast_sent:{person.id}"


@dataclass(frozen=True, slots=True)
class Draft:
    """What the admin wrote: the text, and a photo or document Telegram already holds."""

    text: str
    file: BroadcastFile | None = None
    unit: str = ""  # a unit path: only that unit and its sub-units ("" everyone)
    news: bool = False  # also kept in the library as a bản tin once sent (issue 18 §3)
    item: int = 0  # the library item the message links ("📚 Mở tài liệu"), 0: none

    def dump(self) -> str:
        """As stored between two steps (a setting)."""
        file = self.file
        data: dict[str, object] = {"text": self.text, "unit": self.unit}
        if self.news:
            data["news"] = True
        if self.item:
            data["item"] = self.item
        if file is not None and file.file_id:
            data |= {"kind": file.kind.value, "name": file.name, "file_id": file.file_id}
        return json.dumps(data, ensure_ascii=False)

    def mark(self) -> str:
        """A short fingerprint of the draft, carried by "Gửi ngay" so that an old preview's
        button never sends a draft changed since (another text, unit, attachment or link)."""
        return hashlib.blake2s(self.dump().encode("utf-8"), digest_size=4).hexdigest()

    @classmethod
    def load(cls, stored: str) -> Draft:
        """Read a stored draft (an older plain-text draft is its own text)."""
        try:
            data = json.loads(stored)
        except ValueError:
            return cls(stored)
        if not isinstance(data, dict):
            return cls(stored)
        text, unit = str(data.get("text", "")), str(data.get("unit", ""))
        news = data.get("news") is True
        item = data.get("item")
        linked = item if isinstance(item, int) and not isinstance(item, bool) and item > 0 else 0
        kind, file_id = data.get("kind"), data.get("file_id")
        file = None
        if kind in set(FileKind) and isinstance(file_id, str) and file_id:
            file = BroadcastFile(FileKind(kind), str(data.get("name", "")), file_id)
        return cls(text, file, unit, news, linked)


@dataclass(frozen=True, slots=True)
class ComposeRefused:
    """The person may not do this (or that broadcast is not there)."""

    person: Person


@dataclass(frozen=True, slots=True)
class ComposeStopped:
    """The draft was dropped (or there is none any more)."""

    person: Person


@dataclass(frozen=True, slots=True)
class AskText:
    """Type (or send with a photo or file) the text of the broadcast."""

    person: Person


@dataclass(frozen=True, slots=True)
class ComposeInvalid:
    """What was typed cannot be sent: ``error`` names why, ``detail`` shows the culprit."""

    person: Person
    error: str
    detail: str = ""


@dataclass(frozen=True, slots=True)
class ChooseAudience:
    """The text is fine: pick the audience (within ``unit``, "" everyone)."""

    person: Person
    unit: str = ""


@dataclass(frozen=True, slots=True)
class ChooseUnit:
    """Pick the unit the broadcast stays within."""

    person: Person
    units: tuple[UnitNode, ...]


@dataclass(frozen=True, slots=True)
class AskTime:
    """Type when to send it to ``audience``."""

    person: Person
    audience: str


@dataclass(frozen=True, slots=True)
class ComposePreview:
    """The count, what will be sent, and the button that sends it."""

    person: Person
    audience: str
    preview: Preview
    file: BroadcastFile | None = None
    unit: str = ""
    news: bool = False  # it will also be kept in the library as a bản tin
    item: Material | None = None  # the library item it links
    mark: str = ""  # the draft's fingerprint, carried by the send buttons
    changed: bool = False  # shown again because an older preview's "Gửi ngay" was pressed


@dataclass(frozen=True, slots=True)
class ChooseItem:
    """Pick the library item the broadcast to ``audience`` links (newest first)."""

    person: Person
    audience: str
    items: tuple[Material, ...]
    chosen: int = 0


@dataclass(frozen=True, slots=True)
class Queued:
    """The broadcast is queued (to go out ``at``, when scheduled); ``saved``: its bản tin."""

    person: Person
    broadcast: BroadcastRow
    at: datetime | None = None
    saved: Saved | None = None


@dataclass(frozen=True, slots=True)
class Progress:
    """How a broadcast stands, with why messages failed, most frequent first."""

    person: Person
    broadcast: BroadcastRow
    reasons: tuple[tuple[str, int], ...] = ()


@dataclass(frozen=True, slots=True)
class AlreadySent:
    """An old "Gửi ngay" after its draft went out: that broadcast, when and to how many."""

    person: Person
    broadcast: BroadcastRow


@dataclass(frozen=True, slots=True)
class AskCancel:
    """ "Chắc chắn?" before what has not been sent of the broadcast is withdrawn."""

    person: Person
    broadcast: BroadcastRow


@dataclass(frozen=True, slots=True)
class Withdrawn:
    """What had not been sent of the broadcast was withdrawn (``withdrawn`` messages)."""

    person: Person
    broadcast: BroadcastRow
    withdrawn: int


ComposeScreen = (
    ComposeRefused
    | ComposeStopped
    | AskText
    | ComposeInvalid
    | ChooseAudience
    | ChooseUnit
    | AskTime
    | ComposePreview
    | ChooseItem
    | Queued
    | Progress
    | Withdrawn
    | AlreadySent
    | AskCancel
)


class NewsWords(Protocol):
    """The words a broadcast gets from the catalog when it links or keeps a library item."""

    def linked_line(self, material: Material) -> str:
        """The line (Telegram HTML) under a broadcast that points to ``material``."""
        ...

    def news_title(self, at: datetime) -> str:
        """The title of a bản tin whose broadcast has no text (a file alone)."""
        ...


class ComposerService:
    """The steps of composing a broadcast in the chat."""

    def __init__(
        self,
        broadcasts: BroadcastService,
        pending: PendingStore,
        settings: DirectoryStore,
        tree: ScheduleStore,
        clock: Clock,
        tz: tzinfo,
        library: LibraryService | None = None,
        words: NewsWords | None = None,
    ) -> None:
        self._library = library
        self._words = words
        self._broadcasts = broadcasts
        self._pending = pending
        self._settings = settings
        self._tree = tree
        self._clock = clock
        self._tz = tz

    @staticmethod
    def may_use(person: Person) -> bool:
        """Admins broadcast."""
        return person.active and person.has(Role.ADMIN)

    async def start(self, person: Person) -> ComposeScreen:
        """Ask for the text."""
        if not self.may_use(person):
            return ComposeRefused(person)
        await self._pending.set_pending(person.id, BroadcastText(), self._clock.now())
        return AskText(person)

    async def typed(
        self,
        person: Person,
        pending: BroadcastInput,
        html_text: str,
        file: BroadcastFile | None = None,
    ) -> ComposeScreen | None:
        """The text of the broadcast (as Telegram HTML), or a photo or document with the text as
        its caption, when ``pending`` (read with the person) asked for it; also the time of a
        scheduled broadcast. None when this input was not asked for."""
        if not self.may_use(person):
            return None
        if isinstance(pending, BroadcastTime):
            return await self._timed(person, pending.audience, html_text) if file is None else None
        try:
            await self._broadcasts.preview(html_text, "all", file=file)
        except BroadcastError as error:
            if error.code != "nobody":
                return ComposeInvalid(person, error.code, error.detail)
        draft = Draft(html_text.strip(), file)
        await self._settings.set_setting(_draft_key(person), draft.dump())
        await self._pending.set_pending(person.id, None, self._clock.now())
        return ChooseAudience(person)

    async def _draft(self, person: Person) -> Draft | None:
        stored = await self._settings.get_setting(_draft_key(person))
        return Draft.load(stored) if stored else None

    async def choose(self, person: Person, audience: str) -> ComposeScreen:
        """Show who would receive it and how many ("" : the list of audiences again)."""
        if not self.may_use(person) or audience not in ("", *AUDIENCES):
            return ComposeRefused(person)
        draft = await self._draft(person)
        if draft is None:
            return ComposeStopped(person)
        if not audience:
            return ChooseAudience(person, draft.unit)
        try:
            preview = await self._broadcasts.preview(
                draft.text, audience, draft.unit, file=draft.file
            )
        except BroadcastError as error:
            return ComposeInvalid(person, error.code, error.detail)
        return await self._preview_screen(person, audience, preview, draft)

    async def units(self, person: Person) -> ComposeScreen:
        """The units the broadcast may be kept within."""
        if not self.may_use(person):
            return ComposeRefused(person)
        if await self._draft(person) is None:
            return ComposeStopped(person)
        nodes = [n for n in await self._tree.unit_nodes() if n.depth <= UNIT_DEPTH]
        nodes.sort(key=lambda n: path_key(n.path))
        return ChooseUnit(person, tuple(nodes[:MAX_UNITS]))

    async def within(self, person: Person, unit_id: int) -> ComposeScreen:
        """Keep the broadcast within one unit and its sub-units (0: everyone again)."""
        if not self.may_use(person):
            return ComposeRefused(person)
        draft = await self._draft(person)
        if draft is None:
            return ComposeStopped(person)
        path = ""
        if unit_id:
            found = next((n for n in await self._tree.unit_nodes() if n.id == unit_id), None)
            if found is None:
                return ComposeRefused(person)
            path = found.path
        chosen = replace(draft, unit=path)
        await self._settings.set_setting(_draft_key(person), chosen.dump())
        return ChooseAudience(person, path)

    async def ask_time(self, person: Person, audience: str) -> ComposeScreen:
        """Ask when to send it to ``audience``."""
        if not self.may_use(person) or audience not in AUDIENCES:
            return ComposeRefused(person)
        if await self._draft(person) is None:
            return ComposeStopped(person)
        await self._pending.set_pending(person.id, BroadcastTime(audience), self._clock.now())
        return AskTime(person, audience)

    async def _timed(self, person: Person, audience: str, typed: str) -> ComposeScreen:
        at = parse_when(typed, self._tz)
        if at is None:
            return ComposeInvalid(person, "when", typed[:40])
        if at <= self._clock.now():
            return ComposeInvalid(person, "past")
        await self._pending.set_pending(person.id, None, self._clock.now())
        # The preview warned of a repeat, if any, before "schedule" was pressed.
        return await self.send(person, audience, at, again=True)

    async def send(
        self,
        person: Person,
        audience: str,
        at: datetime | None = None,
        again: bool = False,
        mark: str = "",
    ) -> ComposeScreen:
        """Queue the draft for ``audience`` (from ``at``, default now) and forget the draft (a
        second press sends nothing). The same text to the same audience within a day shows the
        preview again with the warning, unless ``again`` confirms it. ``mark``, from the button,
        is the fingerprint of the draft its preview showed: a draft changed since is previewed
        again, not sent."""
        if not self.may_use(person) or audience not in AUDIENCES:
            return ComposeRefused(person)
        draft = await self._draft(person)
        if draft is None:
            return await self._sent_before(person)
        if mark and mark != draft.mark():
            screen = await self.choose(person, audience)
            return replace(screen, changed=True) if isinstance(screen, ComposePreview) else screen
        if not again:
            with contextlib.suppress(BroadcastError):  # reported by the send below
                preview = await self._broadcasts.preview(
                    draft.text, audience, draft.unit, file=draft.file, at=at
                )
                if preview.repeat_of is not None:
                    return await self._preview_screen(person, audience, preview, draft)
        linked = await self._linked(person, draft)
        if draft.item and linked is None:  # removed since it was chosen: dropped from the draft
            await self._settings.set_setting(_draft_key(person), replace(draft, item=0).dump())
            return ComposeInvalid(person, "news.item_gone", audience)
        text = draft.text
        if linked is not None and self._words is not None:
            text = f"{text}\n\n{self._words.linked_line(linked)}"
        await self._settings.set_setting(_draft_key(person), "")
        try:
            broadcast_id, queued = await self._broadcasts.send(
                text,
                audience,
                draft.unit,
                at,
                actor=person,
                file=draft.file,
                again=again,
                link=linked.id if linked is not None else None,
            )
        except BroadcastError as error:
            return ComposeInvalid(person, error.code, error.detail)
        await self._settings.set_setting(_sent_key(person), str(broadcast_id))
        saved = None
        if draft.news and self._library is not None and self._words is not None:
            saved = await self._library.save_news(
                person,
                queued.text,
                audience,
                draft.unit,
                file=draft.file,
                fallback_title=self._words.news_title(self._clock.now()),
            )
        found = await self._broadcasts.status(broadcast_id)
        if found is None:  # erased meanwhile
            return ComposeRefused(person)
        return Queued(person, found[0], at, saved)

    async def _linked(self, person: Person, draft: Draft) -> Material | None:
        """The library item the draft links, when it is still there for the admin."""
        if not draft.item or self._library is None:
            return None
        found = await self._library.linkable(person, every=True)
        return next((m for m in found if m.id == draft.item), None)

    async def _preview_screen(
        self, person: Person, audience: str, preview: Preview, draft: Draft
    ) -> ComposeScreen:
        """The preview of ``draft`` to ``audience``: the numbers, and what will be sent."""
        linked = await self._linked(person, draft)
        return ComposePreview(
            person, audience, preview, draft.file, draft.unit, draft.news, linked, draft.mark()
        )

    def offers_library(self) -> bool:
        """Whether the preview offers "bản tin" and "Đính kèm tài liệu"."""
        return self._library is not None and self._words is not None

    async def toggle_news(self, person: Person, audience: str) -> ComposeScreen:
        """ "📰 Lưu vào thư viện (bản tin)": keep (or no longer keep) the broadcast as a bản
        tin once sent; the preview again."""
        if not self.may_use(person) or audience not in AUDIENCES or not self.offers_library():
            return ComposeRefused(person)
        draft = await self._draft(person)
        if draft is None:
            return ComposeStopped(person)
        await self._settings.set_setting(
            _draft_key(person), replace(draft, news=not draft.news).dump()
        )
        return await self.choose(person, audience)

    async def items(self, person: Person, audience: str) -> ComposeScreen:
        """ "📚 Đính kèm tài liệu": the library items the broadcast may link."""
        if not self.may_use(person) or audience not in AUDIENCES or self._library is None:
            return ComposeRefused(person)
        draft = await self._draft(person)
        if draft is None:
            return ComposeStopped(person)
        found = tuple(await self._library.linkable(person))
        return ChooseItem(person, audience, found, draft.item)

    async def link(self, person: Person, audience: str, item_id: int) -> ComposeScreen:
        """Link the library item ``item_id`` (0: none) and show the preview again; an id that
        is not a material (removed, forged) is refused."""
        if not self.may_use(person) or audience not in AUDIENCES or self._library is None:
            return ComposeRefused(person)
        draft = await self._draft(person)
        if draft is None:
            return ComposeStopped(person)
        if item_id:
            known = {m.id for m in await self._library.linkable(person, every=True)}
            if item_id not in known:
                return ComposeRefused(person)
        await self._settings.set_setting(_draft_key(person), replace(draft, item=item_id).dump())
        return await self.choose(person, audience)

    async def _sent_before(self, person: Person) -> ComposeScreen:
        """What a "Gửi ngay" without a draft means: the draft went out already (that broadcast),
        or it was dropped ("Thôi")."""
        broadcast_id = number(await self._settings.get_setting(_sent_key(person)) or "")
        found = await self._broadcasts.status(broadcast_id) if broadcast_id is not None else None
        return AlreadySent(person, found[0]) if found is not None else ComposeStopped(person)

    async def ask_cancel(self, person: Person, broadcast_id: int) -> ComposeScreen:
        """ "Dừng gửi": ask "Chắc chắn?" with how the broadcast stands."""
        if not self.may_use(person):
            return ComposeRefused(person)
        found = await self._broadcasts.status(broadcast_id)
        if found is None:
            return ComposeRefused(person)
        return AskCancel(person, found[0])

    async def progress(self, person: Person, broadcast_id: int) -> ComposeScreen:
        """How a broadcast stands."""
        if not self.may_use(person):
            return ComposeRefused(person)
        found = await self._broadcasts.status(broadcast_id)
        if found is None:
            return ComposeRefused(person)
        row, failures = found
        reasons = Counter(" ".join(f.error.split())[:60] or f.status for f in failures)
        return Progress(person, row, tuple(reasons.most_common(5)))

    async def cancel(self, person: Person, broadcast_id: int) -> ComposeScreen:
        """Withdraw what has not been sent."""
        if not self.may_use(person):
            return ComposeRefused(person)
        withdrawn = await self._broadcasts.cancel(broadcast_id, actor=person)
        found = await self._broadcasts.status(broadcast_id)
        if withdrawn is None or found is None:
            return ComposeRefused(person)
        return Withdrawn(person, found[0], withdrawn)

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """Forget the draft; False when there was nothing being composed (``pending``: what
        the person was typing, read with them)."""
        if not self.may_use(person):
            return False
        waiting = isinstance(pending, BroadcastText | BroadcastTime)
        draft = await self._draft(person)
        if not waiting and draft is None:
            return False
        await self._pending.set_pending(person.id, None, self._clock.now())
        await self._settings.set_setting(_draft_key(person), "")
        await self._settings.set_setting(_sent_key(person), "")  # "Gửi ngay" now says "Đã thôi"
        return True
