"""One object that owns the engine and the repositories built on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.accounts_repo import AccountRepository
from storage.audit_repo import AuditRepository
from storage.broadcasts_repo import BroadcastRepository
from storage.directory_repo import DirectoryRepository
from storage.engine import SqliteThread, make_engine, sqlite_thread
from storage.link_codes_repo import LinkCodeRepository
from storage.links_repo import LinkRepository
from storage.meetings_repo import MeetingRepository
from storage.migrate import upgrade
from storage.offers_repo import OfferRepository
from storage.outbox_repo import OutboxRepository
from storage.plans_repo import PlanRepository
from storage.roster_repo import RosterRepository
from storage.schedule_repo import ScheduleRepository
from storage.seen_repo import SeenRepository


@dataclass(frozen=True, slots=True)
class Store:
    """The database: engine plus the repositories the services depend on."""

    engine: AsyncEngine
    thread: SqliteThread | None
    roster: RosterRepository
    accounts: AccountRepository
    directory: DirectoryRepository
    plans: PlanRepository
    outbox: OutboxRepository
    schedule: ScheduleRepository
    meetings: MeetingRepository
    broadcasts: BroadcastRepository
    audit: AuditRepository
    offers: OfferRepository
    seen: SeenRepository
    link_codes: LinkCodeRepository
    links: LinkRepository

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
        thread = sqlite_thread(url)
        return cls(
            engine,
            thread,
            RosterRepository(engine, thread),
            AccountRepository(engine, thread),
            DirectoryRepository(engine, thread),
            PlanRepository(engine, thread),
            OutboxRepository(engine, thread),
            ScheduleRepository(engine, thread),
            MeetingRepository(engine, thread),
            BroadcastRepository(engine, thread),
            AuditRepository(engine, thread),
            OfferRepository(engine, thread),
            SeenRepository(engine, thread),
            LinkCodeRepository(engine, thread),
            LinkRepository(engine, thread),
        )

    async def close(self) -> None:
        """Release every connection."""
        if self.thread is not None:
            await self.thread.close()
        await self.engine.dispose()
