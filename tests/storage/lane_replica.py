"""A replica for the lane tests: ``python -m tests.storage.lane_replica URL LANE...``.

It runs a PgLaneRunner with the tests' quick settings, wakes each LANE, prints ``started LANE``
when its drain begins and then holds the lane until it is killed.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable

from storage.lanes_pg import PgLaneRunner
from tests.storage.test_lanes_pg import quick_settings


async def main(url: str, lanes: list[str]) -> None:
    async def drain(lane: str, held: Callable[[], bool] | None = None) -> float | None:
        print(f"started {lane}", flush=True)
        await asyncio.Event().wait()  # holds the lane until SIGKILL
        return None

    async def nothing(limit: int) -> list[str]:
        return []

    runner = PgLaneRunner(quick_settings(url), drain, nothing, name="doomed")
    await runner.start()
    for lane in lanes:
        runner.wake(lane)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2:]))
