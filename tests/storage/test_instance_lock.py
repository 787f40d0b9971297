"""One serving process per SQLite file: the lock beside it."""

from __future__ import annotations

from pathlib import Path

import pytest

from storage.instance_lock import DatabaseInUse, lock_path, serving_lock


def test_the_lock_is_exclusive_and_leaves_nothing_behind(tmp_path: Path) -> None:
    """A second holder is refused while the first runs; once it ends the file is gone and the
    next run takes the lock."""
    database = tmp_path / "chuyende.db"
    with serving_lock(database):
        assert lock_path(database).exists()
        with pytest.raises(DatabaseInUse), serving_lock(database):
            pass
    assert not lock_path(database).exists()
    with serving_lock(database):
        pass


def test_a_lock_file_left_by_a_killed_run_does_not_block(tmp_path: Path) -> None:
    """SIGKILL leaves the file but not the lock: the next run starts."""
    database = tmp_path / "chuyende.db"
    lock_path(database).write_text("12345\n")
    with serving_lock(database):
        assert lock_path(database).read_text().strip().isdigit()
