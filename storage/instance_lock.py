"""One ``chuyende run`` per SQLite file: an exclusive lock on ``<db>.lock`` held while it runs.

Only the serving process takes it: the other commands (``roster import``, ``broadcast send``…)
and the tests open the same file legitimately. The operating system releases the lock when the
process ends, even on SIGKILL, so a crash never leaves a lock held.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class DatabaseInUse(RuntimeError):
    """Another process already serves this database file."""

    def __init__(self, path: Path) -> None:
        super().__init__(str(path))
        self.path = path


def lock_path(database: Path) -> Path:
    """The lock file beside a database file."""
    return database.with_name(database.name + ".lock")


@contextlib.contextmanager
def serving_lock(database: Path) -> Iterator[None]:
    """Hold the database's lock for the block; ``DatabaseInUse`` if another process has it.

    The lock file is removed on the way out (a run killed outright leaves it behind, unlocked:
    harmless). Removing it while a second process has just opened it could leave two processes
    locking two files, so a lock taken on a file no longer at ``path`` is taken again.
    """
    path = lock_path(database)
    path.parent.mkdir(parents=True, exist_ok=True)
    while True:
        fd = os.open(path, os.O_CREAT | os.O_RDWR, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise DatabaseInUse(database) from None
        held = os.fstat(fd)
        try:
            current = os.stat(path)
        except FileNotFoundError:
            current = None
        if current is not None and (current.st_dev, current.st_ino) == (held.st_dev, held.st_ino):
            break
        os.close(fd)  # the file was removed meanwhile: lock the one now at ``path``
    try:
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield
    finally:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()
        os.close(fd)  # releases the lock
