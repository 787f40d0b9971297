"""APScheduler runs the two named sweeps with the application: at start, then until stopped."""

from __future__ import annotations

import asyncio
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sandbox.harness import Harness
from scheduler.jobs import Sweeps
from tests.helpers import signed_in
from tests.waiting import until

VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def test_sweeps_catch_up_at_start_send_and_stop_cleanly(bot: Harness) -> None:
    """Started after the T-14 time, the sweeps queue and send that reminder without waiting."""
    await bot.open_campaign()
    binh = await signed_in(bot, "Bình", "0987654321")
    bot.clock.set(datetime(2022, 4, 16, 9, 30, tzinfo=VN))
    sweeps = Sweeps(bot.services.reminders, bot.sender(), VN, every=3600)
    sweeps.start()
    assert sorted(sweeps.jobs()) == ["drain-outbox", "enqueue-due"]
    # The jobs' first run (APScheduler runs them at once) sends the reminder.
    await until(bot.api, lambda: any("hết hạn nộp" in m.plain for m in binh.messages))
    assert sweeps.jobs() == ["enqueue-due"]  # the drain runs on; the sweep waits for its hour
    await sweeps.stop()
    assert sweeps.jobs() == []
    assert sum("hết hạn nộp" in m.plain for m in binh.messages) == 1
    counts = await bot.store.outbox.counts()
    assert counts == {"sent": 1}


async def test_the_tidy_round_runs_at_start_when_given(bot: Harness) -> None:
    """With a housekeeping callable the scheduler also runs ``tidy``, once at start."""
    ran = asyncio.Event()

    async def tidy() -> None:
        ran.set()

    sweeps = Sweeps(bot.services.reminders, bot.sender(), VN, every=3600, tidy=tidy)
    sweeps.start()
    try:
        await asyncio.wait_for(ran.wait(), timeout=60)
    finally:
        await sweeps.stop()
