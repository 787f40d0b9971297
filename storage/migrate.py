"""Apply Alembic migrations to the newest revision; the bot calls this at start."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.engine import IMMEDIATE

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK = 5_802_022  # advisory lock id: two processes starting at once migrate one at a time


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, with no ini file."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})
    command.upgrade(alembic_config(connection), "head")


async def upgrade(engine: AsyncEngine) -> None:
    """Bring the schema to the newest revision (idempotent)."""
    async with engine.connect() as connection:
        connection = await connection.execution_options(**{IMMEDIATE: True})
        async with connection.begin():
            await connection.run_sync(_upgrade)
