"""Table definitions (SQLAlchemy Core). Migrations create them; tests check both agree."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every engine (SQLite stores it naive, so we add UTC back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the database")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

units = Table(
    "units",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("parent_id", Integer, ForeignKey("units.id", ondelete="RESTRICT"), nullable=True),
    Column("name", String(200), nullable=False),
    Column("path", Text, nullable=False),
    Column("path_key", Text, nullable=False, unique=True),
    Column("depth", Integer, nullable=False),
)
Index(None, units.c.parent_id)

people = Table(
    "people",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("code", String(32), nullable=False, unique=True),
    Column("full_name", String(120), nullable=False),
    Column("birth_date", Date, nullable=True),
    Column("phone", String(16), nullable=True),
    Column("category", String(20), nullable=False),
    Column("exemption", String(20), nullable=False),
    Column("unit_id", Integer, ForeignKey("units.id", ondelete="RESTRICT"), nullable=False),
    Column("party_position", String(200), nullable=False),
    Column("gov_position", String(200), nullable=False),
    Column("union_position", String(200), nullable=False),
    Column("roles", String(64), nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
)
Index(None, people.c.phone)
Index(None, people.c.unit_id)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("chat_id", String(64), nullable=False),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("method", String(16), nullable=False),
    Column("linked_at", UtcDateTime(), nullable=False),
    UniqueConstraint("channel", "user_id"),
    UniqueConstraint("channel", "person_id"),
)

invites = Table(
    "invites",
    metadata,
    Column("code", String(20), primary_key=True),
    Column("person_id", Integer, ForeignKey("people.id", ondelete="CASCADE"), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("used_at", UtcDateTime(), nullable=True),
    Column("used_by", String(64), nullable=True),
)
Index(None, invites.c.person_id)

signin_failures = Table(
    "signin_failures",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("channel", String(16), nullable=False),
    Column("user_id", String(64), nullable=False),
    Column("at", UtcDateTime(), nullable=False),
)
Index(None, signin_failures.c.channel, signin_failures.c.user_id, signin_failures.c.at)

settings_kv = Table(
    "settings_kv",
    metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
