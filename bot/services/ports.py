"""What the services need from the outside world, as Protocols the edges implement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Protocol

from bot.domain.directory import InviteRow, Member, RosterStats
from bot.domain.models import Channel, Invite, Person, Unit
from bot.domain.roster import ImportSummary, RosterRecord


class LinkConflict(Exception):
    """A link lost a race: the invite was spent or the account was linked meanwhile."""


class Clock(Protocol):
    """Where the services read the time from (aware datetimes)."""

    def now(self) -> datetime:
        """The current instant."""
        ...


class RosterStore(Protocol):
    """Roster persistence."""

    async def import_roster(
        self, records: Sequence[RosterRecord], *, remove_missing: bool, dry_run: bool, now: datetime
    ) -> ImportSummary: ...

    async def list_people(self, *, active_only: bool = True) -> list[Person]: ...

    async def count_people(self) -> int: ...

    async def person_by_code(self, code: str) -> Person | None: ...


class AccountStore(Protocol):
    """Linked chat accounts and invite codes."""

    async def person_for_account(self, channel: Channel, user_id: str) -> Person | None: ...

    async def people_by_phone(self, phone: str) -> list[Person]: ...

    async def person(self, person_id: int) -> Person | None: ...

    async def invite(self, code: str) -> Invite | None: ...

    async def link(
        self,
        channel: Channel,
        user_id: str,
        chat_id: str,
        person_id: int,
        *,
        method: str,
        now: datetime,
        invite_code: str | None = None,
    ) -> str | None: ...

    async def record_failure(self, channel: Channel, user_id: str, now: datetime) -> None: ...

    async def count_failures(self, channel: Channel, user_id: str, since: datetime) -> int: ...

    async def issue_invites(self, codes: dict[int, str], now: datetime) -> None: ...

    async def people_needing_invites(self, unit_ids: Sequence[int] | None) -> list[Person]: ...

    async def open_invites(self, unit_ids: Sequence[int] | None) -> list[InviteRow]: ...


class DirectoryStore(Protocol):
    """The organisation tree and counts."""

    async def unit_by_path(self, path: tuple[str, ...]) -> Unit | None: ...

    async def subtree(self, unit_id: int) -> list[int]: ...

    async def members(self, unit_ids: list[int]) -> list[Member]: ...

    async def stats(self) -> RosterStats: ...

    async def get_setting(self, key: str) -> str | None: ...

    async def set_setting(self, key: str, value: str) -> None: ...
