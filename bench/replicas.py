"""Members filling Mẫu 01 through 1, 2 and 3 replicas on one PostgreSQL, by webhook or polling.

    TEST_DATABASE_URL=postgresql+asyncpg://... python -m bench.replicas \\
        [--members 100] [--replicas 1,2,3] [--latency 0.08] [--kills 1] [--seed 1] [--polling]

Each replica is a real ``python -m bot run`` with the same settings (the same PostgreSQL
database, ``PUBLIC_URL`` pointing at a tiny round-robin balancer served here, its own
``WEB_PORT``). The fake Bot API (every call answered after ``--latency``) POSTs each member's
updates to the balancer as Telegram does: concurrently across members, and a member's study
answer typed in three messages POSTed at once, shuffled. The balancer skips a replica that
refuses the connection and answers 502 for one that died mid-request (Telegram redelivers).

With ``--polling`` the replicas long-poll instead (no ``PUBLIC_URL``, no balancer): the one
holding the poller's lock (``storage/poller_lock.py``) polls and records each batch in the inbox,
every replica's lanes handle the rows; the fake Bot API queues each member's updates for
``getUpdates`` (a study answer's three pieces at once, in the order typed), and the replica
SIGKILLed is always the poller (``takeover_s``: the seconds until another one holds the lock).

With ``--kills`` > 0 and two replicas or more, one replica is SIGKILLed that many times during
the run (and started again); the figure ``recovery_s`` is the seconds from each kill until every
member who was waiting for a reply at that moment has one (the worst of the kills).

Checked as bench/crash.py does: every acknowledged answer is in the stored plan once and in its
place (``lost``, ``misplaced``), every member handed in (``unfinished``); and a deadline
reminder due at the start is queued once and reaches each of ``--reminded`` members signed in
beforehand (``reminders_missing``, ``reminders_duplicated``; copies in flight at a kill may go
twice: ``in_flight_at_kills``).

Needs PostgreSQL (``TEST_DATABASE_URL``); without it, prints why and a JSON object saying so.
Last line: one JSON object, ``{"runs": [{replicas, updates_per_s, p50_ms, p99_ms, ...}, ...]}``.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import itertools
import json
import os
import random
import signal
import socket
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import time as clock_time
from datetime import timedelta
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web
from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import HEADER, Replies, phone  # noqa: E402
from bench.crash import STAGES, Filler, _fields, next_step, stage_of  # noqa: E402
from bot.app import build_services  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.domain.models import Channel  # noqa: E402
from bot.domain.schedule import Schedule  # noqa: E402
from bot.sandbox.chat import Chat  # noqa: E402
from bot.sandbox.fake_api import JSON, SECRET_HEADER, FakeBotApi, FakeUser  # noqa: E402
from bot.sandbox.harness import sample_campaign  # noqa: E402
from bot.services.clock import SystemClock  # noqa: E402
from storage.engine import make_engine  # noqa: E402
from storage.store import Store  # noqa: E402

SKIP = "bench.replicas needs PostgreSQL: set TEST_DATABASE_URL=postgresql+asyncpg://..."
READY_WITHIN = 90.0  # seconds a replica may take to answer /readyz
REMINDED_ID = 400_000  # Telegram ids of the members signed in beforehand (the reminder's targets)
FILLER_ID = 200_000  # as bench/crash.py's Filler
SAMPLES = 3  # members whose wrong fields are shown in the figures
KILL_ECHO = 2.0  # seconds after a kill during which a reply may still be an old one's twin
PIECES = 3  # the study answer is typed in this many messages, POSTed at once


def log(line: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {line}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def reminder_schedule() -> Schedule:
    """A deadline reminder due now (the deadline is tomorrow, reminded 1 day before, at 00:00)
    and nothing else proactive: no quiet hours, no late reminders, no progress questions."""
    return Schedule(
        deadline_days=(1,),
        remind_at=clock_time(0),
        quiet_start=clock_time(0),
        quiet_end=clock_time(0),
        late_every_days=0,
        daily_digest_days=0,
        progress_meeting_days=0,
        midyear="",
        year_review="",
    )


async def prepare(db: str, members: int, reminded: int, api: FakeBotApi) -> None:
    """The roster (fillers, then the reminded), a campaign due tomorrow, the reminded signed in."""
    total = members + reminded
    lines = [HEADER] + [
        f"P{i},Người {i},{phone(i)},Đảng viên,Xã A / Chi bộ {i % 50}," for i in range(total)
    ]
    lines.append("SEC,Bí thư,0390000000,Đảng viên,Xã A,Bí thư")
    store = await Store.open(db)
    try:
        import csv
        import io

        settings = Settings(_env_file=None, telegram_bot_token=None, database_url=db)
        clock = SystemClock()
        services = build_services(settings, store, clock)
        rows = list(enumerate(csv.reader(io.StringIO("\n".join(lines))), start=1))
        outcome = await services.roster.import_table(rows, remove_missing=False, dry_run=False)
        assert outcome.summary is not None, outcome.parsed.errors[:3]
        tomorrow = (clock.now().astimezone(settings.tz) + timedelta(days=1)).date()
        campaign = sample_campaign() | {
            "year": tomorrow.year,
            "deadline": tomorrow,
            "schedule": reminder_schedule(),
        }
        await services.plans.set_campaign(**campaign)
        now = clock.now()
        for i in range(members, total):
            person = await store.roster.person_by_code(f"P{i}")
            assert person is not None
            user = FakeUser(id=REMINDED_ID + i, first_name=f"R{i}", phone=phone(i))
            api.add_user(user)
            await store.accounts.link(
                Channel.TELEGRAM, str(user.id), str(user.id), person.id, method="contact", now=now
            )
    finally:
        await store.close()


@dataclass
class Balancer:
    """A round-robin reverse proxy for ``/telegram``: a refused connection goes to the next
    replica; a replica that dies mid-request gives 502 (Telegram will POST it again)."""

    ports: list[int]
    port: int = field(default_factory=free_port)
    forwarded: Counter[int] = field(default_factory=Counter)  # port: POSTs answered
    _turn: itertools.count[int] = field(default_factory=itertools.count)
    _runner: web.AppRunner | None = None
    _session: aiohttp.ClientSession | None = None

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post("/telegram", self._forward)
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60))
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _forward(self, request: web.Request) -> web.Response:
        assert self._session is not None
        body = await request.read()
        headers = {"Content-Type": "application/json"}
        if SECRET_HEADER in request.headers:
            headers[SECRET_HEADER] = request.headers[SECRET_HEADER]
        first = next(self._turn)
        for step in range(len(self.ports)):
            port = self.ports[(first + step) % len(self.ports)]
            try:
                async with self._session.post(
                    f"http://127.0.0.1:{port}/telegram", data=body, headers=headers
                ) as answer:
                    self.forwarded[port] += 1
                    return web.Response(status=answer.status, body=await answer.read())
            except aiohttp.ClientConnectorError:
                continue  # that replica is down: the next one
            except (aiohttp.ClientError, TimeoutError):
                return web.Response(status=502)
        return web.Response(status=502)


@dataclass
class Replica:
    """One ``python -m bot run`` (by webhook, or ``polling``), that can be killed and started
    again."""

    api: FakeBotApi
    env: dict[str, str]
    port: int
    process: asyncio.subprocess.Process | None = None
    starts: int = 0
    polling: bool = False

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "run",
            env=self.env | {"WEB_PORT": str(self.port)},
            cwd=str(ROOT),
        )
        self.starts += 1
        await self.until_ready()

    async def until_ready(self) -> None:
        """Return once ``/readyz`` answers 200 (the process is up, the database current) and,
        by webhook, the webhook is set (the first replica sets it after it is ready)."""
        url = f"http://127.0.0.1:{self.port}/readyz"
        async with aiohttp.ClientSession() as session, asyncio.timeout(READY_WITHIN):
            while True:
                assert self.process is not None
                if self.process.returncode is not None:
                    raise RuntimeError(f"replica on {self.port} exited {self.process.returncode}")
                with contextlib.suppress(aiohttp.ClientError):
                    async with session.get(url) as answer:
                        hooked = self.polling or self.api.webhook is not None
                        if answer.status == 200 and hooked:
                            return
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()

    async def stop(self) -> None:
        if self.process is not None and self.process.returncode is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.process.wait(), 60)
            except TimeoutError:
                self.process.kill()
                await self.process.wait()


class Always:
    """What a Filler sees of "the bot": with replicas, it is never down as a whole. ``kills``
    counts the SIGKILLs: an update in hand at a kill is handled again (at least once), so its
    reply may show twice, and whoever waited across a kill reads the screen once the chat is
    quiet (as bench/crash.py's members do after a restart)."""

    def __init__(self) -> None:
        self.alive = asyncio.Event()
        self.alive.set()
        self.died = asyncio.Event()  # never set: a killed replica's work is the others' now
        self.kills = 0
        self.killed_at = 0.0


class ReplicaFiller(Filler):
    """A member of bench/crash.py whose study answer is three messages POSTed at once; a reply
    not come within ``patience`` makes them open the form again (counted in ``unanswered``)."""

    def __init__(
        self,
        api: FakeBotApi,
        replies: Replies,
        cluster: Always,
        index: int,
        patience: float,
        seed: int,
        polling: bool = False,
    ) -> None:
        super().__init__(api, replies, cluster, index)  # type: ignore[arg-type]
        self.polling = polling
        self.cluster = cluster
        self.settled = 0  # replies read only after the chat went quiet (a kill in between)
        self.patience = patience
        self.seed = seed
        self.pieces = [f"Phần {n} của người số {index}." for n in range(1, PIECES + 1)]
        self.expected["study"] = "\n".join(self.pieces)
        self.chat = Chat(api, self._post, self.chat.user)
        self.waiting_since: float | None = None
        self.answered = 0  # replies waited for and come
        self.unanswered = 0
        self.out_of_order = 0  # bursts POSTed in another order than typed

    async def _post(self, update: JSON) -> None:
        if self.polling:
            await self.api.push_update(update)
        else:
            await self.api.deliver([update], seed=None)

    async def _burst(self) -> None:
        updates = []
        for piece in self.pieces:  # typed one after the other: rising update_ids...
            message: JSON = {
                "message_id": self.api.new_message_id(),
                "date": int(time.time()),
                "chat": {"id": self.chat.user.id, "type": "private"},
                "from": self.chat.user.as_json(),
                "text": piece,
            }
            updates.append(self.api.new_update({"message": message}))
        if self.polling:  # getUpdates hands them out in order
            for update in updates:
                await self.api.push_update(update)
            return
        order = list(updates)
        random.Random(self.seed).shuffle(order)  # as deliver() shuffles them
        self.out_of_order += order != updates
        await self.api.deliver(updates, seed=self.seed)  # ...POSTed at once, shuffled

    async def _do(self, action: Any, expect: int = 1) -> bool:
        target = self.replies.count[self.chat.user.id] + expect
        try:
            await action()
        except AssertionError:  # the button is not on the screen after all: look again
            await self.chat.send("📝 Kế hoạch của tôi")
        sent = time.monotonic()
        self.waiting_since = sent
        kills = self.cluster.kills
        try:
            await asyncio.wait_for(self.replies.wait_for(self.chat.user.id, target), self.patience)
        except TimeoutError:
            self.unanswered += 1
            return False
        finally:
            self.waiting_since = None
        self.answered += 1
        self.latencies.append(time.monotonic() - sent)
        if self.cluster.kills != kills or sent - self.cluster.killed_at < KILL_ECHO:
            self.settled += 1
            await self._settle()
        return True

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
            typed: str | None = None
            expect = 1
            action: Any
            if stage == "study" and screen is not None and "Đã ghi" not in screen.plain:
                typed, expect, action = self.expected["study"], PIECES, self._burst
            else:
                typed, action = next_step(c, stage, screen, self.expected)
            if await self._do(action, expect):
                if stage in STAGES:
                    self.last_ack_stage = max(self.last_ack_stage, STAGES.index(stage))
                if typed is not None and typed != "xong":
                    self.acknowledged[stage] = typed
            else:
                await self._reopen()


def pg_admin_url() -> str | None:
    url = os.environ.get("TEST_DATABASE_URL", "")
    return url if url.startswith("postgresql") else None


@contextlib.asynccontextmanager
async def fresh_database(admin_url: str) -> Any:
    """A PostgreSQL database of its own for one run, dropped after it."""
    name = f"replicas_{uuid.uuid4().hex[:12]}"
    admin = make_engine(admin_url, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


async def in_flight(db: str) -> int:
    """Outbox messages being sent now (a kill may send them twice)."""
    engine = make_engine(db)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT count(*) FROM outbox WHERE status = 'sending'"))
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def reminder_rows(db: str) -> tuple[int, int]:
    """(deadline occasions recorded, deadline reminders queued) in the database."""
    engine = make_engine(db)
    try:
        async with engine.connect() as conn:
            occasions = await conn.execute(
                text("SELECT count(*) FROM occasions WHERE key LIKE 'deadline:%'")
            )
            queued = await conn.execute(
                text("SELECT count(*) FROM outbox WHERE key LIKE 'deadline:%'")
            )
            return int(occasions.scalar_one()), int(queued.scalar_one())
    finally:
        await engine.dispose()


async def stored(db: str, fillers: list[ReplicaFiller]) -> dict[int, dict[str, Any] | None]:
    """Each filler's plan answers and status, read from the database."""
    store = await Store.open(db, migrate=False)
    found: dict[int, dict[str, Any] | None] = {}
    try:
        campaign = await store.plans.active_campaign()
        assert campaign is not None
        for filler in fillers:
            uid = str(filler.chat.user.id)
            person = await store.accounts.person_for_account(Channel.TELEGRAM, uid)
            plan = await store.plans.plan_of(person.id, campaign.id) if person else None
            found[filler.index] = (
                {"status": plan.status.value, **plan.draft.answers} if plan else None
            )
    finally:
        await store.close()
    return found


def replica_env(
    api: FakeBotApi, db: str, balancer: Balancer | None, **extra: str
) -> dict[str, str]:
    """The replicas' settings: by webhook through ``balancer``, or by polling without one."""
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": db,
        "WEB_HOST": "127.0.0.1",
        "LOG_LEVEL": os.environ.get("BENCH_LOG_LEVEL", "ERROR"),
        **extra,
    }
    if balancer is None:
        env.pop("PUBLIC_URL", None)
        env["TELEGRAM_RECEIVE"] = "poll"
    else:
        env["PUBLIC_URL"] = f"http://127.0.0.1:{balancer.port}"
    return env


POLLER = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
    " WHERE l.locktype = 'advisory' AND l.granted AND a.application_name LIKE 'chuyende poller %'"
)


