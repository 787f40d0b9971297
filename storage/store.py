"""One object that owns the database and the repositories built on it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from storage.accounts_repo import AccountRepository
from storage.audit_repo import AuditRepository
from storage.broadcasts_repo import BroadcastRepository
from storage.directory_repo import DirectoryRepository
from storage.engine import Database, make_engine, open_database
from storage.inbox_repo import InboxRepository
from storage.library_repo import LibraryRepository
from storage.link_codes_repo import LinkCodeRepository
from storage.links_repo import LinkRepository
from storage.meetings_repo import MeetingRepository
from storage.migrate import upgrade
from storage.models_repo import ModelsRepository
from storage.offers_repo import OfferRepository
from storage.outbox_repo import OutboxRepository
from storage.plans_repo import PlanRepository
from storage.progress_repo import ProgressRepository
from storage.roster_repo import RosterRepository
from storage.schedule_repo import ScheduleRepository
from storage.screens_repo import ScreenRepository
from storage.seen_repo import SeenRepository
from storage.unit import SqlUnits


@dataclass(frozen=True, slots=True)
class Store:
    """The database: where its work runs, and the repositories the services depend on.

    ``engine`` is the async engine: PostgreSQL's runner, and for a SQLite file a door for tests
    and tools to the same file (the bot's own work runs on ``database``).
    """

    engine: AsyncEngine
    database: Database
    units: SqlUnits
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
    progress: ProgressRepository
    screens: ScreenRepository
    library: LibraryRepository
    models: ModelsRepository
    inbox: InboxRepository

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, **engine_options: Any) -> Store:
        """Connect to ``url`` and bring its schema up to date."""
        engine = make_engine(url, **engine_options)
        database = open_database(url, engine)
        try:
            if migrate:
                await upgrade(database)
        except BaseException:
            await database.close()
            await engine.dispose()
            raise
        return cls(
            engine,
            database,
            SqlUnits(database),
            RosterRepository(database),
            AccountRepository(database),
            DirectoryRepository(database),
            PlanRepository(database),
            OutboxRepository(database),
            ScheduleRepository(database),
            MeetingRepository(database),
            BroadcastRepository(database),
            AuditRepository(database),
            OfferRepository(database),
            SeenRepository(database),
            LinkCodeRepository(database),
            LinkRepository(database),
            ProgressRepository(database),
            ScreenRepository(database),
            LibraryRepository(database),
            ModelsRepository(database),
            InboxRepository(database),
        )

    async def close(self) -> None:
        """Finish the queued work and release every connection."""
        await self.database.close()
        await self.engine.dispose()
