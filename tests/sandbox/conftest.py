"""The running sandbox, shared by the browser, clock and restart tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox
from tests.waiting import PATIENCE


@asynccontextmanager
async def running(database: Path) -> AsyncIterator[Sandbox]:
    """The sandbox on a free port, on ``database``, until the block ends."""
    sandbox = Sandbox(database, port=0)
    stop = asyncio.Event()
    task = asyncio.create_task(sandbox.run(stop))
    try:
        await asyncio.wait_for(sandbox.wait_ready(), PATIENCE)
        assert sandbox.api.url.startswith("http://127.0.0.1:")  # its Bot API is the offline one
        yield sandbox
    finally:
        stop.set()
        await asyncio.wait_for(task, PATIENCE)


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The sandbox on a free port, on its own database."""
    async with running(tmp_path / "sandbox.db") as sandbox:
        yield sandbox


def origin(sandbox: Sandbox) -> dict[str, str]:
    """The headers the page's own POSTs carry."""
    return {"Origin": sandbox.url.rstrip("/")}
