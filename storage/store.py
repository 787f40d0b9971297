"""One object that owns the engine and the repositories built on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.accounts_repo import AccountRepository
from storage.audit_repo import AuditRepository
from storage.broadcasts_repo import BroadcastRepository
from storage.directory_repo import DirectoryRepository
from storage.engine import SqliteWriter, make_engine, sqlite_writer
from storage.meetings_repo import MeetingRepository
from storage.migrate import upgrade
from storage.outbox_repo import OutboxRepository
from storage.plans_repo import PlanRepository
from storage.roster_repo import RosterRepository
from storage.schedule_repo import ScheduleRepository


@dataclass(frozen=True, slots=True)
class Store:
    """The database: engine plus the repositories the services depend on."""

    engine: AsyncEngine
    writer: SqliteWriter | None
    roster: RosterRepository
    accounts: AccountRepository
    directory: DirectoryRepository
    plans: PlanRepository
    outbox: OutboxRepository
    schedule: ScheduleRepository
    meetings: MeetingRepository
    broadcasts: BroadcastRepository
    audit: AuditRepository

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, **engine_options: Any) -> Store:
        """Connect to ``url`` and bring its schema up to date."""
        engine = make_engine(url, **engine_options)
        try:
            if migrate:
                await upgrade(engine)
        except BaseException:
            await engine.dispose()
            raise
        writer = sqlite_writer(url)
        return cls(
            engine,
            writer,
            RosterRepository(engine, writer),
            AccountRepository(engine, writer),
            DirectoryRepository(engine, writer),
            PlanRepository(engine, writer),
            OutboxRepository(engine, writer),
            ScheduleRepository(engine, writer),
            MeetingRepository(engine, writer),
            BroadcastRepository(engine, writer),
            AuditRepository(engine, writer),
        )

    async def close(self) -> None:
        """Release every connection."""
        if self.writer is not None:
            await self.writer.close()
        await self.engine.dispose()
