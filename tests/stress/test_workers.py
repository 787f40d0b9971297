"""WORKERS=2: a supervisor polls and hands each person's updates to one of two worker processes."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.app import WORKER_COMMAND
from bot.config import Settings
from bot.domain.models import Channel
from bot.domain.plans import Plan, PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import JSON, FakeBotApi, FakeUser, Fault
from bot.sandbox.harness import running_bot
from handlers.telegram.workers import RESTARTS_PER_MINUTE, WorkerPool, sender_of, worker_for
from storage.store import Store
from tests.conftest import ROSTER
from tests.helpers import STUDY, fill_after_study, fill_mau_01
from tests.waiting import PATIENCE, until

VN = ZoneInfo("Asia/Ho_Chi_Minh")
MEMBERS = 6
EXTRA = "\n".join(
    f"W{n:03},Người thứ {n},01/01/1980,09{n:08},Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 3,,"
    for n in range(MEMBERS)
)


def test_one_person_always_reaches_the_same_worker() -> None:
    """Messages and button presses of a person go to ``id mod N``; updates without one to 0."""
    message = {"update_id": 1, "message": {"from": {"id": 1001}, "text": "a"}}
    press = {"update_id": 2, "callback_query": {"from": {"id": 1001}, "data": "x"}}
    assert sender_of(message) == sender_of(press) == 1001
    assert worker_for(message, 3) == worker_for(press, 3) == 1001 % 3
    assert worker_for({"update_id": 3, "channel_post": {"text": "x"}}, 3) == 0
    assert worker_for({"update_id": 4, "message": {"from": {"id": "7"}}}, 3) == 0  # not a number


def _chat_of(update: JSON) -> int:
    part = update.get("message") or update["callback_query"]["message"]
    return int(part["chat"]["id"])


class ProcessFeed:
    """Queue an update for the bot process and wait for its next message in that chat."""

    def __init__(self, api: FakeBotApi) -> None:
        self.api = api

    async def __call__(self, update: JSON) -> None:
        chat = _chat_of(update)
        before = len(self.api.sent(chat))
        await self.api.push_update(update)
        await until(self.api, lambda: len(self.api.sent(chat)) > before)  # a real process


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # it has just exited
        return b""


async def _workers_of(api: FakeBotApi, pid: int, count: int) -> list[int]:
    """The worker processes of a supervisor, once all ``count`` have started (each asks the Bot
    API who it is as it starts, so look again after each call)."""

    def found() -> list[int]:
        return [child for child in _children(pid) if b"bot.worker" in _cmdline(child)]

    await until(api, lambda: len(found()) == count)
    return found()


@asynccontextmanager
async def supervisor(db_url: str, api: FakeBotApi, tmp_path: Path) -> AsyncIterator[int]:
    """``python -m bot run`` with WORKERS=2; yields its pid once it polls."""
    polled = asyncio.Event()
    api.on_call.append(lambda call: polled.set() if call.method == "getUpdates" else None)
    env = os.environ | {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": db_url,
        "LOG_LEVEL": "WARNING",
        "WORKERS": "2",
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, cwd=str(tmp_path)
    )
    try:
        await asyncio.wait_for(polled.wait(), PATIENCE)
        yield process.pid
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), PATIENCE)
    assert process.returncode == 0


async def _prepare(db_url: str, api: FakeBotApi) -> None:
    today = datetime.now(VN).date()
    async with running_bot(db_url, api) as setup:
        outcome = await setup.load_roster(ROSTER.strip() + "\n" + EXTRA)
        assert outcome.summary is not None, outcome.parsed.errors
        await setup.open_campaign(deadline=today + timedelta(days=30), year=today.year)


async def _plans(db_url: str, chats: list[Chat]) -> list[Plan | None]:
    """Each member's plan in the open campaign, read from the database afterwards."""
    store = await Store.open(db_url, migrate=False)
    try:
        campaign = await store.plans.active_campaign()
        assert campaign is not None
        found: list[Plan | None] = []
        for chat in chats:
            person = await store.accounts.person_for_account(Channel.TELEGRAM, str(chat.user.id))
            assert person is not None, chat.user.first_name
            found.append(await store.plans.plan_of(person.id, campaign.id))
        return found
    finally:
        await store.close()


async def _statuses(db_url: str, chats: list[Chat]) -> list[PlanStatus | None]:
    return [plan.status if plan else None for plan in await _plans(db_url, chats)]


