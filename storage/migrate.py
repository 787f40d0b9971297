"""Apply Alembic migrations to the newest revision; the bot calls this at start."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from storage.engine import Database

if TYPE_CHECKING:  # Alembic (and Mako) load only when there is something to migrate
    from alembic.config import Config

MIGRATIONS = Path(__file__).parent / "migrations"
_PG_LOCK = 5_802_022  # advisory lock id: two processes starting at once migrate one at a time


def alembic_config(connection: Connection | None = None) -> Config:
    """An Alembic config pointing at our migrations, with no ini file."""
    from alembic.config import Config

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
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(alembic_config())
    return {revision.revision for revision in script.walk_revisions()}


def check_known(revisions: Iterable[str | None]) -> None:
    """Raise DatabaseProblem("too_new") when a revision is one this program does not know
    (the database was made by a newer version: migrating or using it would damage it)."""
    known = known_revisions()
    for revision in revisions:
        if revision is not None and revision not in known:
            raise DatabaseProblem("too_new", revision)


def shipped_head() -> str | None:
    """The newest revision of the shipped migrations, read from the ``revision`` and
    ``down_revision`` lines of their files; None unless that is exactly one (then Alembic
    decides). A test holds it equal to Alembic's own head."""
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in (MIGRATIONS / "versions").glob("*.py"):
        found: dict[str, object] = {}
        for node in ast.parse(path.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.Assign) and len(node.targets) == 1:
                target = node.targets[0]
                if isinstance(target, ast.Name) and target.id in ("revision", "down_revision"):
                    try:
                        found[target.id] = ast.literal_eval(node.value)
                    except ValueError:
                        return None
        revision, down = found.get("revision"), found.get("down_revision")
        if revision is None and path.name == "__init__.py":
            continue
        if not isinstance(revision, str) or not (down is None or isinstance(down, str)):
            return None  # a merge point or an unusual file: Alembic reads it
        revisions.add(revision)
        if down is not None:
            parents.add(down)
    heads = revisions - parents
    return heads.pop() if len(heads) == 1 else None


def _at_head(connection: Connection) -> bool:
    """The database is at the shipped head already (the usual restart): nothing to load."""
    head = shipped_head()
    if head is None or not inspect(connection).has_table("alembic_version"):
        return False
    stored = connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
    return list(stored) == [head]


def _upgrade(connection: Connection) -> None:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _PG_LOCK})
    if _at_head(connection):
        return
    from alembic import command
    from alembic.runtime.migration import MigrationContext

    check_known(MigrationContext.configure(connection).get_current_heads())
    command.upgrade(alembic_config(connection), "head")


async def upgrade(database: Database) -> None:
    """Bring the schema to the newest revision (idempotent), in one transaction."""
    await database.write(_upgrade)


def current_heads() -> frozenset[str]:
    """The revisions a database of this program is at once it is migrated: the shipped head,
    read from the files, or Alembic's heads when the files leave it open (a merge point)."""
    head = shipped_head()
    if head is not None:
        return frozenset({head})
    from alembic.script import ScriptDirectory

    return frozenset(ScriptDirectory.from_config(alembic_config()).get_heads())


async def answers(database: Database) -> None:
    """``SELECT 1`` on ``database``: returns when it answers, raises what stops it otherwise."""
    await database.read(lambda connection: connection.execute(text("SELECT 1")).scalar())


async def is_current(database: Database, heads: frozenset[str] | None = None) -> bool:
    """The database is at ``heads`` (default ``current_heads()``): no migration is missing,
    none is unknown. A database never migrated is not current."""
    wanted = heads if heads is not None else current_heads()

    def stored(connection: Connection) -> frozenset[str] | None:
        if not inspect(connection).has_table("alembic_version"):
            return None
        rows = connection.execute(text("SELECT version_num FROM alembic_version")).scalars()
        return frozenset(rows)

    return await database.read(stored) == wanted
