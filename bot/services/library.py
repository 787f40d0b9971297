"""The study library's use-cases: admins add and remove materials; members browse, open and
mark them studied; secretaries see who in their unit has studied each.

Every entrance re-checks the person: an id from a button is only a wish, and a material that is
not for the presser (another unit's, removed, unknown) is refused exactly as a forged press.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from typing import Protocol

from bot.domain.broadcast import BroadcastFile, FileKind
from bot.domain.collation import path_key
from bot.domain.digest import UnitNode
from bot.domain.library import (
    MAX_NEWS,
    PAGE_SIZE,
    Audience,
    LibraryError,
    Material,
    MaterialKind,
    NewMaterial,
    audience_named,
    check_file,
    check_name,
    check_summary,
    check_title,
    check_url,
    kind_named,
    may_follow,
    may_manage,
    may_see,
    meant_for,
    news_audience,
    news_title,
    ordered,
    parse_caption,
)
from bot.domain.models import Category, Person
from bot.domain.pending import LibraryUpload, Pending
from bot.services.broadcasts import BroadcastError, Preview
from bot.services.channels import ChannelError, FileTooBig
from bot.services.ports import Clock, PendingStore
from bot.services.replies import Attachment

REQUIRED = (MaterialKind.YEAR_TOPIC, MaterialKind.TERM_TOPIC, MaterialKind.DIRECTIVE)
COMMAND_LINE = "command line"
UNIT_DEPTH = 2  # units an admin may choose as a chat upload's audience: the top two levels
MAX_UNITS = 30

Fetch = Callable[[str], Awaitable[bytes]]  # a file sent in the chat, by the channel's id


class UnitTree(Protocol):
    """The units (an upload's audience is chosen among them)."""

    async def unit_nodes(self) -> list[UnitNode]: ...


class LibraryStore(Protocol):
    """Where materials and the marks of who studied them are kept."""

    async def add(
        self, material: NewMaterial, *, by_id: int | None, by: str, now: datetime
    ) -> Material: ...

    async def get(self, item_id: int) -> Material | None: ...

    async def all(self) -> list[Material]: ...

    async def content(self, item_id: int) -> bytes | None: ...

    async def learn_file_id(self, item_id: int, file_id: str) -> None: ...

    async def remove(self, item_id: int, now: datetime) -> bool: ...

    async def unit_exists(self, path: str) -> bool: ...

    async def mark(self, item_id: int, person_id: int, now: datetime) -> None: ...

    async def studied_by(self, person_id: int) -> set[int]: ...

    async def studied_in(
        self, unit_path: str, item_ids: Sequence[int]
    ) -> tuple[list[Person], dict[int, set[int]]]: ...

    async def counts(self) -> dict[int, int]: ...

    async def studied_everywhere(
        self, item_ids: Sequence[int]
    ) -> tuple[list[Person], dict[int, set[int]]]: ...


@dataclass(frozen=True, slots=True)
class LibraryPage:
    """One page of the materials for a person (``kind``: only that kind)."""

    viewer: Person
    kind: MaterialKind | None
    page: int  # from 0
    pages: int
    items: tuple[Material, ...]
    studied: frozenset[int]
    by_kind: dict[MaterialKind, int]  # how many materials of each kind the person may see
    follow: bool  # the viewer may see who in their unit studied what
    manage: bool = False  # the viewer may add materials from the chat


@dataclass(frozen=True, slots=True)
class Opened:
    """A material opened by a person: the file to send (None for a link) and their mark."""

    viewer: Person
    material: Material
    attachment: Attachment | None
    studied: bool
    unavailable: bool = False  # a file only Telegram holds, opened where documents cannot go


@dataclass(frozen=True, slots=True)
class FollowRow:
    """One required material: who of the unit's people it is for have studied it, who not."""

    material: Material
    done: tuple[str, ...]
    missing: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Follow:
    """The secretary's view: per required material, who in the unit has studied it."""

    viewer: Person
    unit_path: str
    rows: tuple[FollowRow, ...]


@dataclass(frozen=True, slots=True)
class Saved:
    """A broadcast kept as a bản tin: ``widened`` when its audience has no library equivalent
    (the bản tin is for everyone), ``dropped`` when its attachment could not be kept."""

    material: Material
    widened: bool = False
    dropped: bool = False


@dataclass(frozen=True, slots=True)
class Added:
    """A material added from the chat. ``kept``: "" when the bot holds its bytes (or it is a
    link); "too_big" when Telegram would not hand the file over (above 20 MB) and "not_fetched"
    when it could not now: the file then opens on Telegram only (by its id)."""

    material: Material
    kept: str = ""


@dataclass(frozen=True, slots=True)
class UploadAudience:
    """Who the admin's next upload is for, and the units they may choose from."""

    viewer: Person
    upload: LibraryUpload
    unit_path: str  # the chosen unit's path ("" unless ``upload.unit_id``)
    units: tuple[UnitNode, ...]


class Announcer(Protocol):
    """How a notice of a new material reaches its audience: a broadcast, through the outbox."""

    async def preview(
        self,
        text: str,
        audience: str,
        unit: str = "",
        file: BroadcastFile | None = None,
        at: datetime | None = None,
    ) -> Preview: ...

    async def send(
        self,
        text: str,
        audience: str,
        unit: str = "",
        at: datetime | None = None,
        actor: Person | None = None,
        file: BroadcastFile | None = None,
        again: bool = False,
    ) -> tuple[int, Preview]: ...


@dataclass(frozen=True, slots=True)
class Notice:
    """The notice of a material to its audience: how many it reaches; ``sent`` once queued,
    ``repeat`` when the same notice went out within a day (nothing queued)."""

    material: Material
    people: int
    sent: bool = False
    repeat: bool = False


def broadcast_audience(material: Material) -> tuple[str, str]:
    """The broadcast audience (and unit) a material's audience is."""
    if material.audience is Audience.PARTY:
        return f"category:{Category.PARTY_MEMBER.value}", ""
    if material.audience is Audience.UNIT:
        return "all", material.unit_path
    return "all", ""


class LibraryService:
    """The study library."""

    def __init__(
        self,
        store: LibraryStore,
        clock: Clock,
        tz: tzinfo,
        campaign_year: Callable[[], Awaitable[int | None]] | None = None,
        pending: PendingStore | None = None,
        announcer: Announcer | None = None,
        tree: UnitTree | None = None,
    ) -> None:
        self._tree = tree
        self._pending = pending
        self._announcer = announcer
        self._store = store
        self._clock = clock
        self._tz = tz
        self._campaign_year = campaign_year

    # Adding and removing (the command line; admins in the chat) -------------------------

    async def _checked(
        self, title: str, kind: str, summary: str, audience: str, year: int | None
    ) -> NewMaterial:
        which, path = audience_named(audience)
        if which is Audience.UNIT and not await self._store.unit_exists(path):
            raise LibraryError("unknown_unit", path[:80])
        this_year = self._clock.now().astimezone(self._tz).year
        if year is not None and not 2000 <= year <= this_year + 5:
            raise LibraryError("bad_year", str(year))
        if year is None and self._campaign_year is not None:
            year = await self._campaign_year()  # the open campaign's, when there is one
        return NewMaterial(
            title=check_title(title),
            summary=check_summary(summary),
            year=year if year is not None else this_year,
            kind=kind_named(kind),
            audience=which,
            unit_path=path,
        )

    async def add_file(
        self,
        by: Person | None,
        name: str,
        data: bytes,
        *,
        title: str,
        kind: str,
        summary: str = "",
        audience: str = "all",
        year: int | None = None,
    ) -> Material:
        """Store a file as a material; LibraryError (a catalog code) for anything refused."""
        base = await self._checked(title, kind, summary, audience, year)
        clean = check_file(name, data)
        material = replace(base, file_name=clean, data=data)
        return await self._add(by, material)

    async def add_link(
        self,
        by: Person | None,
        url: str,
        *,
        title: str,
        kind: str,
        summary: str = "",
        audience: str = "all",
        year: int | None = None,
    ) -> Material:
        """Store a link (http or https) as a material."""
        base = await self._checked(title, kind, summary, audience, year)
        material = replace(base, url=check_url(url))
        return await self._add(by, material)

    async def _add(self, by: Person | None, material: NewMaterial) -> Material:
        name = by.full_name if by is not None else COMMAND_LINE
        by_id = by.id if by is not None else None
        return await self._store.add(material, by_id=by_id, by=name, now=self._clock.now())

    async def save_news(
        self,
        by: Person | None,
        plain: str,
        audience: str,
        unit: str = "",
        *,
        file: BroadcastFile | None = None,
        fallback_title: str,
    ) -> Saved:
        """Keep a broadcast's text (``plain``: as members read it) as a bản tin in the library,
        with its document when it had one (by Telegram's id, or its bytes from the command
        line; a photo Telegram holds is not kept: it is sent by its id only as a photo). For
        the broadcast's audience where the library has it, else everyone (``Saved.widened``).
        ``fallback_title``: the title of a bản tin without text."""
        which, path, mapped = news_audience(audience.strip(), unit.strip())
        text = plain.strip()[:MAX_NEWS]
        this_year = self._clock.now().astimezone(self._tz).year
        year = await self._campaign_year() if self._campaign_year is not None else None
        material = NewMaterial(
            title=news_title(text, check_title(fallback_title)),
            summary=text,
            year=year if year is not None else this_year,
            kind=MaterialKind.NEWS,
            audience=which,
            unit_path=path,
        )
        dropped = False
        if file is not None:
            try:
                if file.data is not None:
                    name = check_file(file.name, file.data)
                    material = replace(material, file_name=name, data=file.data)
                elif file.kind is FileKind.DOCUMENT and file.file_id:
                    name = check_name(file.name)
                    material = replace(material, file_name=name, file_id=file.file_id)
                else:
                    dropped = True
            except LibraryError:
                dropped = True
        return Saved(await self._add(by, material), widened=not mapped, dropped=dropped)

    async def linkable(self, person: Person, *, every: bool = False) -> list[Material]:
        """The materials an admin may link under a broadcast, newest first (the first page,
        or ``every`` one); none without the right. Bản tin are not offered."""
        if not may_manage(person):
            return []
        found = [m for m in await self._visible(person) if m.kind is not MaterialKind.NEWS]
        return found if every else found[:PAGE_SIZE]

    # Adding from the chat (an admin) ------------------------------------------------------

    def may_manage(self, person: Person) -> bool:
        """Whether ``person`` may add materials from the chat."""
        return may_manage(person)

    async def _units_for(self, person: Person) -> list[UnitNode]:
        """The units an admin may choose (an admin's scope is the whole tree, as for a
        broadcast and the command line): the top levels, as the composer offers them."""
        if self._tree is None or not may_manage(person):
            return []
        nodes = [n for n in await self._tree.unit_nodes() if n.depth <= UNIT_DEPTH]
        nodes.sort(key=lambda n: path_key(n.path))
        return nodes[:MAX_UNITS]

    async def _audience_of(self, person: Person, upload: LibraryUpload) -> UploadAudience | None:
        """The upload's audience as the admin may choose it (None: a unit not in their scope,
        or none such)."""
        units = await self._units_for(person)
        path = ""
        if upload.unit_id:
            found = next((n for n in units if n.id == upload.unit_id), None)
            if found is None:
                return None
            path = found.path
        return UploadAudience(person, upload, path, tuple(units))

    async def start_add(self, person: Person) -> UploadAudience | None:
        """ "📚 Thêm tài liệu": the admin's next file (or link) is for the library, for
        everyone until they choose otherwise; None when the person may not add."""
        if not may_manage(person) or self._pending is None:
            return None
        upload = LibraryUpload()
        await self._pending.set_pending(person.id, upload, self._clock.now())
        return await self._audience_of(person, upload)

    async def choose_audience(self, person: Person, arg: str) -> UploadAudience | None:
        """The admin picks who the upload is for: ``all``, ``party`` or ``u.<unit id>`` (a unit
        of their scope); None when refused (no right, a unit not theirs, malformed)."""
        if not may_manage(person) or self._pending is None:
            return None
        if arg == "all":
            upload = LibraryUpload()
        elif arg == "party":
            upload = LibraryUpload(party=True)
        else:
            head, _, rest = arg.partition(".")
            unit_id = int(rest) if rest.isascii() and rest.isdigit() and len(rest) < 10 else 0
            if head != "u" or not unit_id:
                return None
            upload = LibraryUpload(unit_id=unit_id)
        chosen = await self._audience_of(person, upload)
        if chosen is None:
            return None
        await self._pending.set_pending(person.id, upload, self._clock.now())
        return chosen

    async def add_from_chat(
        self,
        person: Person,
        upload: LibraryUpload,
        text: str,
        file: BroadcastFile | None,
        *,
        documents: bool = True,
        fetch: Fetch | None = None,
    ) -> Added | None:
        """The admin's file with its caption (title, kind, summary), or a typed link followed
        by the same lines, for the audience ``upload`` names; None when the person may no
        longer add. LibraryError for what is refused (the admin may send again). ``documents``:
        the chat's channel keeps files by id (Telegram); a file sent elsewhere is refused, as is
        a picture sent as a photo (Telegram sends a photo's id only as a photo). The file's
        bytes are fetched (``fetch``) and kept as the command line keeps them, so a download
        link works where documents cannot go; a file Telegram will not hand over is kept by its
        id only (``Added.kept``)."""
        if not may_manage(person) or self._pending is None:
            return None
        chosen = await self._audience_of(person, upload)
        if chosen is None:  # the unit left the admin's scope (or the tree) meanwhile
            raise LibraryError("unit_gone")
        if upload.unit_id:
            audience = f"unit:{chosen.unit_path}"
        else:
            audience = "party" if upload.party else "all"
        kept = ""
        if file is not None:
            if not documents:
                raise LibraryError("file_not_here")
            if file.kind is not FileKind.DOCUMENT:
                raise LibraryError("photo_as_file")
            title, kind, summary = parse_caption(text)
            base = await self._checked(title, kind, summary, audience, None)
            if not file.file_id:
                raise LibraryError("bad_type", file.name)
            name = check_name(file.name)
            material = replace(base, file_name=name, file_id=file.file_id)
            try:
                if fetch is None:
                    raise ChannelError("nothing to fetch with")
                data = await fetch(file.file_id)
            except FileTooBig:
                kept = "too_big"
            except ChannelError:
                kept = "not_fetched"
            else:
                material = replace(material, file_name=check_file(name, data), data=data)
        else:
            first, _, rest = text.strip().partition("\n")
            url = check_url(first)
            title, kind, summary = parse_caption(rest)
            base = await self._checked(title, kind, summary, audience, None)
            material = replace(base, url=url)
        added = await self._add(person, material)
        await self._pending.set_pending(person.id, None, self._clock.now())
        return Added(added, kept)

    async def notice(self, person: Person, item_id: int, text: str, *, send: bool) -> Notice | None:
        """Preview (or, with ``send``, queue) ``text`` to the material's audience through the
        outbox; None when the person may not, or there is no such material."""
        material = await self._store.get(item_id)
        if material is None or not may_manage(person) or self._announcer is None:
            return None
        audience, unit = broadcast_audience(material)
        preview = await self._announcer.preview(text, audience, unit)
        if not send or not preview.people:
            return Notice(material, len(preview.people))
        try:
            _, queued = await self._announcer.send(text, audience, unit, actor=person)
        except BroadcastError as error:
            if error.code != "repeat":
                raise
            return Notice(material, len(preview.people), repeat=True)
        return Notice(material, len(queued.people), sent=True)

    async def stop(self, person: Person, pending: Pending | None) -> bool:
        """/huy while adding a material: stop; False when none was being added."""
        if not isinstance(pending, LibraryUpload) or self._pending is None:
            return False
        await self._pending.set_pending(person.id, None, self._clock.now())
        return True

    async def remove(self, item_id: int) -> bool:
        """Stop showing a material; False when there is none."""
        return await self._store.remove(item_id, self._clock.now())

    async def listing(self) -> list[tuple[Material, int]]:
        """Every material with how many people have studied it (the command line's table)."""
        counts = await self._store.counts()
        return [(m, counts.get(m.id, 0)) for m in ordered(await self._store.all())]

    # Browsing, opening, marking ---------------------------------------------------------

    async def _visible(self, person: Person) -> list[Material]:
        return [m for m in ordered(await self._store.all()) if may_see(person, m)]

    async def browse(self, person: Person, kind: MaterialKind | None, page: int) -> LibraryPage:
        """The page ``page`` (clamped) of the materials for ``person``, newest first."""
        visible = await self._visible(person)
        by_kind = {k: sum(1 for m in visible if m.kind is k) for k in MaterialKind}
        chosen = [m for m in visible if kind is None or m.kind is kind]
        pages = max(1, -(-len(chosen) // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        items = tuple(chosen[page * PAGE_SIZE : (page + 1) * PAGE_SIZE])
        studied = frozenset(await self._store.studied_by(person.id))
        manage = may_manage(person) and self._pending is not None
        return LibraryPage(
            person, kind, page, pages, items, studied, by_kind, may_follow(person), manage
        )

    async def material(self, item_id: int) -> Material | None:
        """A material not removed (its rights are checked by whoever acts on it)."""
        return await self._store.get(item_id)

    async def _for(self, person: Person, item_id: int) -> Material | None:
        material = await self._store.get(item_id)
        if material is None or not may_see(person, material):
            return None
        return material

    async def open(self, person: Person, item_id: int, *, bytes_needed: bool) -> Opened | None:
        """The material for ``person`` (None: unknown, removed or not for them); its file by
        Telegram's id when known and ``bytes_needed`` is False, else with its bytes."""
        material = await self._for(person, item_id)
        if material is None:
            return None
        attachment = None
        if material.file_name is not None:
            if material.file_id is not None and not bytes_needed:
                attachment = Attachment(material.file_name, b"", material.file_id)
            else:
                data = await self._store.content(item_id)
                if data is not None:
                    attachment = Attachment(material.file_name, data)
        studied = item_id in await self._store.studied_by(person.id)
        unavailable = material.file_name is not None and attachment is None
        return Opened(person, material, attachment, studied, unavailable)

    async def learned(self, item_id: int, file_id: str) -> None:
        """Telegram now has the material's file under ``file_id``: later opens send it by id."""
        await self._store.learn_file_id(item_id, file_id)

    async def mark(self, person: Person, item_id: int) -> Opened | None:
        """ "Đã học": note that ``person`` studied the material (None when it is not for them)."""
        material = await self._for(person, item_id)
        if material is None:
            return None
        await self._store.mark(item_id, person.id, self._clock.now())
        return Opened(person, material, None, True)

    # The district report ----------------------------------------------------------------

    async def studied_all(self, year: int | None = None) -> dict[str, tuple[int, int]]:
        """Per unit path (people of that unit itself, not below): how many active people have
        at least one required material meant for them, and how many of those have marked
        every one of them studied (the same "required" as the secretary's view); ``year``:
        that year's materials only."""
        required = [
            m
            for m in await self._store.all()
            if m.kind in REQUIRED and (year is None or m.year == year)
        ]
        if not required:  # nobody to count: every person's row is not read for nothing
            return {}
        members, marks = await self._store.studied_everywhere([m.id for m in required])
        counts: dict[str, tuple[int, int]] = {}
        for person in members:
            meant = [m for m in required if meant_for(person, m)]
            if not meant:
                continue
            done = all(person.id in marks.get(m.id, set()) for m in meant)
            had_done, had = counts.get(person.unit_path, (0, 0))
            counts[person.unit_path] = (had_done + done, had + 1)
        return counts

    # The secretary's view ---------------------------------------------------------------

    async def follow(self, person: Person) -> Follow | None:
        """Who in the secretary's unit has studied each required material (None: no right)."""
        if not may_follow(person):
            return None
        required = [m for m in await self._visible(person) if m.kind in REQUIRED]
        members, marks = await self._store.studied_in(person.unit_path, [m.id for m in required])
        rows = []
        for material in required:
            meant = [p for p in members if may_see(p, material)]
            if not meant:
                continue
            done = marks.get(material.id, set())
            rows.append(
                FollowRow(
                    material,
                    tuple(p.full_name for p in meant if p.id in done),
                    tuple(p.full_name for p in meant if p.id not in done),
                )
            )
        return Follow(person, person.unit_path, tuple(rows))
