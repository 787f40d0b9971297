"""The roster and invites commands start light: not the bot, its channels or its web servers.

Every command used to import ``bot.app`` (python-telegram-bot, Zalo, aiohttp, every service),
a second of a 50,000-person import's five. Each command runs here in a fresh interpreter,
which then tells what it loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

HEAVY = ("bot.app", "telegram", "aiohttp", "bot.zalo_app", "handlers.zalo.client")
SCRIPT = f"""
import json, sys
from bot.cli import main
status = main(sys.argv[1:])
loaded = sorted(m for m in {HEAVY!r} if m in sys.modules)
print(json.dumps({{"status": status, "loaded": loaded}}))
"""


def run_fresh(tmp_path: Path, *argv: str) -> dict[str, object]:
    """Run one command in its own interpreter; its status and which heavy modules it loaded."""
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "ZALO_BOT_TOKEN")}
    env |= {
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'light.db'}",
        "CHUYENDE_TERMINAL": "0",
    }
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, *argv],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    document: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return document


def test_roster_and_invites_do_not_load_the_bot(tmp_path: Path) -> None:
    """import, export and invites work without the bot's channels ever being imported."""
    assert run_fresh(tmp_path, "roster", "template", "mau.xlsx")["status"] == 0
    for argv in (
        ("roster", "import", "mau.xlsx"),
        ("roster", "export", "xuat.xlsx"),
        ("invites", "--out", "ma.xlsx"),
    ):
        assert run_fresh(tmp_path, *argv) == {"status": 0, "loaded": []}, argv
    assert (tmp_path / "xuat.xlsx").exists() and (tmp_path / "ma.xlsx").exists()


def test_the_bot_still_loads_its_channels_to_serve(tmp_path: Path) -> None:
    """The check above can fail: a command that builds every service does load bot.app."""
    document = run_fresh(tmp_path, "campaign", "show")
    assert "bot.app" in document["loaded"]  # type: ignore[operator]
