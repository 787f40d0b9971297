"""Migrations at start: Alembic runs when there is something to migrate, and only then."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.migrate import DatabaseProblem, alembic_config, shipped_head
from storage.store import Store

ROOT = Path(__file__).resolve().parents[2]

OPEN_TWICE = """
import asyncio, sys
from storage.store import Store

async def main(url):
    store = await Store.open(url)
    await store.close()
    print("after-create", "alembic" in sys.modules)

asyncio.run(main(sys.argv[1]))
"""

OPEN_AGAIN = """
import asyncio, sys
from storage.store import Store

async def main(url):
    store = await Store.open(url)
    await store.close()
    print("after-reopen", "alembic" in sys.modules)

asyncio.run(main(sys.argv[1]))
"""


def test_the_head_read_from_the_files_is_alembics_head() -> None:
    """The revision lines of the migration files name the same head as Alembic does."""
    script = ScriptDirectory.from_config(alembic_config())
    assert shipped_head() == script.get_current_head()


def test_a_database_at_head_opens_without_loading_alembic(tmp_path: Path) -> None:
    """A new file is migrated by Alembic; opening it again (a restart) loads no Alembic."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"

    def run(code: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", code, url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    assert run(OPEN_TWICE) == "after-create True"
    assert run(OPEN_AGAIN) == "after-reopen False"


async def test_a_database_from_a_newer_program_is_still_refused(tmp_path: Path) -> None:
    """The shortcut for a database at head never lets an unknown revision through."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    store = await Store.open(url)

    def newer(connection: Connection) -> None:
        connection.execute(text("UPDATE alembic_version SET version_num = '9999_future'"))

    await store.database.write(newer)
    await store.close()
    with pytest.raises(DatabaseProblem) as raised:
        await Store.open(url)
    assert raised.value.code == "too_new"


def test_a_waiting_bot_has_not_loaded_the_office_libraries() -> None:
    """``chuyende run`` imports no openpyxl, numpy, python-docx or matplotlib until a
    spreadsheet, a document or a chart is made, no rich until the command line draws, and no
    prometheus_client while it serves no ``/metrics`` (no web server)."""
    code = (
        "import sys, bot.cli, bot.cli.serving, bot.app, bench.echo_bot; "
        "from bot.services.metrics import Metrics; m = Metrics(served=False); "
        "m.received('telegram', 'new'); m.handled('telegram', 'ok', 0.1); "
        "assert m.value('chuyende_updates_received_total', channel='telegram', result='new') == 0; "
        "print(sorted(m for m in ('openpyxl', 'numpy', 'docx', 'matplotlib', 'alembic', 'rich', "
        "'prometheus_client') if m in sys.modules))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == "[]"


USE_AND_ASK = """
import asyncio, sys
from sqlalchemy import text
from storage.store import Store

async def main(url):
    store = await Store.open(url)
    await store.plans.active_campaign()
    print("at-rest", "sqlalchemy.ext.asyncio" in sys.modules, "sqlalchemy.orm" in sys.modules)
    async with store.engine.connect() as conn:
        print("door", (await conn.execute(text("SELECT count(*) FROM campaigns"))).scalar_one())
    await store.close()

asyncio.run(main(sys.argv[1]))
"""


def test_a_store_on_sqlite_makes_its_async_engine_only_when_asked(tmp_path: Path) -> None:
    """Opening and using a SQLite store loads neither SQLAlchemy's async engine nor its ORM
    (a waiting bot does not need them); ``store.engine`` still opens the same file on demand."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    done = subprocess.run(
        [sys.executable, "-c", USE_AND_ASK, url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split("\n")[:2] == ["at-rest False False", "door 0"]
