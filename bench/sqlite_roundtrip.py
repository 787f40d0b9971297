"""How long one tiny SQLite statement takes through SQLAlchemy+aiosqlite and through aiosqlite.

    python -m bench.sqlite_roundtrip [--statements 2000]

The conversation benchmark is bound by these round trips (each aiosqlite call hands work to a
thread and back), and their cost differs a lot between machines: run this next to
bench/conversation.py so its figures can be compared across machines. The bot's own way is the
``SqliteThread`` (``storage/engine.py``): for it the CPU time of this process per operation
(both threads; a read of one row, and one UPDATE committed by itself), one after another, each
awaited before the next. Last line: one JSON object.
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
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from storage.engine import SqliteThread


async def _thread_cpu_us(path: Path, statements: int) -> tuple[float, float]:
    """CPU µs per read and per single-statement write through the bot's SQLite thread."""
    database = SqliteThread(f"sqlite:///{path}")
    query, change = text("SELECT v FROM t WHERE id = 1"), text("UPDATE t SET v = 'b' WHERE id = 1")

    def read(connection: Connection) -> object:
        return connection.execute(query).all()

    def write(connection: Connection) -> object:
        return connection.execute(change).rowcount

    try:
        started = time.process_time()
        for _ in range(statements):
            await database.read(read)
        read_us = (time.process_time() - started) / statements * 1e6
        started = time.process_time()
        for _ in range(statements):
            await database.write_one(write)
        write_us = (time.process_time() - started) / statements * 1e6
        return read_us, write_us
    finally:
        await database.close()


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
        read_cpu_us, write_cpu_us = await _thread_cpu_us(path, statements)
    return {
        "sqlalchemy_us": round(sqlalchemy_us, 1),
        "aiosqlite_us": round(raw_us, 1),
        "thread_read_cpu_us": round(read_cpu_us, 1),
        "thread_write_one_cpu_us": round(write_cpu_us, 1),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--statements", type=int, default=2000)
    figures = asyncio.run(main(parser.parse_args().statements))
    print(
        f"one SELECT: {figures['sqlalchemy_us']} µs via SQLAlchemy, "
        f"{figures['aiosqlite_us']} µs raw; through the SQLite thread, CPU per read "
        f"{figures['thread_read_cpu_us']} µs, per UPDATE {figures['thread_write_one_cpu_us']} µs"
    )
    print(json.dumps(figures))
