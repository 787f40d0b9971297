"""What one inbox row costs: statements and transactions from record to done, and the mark's
contention between processes on PostgreSQL.

    python -m bench.inbox [--members 200] [--steps 5] [--pg] [--contention 1,3] [--seconds 10]

Counts (``--pg``: on PostgreSQL too, ``TEST_DATABASE_URL``, in a schema of its own): the inbox
repository and the production ``Drainer`` and ``LocalLanes`` in this process, as the webhook
uses them (``record``, then ``wake``), with a handler that does nothing, so only the inbox is
counted. Two loads: ``alone``, one member's updates one after another (no group commit can
help); ``together``, ``--members`` members each sending one update at once (shuffled update ids,
one webhook POST each), ``--steps`` times, each round handled before the next. Per row: SQL
statements by verb (``before_cursor_execute``: BEGIN and COMMIT included, an ``executemany``
counted once), and hand-overs to the database (``Database.read``/``write``/``write_one``: one
transaction each). The reorder hold is 0 here (no gap is waited for); the counts do not depend
on the machine's load.

``--contention 1,3`` (PostgreSQL): that many processes at once, each recording Telegram updates
for lanes of its own and draining them (``ready``, ``take``, ``finish``) as fast as it can for
``--seconds``; every ready of every process meets the one ``inbox_marks`` row of the channel.
Printed: rows handled per second in all, and each ready's p50/p99 in ms, with the load average.
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import contextvars
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event, text  # noqa: E402
from sqlalchemy.engine import Connection  # noqa: E402

from bot.domain.inbox import InboxRow  # noqa: E402
from bot.services.clock import SystemClock  # noqa: E402
from handlers.inbox import Drainer, LocalLanes  # noqa: E402
from storage.engine import Database, make_engine  # noqa: E402
from storage.store import Store  # noqa: E402

T = TypeVar("T")
INSIDE: contextvars.ContextVar[bool] = contextvars.ContextVar("inside", default=False)
CHANNEL = "telegram"
POOL = 5  # PostgreSQL connections of the counted process


class Counts:
    """Statements by verb and database hand-overs, counted while ``on``."""

    def __init__(self) -> None:
        self.on = False
        self.statements: Counter[str] = Counter()
        self.handovers: Counter[str] = Counter()

    def install(self, database: Database) -> None:
        def statement(conn: Any, cursor: Any, sql: str, *args: Any) -> None:
            if self.on:
                self.statements[sql.split(None, 1)[0].upper()] += 1

        event.listen(Engine, "before_cursor_execute", statement)
        for name in ("read", "write", "write_one"):
            self._wrap(database, name)

    def _wrap(self, database: Database, name: str) -> None:
        inner: Callable[[Callable[[Connection], T]], Awaitable[T]] = getattr(database, name)

        async def counted(work: Callable[[Connection], T]) -> T:
            if self.on and not INSIDE.get():  # PostgreSQL's write_one is a write: once
                self.handovers[name] += 1
            token = INSIDE.set(True)
            try:
                return await inner(work)
            finally:
                INSIDE.reset(token)

        setattr(database, name, counted)


@asynccontextmanager
async def opened(url: str) -> AsyncIterator[Store]:
    """A migrated, empty store: a fresh SQLite file, or a fresh schema on PostgreSQL."""
    if url.startswith("sqlite"):
        store = await Store.open(url)
        try:
            yield store
        finally:
            await store.close()
        return
    schema = f"bench_{uuid.uuid4().hex[:10]}"
    admin = make_engine(url)
    async with admin.begin() as conn:
        await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        store = await Store.open(
            url,
            connect_args={"server_settings": {"search_path": schema}},
            pool_size=POOL,  # a shared server: a few connections, as a replica would hold
            max_overflow=0,
        )
        try:
            yield store
        finally:
            await store.close()
    finally:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        await admin.dispose()


async def counted_load(url: str, members: int, steps: int, seed: int) -> dict[str, Any]:
    """Statements and hand-overs per row for ``members`` sending ``steps`` updates each."""
    async with opened(url) as store:
        store.inbox.hold = timedelta(0)
        counts = Counts()
        counts.install(store.database)
        clock = SystemClock()
        handled: list[InboxRow] = []
        round_done = asyncio.Event()
        expected = 0

        async def handle(row: InboxRow) -> None:
            handled.append(row)
            if len(handled) == expected:
                round_done.set()

        drainer = Drainer(store.inbox, handle, clock)
        lanes = LocalLanes(drainer.drain, store.inbox.lanes_with_todo, drainer.halt)
        await lanes.start()
        rng = random.Random(seed)
        update_id = 1000

        async def post(update: int, member: int) -> None:
            lane = f"t:{member}"
            body = json.dumps({"update_id": update, "message": {"from": {"id": member}}})
            await store.inbox.record(CHANNEL, str(update), lane, update, body, clock.now())
            lanes.wake(lane)

        counts.on = True
        cpu = time.process_time()
        for _ in range(steps):
            ids = list(range(update_id, update_id + members))
            update_id += members
            rng.shuffle(ids)
            expected += members
            round_done.clear()
            await asyncio.gather(*(post(u, u % members) for u in ids))
            await asyncio.wait_for(round_done.wait(), 120)
        await lanes.stop()  # each drain finishes the row in hand (its finish counted)
        cpu = time.process_time() - cpu
        counts.on = False
        rows = float(len(handled))
        by_lane: dict[str, list[int]] = {}
        for row in handled:
            by_lane.setdefault(row.lane, []).append(row.seq)
        misordered = sum(seqs != sorted(seqs) for seqs in by_lane.values())
        left = await store.inbox.counts()
    return {
        "members": members,
        "rows": int(rows),
        "statements_per_row": round(sum(counts.statements.values()) / rows, 2),
        "statements": {k: round(v / rows, 2) for k, v in counts.statements.most_common()},
        "handovers_per_row": round(sum(counts.handovers.values()) / rows, 2),
        "handovers": {k: round(v / rows, 2) for k, v in counts.handovers.most_common()},
        "cpu_ms_per_row": round(cpu * 1000 / rows, 3),
        "misordered_lanes": misordered,
        "rows_left": {k: v for k, v in left.items() if k != "done"},
    }


async def contend(url: str, schema: str, index: int, of: int, seconds: float) -> dict[str, Any]:
    """One process of the contention run: record and drain its own lanes for ``seconds``."""
    store = await Store.open(
        url,
        migrate=False,
        connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
    )
    store.inbox.hold = timedelta(0)
    clock = SystemClock()
    readies: list[float] = []
    done = 0
    update = index
    try:
        end = time.perf_counter() + seconds
        while time.perf_counter() < end:
            lane = f"t:{index}:{update % 50}"
            await store.inbox.record(CHANNEL, str(update), lane, update, "{}", clock.now())
            update += of  # the processes' update ids interleave, as one bot's would
            started = time.perf_counter()
            ready = await store.inbox.ready(lane, clock.now())
            readies.append(time.perf_counter() - started)
            for row in ready.rows:
                await store.inbox.take(row.id)
                await store.inbox.finish(row.id, _done(), clock.now())
                done += 1
    finally:
        await store.close()
    return {"handled": done, "readies": readies}


def _done() -> Any:
    from bot.domain.inbox import InboxStatus

    return InboxStatus.DONE


async def contention(url: str, processes: int, seconds: float) -> dict[str, Any]:
    """``processes`` processes contending for the mark; rows/s in all, ready latency."""
    async with opened(url) as store:
        schema = await store.database.read(
            lambda c: c.execute(text("SELECT current_schema()")).scalar_one()
        )
        procs = [
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.inbox",
                "--worker",
                f"{schema},{n},{processes},{seconds}",
                cwd=ROOT,
                stdout=asyncio.subprocess.PIPE,
                env=os.environ | {"PYTHONPATH": str(ROOT)},
            )
            for n in range(processes)
        ]
        waits = Counter[str]()
        sampling = asyncio.create_task(_sample_waits(store, schema, waits))
        outs = [
            json.loads((await proc.communicate())[0].decode().splitlines()[-1]) for proc in procs
        ]
        sampling.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await sampling
    readies = sorted(x * 1000 for out in outs for x in out["readies"])
    return {
        "processes": processes,
        "rows_per_s": round(sum(out["handled"] for out in outs) / seconds, 1),
        "ready_p50_ms": round(statistics.median(readies), 2),
        "ready_p99_ms": round(readies[int(len(readies) * 0.99) - 1], 2),
        "lock_wait_share": round(waits["Lock"] / max(1, waits["active"]), 3),
        "load1": round(os.getloadavg()[0], 2),
    }


async def _sample_waits(store: Store, schema: str, waits: Counter[str]) -> None:
    """Every 5 ms, the workers' backends busy with a statement, and those waiting for a lock
    (another transaction's row): the share of the second is the serialisation."""
    query = text(
        "SELECT wait_event_type FROM pg_stat_activity WHERE application_name = :name"
        " AND state = 'active'"
    )
    while True:
        found = await store.database.read(
            lambda c: c.execute(query, {"name": schema}).scalars().all()
        )
        waits["active"] += len(found)
        waits["Lock"] += sum(kind == "Lock" for kind in found)
        await asyncio.sleep(0.005)


async def main(args: argparse.Namespace) -> dict[str, Any]:
    pg = os.environ.get("TEST_DATABASE_URL")
    if args.worker:
        schema, index, of, seconds = args.worker.split(",")
        assert pg is not None
        return await contend(pg, schema, int(index), int(of), float(seconds))
    work = Path(tempfile.mkdtemp(prefix="bench-inbox-"))
    result: dict[str, Any] = {"bench": "inbox"}
    if not args.contention or args.pg:
        urls = {"sqlite": lambda load: f"sqlite+aiosqlite:///{work / load}.db"}
        if args.pg:
            if not pg:
                raise SystemExit("--pg needs TEST_DATABASE_URL=postgresql+asyncpg://...")
            urls["postgresql"] = lambda load: pg
        for name, url in urls.items():
            result[name] = {
                "alone": await counted_load(
                    url("alone"), 1, args.members * args.steps // 4, args.seed
                ),
                "together": await counted_load(
                    url("together"), args.members, args.steps, args.seed
                ),
            }
    if args.contention:
        if not pg:
            raise SystemExit("--contention needs TEST_DATABASE_URL=postgresql+asyncpg://...")
        result["contention"] = [
            await contention(pg, int(n), args.seconds) for n in args.contention.split(",")
        ]
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=200)
    parser.add_argument("--steps", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--pg", action="store_true", help="count on PostgreSQL too")
    parser.add_argument("--contention", default="", help="e.g. 1,3: processes on PostgreSQL")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--worker", default="", help=argparse.SUPPRESS)
    figures = asyncio.run(main(parser.parse_args()))
    if not parser.parse_args().worker:
        for key, value in figures.items():
            print(f"  {key:12} {value}", file=sys.stderr)
    print(json.dumps(figures))
