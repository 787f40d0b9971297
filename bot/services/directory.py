"""What secretaries, heads of unit and admins may look at."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.collation import path_key, vi_key
from bot.domain.directory import Member, RosterStats
from bot.domain.menu import Command, may_use
from bot.domain.models import Person
from bot.services.ports import DirectoryStore


@dataclass(frozen=True, slots=True)
class UnitOverview:
    """A unit (with its sub-units) as its secretary or head sees it."""

    unit_path: str
    members: list[Member]

    @property
    def not_linked(self) -> list[Member]:
        """Members who have not linked a chat account yet."""
        return [m for m in self.members if not m.linked]


class DirectoryService:
    """Unit listings and roster counts, each behind its access check."""

    def __init__(self, directory: DirectoryStore) -> None:
        self._directory = directory

    async def unit_overview(self, viewer: Person | None) -> UnitOverview | None:
        """The viewer's own unit and its sub-units; None when the viewer may not see it."""
        if viewer is None or not may_use(viewer, Command.UNIT):
            return None
        ids = await self._directory.subtree(viewer.unit_id)
        members = await self._directory.members(ids)
        members.sort(key=lambda m: (path_key(m.person.unit_path), vi_key(m.person.full_name)))
        return UnitOverview(viewer.unit_path, members)

    async def stats(self, viewer: Person | None) -> RosterStats | None:
        """Counts over the whole roster; None unless the viewer is an admin."""
        if viewer is None or not may_use(viewer, Command.STATS):
            return None
        return await self._directory.stats()
