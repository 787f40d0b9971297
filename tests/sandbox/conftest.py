"""The running sandbox, shared by the browser and clock tests."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.sandbox.server import Sandbox


@pytest.fixture
async def box(tmp_path: Path) -> AsyncIterator[Sandbox]:
    """The sandbox on a free port, on its own database."""
    sandbox = Sandbox(tmp_path / "sandbox.db", port=0)
    stop = asyncio.Event()
    task = asyncio.create_task(sandbox.run(stop))
    try:
        await asyncio.wait_for(sandbox.wait_ready(), 60)
        assert sandbox.api.url.startswith("http://127.0.0.1:")  # its Bot API is the offline one
        yield sandbox
    finally:
        stop.set()
        await asyncio.wait_for(task, 60)