async def poller_pids(db: str) -> list[int]:
    """The process ids of the replicas holding the poller's lock (one, or none between two)."""
    engine = make_engine(db)
    try:
        async with engine.connect() as conn:
            names = (await conn.execute(text(POLLER))).scalars().all()
    finally:
        await engine.dispose()
    return [int(str(name).rpartition(":")[2]) for name in names]


async def wait_for_poller(db: str, other_than: int | None = None, limit: float = 60.0) -> int:
    """The pid of the replica polling, once there is one (other than ``other_than``)."""
    async with asyncio.timeout(limit):
        while True:
            found = [pid for pid in await poller_pids(db) if pid != other_than]
            if found:
                return found[0]
            await asyncio.sleep(0.05)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values) or [0.0]
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def replicas_run(
    db: str,
    *,
    replicas: int,
    members: int,
    kills: int,
    reminded: int = 10,
    latency: float = 0.08,
    seed: int = 1,
    patience: float = 60.0,
    settings: dict[str, str] | None = None,
    polling: bool = False,
) -> dict[str, Any]:
    """Members fill forms through ``replicas`` replicas on ``db`` (a fresh PostgreSQL database),
    one of them SIGKILLed and started again ``kills`` times; the figures and the checks.
    ``settings``: more environment for the replicas (e.g. ``LANES_STALLED_AFTER``); ``polling``:
    the replicas long-poll, and the one killed is the poller."""
    api = FakeBotApi(latency=latency)
    await api.start()
    await prepare(db, members, reminded, api)
    replies = Replies()
    api.on_call.append(replies.on_call)
    ports = [free_port() for _ in range(replicas)]
    balancer = None if polling else Balancer(ports)
    if balancer is not None:
        await balancer.start()
    env = replica_env(api, db, balancer, **(settings or {}))
    running = [Replica(api, env, port, polling=polling) for port in ports]
    rng = random.Random(seed)
    cluster = Always()
    fillers = [
        ReplicaFiller(api, replies, cluster, i, patience, seed + i, polling) for i in range(members)
    ]
    takeovers: list[float] = []
    pollers: set[int] = set()  # the pids of the replicas that polled
    reminded_ids = [REMINDED_ID + i for i in range(members, members + reminded)]
    recoveries: list[float] = []
    flying = killed = 0
    started = filled = 0.0
    try:
        for replica in running:  # one after the other: the schema goes in once
            await replica.start()
        if polling:
            pollers.add(await wait_for_poller(db))
        started = time.monotonic()
        deadline = started + 120 + members * 2
        steps = 9 * members  # the answers and presses of one form, about
        points = sorted(
            int(steps * (j + rng.uniform(0.3, 0.9)) / (kills + 1)) for j in range(kills)
        )

        def progress() -> int:
            return sum(len(f.acknowledged) for f in fillers)

        async def killer() -> None:
            nonlocal killed, flying
            while killed < kills and len(running) > 1:
                while progress() < points[killed]:
                    if all(f.finished for f in fillers):
                        return
                    await asyncio.sleep(0.02)
                if polling:  # the poller: another one must take over
                    poller = await wait_for_poller(db)
                    pollers.add(poller)
                    [victim] = [r for r in running if r.process and r.process.pid == poller]
                else:
                    victim = rng.choice(running)
                waiting = {f: f.answered for f in fillers if f.waiting_since is not None}
                await victim.kill()
                at = cluster.killed_at = time.monotonic()
                cluster.kills += 1
                log(f"killed replica on {victim.port}; {len(waiting)} members waiting")
                killed += 1
                if polling:
                    pollers.add(await wait_for_poller(db, other_than=poller))
                    takeovers.append(time.monotonic() - at)
                    log(f"another replica polls after {takeovers[-1]:.2f} s")
                flying += await in_flight(db)
                while not all(f.answered > n or f.finished for f, n in waiting.items()):
                    if any(f.unanswered for f in waiting):
                        break  # someone gave up waiting: the run's checks will say so
                    await asyncio.sleep(0.02)
                recoveries.append(time.monotonic() - at)
                log(f"every one of them answered after {recoveries[-1]:.2f} s")
                await victim.start()
                log(f"replica on {victim.port} back")

        killing = asyncio.create_task(killer())
        await asyncio.gather(*(f.run(deadline) for f in fillers))
        filled = time.monotonic() - started
        await killing
        sent_to = Counter[int]()
        async with asyncio.timeout(patience):  # the reminders drain
            while True:
                sent_to = Counter(
                    {uid: len(api.sent(uid)) for uid in reminded_ids if api.sent(uid)}
                )
                if len(sent_to) == len(reminded_ids):
                    break
                await asyncio.sleep(0.05)
    finally:
        for replica in running:
            await replica.stop()
        if balancer is not None:
            await balancer.stop()
        await api.stop()
    plans = await stored(db, fillers)
    occasions, queued = await reminder_rows(db)
    lost = misplaced = unfinished = 0
    samples: list[dict[str, Any]] = []  # what was wrong, for the first few members
    for filler in fillers:
        answers = plans[filler.index]
        if answers is None or answers["status"] != "submitted" or not filler.finished:
            unfinished += 1
        fields = _fields(answers or {})
        gone = {k: v for k, v in filler.acknowledged.items() if fields.get(k) != v}
        wrong = {k: v for k, v in fields.items() if v and v != filler.expected.get(k)}
        lost, misplaced = lost + len(gone), misplaced + len(wrong)
        if (gone or wrong) and len(samples) < SAMPLES:
            samples.append({"member": filler.index, "stored": wrong, "acknowledged": gone})
    sent_to = Counter({uid: len(api.sent(uid)) for uid in reminded_ids if api.sent(uid)})
    handled = {uid for uid, status in api.deliveries if status == 200}
    if polling:  # every update the members made, handed out by getUpdates
        handled = set(range(1, api.last_update_id + 1))
    latencies = [x for f in fillers for x in f.latencies]
    return {
        "mode": "polling" if polling else "webhook",
        "replicas": replicas,
        "members": members,
        "latency_ms": round(latency * 1000),
        "kills": killed,
        "seconds": round(filled, 1),
        "updates": len(handled),
        "updates_per_s": round(len(handled) / filled, 1) if filled else 0.0,
        "p50_ms": round(percentile(latencies, 0.5) * 1000),
        "p99_ms": round(percentile(latencies, 0.99) * 1000),
        "recovery_s": round(max(recoveries), 2) if recoveries else None,
        "takeover_s": round(max(takeovers), 2) if takeovers else None,
        "pollers": len(pollers),
        "posts_per_replica": sorted(balancer.forwarded.values()) if balancer else [],
        "redelivered": None if polling else len(api.deliveries) - len(handled),
        # getUpdates answered 409 to a replica still waiting for it: two pollers fought
        "conflicts": sum(1 for call in api.calls_of("getUpdates") if call.status == 409),
        "bursts_out_of_order": sum(f.out_of_order for f in fillers),
        "acknowledged": sum(len(f.acknowledged) for f in fillers),
        "lost": lost,
        "misplaced": misplaced,
        "unfinished": unfinished,
        "unanswered": sum(f.unanswered for f in fillers),
        "settled": sum(f.settled for f in fillers),
        "reminded": len(reminded_ids),
        "reminder_occasions": occasions,
        "reminders_queued": queued,
        "reminders_missing": len(reminded_ids) - len(sent_to),
        "reminders_duplicated": sum(n - 1 for n in sent_to.values()),
        "in_flight_at_kills": flying,
        "samples": samples,
    }


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=100)
    parser.add_argument("--replicas", default="1,2,3", help="replica counts to run, in turn")
    parser.add_argument("--latency", type=float, default=0.08, help="fake Bot API latency (s)")
    parser.add_argument("--kills", type=int, default=1, help="SIGKILLs per run of 2+ replicas")
    parser.add_argument("--reminded", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--polling", action="store_true", help="long polling (one elected poller), not webhooks"
    )
    options = parser.parse_args()
    admin = pg_admin_url()
    if admin is None:
        print(SKIP, flush=True)
        print(json.dumps({"skipped": SKIP}))
        return
    runs = []
    for count in [int(n) for n in options.replicas.split(",")]:
        async with fresh_database(admin) as db:
            figures = await replicas_run(
                db,
                replicas=count,
                members=options.members,
                kills=options.kills if count > 1 else 0,
                reminded=options.reminded,
                latency=options.latency,
                seed=options.seed,
                polling=options.polling,
            )
        print("replicas", json.dumps(figures), flush=True)
        runs.append(figures)
    print(json.dumps({"runs": runs}))


if __name__ == "__main__":
    asyncio.run(main())
