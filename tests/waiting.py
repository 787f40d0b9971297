"""Waiting in tests: on what the bot does, never for a while.

``until(api, check)`` looks at ``check()`` again each time the bot calls the fake Bot API (the
only way anything it does becomes visible there), so it returns the moment the condition holds
and never sleeps. PATIENCE is only the limit after which a hung bot fails the test: nothing
waits for it on a working bot, however slow the machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from bot.sandbox.fake_api import Call, FakeBotApi

PATIENCE = 120.0  # seconds: a safety net for a hung bot, never a pause


async def until(api: FakeBotApi, check: Callable[[], bool], patience: float = PATIENCE) -> None:
    """Return once ``check()`` holds, looking again after each call the bot makes."""
    called = asyncio.Event()

    def listener(call: Call) -> None:
        called.set()

    api.on_call.append(listener)
    try:
        async with asyncio.timeout(patience):
            while not check():
                called.clear()
                await called.wait()
    finally:
        api.on_call.remove(listener)
