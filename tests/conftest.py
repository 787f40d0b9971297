"""Shared fixtures: a SQLite file per test, PostgreSQL when TEST_DATABASE_URL is set, the bot."""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import text

from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot
from storage.engine import make_engine
from storage.store import Store

PG_URL = os.environ.get("TEST_DATABASE_URL")
PG_SKIP = "TEST_DATABASE_URL is not set (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test)"

ROSTER = """
Mã,Họ và tên,Ngày sinh,Số điện thoại,Đối tượng,Miễn,Đơn vị,Chức vụ đảng,Vai trò
DV001,Nguyễn Văn An,15/03/1975,0912345678,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 1,Bí thư chi bộ,Bí thư
DV002,Trần Thị Bình,02/09/1988,0987654321,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 1,,
DV003,Lê Văn Cường,20/11/1945,0905111222,Đảng viên,Hưu trí,Đảng bộ xã Phú Lạc / Chi bộ thôn 1,,
DV004,Phạm Minh Đức,01/01/1990,,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 2,,
CB001,Võ Thị Em,01/01/1995,0338123456,"Cán bộ, công chức, viên chức",,Đảng bộ xã Phú Lạc / UBND xã,,Thủ trưởng
QT001,Hồ Thị Hoa,05/05/1980,0977123456,Đảng viên,,Ban Tuyên giáo,,Quản trị
"""


async def _pg_store() -> AsyncIterator[Store]:
    assert PG_URL is not None
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    store = await Store.open(PG_URL, connect_args={"server_settings": {"search_path": schema}})
    try:
        yield store
    finally:
        await store.close()
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


@pytest.fixture(params=["sqlite", "memory", "postgresql"])
async def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Store]:
    """A migrated, empty store on a SQLite file, in memory and (when configured) on PostgreSQL."""
    if request.param == "postgresql":
        if not PG_URL:
            pytest.skip(PG_SKIP)
        async for store in _pg_store():
            yield store
        return
    where = "" if request.param == "memory" else f"/{tmp_path / 'test.db'}"
    store = await Store.open(f"sqlite+aiosqlite://{where}")
    try:
        yield store
    finally:
        await store.close()


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    """A SQLite file URL in the test's own folder."""
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotApi]:
    """The fake Bot API server on 127.0.0.1."""
    server = FakeBotApi()
    await server.start()
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def bot(db_url: str, api: FakeBotApi) -> AsyncIterator[Harness]:
    """The real bot on a SQLite file, talking HTTP to the fake Bot API, with the sample roster."""
    async with running_bot(db_url, api) as harness:
        outcome = await harness.load_roster(ROSTER)
        assert outcome.summary is not None, outcome.parsed.errors
        yield harness
        assert harness.errors == []
        assert api.rejected() == [], [(c.method, c.result) for c in api.rejected()]
