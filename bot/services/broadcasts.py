"""Admin broadcasts: check the text, resolve the audience, preview the count, queue, follow, cancel.

A broadcast goes through the outbox like every proactive message: paced, resumable after a
restart, each recipient once (the outbox key names the broadcast and the person).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.domain.audit import AuditAction
from bot.domain.broadcast import (
    MAX_CAPTION,
    MAX_TEXT,
    Audience,
    AudienceError,
    BroadcastFile,
    BroadcastRow,
    outbox_prefix,
    recipients,
    repeats,
    still_addressed,
)
from bot.domain.callbacks import LibraryCode, LibraryPress
from bot.domain.models import Person
from bot.domain.outbox import Failure, OutboxMessage, Priority
from bot.domain.payloads import Broadcast, Button
from bot.domain.roster import split_unit_path
from bot.domain.telegram_html import EntityError, parse_html, utf16_len
from bot.domain.text import is_blank, scrub
from bot.services.audit import AuditService
from bot.services.ports import (
    BroadcastStore,
    Clock,
    DirectoryStore,
    PlanStore,
    ScheduleStore,
    UnitOfWork,
    Units,
)

OPEN_LINKED = "news.open_button"  # the catalog key of "📚 Mở tài liệu" under a broadcast


class BroadcastError(ValueError):
    """The broadcast cannot be sent as asked; ``code`` names the catalog message."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Preview:
    """What would be sent, to how many, before anything is."""

    text: str  # as the recipients will read it (tags removed)
    people: tuple[int, ...]
    not_linked: int
    repeat_of: datetime | None = None  # the same text went to the same audience within a day


