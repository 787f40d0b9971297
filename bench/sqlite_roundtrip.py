"""How long one tiny SQLite statement takes through SQLAlchemy+aiosqlite and through aiosqlite.

    python -m bench.sqlite_roundtrip [--statements 2000]

The conversation benchmark is bound by these round trips (each aiosqlite call hands work to a
thread and back), and their cost differs a lot between machines: run this next to
bench/conversation.py so its figures can be compared across machines. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import tempfile
import time
from pathlib import Path

import aiosqlite
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine


async def main(statements: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "rt.db"
        engine = create_async_engine(f"sqlite+aiosqlite:///{path}")
        async with engine.begin() as conn:
            await conn.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)"))
            await conn.execute(text("INSERT INTO t (v) VALUES ('a')"))
        started = time.perf_counter()
        async with engine.connect() as conn:
            for _ in range(statements):
                (await conn.execute(text("SELECT v FROM t WHERE id = 1"))).all()
        sqlalchemy_us = (time.perf_counter() - started) / statements * 1e6
        await engine.dispose()
        async with aiosqlite.connect(path) as db:
            started = time.perf_counter()
            for _ in range(statements):
                await db.execute_fetchall("SELECT v FROM t WHERE id = 1")
            raw_us = (time.perf_counter() - started) / statements * 1e6
    return {"sqlalchemy_us": round(sqlalchemy_us, 1), "aiosqlite_us": round(raw_us, 1)}


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    figures = asyncio.run(main(parser.parse_args().statements))
    print(
        f"one SELECT: {figures['sqlalchemy_us']} µs via SQLAlchemy, "
        f"{figures['aiosqlite_us']} µs raw"
    )
    print(json.dumps(figures))
