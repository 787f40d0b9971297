"""Lanes on procrastinate (storage/lanes_pg.py): wake → drain-start latency and jobs/s.

    python -m bench.lanes --url postgresql+asyncpg://postgres@127.0.0.1:5432/postgres \
        [--lanes 50] [--jobs 10] [--replicas 1] [--concurrency 64] [--poll 1.0] [--no-listen]
        [--async-commit]

A closed loop, as in docs/design/scale-out.md section 2: each of ``--lanes`` people sends a
message (``wake``), the drain "handles" it (``--work`` seconds, a Telegram call), and the person
sends the next one as soon as the drain is done, ``--jobs`` times. The latency is from the wake
to the start of the drain that handles the message. ``--replicas`` runners share the work in
this process, each with its own pool and worker. A fresh database is made (and dropped) on the
server of ``--url`` (default: TEST_DATABASE_URL). The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import make_url

from bot.config import Settings
from storage.engine import make_engine
from storage.lanes_pg import PgLaneRunner


async def run(args: argparse.Namespace, url: str) -> dict[str, object]:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url=url,
        lanes_concurrency=args.concurrency,
        lanes_poll=args.poll,
        lanes_listen_notify=not args.no_listen,
    )
    pending: dict[str, list[float]] = {}  # lane -> wake times of its unhandled messages
    sent: dict[str, int] = {}
    latencies: list[float] = []
    misordered = 0
    done = asyncio.Event()
    runners: list[PgLaneRunner] = []

    def send(lane: str) -> None:
        sent[lane] += 1
        pending[lane].append(time.perf_counter())
        runners[sent[lane] % len(runners)].wake(lane)  # any replica got the webhook

    async def drain(lane: str, held: Callable[[], bool] | None = None) -> float | None:
        nonlocal misordered
        taken, pending[lane] = pending[lane], []
        now = time.perf_counter()
        latencies.extend(now - t for t in taken)
        if taken != sorted(taken):
            misordered += 1
        if taken:
            await asyncio.sleep(args.work)  # the Telegram call
            if sent[lane] < args.jobs:
                send(lane)  # answered: the person's next message, while this job is "doing"
            elif len(latencies) == args.lanes * args.jobs:
                done.set()
        return None

    async def no_orphans(limit: int) -> list[str]:
        return []

    runners.extend(
        PgLaneRunner(settings, drain, no_orphans, name=f"r{n}") for n in range(args.replicas)
    )
    for runner in runners:
        await runner.start()
    lanes = [f"p{n}" for n in range(args.lanes)]
    for lane in lanes:
        pending[lane] = []
        sent[lane] = 0
    start = time.perf_counter()
    for lane in lanes:
        send(lane)
    await asyncio.wait_for(done.wait(), timeout=600)
    elapsed = time.perf_counter() - start
    for runner in runners:
        await runner.stop()
    ms = sorted(x * 1000 for x in latencies)
    return {
        "bench": "lanes",
        "lanes": args.lanes,
        "jobs_per_lane": args.jobs,
        "replicas": args.replicas,
        "concurrency": args.concurrency,
        "poll_s": args.poll,
        "listen_notify": not args.no_listen,
        "work_s": args.work,
        "async_commit": args.async_commit,
        "jobs_per_s": round(len(latencies) / elapsed, 1),
        "start_p50_ms": round(statistics.median(ms), 1),
        "start_p99_ms": round(ms[int(len(ms) * 0.99) - 1], 1),
        "start_max_ms": round(ms[-1], 1),
        "misordered": misordered,
        "load1": round(os.getloadavg()[0], 2),
    }


async def main(args: argparse.Namespace) -> None:
    base = args.url or os.environ.get("TEST_DATABASE_URL")
    if not base:
        sys.exit("give --url or TEST_DATABASE_URL (a PostgreSQL server to make a database on)")
    name = f"bench_lanes_{uuid.uuid4().hex[:8]}"
    admin = make_engine(base, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(base).set(database=name)
        if args.async_commit:  # procrastinate's commits only: the inbox keeps its own
            url = url.update_query_dict({"options": "-c synchronous_commit=off"})
        url = url.render_as_string(hide_password=False)
        result = await run(args, url)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        await admin.dispose()
    print(json.dumps(result))


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default=None)
    parser.add_argument("--lanes", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=10)
    parser.add_argument("--replicas", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--no-listen", action="store_true")
    parser.add_argument("--work", type=float, default=0.08)
    parser.add_argument("--async-commit", action="store_true", help="synchronous_commit=off")
    asyncio.run(main(parser.parse_args()))
