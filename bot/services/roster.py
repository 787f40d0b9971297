"""Roster use-cases: import a table, export it, issue invite codes."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence, Sized
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.domain.collation import path_key, vi_key
from bot.domain.directory import InviteRow
from bot.domain.invites import new_code
from bot.domain.models import Person, Role
from bot.domain.roster import Cell, ImportSummary, ParsedRoster, parse_roster
from bot.services.ports import AccountStore, Clock, DirectoryStore, RosterStore


class UnitNotFound(LookupError):
    """No unit has the given path."""


class PersonNotFound(LookupError):
    """No person has the given code."""


@dataclass(frozen=True, slots=True)
class ImportOutcome:
    """The parse result, and what was written when the file was valid."""

    parsed: ParsedRoster
    summary: ImportSummary | None


@dataclass(frozen=True, slots=True)
class InviteBatch:
    """Codes created now, and every open code in the requested scope."""

    created: int
    open: list[InviteRow]


class RosterService:
    """Loads the roster and hands out invite codes."""

    def __init__(
        self,
        roster: RosterStore,
        accounts: AccountStore,
        directory: DirectoryStore,
        clock: Clock,
        tz: ZoneInfo,
    ) -> None:
        self._roster = roster
        self._accounts = accounts
        self._directory = directory
        self._clock = clock
        self._tz = tz

    async def import_table(
        self,
        rows: Iterable[tuple[int, Sequence[Cell]]],
        *,
        remove_missing: bool,
        dry_run: bool,
        progress: Progress | None = None,
    ) -> ImportOutcome:
        """Check every row; import all of them in one transaction only when none is bad.

        ``progress("check" | "write", done, total)`` hears how far each phase is.
        """
        today = self._clock.now().astimezone(self._tz).date()
        parsed = parse_roster(rows if progress is None else _counted(rows, progress), today)
        if not parsed.ok:
            return ImportOutcome(parsed, None)
        if progress is not None:
            progress("write", 0, len(parsed.records))
        summary = await self._roster.import_roster(
            parsed.records, remove_missing=remove_missing, dry_run=dry_run, now=self._clock.now()
        )
        if progress is not None:
            progress("write", len(parsed.records), len(parsed.records))
        return ImportOutcome(parsed, summary)

    async def people(self) -> list[Person]:
        """The active roster, by unit."""
        return await self._roster.list_people()

    async def is_empty(self) -> bool:
        """True when nobody is on the roster yet."""
        return await self._roster.count_people() == 0

    async def _scope(self, unit_path: tuple[str, ...] | None) -> list[int] | None:
        if unit_path is None:
            return None
        unit = await self._directory.unit_by_path(unit_path)
        if unit is None:
            raise UnitNotFound(" / ".join(unit_path))
        return await self._directory.subtree(unit.id)

    async def issue_invites(
        self, unit_path: tuple[str, ...] | None, renew_code: str | None
    ) -> InviteBatch:
        """Create codes for people not linked and without one (or renew one person's code)."""
        scope = await self._scope(unit_path)
        if renew_code is not None:
            person = await self._roster.person_by_code(renew_code.strip().upper())
            if person is None or not person.active:
                raise PersonNotFound(renew_code)
            targets = [person]
        else:
            targets = await self._accounts.people_needing_invites(scope)
        await self._accounts.issue_invites({p.id: new_code() for p in targets}, self._clock.now())
        return InviteBatch(created=len(targets), open=await self._open_invites(scope))

    async def _open_invites(self, scope: list[int] | None) -> list[InviteRow]:
        """The unused invites of ``scope``, by unit then name in Vietnamese order."""
        rows = await self._accounts.open_invites(scope)
        return sorted(rows, key=lambda r: (path_key(r.unit_path), vi_key(r.full_name)))

    async def invites_for(self, viewer: Person) -> InviteBatch | None:
        """A secretary's or head's invite codes for their unit; None for anyone else."""
        if not viewer.active or not (viewer.has(Role.SECRETARY) or viewer.has(Role.HEAD)):
            return None
        scope = await self._directory.subtree(viewer.unit_id)
        targets = await self._accounts.people_needing_invites(scope)
        await self._accounts.issue_invites({p.id: new_code() for p in targets}, self._clock.now())
        return InviteBatch(created=len(targets), open=await self._open_invites(scope))

    async def bot_username(self) -> str | None:
        """The bot's username, remembered from its last start."""
        return await self._directory.get_setting("bot_username")

    async def remember_bot_username(self, username: str) -> None:
        """Store the bot's username so invite links can be made offline."""
        await self._directory.set_setting("bot_username", username)


Progress = Callable[[str, int, int], None]
"""Hears ``(phase, done, total)`` as a long job goes."""
PROGRESS_EVERY = 500  # rows between two progress calls


def _counted(
    rows: Iterable[tuple[int, Sequence[Cell]]], progress: Progress
) -> Iterator[tuple[int, Sequence[Cell]]]:
    """``rows``, telling ``progress`` every ``PROGRESS_EVERY`` rows checked (the total is 0
    when ``rows`` does not know its length)."""
    total = len(rows) if isinstance(rows, Sized) else 0
    done = 0
    for done, row in enumerate(rows, 1):
        yield row
        if done % PROGRESS_EVERY == 0:
            progress("check", done, total)
    progress("check", done, total or done)
