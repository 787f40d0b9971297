"""The outbox under load: a 10,000-message wave against a Bot API that answers 429 above 30/s.

    python -m bench.outbox [--messages 10000] [--limit 30] [--pace 25] [--latency 0.08]
    python -m bench.outbox --messages 3000 --limit 300 --pace 250    # the one-minute variant

The real sender (its own connection pool, the pacer) drains the wave through the fake Bot API
while 50 members chat with the bot (one message every ~10 s each: --think; the real handlers and
Application). Reported: the wave's send rate and its ratio to the configured pace, 429 answers,
duplicates and lost messages (each recipient must get exactly one), and the 99th percentile of
the members' reply times. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import insert

from bot.app import build_sender, outbox_bot
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import Notice
from bot.sandbox.fake_api import FakeBotApi, FakeUser
from bot.sandbox.harness import running_bot
from bot.services.clock import ManualClock
from scheduler.pacing import Pacer
from storage.tables import accounts, people, units

MEMBERS = 50  # default number of members chatting during the drain
FIRST_MEMBER_USER = 900_001


class RealClock(ManualClock):
    """The harness wants a ManualClock; the sender here needs real time for its retries."""

    def now(self) -> datetime:
        return datetime.now(UTC)


async def roster(store, count: int) -> None:  # type: ignore[no-untyped-def]
    """``count`` wave recipients and the chatting members, all linked, in one unit."""
    now = datetime.now(UTC)
    async with store.engine.begin() as conn:
        await conn.execute(
            insert(units), [dict(id=1, parent_id=None, name="U", path="U", path_key="u", depth=0)]
        )
        rows, links = [], []
        for pid in range(1, count + MEMBERS + 1):
            member = pid > count
            user = FIRST_MEMBER_USER + pid - count - 1 if member else pid
            rows.append(
                dict(
                    id=pid,
                    code=f"P{pid:06}",
                    full_name=f"Người {pid}",
                    birth_date=None,
                    phone=None,
                    category="party_member",
                    exemption="none",
                    unit_id=1,
                    party_position="",
                    gov_position="",
                    union_position="",
                    roles="",
                    active=True,
                    created_at=now,
                    updated_at=now,
                )
            )
            links.append(
                dict(
                    channel="telegram",
                    user_id=str(user),
                    chat_id=str(user),
                    person_id=pid,
                    method="contact",
                    linked_at=now,
                )
            )
        for table, data in ((people, rows), (accounts, links)):
            for start in range(0, len(data), 10_000):
                await conn.execute(insert(table), data[start : start + 10_000])


async def main(args: argparse.Namespace) -> dict[str, float | int]:
    api = FakeBotApi(latency=args.latency, rate_limit=args.limit)
    await api.start()
    for chat in range(1, args.messages + 1):
        api.add_user(FakeUser(chat, f"U{chat}"))
    pacer = Pacer(args.pace, ceiling=args.limit * 29 / 30)  # a little under the limit
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'outbox.db'}"
        clock = RealClock(datetime.now(UTC))
        async with running_bot(url, api, clock, pacer=pacer) as bot:
            await roster(bot.store, args.messages)
            await bot.open_campaign()
            wave = [
                OutboxMessage(
                    key=f"wave:{pid}",
                    person_id=pid,
                    payload=Notice(template="notify.confirmed"),
                    priority=Priority.WAVE,
                )
                for pid in range(1, args.messages + 1)
            ]
            await bot.store.outbox.add(wave, clock.now())
            sender_bot = outbox_bot(bot.settings)
            async with sender_bot:
                sender = build_sender(
                    bot.settings, bot.store, bot.services, sender_bot, pacer, clock
                )
                stop = asyncio.Event()
                started = time.perf_counter()
                draining = asyncio.create_task(sender.run(stop, idle=0.2))
                delays: list[float] = []

                async def member(index: int) -> None:
                    rng = random.Random(index)
                    chat = bot.chat(f"M{index}", user_id=FIRST_MEMBER_USER + index)
                    await asyncio.sleep(rng.uniform(0, args.think))
                    while not stop.is_set():
                        sent = time.perf_counter()
                        await chat.send("/toi")
                        delays.append(time.perf_counter() - sent)
                        await asyncio.sleep(rng.uniform(args.think / 2, args.think * 1.5))

                members = [asyncio.create_task(member(i)) for i in range(args.members)]
                while True:
                    counts = await bot.store.outbox.counts()
                    if not counts.get("queued") and not counts.get("sending"):
                        break
                    await asyncio.sleep(0.5)
                elapsed = time.perf_counter() - started
                stop.set()
                await draining
                await asyncio.gather(*members)
        await api.stop()
    wave_calls = [
        c
        for c in api.calls
        if c.method == "sendMessage"
        and c.status == 200
        and int(c.params["chat_id"]) <= args.messages
    ]
    per_chat: dict[int, int] = {}
    for call in wave_calls:
        per_chat[int(call.params["chat_id"])] = per_chat.get(int(call.params["chat_id"]), 0) + 1
    stamps = sorted(c.at for c in wave_calls)
    span = stamps[-1] - stamps[0] if len(stamps) > 1 else elapsed
    sent_per_s = (len(stamps) - 1) / span if span > 0 else 0.0
    ordered = sorted(delays)
    return {
        "messages": args.messages,
        "members": args.members,
        "think_s": args.think,
        "pace": args.pace,
        "fake_limit": args.limit,
        "latency_ms": round(args.latency * 1000),
        "elapsed_s": round(elapsed, 1),
        "sent_per_s": round(sent_per_s, 2),
        "ratio_to_pace": round(sent_per_s / args.pace, 3),
        "http_429": sum(1 for c in api.calls if c.status == 429),
        "duplicates": sum(n - 1 for n in per_chat.values() if n > 1),
        "lost": args.messages - len(per_chat),
        "interactive_replies": len(ordered),
        "interactive_p50_ms": round(statistics.median(ordered) * 1000) if ordered else 0,
        "interactive_p99_ms": round(ordered[int(len(ordered) * 0.99) - 1] * 1000) if ordered else 0,
        "interactive_max_ms": round(ordered[-1] * 1000) if ordered else 0,
    }


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--limit", type=float, default=30.0, help="fake Bot API messages/s")
    parser.add_argument("--pace", type=float, default=25.0, help="the sender's pace")
    parser.add_argument("--latency", type=float, default=0.08)
    parser.add_argument("--members", type=int, default=MEMBERS, help="members chatting meanwhile")
    parser.add_argument("--think", type=float, default=10.0, help="mean seconds between messages")
    figures = asyncio.run(main(parser.parse_args()))
    print(
        f"{figures['messages']} messages at {figures['sent_per_s']}/s "
        f"({figures['ratio_to_pace']:.0%} of pace), 429s {figures['http_429']}, "
        f"lost {figures['lost']}, duplicates {figures['duplicates']}, "
        f"replies p99 {figures['interactive_p99_ms']} ms"
    )
    print(json.dumps(figures))
