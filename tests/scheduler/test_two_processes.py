"""Two bot instances, then two bot processes, on one PostgreSQL database: each reminder once."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.domain.schedule import Schedule
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import running_bot
from scheduler.sender import OutboxSender
from storage.engine import make_engine
from storage.store import Store
from tests.conftest import PG_SKIP, PG_URL, ROSTER
from tests.helpers import signed_in
from tests.waiting import PATIENCE, until

VN = ZoneInfo("Asia/Ho_Chi_Minh")
EXTRA = "\n".join(
    f"X{n:03},Người thứ {n},01/01/1980,09{n:08},Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 3,,"
    for n in range(40)
)


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    """A fresh PostgreSQL database for this test."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    name = f"t_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()


async def drain(senders: list[OutboxSender]) -> list[int]:
    """Each instance drains at once until neither finds anything more to claim. They start
    together: each claims its first rows before either can claim again, however the machine
    schedules them (else one could empty the outbox before the other has asked)."""
    first = await asyncio.gather(*(sender.drain_once(limit=7) for sender in senders))

    async def rest(sender: OutboxSender) -> int:
        total = 0
        while handled := await sender.drain_once(limit=7):
            total += handled
        return total

    more = await asyncio.gather(*(rest(sender) for sender in senders))
    return [a + b for a, b in zip(first, more, strict=True)]


async def test_two_instances_sweep_and_drain_at_once_without_doubles(
    pg_database: str, api: FakeBotApi
) -> None:
    """Both sweep and drain concurrently; each of 43 people gets the T-14 reminder once."""
    async with running_bot(pg_database, api) as first:
        await first.load_roster(ROSTER.strip() + "\n" + EXTRA)
        await first.open_campaign()
        chats = [await signed_in(first, "An", "0912345678")]
        chats += [await signed_in(first, f"N{n}", f"09{n:08}") for n in range(40)]
        async with running_bot(pg_database, api) as second:
            due = datetime(2022, 4, 16, 8, 0, tzinfo=VN)
            first.clock.set(due)
            second.clock.set(due)
            reports = await asyncio.gather(first.sweep(), second.sweep())
            assert sorted(k for r in reports for k in r.sent if k.startswith("deadline")) == [
                "deadline:2022:T-14"
            ]
            counts = await drain([first.sender(), second.sender()])
            # 41 reminders and An's digest of Monday 11/04, sent late within its week
            assert sum(counts) == 42 and min(counts) > 0  # both took part
    for chat in chats:
        got = [m for m in chat.messages if "hết hạn nộp" in m.plain]
        assert len(got) == 1, chat.user.first_name
    assert api.rejected() == []


async def test_two_bot_processes_deliver_each_reminder_exactly_once(
    pg_database: str, api: FakeBotApi, tmp_path: Path
) -> None:
    """Two `python -m bot run` processes start together on one database and token: both run
    (one polls, elected by the database; no 409 fight) and the T-1 wave goes out once."""
    today = datetime.now(VN).date()
    async with running_bot(pg_database, api) as setup:
        await setup.load_roster(ROSTER.strip() + "\n" + EXTRA)
        await setup.open_campaign(
            deadline=today + timedelta(days=1),
            schedule=Schedule(
                deadline_days=(1,), remind_at=time(0, 0), quiet_start=time(0), quiet_end=time(0)
            ),
        )
        chats = [await signed_in(setup, f"N{n}", f"09{n:08}") for n in range(40)]
    env = os.environ | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": pg_database,
        "LOG_LEVEL": "WARNING",
    }
    processes = [
        await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=str(tmp_path)
        )
        for _ in range(2)
    ]
    try:
        await until(api, lambda: sum(_reminded(chat) for chat in chats) >= len(chats))
        assert [process.returncode for process in processes] == [None, None]  # both still run
    finally:
        for process in processes:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            await asyncio.wait_for(process.wait(), PATIENCE)
    assert [process.returncode for process in processes] == [0, 0]
    assert [c for c in api.calls_of("getUpdates") if c.status == 409] == []
    # Both have stopped: whatever they were going to send is sent. A doubled message is either
    # here or still a row waiting in the outbox; there is neither.
    assert [_reminded(chat) for chat in chats] == [1] * len(chats)
    store = await Store.open(pg_database, migrate=False)
    try:
        counts = await store.outbox.counts()
    finally:
        await store.close()
    assert set(counts) == {"sent"}, counts
    assert len(api.calls_of("getMe")) >= 3  # the setup, then each process started


def _reminded(chat: Chat) -> int:
    return sum("hạn cuối" in m.plain or "hết hạn nộp" in m.plain for m in chat.messages)
