"""`chuyende backup` and `chuyende restore`: a consistent private copy, checked, and put back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from storage.store import Store
from tests.helpers import cli_database, run_cli


@pytest.fixture(autouse=True)
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    return cli_database(tmp_path, monkeypatch, "live.db")


def people(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return sorted(r[0] for r in conn.execute("SELECT code FROM people"))


def active(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT count(*) FROM people WHERE active = 1").fetchone()[0])


async def test_backup_while_the_database_is_open_then_restore_it(
    database: Path, tmp_path: Path
) -> None:
    """A backup taken with a connection open holds the data, is private, and restores exactly."""
    await _run_async("roster", "template", "mau.xlsx")
    assert (await _run_async("roster", "import", "mau.xlsx"))[0] == 0
    store = await Store.open(f"sqlite+aiosqlite:///{database}")  # the bot is running
    try:
        status, out = await _run_async("backup", "--out", "sao-luu/bk.db")
    finally:
        await store.close()
    assert status == 0 and "7 người" in out, out
    copy = tmp_path / "sao-luu" / "bk.db"
    assert copy.stat().st_mode & 0o777 == 0o600
    assert people(copy) == people(database)
    before = people(database)

    (tmp_path / "it.csv").write_text(
        "Mã,Họ và tên,Ngày sinh,Số điện thoại,Đối tượng,Miễn,Đơn vị,Chức vụ đảng,Vai trò\n"
        "DV001,Nguyễn Văn An,15/03/1975,0912345678,Đảng viên,,"
        "Đảng bộ xã Phú Lạc / Chi bộ thôn 1,,\n",
        "utf-8",
    )
    assert (await _run_async("roster", "import", "it.csv", "--remove-missing"))[0] == 0
    assert active(database) == 1
    status, out = await _run_async("restore", "sao-luu/bk.db")
    assert status == 0 and "--yes" in out  # a look first, nothing changed
    status, out = await _run_async("restore", "sao-luu/bk.db", "--yes")
    assert status == 0 and "before-restore" in out, out
    assert people(database) == before
    assert active(database) == 7
    assert (tmp_path / "live.db.before-restore").stat().st_mode & 0o777 == 0o600
    assert (await _run_async("migrate"))[0] == 0  # the bot starts on the restored file


def test_bad_backups_are_refused_and_postgres_is_pointed_to_pg_dump(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_cli("migrate")
    (tmp_path / "rac.db").write_bytes(b"not a database at all" * 100)
    with sqlite3.connect(tmp_path / "khac.db") as conn:
        conn.execute("CREATE TABLE x (y)")
    for name, reason in (
        ("rac.db", "nguyên vẹn"),
        ("khac.db", "không phải cơ sở dữ liệu của bot"),
        ("khong-co.db", "Không thấy"),
    ):
        status, out = run_cli("restore", name, "--yes")
        assert status == 1 and reason in out, out
    assert run_cli("backup", "--out", "live.db")[0] == 1  # onto itself
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://u:secret@db.example/chuyende")
    status, out = run_cli("backup")
    assert status == 2 and "pg_dump" in out and "secret" not in out


async def _run_async(*argv: str) -> tuple[int, str]:
    import asyncio

    return await asyncio.to_thread(run_cli, *argv)


def _listing(*folders: Path) -> set[str]:
    return {str(p.relative_to(folders[0])) for f in folders for p in f.iterdir() if p.is_file()}


async def test_backup_and_restore_leave_no_stray_files(database: Path, tmp_path: Path) -> None:
    """Beside the database and the backup: only the files named, no -wal, -shm or .partial."""
    await _run_async("roster", "template", "mau.xlsx")
    await _run_async("roster", "import", "mau.xlsx")
    store = await Store.open(f"sqlite+aiosqlite:///{database}")  # the bot is running
    try:
        assert (await _run_async("backup", "--out", "sao-luu/bk.db"))[0] == 0
    finally:
        await store.close()
    folders = (tmp_path, tmp_path / "sao-luu")
    assert _listing(*folders) == {"live.db", "mau.xlsx", "sao-luu/bk.db"}
    assert (await _run_async("restore", "sao-luu/bk.db"))[0] == 0
    assert (await _run_async("restore", "sao-luu/bk.db", "--yes"))[0] == 0
    assert _listing(*folders) == {
        "live.db",
        "live.db.before-restore",
        "mau.xlsx",
        "sao-luu/bk.db",
    }
    assert people(database) == people(tmp_path / "sao-luu" / "bk.db")


def _from_the_future(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0099_future'")


def test_database_of_a_newer_version_is_refused(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """run and migrate say so in one line (exit 2); restore refuses such a backup."""
    assert run_cli("migrate")[0] == 0
    assert run_cli("backup", "--out", "bk.db")[0] == 0
    _from_the_future(tmp_path / "bk.db")
    status, out = run_cli("restore", "bk.db", "--yes")
    assert status == 1 and "phiên bản mới hơn" in out, out
    _from_the_future(database)
    status, out = run_cli("migrate")
    assert status == 2, out
    assert out.startswith("Cơ sở dữ liệu được tạo bởi phiên bản mới hơn của chương trình")
    assert len(out.strip().splitlines()) == 1 and "0099_future" in out
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTokenForTestsOnly_abcdefghijk")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    status, again = run_cli("run")
    assert (status, again) == (2, out)
    with sqlite3.connect(database) as conn:  # untouched
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone() == (
            "0099_future",
        )


def test_damaged_database_stops_the_bot_and_points_to_restore(
    database: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Garbage over pages in the middle of a real database: one line, exit 1, no start."""
    run_cli("roster", "template", "mau.xlsx")
    assert run_cli("roster", "import", "mau.xlsx")[0] == 0
    data = bytearray(database.read_bytes())
    page = 4096
    middle = (len(data) // page // 2) * page
    data[middle : middle + 4 * page] = b"\xde\xad\xbe\xef" * page
    database.write_bytes(bytes(data))
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123456789:AAFakeTokenForTestsOnly_abcdefghijk")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:9")
    status, out = run_cli("run")
    assert status == 1, out
    lines = out.strip().splitlines()
    assert len(lines) == 1 and "bị hỏng" in out, out
    assert "chuyende backup" in out and "chuyende restore" in out
    assert _listing(tmp_path) == {"live.db", "mau.xlsx"}
