"""What one update costs in counts, not seconds: SQL statements, Bot API calls, PTB objects.

    python -m bench.counts [--members 20]

The same members and script as ``bench/conversation.py`` (sign-in, the whole Mẫu 01, submit),
in one process through the sandbox harness (the real PTB Application, services and SQLite file,
against the fake Bot API without latency), one member after another. Counted per update: SQL
statements sent to SQLite (``before_cursor_execute``, BEGIN/COMMIT included), Bot API calls by
method, PTB objects built (``TelegramObject.__init__`` calls) and attributes set on them
(``TelegramObject.__setattr__``). Then as many other members again with the hooks taken off,
for the CPU time of this process per update (bot and fake API together, so only for comparing
one version with another; the hooks would weigh on it). Unlike updates/s the counts do not
depend on how loaded the machine is. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sqlalchemy import Engine, event  # noqa: E402
from sqlalchemy.engine.interfaces import CacheStats  # noqa: E402
from sqlalchemy.sql.cache_key import HasCacheKey  # noqa: E402
from telegram import TelegramObject  # noqa: E402

from bench.conversation import HEADER, Member, Replies, phone  # noqa: E402
from bot.sandbox.harness import running_bot  # noqa: E402
from storage.engine import SqliteThread  # noqa: E402


class Counts:
    """Statements, PTB objects and attributes counted while ``on`` is set."""

    def __init__(self) -> None:
        self.on = False
        self.statements: Counter[str] = Counter()
        self.trace: list[str] = []  # this update's statements, in order
        self.traces: Counter[tuple[str, ...]] = Counter()
        self.hand_overs = 0
        self.cache_keys = 0  # statements whose cache key was computed (built anew, not reused)
        self.compiled = 0  # statements compiled (not found in SQLAlchemy's compiled cache)
        self.objects = 0
        self.attributes = 0

    def install(self) -> Callable[[], None]:
        """Hook SQLAlchemy's engines and PTB's base class (this process only); what undoes it."""

        def statement(conn: Any, cursor: Any, sql: str, params: Any, context: Any, *_: Any) -> None:
            if self.on:
                self.statements[sql.split(None, 1)[0].upper()] += 1
                compiled = context is not None and context.cache_hit == CacheStats.CACHE_MISS
                self.compiled += compiled
                self.trace.append(("[compiled] " if compiled else "") + " ".join(sql.split())[:150])

        event.listen(Engine, "before_cursor_execute", statement)
        key = HasCacheKey._generate_cache_key

        def counting_key(element: HasCacheKey) -> Any:
            if self.on:
                self.cache_keys += 1
                self.trace.append(f"[cache key] {type(element).__name__}")
            return key(element)

        HasCacheKey._generate_cache_key = counting_key  # type: ignore[method-assign]
        hand_over = SqliteThread._hand_over

        async def counting_hand_over(db: SqliteThread, run: Any, work: Any) -> Any:
            if self.on:
                self.hand_overs += 1
                self.trace.append("-- hand-over")
            return await hand_over(db, run, work)

        SqliteThread._hand_over = counting_hand_over  # type: ignore[method-assign]
        setattr_ = TelegramObject.__setattr__
        init = TelegramObject.__init__

        def counting_setattr(obj: TelegramObject, key: str, value: object) -> None:
            if self.on:
                self.attributes += 1
            setattr_(obj, key, value)

        def counting_init(obj: TelegramObject, *args: Any, **kwargs: Any) -> None:
            if self.on:
                self.objects += 1
            init(obj, *args, **kwargs)

        TelegramObject.__setattr__ = counting_setattr  # type: ignore[method-assign]
        TelegramObject.__init__ = counting_init  # type: ignore[method-assign]

        def uninstall() -> None:
            event.remove(Engine, "before_cursor_execute", statement)
            TelegramObject.__setattr__ = setattr_  # type: ignore[method-assign]
            TelegramObject.__init__ = init  # type: ignore[method-assign]

        return uninstall


class Direct(Member):
    """A member whose updates go straight to the Application, handled before the next."""

    feed: Any = None

    counts: Counts | None = None

    async def _push(self, update: dict[str, Any]) -> None:
        self.sent += 1
        await self.feed(update)
        if self.counts is not None and self.counts.on:
            self.counts.traces[tuple(self.counts.trace)] += 1
            self.counts.trace = []

    async def send_burst(self, *texts: str) -> None:
        for text in texts:
            await self.chat.send(text)


async def main(members: int, trace: bool = False) -> dict[str, Any]:
    counts = Counts()
    uninstall = counts.install()
    work = Path(tempfile.mkdtemp(prefix="bench-counts-"))
    url = f"sqlite+aiosqlite:///{work / 'counts.db'}"
    async with running_bot(url) as bot:
        table = [HEADER] + [
            f"P{i},Người {i},{phone(i)},Đảng viên,Xã A / Chi bộ {i % 50},"
            for i in range(2 * members)
        ]
        await bot.load_roster("\n".join(table))
        await bot.open_campaign()
        people = []
        for i in range(2 * members):
            member = Direct(bot.api, Replies(), i, [])
            member.feed = bot.feed
            member.counts = counts
            people.append(member)
        counted, timed = people[:members], people[members:]
        calls_before = len(bot.api.calls)
        counts.on = True
        for member in counted:
            await member.fill()
        counts.on = False
        calls = Counter(call.method for call in bot.api.calls[calls_before:])
        uninstall()
        cpu = time.process_time()
        for member in timed:
            await member.fill()
        cpu = time.process_time() - cpu
        assert not bot.errors, bot.errors[:3]
        updates = sum(m.sent for m in counted)
        timed_updates = sum(m.sent for m in timed)
    per = float(updates)
    if trace:
        for sequence, times in counts.traces.most_common():
            print(f"{times} updates:")
            for line in sequence:
                print(f"    {line}")
    return {
        "members": members,
        "updates": updates,
        "hand_overs_per_update": round(counts.hand_overs / per, 2),
        "cache_keys_per_update": round(counts.cache_keys / per, 2),
        "compiled_per_update": round(counts.compiled / per, 2),
        "statements_per_update": round(sum(counts.statements.values()) / per, 2),
        "statements": {k: round(v / per, 2) for k, v in counts.statements.most_common()},
        "api_calls_per_update": round(sum(calls.values()) / per, 2),
        "api_calls": {k: round(v / per, 2) for k, v in calls.most_common()},
        "ptb_objects_per_update": round(counts.objects / per, 1),
        "ptb_setattr_per_update": round(counts.attributes / per, 1),
        "cpu_ms_per_update_in_process": round(cpu * 1000 / timed_updates, 2),
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--members", type=int, default=20)
    parser.add_argument(
        "--trace", action="store_true", help="print each kind of update's statements, in order"
    )
    args = parser.parse_args()
    result = asyncio.run(main(args.members, args.trace))
    for key, value in result.items():
        print(f"  {key:30} {value}")
    print(json.dumps(result))
