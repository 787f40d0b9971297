"""Apply Alembic migrations to the newest revision; the bot calls this at start."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.engine import Database

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK = 5_802_022  # advisory lock id: two processes starting at once migrate one at a time


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, with no ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class DatabaseProblem(Exception):
    """The database cannot be used as it is; ``code`` names the catalog message under
    ``cli.db_problem`` and ``detail`` fills it (the unknown revision, the damaged file)."""

    def __init__(self, code: str, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


def known_revisions() -> set[str]:
    """Every migration revision this version of the program ships."""
    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def check_known(revisions: Iterable[str | None]) -> None:
    """Raise DatabaseProblem("too_new") when a revision is one this program does not know
    (the database was made by a newer version: migrating or using it would damage it)."""
    known = known_revisions()
    for revision in revisions:
        if revision is not None and revision not in known:
            raise DatabaseProblem("too_new", revision)


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})
    check_known(MigrationContext.configure(connection).get_current_heads())
    command.upgrade(alembic_config(connection), "head")


async def upgrade(database: Database) -> None:
    """Bring the schema to the newest revision (idempotent), in one transaction."""
    await database.write(_upgrade)
