"""Members filling Mẫu 01 through the real bot process, against the fake Bot API with latency.

    python bench/conversation.py [--members 2000] [--latency 0.08] [--think 0]
                                 [--repeat 3] [--no-pin] [--profile FILE]
    python bench/conversation.py --channel zalo [--polls 1] [--zalo-receive webhook] ...

The bot runs as a separate process (``python -m bot run``) on a SQLite file, talking HTTP to the
fake Bot API served here; a bare echo bot on the same harness gives the upper bound. Each member
signs in, fills the whole form (long answers sent as a burst of pieces without waiting, to test
ordering) and submits. Afterwards every stored plan is checked against what was typed.

The bot and the echo bot run alternately ``--repeat`` times (each bot run on a fresh database),
and each figure is reported as min / median / max over the runs; the ratio is taken per pair.
Where the machine has two cores or more, the harness (members and fake API) is pinned to the
last core and the bot to the others (``os.sched_setaffinity``), so the two do not compete for one
core; ``--no-pin`` turns that off. Beside updates/s: the bot's CPU time per update (user + system,
from ``/proc``, summed over its processes), its RSS once idle after start, and its peak RSS.
``--think S``: the reply p99 from the 4th step on is printed apart from the overall p99 (the start
burst). ``--profile FILE``: the bot runs under cProfile (one run; FILE gets the pstats dump and a
top-20 table beside it as FILE.txt).

``--channel zalo``: the same members against the fake Zalo Bot API (same latency per call),
signed in by their invite codes typed, answering by typed text and numbers
(``bench/zalo_members.py``); the bot has no Telegram token; the baseline is a bare echo bot on
our Zalo client and poller (``bench/zalo_echo.py``). ``--polls`` sets ZALO_POLLS for both.
``--telegram-receive webhook``: the bot takes Telegram's webhook (PUBLIC_URL, the inbox), a
burst's pieces POSTed at once; the echo bot still polls.
``--zalo-receive webhook``: both take Zalo's webhook instead (PUBLIC_URL set to their own web
server), each POST sent after the same latency as a call, as if over the same network.
Last line: one JSON object with channel, updates_per_s, echo_updates_per_s, ratio, p50_ms,
p99_ms, p99_from4_ms, cpu_ms_per_update, idle_rss_mb, peak_rss_mb, lost, misordered (medians
over the runs) and ``runs``: each figure's [min, median, max].
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import socket
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.zalo_members import ZaloMember, ZaloReplies, invite_codes, verify_zalo  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.models import Channel  # noqa: E402
from bot.domain.plans import Plan  # noqa: E402
from bot.sandbox.chat import Chat  # noqa: E402
from bot.sandbox.fake_api import Call, FakeBotApi, FakeUser  # noqa: E402
from bot.sandbox.fake_zalo import FakeZaloApi  # noqa: E402
from bot.sandbox.harness import sample_campaign  # noqa: E402
from bot.services.clock import SystemClock  # noqa: E402
from storage.store import Store  # noqa: E402

HEADER = "Mã,Họ và tên,Số điện thoại,Đối tượng,Đơn vị,Vai trò"


def phone(i: int) -> str:
    return f"09{i:08d}"


class Replies:
    """Counts the bot's messages per chat and wakes whoever waits for them."""

    def __init__(self) -> None:
        self.count: dict[int, int] = defaultdict(int)
        self.waiters: dict[int, list[tuple[int, asyncio.Future[float]]]] = defaultdict(list)

    def on_call(self, call: Call) -> None:
        if call.method != "sendMessage" or call.status != 200:
            return
        chat = int(call.params["chat_id"])
        self.count[chat] += 1
        now = time.perf_counter()
        keep = []
        for target, future in self.waiters[chat]:
            if self.count[chat] >= target and not future.done():
                future.set_result(now)
            elif not future.done():
                keep.append((target, future))
        self.waiters[chat] = keep

    def wait_for(self, chat: int, target: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        if self.count[chat] >= target:
            future.set_result(time.perf_counter())
        else:
            self.waiters[chat].append((target, future))
        return future


STEPS: dict[str, list[float]] = defaultdict(list)  # latency per step of the script
LATE_FROM = 4  # the think-time p99 is also reported from this step on
IDLE_SETTLE = 1.0  # seconds the bot sits idle after its first poll before its idle RSS is read


class Member:
    """One simulated person: sends updates (alone or in bursts) and times each reply."""

    def __init__(
        self,
        api: FakeBotApi,
        replies: Replies,
        index: int,
        latencies: list[float],
        think: float = 0.0,
        webhook: bool = False,
    ) -> None:
        self.think = think
        self.webhook = webhook  # delivered by POSTs to the bot's webhook, not getUpdates
        self._posting: list[asyncio.Task[None]] = []
        self.index = index
        self.replies = replies
        self.latencies = latencies
        self.sent = 0
        self.chat = Chat(
            api,
            self._push,
            FakeUser(id=100_000 + index, first_name=f"M{index}", phone=phone(index)),
        )
        self.burst: list[float] | None = None
        self.step = ""
        self.step_no = 0  # 1-based number of the step in the script
        self.late: list[float] = []  # latencies from the 4th step on (after the start burst)

    def took(self, seconds: float) -> None:
        """Record one reply's latency."""
        self.latencies.append(seconds)
        STEPS[self.step].append(seconds)
        if self.step_no >= LATE_FROM:
            self.late.append(seconds)

    async def _push(self, update: dict[str, Any]) -> None:
        self.sent += 1
        started = time.perf_counter()
        target = self.sent
        if self.webhook and self.burst is not None:  # a burst's POSTs at once, as Telegram may
            self._posting.append(asyncio.create_task(self.chat.api.deliver([update], seed=None)))
        elif self.webhook:
            await self.chat.api.deliver([update], seed=None)
        else:
            await self.chat.api.push_update(update)
        if self.burst is not None:
            self.burst.append(started)
            return
        finished = await asyncio.wait_for(self.replies.wait_for(self.chat.user.id, target), 120)
        self.took(finished - started)

    async def send_burst(self, *texts: str) -> None:
        """Send several messages without waiting; then wait for as many replies."""
        self.burst = []
        for text in texts:
            await self.chat.send(text)
        starts, self.burst = self.burst, None
        posting, self._posting = self._posting, []
        await asyncio.gather(*posting)
        for offset, started in enumerate(starts, start=self.sent - len(starts) + 1):
            finished = await asyncio.wait_for(self.replies.wait_for(self.chat.user.id, offset), 120)
            self.took(finished - started)

    def study(self) -> tuple[str, str]:
        return f"Phần 1 học tập của người {self.index},", f"phần 2 học tập của người {self.index}."

    async def fill(self) -> None:
        c = self.chat
        script: list[tuple[str, Any]] = [
            ("contact", c.share_contact),
            ("open", lambda: c.send("📝 Kế hoạch của tôi")),
            ("identity", lambda: c.press("✅ Thông tin đúng")),
            ("study", lambda: self.send_burst(*self.study(), "xong")),
            (
                "shortcomings",
                lambda: self.send_burst(f"Hạn chế của người {self.index} cần khắc phục.", "xong"),
            ),
            ("action", lambda: c.send(f"Việc 1 của người {self.index}")),
            ("deadline", lambda: c.send("Hằng tháng")),
            ("result", lambda: c.send("Đạt kết quả tốt")),
            ("add", lambda: c.press("➕ Thêm Việc")),
            ("action", lambda: c.send(f"Việc 2 của người {self.index}")),
            ("deadline", lambda: c.send("Cả năm")),
            ("result", lambda: c.send("Hoàn thành")),
            ("finish_group", lambda: c.press("✅ Xong, sang phần tiếp")),
            (
                "solutions",
                lambda: self.send_burst(f"Giải pháp của người {self.index} thật cụ thể.", "xong"),
            ),
            ("skip", lambda: c.press("⏭ Bỏ qua")),
            ("submit", lambda: c.press("📨 Gửi kế hoạch")),
        ]
        for number, (step, action) in enumerate(script, start=1):
            self.step, self.step_no = step, number
            await self.pause()
            await action()

    async def pause(self) -> None:
        """Think before the next step: ``think`` seconds on average, spread per member."""
        if self.think:
            await asyncio.sleep(self.think * (0.5 + (self.index * 7919 % 1000) / 1000))

    async def echo(self, updates: int) -> None:
        await self.chat.send("/start")
        for n in range(updates - 1):
            await self.pause()
            await self.chat.send(f"tin {n}")


def tree(pid: int) -> list[int]:
    """A process and its descendants."""
    found = [pid]
    children = Path(f"/proc/{pid}/task/{pid}/children")
    for child in children.read_text().split() if children.exists() else []:
        found += tree(int(child))
    return found


def status_mb(pid: int, field: str) -> float:
    """A memory field of ``/proc/PID/status`` (VmHWM: peak, VmRSS: now) in MB, summed over the
    process and its children."""
    total = 0.0
    for each in tree(pid):
        for line in Path(f"/proc/{each}/status").read_text().splitlines():
            if line.startswith(f"{field}:"):
                total += int(line.split()[1]) / 1024
    return total


def rss_peak_mb(pid: int) -> float:
    """Peak resident memory of a process plus its children, summed."""
    return status_mb(pid, "VmHWM")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process and its children so far, from ``/proc/PID/stat``."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for each in tree(pid):
        fields = Path(f"/proc/{each}/stat").read_text().rpartition(")")[2].split()
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def cpu_plan(pin: bool) -> tuple[set[int] | None, set[int] | None]:
    """(bot's cores, harness's cores): the harness gets the last core allowed, the bot the rest;
    (None, None) with one core or ``--no-pin``."""
    allowed = sorted(os.sched_getaffinity(0))
    if not pin or len(allowed) < 2:
        return None, None
    return set(allowed[:-1]), {allowed[-1]}


def free_port() -> int:
    """A port nobody listens on now (the bot's web server binds it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


BOT_CPUS: set[int] | None = None  # set by main() from cpu_plan()


async def run_process(
    args: list[str], env: dict[str, str], api: FakeBotApi | FakeZaloApi, work: Any
) -> tuple[float, float, int, dict[str, float]]:
    """Start a bot process (on BOT_CPUS), wait until it polls and settles, run ``work``; return
    (seconds, peak RSS MB, updates, {"idle_rss_mb", "cpu_s"})."""
    polled = asyncio.Event()

    def on_call(call: Any) -> None:
        if call.method in ("getUpdates", "setWebhook"):  # polling, or the webhook is set
            polled.set()

    def pin() -> None:
        if BOT_CPUS is not None:
            os.sched_setaffinity(0, BOT_CPUS)

    api.on_call.append(on_call)
    process = await asyncio.create_subprocess_exec(*args, env=env, cwd=str(ROOT), preexec_fn=pin)
    try:
        await asyncio.wait_for(polled.wait(), 60)
        await asyncio.sleep(IDLE_SETTLE)
        idle = status_mb(process.pid, "VmRSS")
        cpu_before = cpu_seconds(process.pid)
        started = time.perf_counter()
        updates = await work()
        elapsed = time.perf_counter() - started
        cpu = cpu_seconds(process.pid) - cpu_before
        rss = rss_peak_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
    return elapsed, rss, updates, {"idle_rss_mb": idle, "cpu_s": cpu}


async def prepare(db: str, members: int) -> None:
    lines = [HEADER] + [
        f"P{i},Người {i},{phone(i)},Đảng viên,Xã A / Chi bộ {i % 50}," for i in range(members)
    ]
    lines.append("SEC,Bí thư,0390000000,Đảng viên,Xã A,Bí thư")
    store = await Store.open(db)
    try:
        from bot.app import build_services

        settings = Settings(_env_file=None, telegram_bot_token=None, database_url=db)
        services = build_services(settings, store, SystemClock())
        import csv
        import io

        rows = list(enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1))
        outcome = await services.roster.import_table(rows, remove_missing=False, dry_run=False)
        assert outcome.summary is not None, outcome.parsed.errors[:3]
        await services.plans.set_campaign(**sample_campaign())
    finally:
        await store.close()


async def stored_plans(db: str, user_ids: list[int]) -> dict[int, Plan | None]:
    """The plan in the open campaign of each Telegram user (None: no plan, or not signed in)."""
    store = await Store.open(db, migrate=False)
    found: dict[int, Plan | None] = {}
    try:
        campaign = await store.plans.active_campaign()
        assert campaign is not None
        for user_id in user_ids:
            person = await store.accounts.person_for_account(Channel.TELEGRAM, str(user_id))
            found[user_id] = await store.plans.plan_of(person.id, campaign.id) if person else None
    finally:
        await store.close()
    return found


async def verify(db: str, members: list[Member]) -> tuple[int, int]:
    """(lost, misordered): plans missing or incomplete, and answers stored out of order."""
    plans = await stored_plans(db, [m.chat.user.id for m in members])
    lost = misordered = 0
    for member in members:
        plan = plans[member.chat.user.id]
        if plan is None or plan.status.value != "submitted":
            lost += 1
            continue
        answers = plan.draft.answers
        expected_study = "\n".join(member.study())
        actions = [a.get("action") for a in answers.get("actions", [])]
        want_actions = [f"Việc 1 của người {member.index}", f"Việc 2 của người {member.index}"]
        if set(str(answers.get("study", "")).split("\n")) != set(
            expected_study.split("\n")
        ) or sorted(actions) != sorted(want_actions):
            lost += 1
        elif answers.get("study") != expected_study or actions != want_actions:
            misordered += 1
    return lost, misordered


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=2000)
    parser.add_argument("--latency", type=float, default=0.08, help="seconds per Bot API call")
    parser.add_argument("--only-echo", action="store_true", help="measure the echo bot alone")
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds a member pauses before each step (0: everyone types non-stop, a closed loop "
        "in which latency is simply members / throughput)",
    )
    parser.add_argument(
        "--channel", choices=("telegram", "zalo"), default="telegram", help="whose members"
    )
    parser.add_argument(
        "--polls", type=int, default=1, help="Zalo: long polls at once (ZALO_POLLS)"
    )
    parser.add_argument(
        "--zalo-receive",
        choices=("poll", "webhook"),
        default="poll",
        help="Zalo: getUpdates long polls, or the webhook (PUBLIC_URL)",
    )
    parser.add_argument(
        "--telegram-receive",
        choices=("poll", "webhook"),
        default="poll",
        help="Telegram: getUpdates, or the webhook (PUBLIC_URL; the echo bot still polls)",
    )
    parser.add_argument(
        "--repeat", type=int, default=3, help="bot and echo runs, alternately (min/median/max)"
    )
    parser.add_argument(
        "--no-pin", action="store_true", help="do not pin the bot and the harness to cores"
    )
    parser.add_argument(
        "--profile", type=Path, help="run the bot once under cProfile; write the stats here"
    )
    options = parser.parse_args()
    if options.profile:
        options.repeat = 1

    global BOT_CPUS
    BOT_CPUS, harness_cpus = cpu_plan(not options.no_pin)
    if harness_cpus is not None:
        os.sched_setaffinity(0, harness_cpus)
    print(f"cores: bot {sorted(BOT_CPUS or [])}, harness {sorted(harness_cpus or [])}", flush=True)

    runs: list[dict[str, Any]] = []
    for _ in range(options.repeat):
        work_dir = Path(tempfile.mkdtemp(prefix="bench-conv-"))
        db = f"sqlite+aiosqlite:///{work_dir / 'bench.db'}"
        await prepare(db, options.members)
        if options.channel == "zalo":
            runs.append(await run_zalo(options, db))
        else:
            runs.append(await run_telegram(options, db))
    report(options, runs)


async def run_zalo(options: argparse.Namespace, db: str) -> dict[str, Any]:
    """The bot, then the echo bot, against the fake Zalo Bot API."""
    codes = await invite_codes(db, options.members)
    results: dict[str, Any] = {}
    for mode in ("echo",) if options.only_echo else ("bot", "echo"):
        webhook = options.zalo_receive == "webhook"
        api = FakeZaloApi(latency=options.latency, allow_http_webhook=webhook)
        await api.start()
        replies = ZaloReplies()
        api.on_call.append(replies.on_call)
        latencies: list[float] = []
        members = [
            ZaloMember(
                api,
                replies,
                i,
                codes[i],
                latencies,
                STEPS,
                Pauser(options.think, i),
                network=options.latency if webhook else 0.0,
            )
            for i in range(options.members)
        ]
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("TELEGRAM_", "ZALO_", "PUBLIC_URL"))
        }
        port = free_port()
        env |= {
            "ZALO_BOT_TOKEN": api.token,
            "ZALO_API_URL": api.url,
            "ZALO_POLLS": str(options.polls),
            "WEB_PORT": str(port),
            "DATABASE_URL": db,
            "LOG_LEVEL": "WARNING",
        }
        if webhook:
            env["PUBLIC_URL"] = f"http://127.0.0.1:{port}"

        queue: list[tuple[int, int]] = []  # (events waiting at Zalo, polls waiting) sampled

        async def work(mode: str = mode, members: list[ZaloMember] = members) -> int:
            # the echo run: the same number of updates per member as the bot run
            per = results["bot"]["updates"] // len(members) if "bot" in results else 20
            runs = [m.fill() if mode == "bot" else m.echo(per) for m in members]
            watching = asyncio.ensure_future(watch(api, queue))  # noqa: B023 - awaited here
            outcomes = await asyncio.gather(*runs, return_exceptions=True)
            watching.cancel()
            failed = [o for o in outcomes if isinstance(o, BaseException)]
            if failed:
                print(f"{mode}: {len(failed)} members stopped; first: {failed[0]!r}", flush=True)
            return sum(m.sent for m in members)

        command = (
            [sys.executable, "-m", "bot", "run"]
            if mode == "bot"
            else [sys.executable, "-m", "bench.zalo_echo"]
        )
        elapsed, rss, updates, extra = await run_process(command, env, api, work)
        await api.stop()
        results[mode] = figures(updates, elapsed, latencies, rss, extra)
        results[mode] |= {
            "zalo_queue": round(statistics.mean(q for q, _ in queue), 1) if queue else 0.0,
            "polls_idle": round(statistics.mean(w for _, w in queue), 1) if queue else 0.0,
            "get_updates": len(api.calls_of("getUpdates")),
            "other_calls": len(api.calls) - len(api.calls_of("getUpdates")),
        }
        if mode == "bot":
            results["bot"]["lost"], results["bot"]["misordered"] = await verify_zalo(db, members)
        show(mode, results[mode])
    return results


async def watch(api: FakeZaloApi, samples: list[tuple[int, int]]) -> None:
    """Sample, every 50 ms, the events waiting at Zalo and the polls waiting for one: a queue
    at Zalo means the polls are too few; idle polls mean the bot is slow behind them."""
    while True:
        samples.append((api.pending(), api.waiting))
        await asyncio.sleep(0.05)


class Pauser:
    """Think before the next step: ``think`` seconds on average, spread per member."""

    def __init__(self, think: float, index: int) -> None:
        self.think = think
        self.index = index

    async def __call__(self) -> None:
        if self.think:
            await asyncio.sleep(self.think * (0.5 + (self.index * 7919 % 1000) / 1000))


def figures(
    updates: int,
    elapsed: float,
    latencies: list[float],
    rss: float,
    extra: dict[str, float],
    late: list[float] | None = None,
) -> dict[str, Any]:
    """One run's figures (``late``: the latencies from the 4th step on, where known)."""
    return {
        "updates": updates,
        "seconds": elapsed,
        "updates_per_s": updates / elapsed,
        "cpu_ms_per_update": extra["cpu_s"] * 1000 / updates if updates else 0.0,
        "cpu_share": extra["cpu_s"] / elapsed,  # of one core
        "p50_ms": statistics.median(latencies) * 1000 if latencies else 0.0,
        "p99_ms": percentile(latencies, 0.99) * 1000,
        "p99_from4_ms": percentile(late, 0.99) * 1000 if late else None,
        "idle_rss_mb": extra["idle_rss_mb"],
        "rss_mb": rss,
    }


def show(mode: str, row: dict[str, Any]) -> None:
    """Print one run's figures."""
    print(mode, {k: round(v, 1) if isinstance(v, float) else v for k, v in row.items()}, flush=True)


async def run_telegram(options: argparse.Namespace, db: str) -> dict[str, Any]:
    """The bot, then the echo bot, against the fake Telegram Bot API."""
    results: dict[str, Any] = {}
    for mode in ("echo",) if options.only_echo else ("bot", "echo"):
        api = FakeBotApi(latency=options.latency)
        await api.start()
        replies = Replies()
        api.on_call.append(replies.on_call)
        latencies: list[float] = []
        webhook = mode == "bot" and options.telegram_receive == "webhook"  # the echo bot polls
        members = [
            Member(api, replies, i, latencies, options.think, webhook)
            for i in range(options.members)
        ]
        env = {
            **{
                k: v for k, v in os.environ.items() if not k.startswith(("PUBLIC_URL", "TELEGRAM_"))
            },
            "TELEGRAM_BOT_TOKEN": api.token,
            "TELEGRAM_API_URL": api.url,
            "DATABASE_URL": db,
            "LOG_LEVEL": "WARNING",
        }
        if webhook:
            port = free_port()
            env |= {"PUBLIC_URL": f"http://127.0.0.1:{port}", "WEB_PORT": str(port)}

        async def work(mode: str = mode, members: list[Member] = members) -> int:
            if mode == "bot":
                await asyncio.gather(*(m.fill() for m in members))
            else:  # the same number of updates per member as the bot run
                per = results["bot"]["updates"] // len(members) if "bot" in results else 20
                await asyncio.gather(*(m.echo(per) for m in members))
            return sum(m.sent for m in members)

        profile = ["-m", "cProfile", "-o", str(options.profile)] if options.profile else []
        command = (
            [sys.executable, *profile, "-m", "bot", "run"]
            if mode == "bot"
            else [sys.executable, "bench/echo_bot.py"]
        )
        elapsed, rss, updates, extra = await run_process(command, env, api, work)
        await api.stop()
        late = [seconds for m in members for seconds in m.late]
        results[mode] = figures(updates, elapsed, latencies, rss, extra, late)
        if mode == "bot":
            lost, misordered = await verify(db, members)
            results["bot"]["lost"], results["bot"]["misordered"] = lost, misordered
            if options.profile:
                top_table(options.profile)
        show(mode, results[mode])
    return results


def top_table(stats_file: Path) -> None:
    """Write the top-20 functions by own time and by cumulative time beside the stats dump."""
    import io
    import pstats

    out = io.StringIO()
    stats = pstats.Stats(str(stats_file), stream=out).strip_dirs()
    stats.sort_stats("tottime").print_stats(20)
    stats.sort_stats("cumulative").print_stats(30)
    Path(f"{stats_file}.txt").write_text(out.getvalue())
    print(f"profile: {stats_file}.txt", flush=True)


FIGURES = (
    "updates_per_s",
    "cpu_ms_per_update",
    "cpu_share",
    "p50_ms",
    "p99_ms",
    "p99_from4_ms",
    "idle_rss_mb",
    "rss_mb",
)


def spread(values: list[float | None]) -> list[float] | None:
    """[min, median, max] of the known values, rounded."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    return [round(min(known), 2), round(statistics.median(known), 2), round(max(known), 2)]


def report(options: argparse.Namespace, runs: list[dict[str, Any]]) -> None:
    """The steps' latencies, the table (min / median / max over the runs), the JSON line last."""
    for step, values in STEPS.items():
        if step:
            p50, p99 = statistics.median(values) * 1000, percentile(values, 0.99) * 1000
            print(f"  {step:14} p50 {p50:7.0f} ms   p99 {p99:7.0f} ms")
    if "bot" not in runs[0]:
        return
    spreads = {
        mode: {key: spread([run[mode][key] for run in runs]) for key in FIGURES}
        for mode in ("bot", "echo")
    }
    ratios = [run["bot"]["updates_per_s"] / run["echo"]["updates_per_s"] for run in runs]
    print(f"{len(runs)} run(s) of each; min / median / max")
    for mode, figures_ in spreads.items():
        for key, values in figures_.items():
            if values is not None:
                print(f"  {mode:5} {key:18} {values[0]:>9.1f} {values[1]:>9.1f} {values[2]:>9.1f}")
    ratio = spread(list(ratios)) or [0.0, 0.0, 0.0]
    print(f"  ratio (per pair)         {ratio[0]:>9.2f} {ratio[1]:>9.2f} {ratio[2]:>9.2f}")

    def median(mode: str, key: str) -> float | None:
        values = spreads[mode][key]
        return values[1] if values is not None else None

    summary = {
        "channel": options.channel,
        "members": options.members,
        "polls": options.polls if options.channel == "zalo" else None,
        "receive": options.zalo_receive if options.channel == "zalo" else options.telegram_receive,
        "think_s": options.think,
        "latency_ms": options.latency * 1000,
        "repeat": len(runs),
        "pinned": BOT_CPUS is not None,
        "updates": runs[-1]["bot"]["updates"],
        "updates_per_s": median("bot", "updates_per_s"),
        "echo_updates_per_s": median("echo", "updates_per_s"),
        "ratio": round(statistics.median(ratios), 3),
        "cpu_ms_per_update": median("bot", "cpu_ms_per_update"),
        "echo_cpu_ms_per_update": median("echo", "cpu_ms_per_update"),
        "p50_ms": median("bot", "p50_ms"),
        "p99_ms": median("bot", "p99_ms"),
        "p99_from4_ms": median("bot", "p99_from4_ms"),
        "echo_p99_ms": median("echo", "p99_ms"),
        "idle_rss_mb": median("bot", "idle_rss_mb"),
        "peak_rss_mb": median("bot", "rss_mb"),
        "echo_idle_rss_mb": median("echo", "idle_rss_mb"),
        "echo_peak_rss_mb": median("echo", "rss_mb"),
        "lost": sum(run["bot"]["lost"] for run in runs),
        "misordered": sum(run["bot"]["misordered"] for run in runs),
        "runs": spreads | {"ratio": ratio},
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    asyncio.run(main())
