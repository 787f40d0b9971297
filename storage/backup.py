"""Backups of the SQLite database while the bot runs, and putting one back.

SQLite's online backup API copies a consistent snapshot page by page, even while the bot writes
(WAL mode); copying the file with ``cp`` could catch it half-written. A backup holds personal
data, so it is created readable by its owner only, like the database itself. PostgreSQL has
``pg_dump`` for this: the command line says how.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path

from storage.migrate import DatabaseProblem, check_known

PAGES_PER_STEP = 1024  # copy in steps so the bot's writers are not held up for long
COUNTED = ("people", "accounts", "plans", "outbox")


class BackupError(Exception):
    """The backup or restore cannot be done; ``code`` names the catalog message."""

    def __init__(self, code: str, path: Path) -> None:
        super().__init__(f"{code}: {path}")
        self.code = code
        self.path = path


@dataclass(frozen=True, slots=True)
class BackupInfo:
    """What a backup file holds."""

    path: Path
    size: int
    counts: dict[str, int]
    schema: str  # the migration revision


def _private(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_CREAT | os.O_WRONLY | os.O_TRUNC, 0o600)
    os.close(fd)
    os.chmod(path, 0o600)  # an existing file keeps its mode otherwise


def inspect(path: Path) -> BackupInfo:
    """Check ``path`` is a sound database of this bot and count what it holds."""
    if not path.is_file():
        raise BackupError("missing", path)
    try:
        # immutable: a backup is not in use, and opening it so creates no -wal/-shm beside it.
        with contextlib.closing(sqlite3.connect(_uri(path, "ro&immutable=1"), uri=True)) as conn:
            if conn.execute("PRAGMA integrity_check").fetchone() != ("ok",):
                raise BackupError("corrupt", path)
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            if "alembic_version" not in tables or not set(COUNTED) <= tables:
                raise BackupError("not_ours", path)
            counts = {
                name: int(conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0])
                for name in COUNTED
            }
            schema = str(conn.execute("SELECT version_num FROM alembic_version").fetchone()[0])
    except sqlite3.DatabaseError as error:
        raise BackupError("corrupt", path) from error
    try:
        check_known([schema])
    except DatabaseProblem:
        raise BackupError("too_new", path) from None
    return BackupInfo(path, path.stat().st_size, counts, schema)


def check_sound(database: Path) -> None:
    """Raise DatabaseProblem("damaged") when SQLite's quick check finds ``database`` damaged.

    Opened read-write (never created) so that closing it leaves no -wal/-shm behind.
    """
    if not database.is_file():
        return  # a new database is created at start
    try:
        with contextlib.closing(sqlite3.connect(_uri(database, "rw"), uri=True)) as conn:
            found = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError:
        raise DatabaseProblem("damaged", str(database)) from None
    if found != [("ok",)]:
        raise DatabaseProblem("damaged", str(database))


def _uri(path: Path, mode: str) -> str:
    return f"{path.absolute().as_uri()}?mode={mode}"


def _copy(source: Path, target: Path, *, live: bool) -> None:
    """Copy ``source`` page by page into ``target``, which becomes one self-contained file.

    A live database is opened read-write (never created): the last connection to close then
    folds its write-ahead log back and removes it, where a read-only one would leave -wal and
    -shm files behind. A backup file is opened as immutable, which creates none.
    """
    mode = "rw" if live else "ro&immutable=1"
    with (
        contextlib.closing(sqlite3.connect(_uri(source, mode), uri=True)) as src,
        contextlib.closing(sqlite3.connect(target)) as dst,
    ):
        src.backup(dst, pages=PAGES_PER_STEP)
        dst.execute("PRAGMA journal_mode=DELETE")  # one file: no -wal beside the copy


def backup(database: Path, target: Path) -> BackupInfo:
    """Copy the live database to ``target`` (owner-only) and check the copy."""
    if not database.is_file():
        raise BackupError("missing", database)
    if target.resolve() == database.resolve():
        raise BackupError("same_file", target)
    partial = target.with_name(target.name + ".partial")
    _private(partial)
    try:
        _copy(database, partial, live=True)
        info = inspect(partial)
        partial.replace(target)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(target, info.size, info.counts, info.schema)


def restore(backup_file: Path, database: Path) -> tuple[BackupInfo, Path | None]:
    """Put ``backup_file`` in place of the database (the bot must be stopped).

    The current database is first saved beside it (``….before-restore``), whose path is
    returned with what was restored.
    """
    info = inspect(backup_file)
    saved = None
    if database.is_file():
        saved = database.with_name(database.name + ".before-restore")
        backup(database, saved)
    else:
        _private(database)
    # Through SQLite, not a file copy: a write-ahead log left by the old database is taken
    # into account and then overwritten, never replayed over the restored pages.
    _copy(backup_file, database, live=False)
    return info, saved
