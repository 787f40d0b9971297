"""What an idle bot holds: its RSS, the modules only it loaded, its threads (issue 20: < 90 MB).

    python -m bench.idle [--bare] [--trace]

``python -m bot run`` (Telegram by polling, no WEB_PORT, a SQLite file with a 100-person roster
and an open campaign, as ``bench/conversation.py`` prepares it) and the echo bot
(``bench/echo_bot.py``, which imports ``bot.app``) start in turn against the fake Bot API. Once
each has polled and sat idle for a second, its RSS is read from ``/proc``, and a signal makes it
write its ``sys.modules`` and every thread's stack to a file. Printed: both RSS, the bot's
threads, the modules the bot loaded and the echo bot did not (and the other way round), by
package. ``--bare``: also an echo bot that does not import ``bot.app`` (PTB, aiohttp and our
transport and update processor alone: the floor). ``--trace``: the bot runs under tracemalloc
and its 25 largest allocations made after start (not by an import) are printed, which makes it
start several times slower. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.conversation import IDLE_SETTLE, prepare, status_mb  # noqa: E402
from bot.sandbox.fake_api import Call, FakeBotApi  # noqa: E402

# Run inside the bot's interpreter: on SIGUSR1, write what it holds to $IDLE_OUT and print a line.
PROBE = """
import json, os, runpy, signal, sys, threading, traceback
if os.environ.get("IDLE_TRACE") == "1":
    import tracemalloc
    tracemalloc.start(12)

def tell(*_):
    top = []
    if os.environ.get("IDLE_TRACE") == "1":
        import tracemalloc
        stats = tracemalloc.take_snapshot().statistics("traceback")
        late = [s for s in stats
                if not any("importlib._bootstrap" in f.filename for f in s.traceback)]
        top = [[round(s.size / 1024), str(s.traceback[-1]), str(s.traceback[0])]
               for s in late[:25]]
    names = {t.ident: t.name for t in threading.enumerate()}  # after the snapshot: not in it
    stacks = {names.get(i, str(i)): "".join(traceback.format_stack(f)[-4:])
              for i, f in sys._current_frames().items()}
    with open(os.environ["IDLE_OUT"], "w") as out:
        json.dump({"modules": list(sys.modules), "threads": stacks, "top": top}, out)
    print("told", flush=True)

signal.signal(signal.SIGUSR1, tell)
target = sys.argv[1]
sys.argv = sys.argv[1:]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


async def look(kind: str, db: str, work: Path, trace: bool) -> dict[str, Any]:
    """Start one bot, wait for its first poll and a second idle, read what it holds."""
    api = FakeBotApi(latency=0.08)
    await api.start()
    polled = asyncio.Event()

    def on_call(call: Call) -> None:
        if call.method == "getUpdates":
            polled.set()

    api.on_call.append(on_call)
    out = work / f"{kind}.json"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "PUBLIC_URL"))}
    env |= {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": db,
        "LOG_LEVEL": "WARNING",
        "IDLE_OUT": str(out),
        "IDLE_TRACE": "1" if trace and kind == "bot" else "0",
        "PYTHONPATH": str(ROOT),
    }
    target = {"bot": ["bot", "run"], "echo": ["bench/echo_bot.py"], "bare": [str(work / "bare.py")]}
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        PROBE,
        *target[kind],
        env=env,
        cwd=str(ROOT),
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        await asyncio.wait_for(polled.wait(), 600)
        await asyncio.sleep(IDLE_SETTLE)
        rss = status_mb(process.pid, "VmRSS")
        fds = len(os.listdir(f"/proc/{process.pid}/fd"))
        process.send_signal(signal.SIGUSR1)
        assert process.stdout is not None
        await asyncio.wait_for(process.stdout.readline(), 600)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        await api.stop()
    held: dict[str, Any] = json.loads(out.read_text())
    return {"rss_mb": round(rss, 1), "fds": fds} | held


def by_package(modules: set[str]) -> dict[str, int]:
    """How many of ``modules`` each top-level package (ours: two levels) has."""
    ours = ("bot", "handlers", "storage", "scheduler")
    counted = Counter(
        ".".join(m.split(".")[:2]) if m.startswith(ours) else m.split(".")[0] for m in modules
    )
    return dict(counted.most_common())


async def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--bare", action="store_true", help="also an echo bot without bot.app")
    parser.add_argument("--trace", action="store_true", help="the bot under tracemalloc")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench-idle-"))
    db = f"sqlite+aiosqlite:///{work / 'idle.db'}"
    await prepare(db, 100)
    bare = (ROOT / "bench" / "echo_bot.py").read_text()
    constants = "HTTP_POOL_SIZE = 1024\nHTTP_POOL_TIMEOUT = 30.0"  # bot.app's, not importing it
    bare = bare.replace("from bot.app import HTTP_POOL_SIZE, HTTP_POOL_TIMEOUT", constants)
    assert constants in bare, "bench/echo_bot.py no longer imports bot.app's pool constants"
    (work / "bare.py").write_text(bare)
    kinds = ["bot", "echo"] + (["bare"] if options.bare else [])
    seen = {kind: await look(kind, db, work, options.trace) for kind in kinds}
    bot, echo = set(seen["bot"]["modules"]), set(seen["echo"]["modules"])
    for kind in kinds:
        print(
            f"{kind}: idle RSS {seen[kind]['rss_mb']} MB, {len(seen[kind]['modules'])} modules, "
            f"{len(seen[kind]['threads'])} threads, {seen[kind]['fds']} open files"
        )
    for name, stack in seen["bot"]["threads"].items():
        print(f"bot thread {name}:\n{stack}")
    print("only the bot:", by_package(bot - echo))
    print("only the echo bot:", by_package(echo - bot))
    for size, one_end, other_end in seen["bot"]["top"]:
        print(f"{size:6} KiB  {one_end} ... {other_end}")
    result = {
        kind: {"idle_rss_mb": seen[kind]["rss_mb"], "modules": len(seen[kind]["modules"])}
        for kind in kinds
    } | {"only_bot": sorted(bot - echo)}
    print(json.dumps(result, ensure_ascii=False))


if __name__ == "__main__":
    asyncio.run(main())
