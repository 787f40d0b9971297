"""How long the year-end cell summary takes for a commune-sized unit, and how many statements.

    python -m bench.yearend_cell [--people 2000] [--cells 40]

Builds a SQLite file (bench/sweep.py's roster: one district, one commune committee, its cells,
the people spread over them, 30% with a handed-in plan), makes person 1 the committee's
secretary, records a year of meetings in every cell, then asks for the summary of the committee
(``YearEndService.cell``: every member below it) as the desk does. The last line is one JSON
object: the time (best of three) and the SQL statements one summary sends.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, event, insert, update

from bench.sweep import OPENED, VN, build, meeting_rows
from bot.app import build_services
from bot.config import Settings
from bot.services.clock import ManualClock
from storage.store import Store
from storage.tables import meetings, people, units


async def main(n_people: int, n_cells: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'cell.db'}"
        store = await Store.open(url)
        try:
            clock = ManualClock(OPENED)
            settings = Settings(_env_file=None, database_url=url)
            services = build_services(settings, store, clock)
            await services.plans.register_forms()
            campaign = await services.plans.set_campaign(
                year=2022, title="Chuyên đề 2022", deadline=date(2022, 4, 30), place="Tuy Phong"
            )
            # 1 district + 1 committee + the cells (build() makes units // 50 committees)
            await build(store, n_people, n_cells + 2, campaign.id)
            async with store.engine.begin() as conn:
                cell_ids = [u for u in range(3, n_cells + 3)]
                await conn.execute(insert(meetings), meeting_rows(cell_ids))
                await conn.execute(
                    update(people).where(people.c.id == 1).values(unit_id=2, roles="secretary")
                )
                await conn.execute(update(units).where(units.c.id == 2).values(name="Xã"))
            viewer = await store.accounts.person(1)
            assert viewer is not None
            clock.set(datetime(2022, 12, 1, 8, 0, tzinfo=VN))
            statements = 0

            def counted(*_: object) -> None:
                nonlocal statements
                statements += 1

            event.listen(Engine, "before_cursor_execute", counted)  # every engine: SQLite's own too
            best = float("inf")
            lines = 0
            for _ in range(3):
                statements = 0
                started = time.perf_counter()
                summary = await services.yearend.cell(viewer)
                best = min(best, time.perf_counter() - started)
                assert summary is not None
                lines = len(summary.lines)
            return {
                "people": n_people,
                "cells": n_cells,
                "lines": lines,
                "cell_summary_s": round(best, 3),
                "statements": statements,
            }
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2_000)
    parser.add_argument("--cells", type=int, default=40)
    args = parser.parse_args()
    figures = asyncio.run(main(args.people, args.cells))
    print(
        f"year-end summary of {figures['lines']} members in {figures['cell_summary_s']} s, "
        f"{figures['statements']} SQL statements"
    )
    print(json.dumps(figures))