def _members(api: FakeBotApi) -> list[Chat]:
    feed = ProcessFeed(api)
    return [
        Chat(api, feed, FakeUser(id=70_000 + n, first_name=f"N{n}", phone=f"09{n:08}"))
        for n in range(MEMBERS)
    ]


async def _fill(chat: Chat) -> None:
    await chat.share_contact()
    await fill_mau_01(chat)
    [reply] = await chat.press("📨 Gửi kế hoạch")
    assert "Đã gửi kế hoạch" in reply.plain


async def test_members_spread_over_two_workers_fill_and_submit(
    db_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    """Six members (three per worker) fill Mẫu 01 at once; every plan is submitted, in order."""
    await _prepare(db_url, api)
    chats = _members(api)
    assert {worker_for({"message": {"from": {"id": c.user.id}}}, 2) for c in chats} == {0, 1}
    async with supervisor(db_url, api, tmp_path) as pid:
        assert len(await _workers_of(api, pid, 2)) == 2
        await asyncio.gather(*(_fill(chat) for chat in chats))
    assert await _statuses(db_url, chats) == [PlanStatus.SUBMITTED] * MEMBERS
    assert api.rejected() == []


@dataclass
class Hang(Fault):
    """A fault that says when a request has reached it (the request itself then hangs)."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)

    def matches(self, method: str, params: JSON) -> bool:
        if super().matches(method, params):
            self.reached.set()
            return True
        return False


async def test_updates_of_a_killed_worker_are_handled_by_its_replacement(
    db_url: str, api: FakeBotApi, tmp_path: Path
) -> None:
    """Both workers are SIGKILLed while a typed answer is in flight (its reply hangs): the
    supervisor starts new ones, gives them the unfinished update, the answer is kept once, and
    every member finishes."""
    await _prepare(db_url, api)
    chats = _members(api)
    victim = chats[0]
    async with supervisor(db_url, api, tmp_path) as pid:
        first = await _workers_of(api, pid, 2)
        for chat in chats:
            await chat.share_contact()
            await chat.press("📝 Kế hoạch của tôi")
            await chat.press("✅ Thông tin đúng")
        hang = Hang(method="sendMessage", chat_id=victim.user.id, delay=600, status=200)
        api.faults.append(hang)
        typed = asyncio.ensure_future(victim.send(STUDY))
        await asyncio.wait_for(hang.reached.wait(), PATIENCE)  # the worker is inside the reply
        assert hang.times == 0
        for worker in first:
            os.kill(worker, signal.SIGKILL)
        [reply] = await typed  # from the new worker, which was given the update again
        assert "Câu 2/6" in reply.plain or "Đã ghi" in reply.plain
        assert not set(first) & set(await _workers_of(api, pid, 2))

        async def finish(chat: Chat) -> None:
            if chat is not victim:
                await chat.send(STUDY)
            await fill_after_study(chat)
            [done] = await chat.press("📨 Gửi kế hoạch")
            assert "Đã gửi kế hoạch" in done.plain

        await asyncio.gather(*(finish(chat) for chat in chats))
    assert await _statuses(db_url, chats) == [PlanStatus.SUBMITTED] * MEMBERS
    [plan] = await _plans(db_url, [victim])
    assert plan is not None and plan.draft.answers.get("study") == STUDY  # taken once, not twice


async def test_workers_that_keep_dying_stop_the_bot(tmp_path: Path) -> None:
    """Workers that cannot start (here: no Bot API to reach) are started again a few times,
    then the pool gives up instead of looping for ever."""
    db_url = f"sqlite+aiosqlite:///{tmp_path / 'dying.db'}"
    await (await Store.open(db_url)).close()
    settings = Settings(
        _env_file=None,
        telegram_bot_token=FakeBotApi().token,
        telegram_api_url="http://127.0.0.1:9",
        database_url=db_url,
        workers=2,
        log_level="ERROR",
    )
    pool = WorkerPool(
        settings, WORKER_COMMAND, lambda: None, monotonic=lambda: 0.0
    )  # every death in one minute
    await pool.start()
    try:
        await asyncio.wait_for(pool.failed.wait(), PATIENCE)
    finally:
        await pool.stop()
    starts = [worker.starts for worker in pool.workers]
    assert min(starts) >= 2 and sum(starts) - len(starts) == RESTARTS_PER_MINUTE  # then it gave up
