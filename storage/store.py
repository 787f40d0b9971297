"""One object that owns the database and the repositories built on it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sqlalchemy.engine import make_url

from storage.accounts_repo import AccountRepository
from storage.audit_repo import AuditRepository
from storage.broadcasts_repo import BroadcastRepository
from storage.directory_repo import DirectoryRepository
from storage.engine import Database, ServerDatabase, SqliteThread, make_engine
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
from storage.unit import SqlUnits

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine


@dataclass(frozen=True, slots=True)
class Store:
    """The database: where its work runs, and the repositories the services depend on.

    ``engine`` is the async engine: PostgreSQL's runner, and for a SQLite file a door for tests
    and tools to the same file, made when first asked for (the bot's own work runs on
    ``database``, so a bot on SQLite never loads the async engine).
    """

    url: str
    engine_options: dict[str, Any]
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
    link_codes: LinkCodeRepository
    links: LinkRepository
    progress: ProgressRepository
    screens: ScreenRepository
    library: LibraryRepository
    models: ModelsRepository
    inbox: InboxRepository
    _engines: list[AsyncEngine] = field(default_factory=list)  # the one made, once made

    @property
    def engine(self) -> AsyncEngine:
        """The async engine (made on first use on SQLite)."""
        if not self._engines:
            self._engines.append(make_engine(self.url, **self.engine_options))
        return self._engines[0]

    @classmethod
    async def open(cls, url: str, *, migrate: bool = True, **engine_options: Any) -> Store:
        """Connect to ``url`` and bring its schema up to date."""
        sqlite = make_url(url).get_backend_name() == "sqlite"
        engines = [] if sqlite else [make_engine(url, **engine_options)]
        database = SqliteThread(url) if sqlite else ServerDatabase(engines[0])
        try:
            if migrate:
                await upgrade(database)
        except BaseException:
            await database.close()
            for engine in engines:
                await engine.dispose()
            raise
        return cls(
            url,
            engine_options,
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
            LinkCodeRepository(database),
            LinkRepository(database),
            ProgressRepository(database),
            ScreenRepository(database),
            LibraryRepository(database),
            ModelsRepository(database),
            InboxRepository(database),
            engines,
        )

    async def close(self) -> None:
        """Finish the queued work and release every connection."""
        await self.database.close()
        for engine in self._engines:
            await engine.dispose()