class BroadcastService:
    """Broadcasts for admins (the command line checks nothing else: it runs on the server)."""

    def __init__(
        self,
        store: BroadcastStore,
        units: Units,
        schedule: ScheduleStore,
        plans: PlanStore,
        directory: DirectoryStore,
        audit: AuditService,
        clock: Clock,
    ) -> None:
        self._audit = audit
        self._store = store
        self._units = units
        self._schedule = schedule
        self._plans = plans
        self._directory = directory
        self._clock = clock
        self._files: dict[int, BroadcastFile | None] = {}
        self._audiences: dict[int, tuple[Audience, int] | None] = {}  # with the campaign's id

    async def file(self, broadcast_id: int) -> BroadcastFile | None:
        """The document or photo of a broadcast (kept in memory once Telegram has its id)."""
        if broadcast_id in self._files:
            return self._files[broadcast_id]
        found = await self._store.file(broadcast_id)
        if found is None or found.file_id is not None:
            self._files[broadcast_id] = found
        return found

    def uploaded(self, broadcast_id: int) -> bool:
        """True when Telegram is known to have the broadcast's file (or it has none)."""
        if broadcast_id not in self._files:
            return False
        found = self._files[broadcast_id]
        return found is None or found.file_id is not None

    async def learned(self, broadcast_id: int, file_id: str) -> None:
        """Telegram returned the uploaded file's id: send the others that instead of the bytes."""
        if self._files.get(broadcast_id) is None:
            found = await self._store.file(broadcast_id)
            if found is None:
                return
            self._files[broadcast_id] = BroadcastFile(found.kind, found.name, file_id)
            await self._store.learn_file_id(broadcast_id, file_id)

    async def addressed(self, broadcast_id: int, person_id: int) -> bool:
        """True when the broadcast may still go to the person, checked when it is sent."""
        if broadcast_id not in self._audiences:
            self._audiences[broadcast_id] = await self._audience(broadcast_id)
        found = self._audiences[broadcast_id]
        if found is None:  # the broadcast row is gone or unreadable: as queued
            return True
        audience, campaign_id = found
        standings = await self._schedule.standings(campaign_id, person_ids=[person_id])
        return still_addressed(audience, standings[0] if standings else None)

    async def _audience(self, broadcast_id: int) -> tuple[Audience, int] | None:
        stored = await self._store.audience(broadcast_id)
        if stored is None:
            return None
        audience, unit = stored
        unit_ids = None
        if unit.strip():
            found = await self._directory.unit_by_path(split_unit_path(unit))
            unit_ids = await self._directory.subtree(found.id) if found is not None else []
        try:
            chosen = Audience.parse(audience, unit_ids)
        except AudienceError:
            return None
        campaign = await self._plans.active_campaign()
        return chosen, campaign.id if campaign else -1

    async def preview(
        self,
        text: str,
        audience: str,
        unit: str = "",
        file: BroadcastFile | None = None,
        at: datetime | None = None,
    ) -> Preview:
        """Check everything and count the recipients; BroadcastError says what is wrong.

        With a file the text is its caption: it may be empty, and must be short. ``repeat_of``
        says when the same text went to the same audience, if that is within a day of ``at``.
        """
        text = scrub(text).strip()
        if is_blank(text) and file is None:
            raise BroadcastError("empty")
        limit = MAX_CAPTION if file is not None else MAX_TEXT
        if utf16_len(text) > limit:  # counted as Telegram does: an emoji is two
            raise BroadcastError("caption_too_long" if file else "too_long", str(utf16_len(text)))
        try:
            plain = parse_html(text)
        except EntityError as error:
            raise BroadcastError(f"html.{error.code}", error.near) from error
        unit_ids = None
        if unit.strip():
            found = await self._directory.unit_by_path(split_unit_path(unit))
            if found is None:
                raise BroadcastError("unknown_unit", unit)
            unit_ids = await self._directory.subtree(found.id)
        try:
            chosen = Audience.parse(audience, unit_ids)
        except AudienceError as error:
            raise BroadcastError("audience", error.value) from error
        campaign = await self._plans.active_campaign()
        if chosen.kind == "status" and campaign is None:
            raise BroadcastError("no_campaign")
        standings = await self._schedule.standings(campaign.id if campaign else -1, unit_ids)
        people, not_linked = recipients(chosen, standings)
        earlier = await self._store.latest_same(text, audience.strip(), unit.strip())
        repeat_of = earlier if repeats(earlier, at or self._clock.now()) else None
        return Preview(plain, tuple(people), not_linked, repeat_of)

    async def send(
        self,
        text: str,
        audience: str,
        unit: str = "",
        at: datetime | None = None,
        actor: Person | None = None,
        file: BroadcastFile | None = None,
        again: bool = False,
        link: int | None = None,
    ) -> tuple[int, Preview]:
        """Queue the broadcast (from ``at``, default now); return its id and what was queued.

        The same text to the same audience within a day is refused (``repeat``) unless ``again``.
        ``link``: a library item the message opens with a button (the library re-checks who
        presses it).
        """
        now = self._clock.now()
        if at is not None and at < now:
            raise BroadcastError("past")
        preview = await self.preview(text, audience, unit, file, at)
        if not preview.people:
            raise BroadcastError("nobody")
        if preview.repeat_of is not None and not again:
            raise BroadcastError("repeat", preview.repeat_of.isoformat())
        html = scrub(text).strip()
        not_before = at or now
        where = f" @ {unit.strip()}" if unit.strip() else ""

        def work(writes: UnitOfWork) -> int:
            broadcast_id = writes.add_broadcast(
                text=html,
                audience=audience.strip(),
                unit_path=unit.strip(),
                recipients=len(preview.people),
                not_before=not_before,
                now=now,
                file=file,
            )
            # One object for the wave: encoded once. The id lets the sender find the file and
            # check, at each send, that the person is still in the audience.
            buttons: tuple[Button, ...] = ()
            if link is not None:
                data = LibraryPress(LibraryCode.OPEN, str(link)).pack()
                buttons = (Button(label=OPEN_LINKED, data=data),)
            payload = Broadcast(html=html, broadcast=broadcast_id, buttons=buttons)
            wave = [
                OutboxMessage(
                    key=f"{outbox_prefix(broadcast_id)}person:{pid}",
                    person_id=pid,
                    payload=payload,
                    priority=Priority.WAVE,
                    not_before=not_before,
                )
                for pid in preview.people
            ]
            writes.enqueue(wave, now)
            self._audit.note(
                writes,
                actor,
                AuditAction.BROADCAST,
                f"broadcast:{broadcast_id}",
                f"{audience.strip()}{where}; {len(preview.people)}",
            )
            return broadcast_id

        return await self._units.run(work), preview

    async def status(self, broadcast_id: int) -> tuple[BroadcastRow, list[Failure]] | None:
        """How a broadcast stands, and whom it did not reach."""
        row = await self._store.get(broadcast_id)
        if row is None:
            return None
        return row, await self._store.failures(broadcast_id)

    async def cancel(self, broadcast_id: int, actor: Person | None = None) -> int | None:
        """Withdraw what has not been sent; None for an unknown broadcast."""
        if await self._store.get(broadcast_id) is None:
            return None
        withdrawn = await self._store.cancel(broadcast_id)
        await self._audit.record(
            actor, AuditAction.BROADCAST_CANCEL, f"broadcast:{broadcast_id}", str(withdrawn)
        )
        return withdrawn
