"""A bot waiting for messages has loaded only what it serves with (issue 20: idle RSS < 90 MB).

``chuyende run`` runs in its own interpreter against the fake Bot API; once it polls, a signal
makes it print which of the modules below it has loaded. Telegram by polling without WEB_PORT
needs neither httpx's connection pool (PTB's default transport: the bot sends through aiohttp),
nor aiohttp's web server, nor Zalo, nor the command line's office files and browser.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
import sys
from pathlib import Path

import aiohttp

from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import Call, FakeBotApi, FakeUser
from tests.waiting import PATIENCE, until

IDLE_UNNEEDED = (
    "httpcore",  # httpx's connection pool: PTB's HTTPXRequest, never used by this bot
    "anyio",
    "h11",
    "aiohttp.web",  # the web server: only with WEB_PORT, PUBLIC_URL or Zalo
    "handlers.web.server",
    "handlers.telegram.webhook",
    "bot.zalo_app",  # Zalo's side: only with ZALO_BOT_TOKEN
    "handlers.zalo.updates",
    "xml.etree.ElementTree",  # reading an xlsx's workbook (roster import)
    "webbrowser",  # the sandbox's browser
)
SERVING = ("telegram", "aiohttp", "sqlalchemy", "bot.app")  # the check can see what is loaded
WATCHED = IDLE_UNNEEDED + SERVING
SCRIPT = f"""
import json, signal, sys

def tell(*_):
    loaded = sorted(m for m in {WATCHED!r} if m in sys.modules)
    print(json.dumps(loaded), flush=True)

signal.signal(signal.SIGUSR1, tell)
from bot.cli import main
raise SystemExit(main(["run"]))
"""


async def loaded_when(
    api: FakeBotApi, tmp_path: Path, *, extra: dict[str, str], port: int | None = None
) -> list[str]:
    """Start the bot, let it poll (and meet one member; with ``port``, answer ``/healthz``
    there), then ask what it has loaded."""
    polled = asyncio.Event()

    def on_call(call: Call) -> None:
        if call.method == "getUpdates":
            polled.set()

    api.on_call.append(on_call)
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("TELEGRAM_", "ZALO_", "WEB_", "PUBLIC_URL"))
    }
    env |= {
        "TELEGRAM_BOT_TOKEN": api.token,
        "TELEGRAM_API_URL": api.url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'idle.db'}",
        "LOG_LEVEL": "WARNING",
    } | extra
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", SCRIPT, env=env, cwd=str(tmp_path), stdout=asyncio.subprocess.PIPE
    )
    try:
        async with asyncio.timeout(PATIENCE):
            await polled.wait()
            chat = Chat(api, api.push_update, FakeUser(id=4242, first_name="Idle"))
            await chat.send("/start")
            await until(api, lambda: bool(api.calls_of("sendMessage")))
            if port is not None:
                url = f"http://127.0.0.1:{port}/healthz"
                async with aiohttp.ClientSession() as session, session.get(url) as response:
                    assert (response.status, await response.text()) == (200, "ok")
            assert process.stdout is not None
            process.send_signal(signal.SIGUSR1)
            line = await process.stdout.readline()
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), PATIENCE)
    loaded: list[str] = json.loads(line)
    return loaded


async def test_a_polling_bot_loads_only_what_it_serves_with(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """Polling, no web port: the bot answers, and none of the idle-unneeded modules is loaded."""
    loaded = await loaded_when(api, tmp_path, extra={})
    assert set(SERVING) <= set(loaded), loaded
    assert [m for m in loaded if m in IDLE_UNNEEDED] == []


async def test_with_a_web_port_the_web_server_is_there(api: FakeBotApi, tmp_path: Path) -> None:
    """WEB_PORT set: the web server is loaded and answers /healthz (the check above can fail)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    loaded = await loaded_when(
        api, tmp_path, extra={"WEB_PORT": str(port), "WEB_HOST": "127.0.0.1"}, port=port
    )
    assert {"aiohttp.web", "handlers.web.server"} <= set(loaded), loaded
