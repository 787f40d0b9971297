"""Cold start to first reply, and memory at rest: the bot against a bare echo bot.

    python -m bench.startup [--runs 3]

Each run starts a fresh process (``python -m bot run`` on a new SQLite file, or
``bench/echo_bot.py``) against the fake Bot API, sends ``/start`` as soon as it polls, and times
from spawning the process to the reply; then it waits two seconds and reads the process's
resident memory (idle RSS). The median of the runs is reported. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.sandbox.fake_api import FakeBotApi, FakeUser  # noqa: E402

IDLE_WAIT = 2.0


def rss_mb(pid: int) -> float:
    """The process's resident memory now."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


async def one_start(command: list[str], work: Path) -> tuple[float, float]:
    """(seconds from spawn to the first reply, idle RSS in MB) of one fresh process."""
    api = FakeBotApi()
    await api.start()
    user = FakeUser(id=42, first_name="Khách")
    api.add_user(user)
    polling, replied = asyncio.Event(), asyncio.Event()

    def on_call(call: object) -> None:
        method = getattr(call, "method", "")
        if method in ("deleteWebhook", "getUpdates"):
            polling.set()
        if method == "sendMessage":
            replied.set()

    api.on_call.append(on_call)
    env = {
        **os.environ,
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{work / f'start-{time.monotonic_ns()}.db'}",
        "LOG_LEVEL": "ERROR",
    }
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(*command, env=env, cwd=str(ROOT))
    try:
        await asyncio.wait_for(polling.wait(), 60)
        message = {
            "message_id": api.new_message_id(),
            "date": int(time.time()),
            "chat": {"id": user.id, "type": "private"},
            "from": user.as_json(),
            "text": "/start",
            "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
        }
        await api.push_update(api.new_update({"message": message}))
        await asyncio.wait_for(replied.wait(), 60)
        first_reply = time.perf_counter() - started
        await asyncio.sleep(IDLE_WAIT)
        idle = rss_mb(process.pid)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), 60)
        await api.stop()
    return first_reply, idle


async def main(runs: int) -> dict[str, float]:
    work = Path(tempfile.mkdtemp(prefix="bench-start-"))
    figures: dict[str, float] = {"runs": runs}
    for name, command in (
        ("bot", [sys.executable, "-m", "bot", "run"]),
        ("echo", [sys.executable, "bench/echo_bot.py"]),
    ):
        results = [await one_start(command, work) for _ in range(runs)]
        figures[f"{name}_first_reply_s"] = round(statistics.median(r[0] for r in results), 2)
        figures[f"{name}_idle_rss_mb"] = round(statistics.median(r[1] for r in results), 1)
    figures["first_reply_ratio"] = round(
        figures["bot_first_reply_s"] / figures["echo_first_reply_s"], 2
    )
    figures["idle_rss_ratio"] = round(figures["bot_idle_rss_mb"] / figures["echo_idle_rss_mb"], 2)
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    figures = asyncio.run(main(parser.parse_args().runs))
    print(
        f"first reply {figures['bot_first_reply_s']} s (echo {figures['echo_first_reply_s']} s); "
        f"idle RSS {figures['bot_idle_rss_mb']} MB (echo {figures['echo_idle_rss_mb']} MB)"
    )
    print(json.dumps(figures))
