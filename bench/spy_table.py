"""Tables from a py-spy raw profile of the bot (``py-spy record --format raw``): busy samples only.

    py-spy record --pid BOT_PID --duration 40 --rate 100 --format raw -o spy.txt
    python bench/spy_table.py spy.txt

Threads waiting for work (the SQLite thread on its semaphore, the DOCX thread in ``queue.get``)
and the event loop waiting in ``epoll`` are dropped; each busy sample is counted once, in the
first matching row.
"""

from __future__ import annotations

import collections
import re
import sys
from pathlib import Path

IDLE = (
    "_worker (concurrent/futures/thread.py:81)",  # an executor's thread waiting for work
    "EpollSelector.select (selectors.py:468)",  # the event loop waiting
    "Condition.wait (threading.py:327)",  # a thread blocked on a lock (the SQLite thread idle)
)
WHERE = [
    ("DOCX rendering (python-docx, lxml, zip)", r"office/documents|docx/|zipfile"),
    ("SQLite work on its thread (SQLAlchemy + sqlite3)", r"SqliteThread\._(read|write|serve)"),
    ("PTB sending (send_message, answer_callback_query, ...)", r"telegram/_bot\.py"),
    ("PTB parsing incoming updates (Update.de_json)", r"Update\.de_json"),
]
REST = "the rest of the loop: our handlers/services/rendering, asyncio, aiohttp reading"


def main(path: str) -> None:
    """Print where the busy samples are, then the 20 functions with the most own samples."""
    where: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        stack, _, count = line.rstrip().rpartition(" ")
        frames, n = stack.split(";"), int(count)
        if frames[-1] in IDLE:
            continue
        total += n
        own[frames[-1]] += n
        name = next((k for k, p in WHERE if any(re.search(p, f) for f in frames)), REST)
        where[name] += n
    print(f"busy samples: {total}\n\n| where | share |\n| --- | --- |")
    for name, n in where.most_common():
        print(f"| {name} | {100 * n / total:.1f}% |")
    print("\n| own share | function |\n| --- | --- |")
    for name, n in own.most_common(20):
        print(f"| {100 * n / total:.1f}% | `{name[:100]}` |")


if __name__ == "__main__":
    main(sys.argv[1])
