"""Crash test: kill the bot process (SIGKILL) at random moments, restart it, check what survived.

    python -m bench.crash [--members 500] [--recipients 5000] [--kills 5] [--seed 1]

Two runs, each against a real ``python -m bot run`` on a SQLite file and the fake Bot API:

1. Members fill Mẫu 01 while the bot is killed and restarted. Each member acts on what the bot
   last showed them, like a person: when no reply comes (the bot is down) they wait, open
   "📝 Kế hoạch của tôi" again and go on from the step shown. Checked: every answer the bot
   acknowledged (replied to) is in the final plan, every field holds exactly what was typed for
   it (nothing repeated, nothing in the wrong place), every form resumed at or after the last
   acknowledged step, and every member handed in.
2. A broadcast drains while the bot is killed and restarted. Checked: every recipient got it,
   and the copies received twice are at most the messages in flight at the kills.

Last line: one JSON object with the figures.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import time as clock_time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import Replies, phone, prepare, stored_plans  # noqa: E402
from bot.app import build_services  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.models import Channel  # noqa: E402
from bot.domain.schedule import Schedule  # noqa: E402
from bot.sandbox.chat import Chat  # noqa: E402
from bot.sandbox.fake_api import FakeBotApi, FakeUser, Message  # noqa: E402
from bot.sandbox.harness import sample_campaign  # noqa: E402
from bot.services.clock import SystemClock  # noqa: E402
from storage.store import Store  # noqa: E402

REPLY_TIMEOUT = 120.0  # a reply this late means something is broken (a slow bot is waited for)
SETTLE = 0.3  # after reopening the form, replies to older messages must stop for this long...
LATENCIES = 50  # ... or twice the median of the latest replies' latency, when the bot is busy
NO_QUIET = Schedule(quiet_start=clock_time(0), quiet_end=clock_time(0))
BROADCAST_TEXT = "Thông báo kiểm tra khả năng chịu lỗi"

# Stages of Mẫu 01 in the order a member meets them (two actions).
STAGES = (
    "identity",
    "study",
    "shortcomings",
    "action1",
    "deadline1",
    "result1",
    "more1",
    "action2",
    "deadline2",
    "result2",
    "more2",
    "solutions",
    "proposals",
    "review",
    "done",
)
PROMPTS = {
    "study": "Đồng chí sẽ học tập những nội dung gì",
    "shortcomings": "Kế hoạch xuất phát từ hạn chế",
    "action": "Việc làm cụ thể đồng chí đăng ký là gì",
    "deadline": "Thời gian thực hiện hoặc hoàn thành",
    "result": "Kết quả dự kiến đạt được",
    "solutions": "Đồng chí sẽ làm gì để thực hiện được",
    "proposals": "Đồng chí có đề xuất, kiến nghị gì",
}


def stage_of(message: Message) -> str:
    """Which step a screen shows ("" when it is not a step of the form)."""
    text = message.plain
    labels = [b["text"] for b in message.inline_buttons()]
    if "✏️ Sửa lại" in labels or "chờ xác nhận" in text:
        return "done"
    if "✅ Thông tin đúng" in labels:
        return "identity"
    item = "2" if "Việc 2 —" in text else "1"
    for key in ("study", "shortcomings", "solutions", "proposals"):
        if PROMPTS[key] in text:
            return key
    for key in ("action", "deadline", "result"):
        if PROMPTS[key] in text:
            return f"{key}{item}"
    if "📨 Gửi kế hoạch" in labels:
        return "review"
    if "✅ Xong, sang phần tiếp" in labels:
        return "more2" if "Việc 2" in text else "more1"
    return ""


@dataclass
class BotProcess:
    """``python -m bot run`` that can be killed and started again."""

    api: FakeBotApi
    env: dict[str, str]
    process: asyncio.subprocess.Process | None = None
    alive: asyncio.Event = field(default_factory=asyncio.Event)
    died: asyncio.Event = field(default_factory=asyncio.Event)  # set when this run is killed
    started_at: float = 0.0
    restarts: int = 0

    def on_call(self, call: Any) -> None:
        # deleteWebhook comes once, right before polling starts. (A getUpdates is recorded when
        # its long poll ends, up to 10 s later: one of the killed process would look alive.)
        if call.method == "deleteWebhook" and call.at >= self.started_at:
            self.alive.set()

    async def start(self) -> None:
        self.alive.clear()
        self.died = asyncio.Event()
        self.started_at = time.monotonic()
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=self.env, cwd=str(ROOT)
        )
        await asyncio.wait_for(self.alive.wait(), 60)

    async def kill(self) -> None:
        assert self.process is not None
        self.alive.clear()
        self.died.set()
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(self.process.wait(), 60)


class Filler:
    """One member who fills the form from what the bot shows, and copes with a dead bot."""

    def __init__(self, api: FakeBotApi, replies: Replies, bot: BotProcess, index: int) -> None:
        self.api, self.replies, self.bot, self.index = api, replies, bot, index
        user = FakeUser(id=200_000 + index, first_name=f"M{index}", phone=phone(index))
        self.chat = Chat(api, api.push_update, user)
        self.expected = {
            "study": f"Học tập chuyên đề, người số {index}, tự nghiên cứu mỗi tuần.",
            "shortcomings": f"Hạn chế của người số {index}: phát biểu còn ít.",
            "solutions": f"Giải pháp của người số {index}: báo cáo chi bộ hằng quý.",
            "action1": f"Việc 1 của người số {index}",
            "deadline1": "Hằng tháng",
            "result1": f"Kết quả 1 của người số {index}",
            "action2": f"Việc 2 của người số {index}",
            "deadline2": "Cả năm",
            "result2": f"Kết quả 2 của người số {index}",
        }
        self.acknowledged: dict[str, str] = {}
        self.latencies: list[float] = []
        self.last_ack_stage = -1
        self.resumes = 0
        self.resumed_behind = 0
        self.finished = False

    def _screen(self) -> Message | None:
        return next((m for m in reversed(self.chat.messages) if m.kind == "text"), None)

    async def _do(self, action: Any) -> bool:
        """Run ``action`` and wait for the bot's reply, however slow; False when the bot was
        killed before replying (the member then sees no answer)."""
        target = self.replies.count[self.chat.user.id] + 1
        died = self.bot.died
        try:
            await action()
        except AssertionError:  # the button is not on the screen after all: look again
            await self.chat.send("📝 Kế hoạch của tôi")
        sent = time.monotonic()
        reply = asyncio.ensure_future(self.replies.wait_for(self.chat.user.id, target))
        killed = asyncio.ensure_future(died.wait())
        await asyncio.wait(
            {reply, killed}, timeout=REPLY_TIMEOUT, return_when=asyncio.FIRST_COMPLETED
        )
        killed.cancel()
        if reply.done():
            self.latencies.append(time.monotonic() - sent)
            return True
        reply.cancel()
        return False

    async def _settle(self) -> None:
        """Wait until replies to messages sent while the bot was down have all arrived: the
        member reads the screen only once the chat is quiet (as a person would)."""
        recent = sorted(self.latencies[-LATENCIES:]) or [0.0]
        quiet = max(SETTLE, 2 * recent[len(recent) // 2])
        while True:
            seen = self.replies.count[self.chat.user.id]
            await asyncio.sleep(quiet)
            if self.replies.count[self.chat.user.id] == seen:
                return

    async def _reopen(self) -> None:
        """The bot did not answer: wait until it is back, then open the form again."""
        while True:
            await self.bot.alive.wait()
            self.resumes += 1
            if await self._do(lambda: self.chat.send("📝 Kế hoạch của tôi")):
                await self._settle()
                screen = self._screen()
                shown = stage_of(screen) if screen else ""
                if shown and STAGES.index(shown) < self.last_ack_stage:
                    self.resumed_behind += 1
                return

    async def run(self, deadline: float) -> None:
        c = self.chat
        if not await self._do(c.share_contact):
            await self._reopen()
        if not await self._do(lambda: c.send("📝 Kế hoạch của tôi")):
            await self._reopen()
        while time.monotonic() < deadline:
            screen = self._screen()
            stage = stage_of(screen) if screen else ""
            if stage == "done":
                self.finished = True
                return
            typed, action = next_step(c, stage, screen, self.expected)
            if await self._do(action):
                if stage in STAGES:
                    self.last_ack_stage = max(self.last_ack_stage, STAGES.index(stage))
                if typed is not None and typed != "xong":
                    self.acknowledged[stage] = typed
            else:
                await self._reopen()


def next_step(
    c: Chat, stage: str, screen: Any, expected: dict[str, str]
) -> tuple[str | None, Callable[[], Awaitable[Any]]]:
    """What a member filling Mẫu 01 does next, seeing ``screen`` at ``stage``: the text it
    types (None for a press) and the action sending it (shared with bench/replicas.py)."""
    if stage == "identity":
        return None, lambda: c.press("✅ Thông tin đúng")
    if stage in ("study", "shortcomings", "solutions"):
        assert screen is not None
        typed = "xong" if "Đã ghi" in screen.plain else expected[stage]
        return typed, lambda: c.send(typed)
    if stage in expected:
        answer = expected[stage]
        return answer, lambda: c.send(answer)
    presses = {
        "more1": "➕ Thêm Việc",
        "more2": "✅ Xong, sang phần tiếp",
        "proposals": "⏭ Bỏ qua",
        "review": "📨 Gửi kế hoạch",
    }
    if stage in presses:
        label = presses[stage]
        return None, lambda: c.press(label)
    if screen is not None and "Đã ghi" in screen.plain:  # a piece of a long answer
        return None, lambda: c.send("xong")
    return None, lambda: c.send("📝 Kế hoạch của tôi")


async def _plans(db: str, fillers: list[Filler]) -> dict[int, dict[str, Any] | None]:
    plans = await stored_plans(db, [f.chat.user.id for f in fillers])
    found: dict[int, dict[str, Any] | None] = {}
    for filler in fillers:
        plan = plans[filler.chat.user.id]
        found[filler.index] = {"status": plan.status.value, **plan.draft.answers} if plan else None
    return found


def _fields(answers: dict[str, Any]) -> dict[str, str]:
    flat = {k: str(answers.get(k, "")) for k in ("study", "shortcomings", "solutions")}
    for n, item in enumerate(answers.get("actions", []) or [], start=1):
        for key in ("action", "deadline", "result"):
            flat[f"{key}{n}"] = str(item.get(key, ""))
    return flat


async def _killer(
    bot: BotProcess, kills: int, rng: random.Random, done: asyncio.Event, progress: Any, total: int
) -> int:
    """Kill (and restart) the bot ``kills`` times, spread over the run: each time ``progress()``
    passes the next point, jittered so the kill lands at a random moment of the work."""
    points = sorted(int(total * (j + rng.uniform(0.3, 0.9)) / (kills + 1)) for j in range(kills))
    killed = 0
    while killed < kills and not done.is_set():
        if progress() >= points[killed]:
            await bot.kill()
            killed += 1
            await bot.start()
        await asyncio.sleep(0.02)
    return killed


def _env(api: FakeBotApi, db: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": db,
        "LOG_LEVEL": "ERROR",
        **extra,
    }


async def conversation_crash(work: Path, members: int, kills: int, seed: int) -> dict[str, Any]:
    """Members fill forms through ``kills`` SIGKILLs; the figures of what survived."""
    db = f"sqlite+aiosqlite:///{work / 'crash.db'}"
    await prepare(db, members)
    api = FakeBotApi()
    await api.start()
    replies = Replies()
    bot = BotProcess(api, _env(api, db, OUTBOX_LEASE="4"))
    api.on_call += [replies.on_call, bot.on_call]
    fillers = [Filler(api, replies, bot, i) for i in range(members)]
    rng = random.Random(seed)
    started = time.monotonic()
    try:
        await bot.start()
        done = asyncio.Event()
        deadline = time.monotonic() + 120 + members * 0.5
        steps = 9 * members  # the answers and presses of one form, about

        def progress() -> int:
            return sum(len(f.acknowledged) for f in fillers)

        killer = asyncio.create_task(_killer(bot, kills, rng, done, progress, steps))

        async def everyone() -> None:
            await asyncio.gather(*(f.run(deadline) for f in fillers))
            done.set()

        await everyone()
        killed = await killer
    finally:
        await bot.stop()
        await api.stop()
    plans = await _plans(db, fillers)
    lost = misplaced = unfinished = 0
    for filler in fillers:
        answers = plans[filler.index]
        if answers is None or answers["status"] != "submitted" or not filler.finished:
            unfinished += 1
        stored = _fields(answers or {})
        lost += sum(1 for k, v in filler.acknowledged.items() if stored.get(k) != v)
        misplaced += sum(1 for k, v in stored.items() if v and v != filler.expected.get(k))
    return {
        "members": members,
        "kills": killed,
        "seconds": round(time.monotonic() - started, 1),
        "acknowledged": sum(len(f.acknowledged) for f in fillers),
        "lost": lost,
        "misplaced": misplaced,
        "unfinished": unfinished,
        "resumes": sum(f.resumes for f in fillers),
        "resumed_behind": sum(f.resumed_behind for f in fillers),
    }


def _in_flight(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT count(*) FROM outbox WHERE status = 'sending'").fetchone()
    return int(row[0])


async def _prepare_broadcast(db: str, api: FakeBotApi, recipients: int) -> None:
    """Everyone signed in (accounts written directly), and one broadcast to all queued."""
    await prepare(db, recipients)
    store = await Store.open(db)
    try:
        settings = Settings(_env_file=None, telegram_bot_token=None, database_url=db)
        services = build_services(settings, store, SystemClock())
        await services.plans.set_campaign(**(sample_campaign() | {"schedule": NO_QUIET}))
        now = SystemClock().now()
        for i in range(recipients):
            person = await store.roster.person_by_code(f"P{i}")
            assert person is not None
            user = FakeUser(id=300_000 + i, first_name=f"R{i}", phone=phone(i))
            api.add_user(user)
            await store.accounts.link(
                Channel.TELEGRAM, str(user.id), str(user.id), person.id, method="contact", now=now
            )
        await services.broadcasts.send(BROADCAST_TEXT, "category:party_member")
    finally:
        await store.close()


async def broadcast_crash(work: Path, recipients: int, kills: int, seed: int) -> dict[str, Any]:
    """A broadcast drains through ``kills`` SIGKILLs; who got it, and how many twice."""
    path = work / "wave.db"
    db = f"sqlite+aiosqlite:///{path}"
    api = FakeBotApi()
    await api.start()
    await _prepare_broadcast(db, api, recipients)
    bot = BotProcess(api, _env(api, db, OUTBOX_LEASE="3", SEND_PACE="30"))
    api.on_call.append(bot.on_call)
    rng = random.Random(seed)
    in_flight = killed = 0
    started = time.monotonic()

    def delivered() -> Counter[int]:
        return Counter(
            m.chat_id for chat in api.messages.values() for m in chat if BROADCAST_TEXT in m.plain
        )

    points = sorted(
        int(recipients * (j + rng.uniform(0.3, 0.9)) / (kills + 1)) for j in range(kills)
    )
    try:
        await bot.start()
        deadline = time.monotonic() + 120 + recipients / 10
        while time.monotonic() < deadline:
            got = delivered()
            if len(got) >= recipients:
                break
            if killed < kills and len(got) >= points[killed]:
                await bot.kill()
                killed += 1
                in_flight += _in_flight(path)
                await bot.start()
            await asyncio.sleep(0.02)
        await asyncio.sleep(1.0)  # a copy sent twice shows up, if any
    finally:
        await bot.stop()
        await api.stop()
    got = delivered()
    return {
        "recipients": recipients,
        "kills": killed,
        "seconds": round(time.monotonic() - started, 1),
        "delivered": len(got),
        "missing": recipients - len(got),
        "duplicates": sum(n - 1 for n in got.values()),
        "in_flight_at_kills": in_flight,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=500)
    parser.add_argument("--recipients", type=int, default=5000)
    parser.add_argument("--kills", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--only", choices=("conversation", "broadcast"), help="one of the two")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-crash-"))
    figures: dict[str, Any] = {}
    if options.only in (None, "conversation"):
        figures["conversation"] = await conversation_crash(
            work, options.members, options.kills, options.seed
        )
        print("conversation", figures["conversation"], flush=True)
    if options.only in (None, "broadcast"):
        figures["broadcast"] = await broadcast_crash(
            work, options.recipients, options.kills, options.seed
        )
        print("broadcast", figures["broadcast"], flush=True)
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
