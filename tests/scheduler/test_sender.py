"""The outbox sender against a misbehaving Bot API: 429 storms, 5xx, time-outs, 403, 400, pacing."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_sender
from bot.domain.outbox import OutboxMessage, OutboxStatus, Priority
from bot.domain.payloads import Notice
from bot.sandbox.fake_api import FakeBotApi, Fault
from bot.sandbox.harness import Harness, running_bot
from handlers.telegram.transport import AiohttpRequest
from scheduler.pacing import Pacer
from storage.tables import accounts, outbox
from tests.conftest import ROSTER
from tests.helpers import signed_in
from tests.waiting import until


@pytest.fixture
async def quiet_bot(db_url: str, api: FakeBotApi) -> AsyncIterator[Harness]:
    """The bot with An, Bình and Em signed in; faults are expected, so no 'nothing rejected'."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        await bot.open_campaign()
        for name, phone in (("An", "0912345678"), ("Bình", "0987654321"), ("Em", "0338123456")):
            await signed_in(bot, name, phone)
        api.calls.clear()
        yield bot
        assert bot.errors == []


def notes(count: int, person_ids: tuple[int, ...] = (1, 2, 5)) -> list[OutboxMessage]:
    """``count`` notices spread over the signed-in people."""
    return [
        OutboxMessage(
            key=f"note:{n}",
            person_id=person_ids[n % len(person_ids)],
            payload=Notice(template="notify.confirmed"),
            priority=Priority.WAVE,
        )
        for n in range(count)
    ]


async def statuses(bot: Harness) -> dict[str, str]:
    """Outbox key -> status."""
    async with bot.store.engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.key, outbox.c.status))
        return {key: status for key, status in rows}


def delivered(api: FakeBotApi) -> int:
    """Messages the fake server accepted."""
    return sum(1 for c in api.calls if c.method == "sendMessage" and c.status == 200)


async def test_429_storm_waits_as_asked_then_everything_arrives_once(quiet_bot: Harness) -> None:
    """Every 429 puts the row back for retry_after; nothing is lost, nothing doubled."""
    bot = quiet_bot
    await bot.store.outbox.add(notes(6), bot.clock.now())
    bot.api.faults.append(Fault("sendMessage", 429, "Too Many Requests", retry_after=1, times=4))
    started = bot.timer.monotonic()  # the outbox's stopwatch: exact, and no real waiting
    await bot.drain_outbox()
    assert 1 <= bot.timer.monotonic() - started < 3  # paused about the second asked for, not more
    assert list((await statuses(bot)).values()).count(OutboxStatus.QUEUED.value) >= 1
    bot.clock.advance(timedelta(seconds=1))
    await bot.drain_outbox()
    assert set((await statuses(bot)).values()) == {OutboxStatus.SENT.value}
    assert delivered(bot.api) == 6


async def test_5xx_and_network_errors_retry_with_backoff_then_give_up(quiet_bot: Harness) -> None:
    """A 502 is retried later (2, 4 ... seconds); after too many attempts the row fails."""
    bot = quiet_bot
    await bot.store.outbox.add(notes(1), bot.clock.now())
    bot.api.faults.append(Fault("sendMessage", 502, "Bad Gateway", times=2))
    assert await bot.drain_outbox() == 1
    assert await bot.drain_outbox() == 0  # not before the backoff
    bot.clock.advance(timedelta(seconds=2))
    assert await bot.drain_outbox() == 1  # second failure
    bot.clock.advance(timedelta(seconds=4))
    await bot.drain_outbox()
    assert (await statuses(bot))["note:0"] == OutboxStatus.SENT.value
    await bot.store.outbox.add([notes(2)[1]], bot.clock.now())
    bot.api.faults.append(Fault("sendMessage", 500, times=100))
    for _ in range(12):
        await bot.drain_outbox()
        bot.clock.advance(timedelta(minutes=10))
    assert (await statuses(bot))["note:1"] == OutboxStatus.FAILED.value
    [failure] = await bot.store.outbox.failures()
    assert failure.key == "note:1" and "gave up" in failure.error


async def test_timeout_is_retried_and_repeats_at_most_the_message_in_flight(
    quiet_bot: Harness,
) -> None:
    """A send that times out is retried: the person gets it once or twice, never zero."""
    bot = quiet_bot
    await bot.store.outbox.add(notes(1), bot.clock.now())
    bot.api.faults.append(Fault("sendMessage", 200, delay=0.6, times=1))
    impatient = _bot_with_timeout(bot, 0.2)
    fast = build_sender(
        bot.settings,
        bot.store,
        bot.services,
        impatient,
        Pacer(1000, 1000, timer=bot.timer),
        bot.clock,
    )
    async with impatient:
        assert await fast.drain_once() == 1
        await until(bot.api, lambda: delivered(bot.api) == 1)  # the slow answer, given up on
        bot.clock.advance(timedelta(seconds=2))
        assert await fast.drain_once() == 1
    assert 1 <= delivered(bot.api) <= 2
    assert (await statuses(bot))["note:0"] == OutboxStatus.SENT.value


def _bot_with_timeout(bot: Harness, seconds: float):  # type: ignore[no-untyped-def]
    from telegram.ext import ExtBot

    return ExtBot(
        bot.api.token,
        base_url=f"{bot.api.url}/bot",
        request=AiohttpRequest(8, read_timeout=seconds, write_timeout=0.0),
    )


async def test_blocked_person_is_marked_unreachable_and_400_is_logged(
    quiet_bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """403 fails the row and marks the account; 400 fails it with the reason in the log."""
    bot = quiet_bot
    binh_chat = 10_002
    bot.api.blocked.add(binh_chat)
    await bot.store.outbox.add(notes(3), bot.clock.now())
    bot.api.faults.append(Fault("sendMessage", 400, "Bad Request: wrong", chat_id=10_003))
    await bot.drain_outbox()
    found = await statuses(bot)
    assert found == {"note:0": "sent", "note:1": "failed", "note:2": "failed"}
    async with bot.store.engine.connect() as conn:
        blocked = (
            await conn.execute(select(accounts.c.chat_id).where(accounts.c.blocked_at.is_not(None)))
        ).scalars()
        assert list(blocked) == [str(binh_chat)]
    assert "Wrong" in caplog.text and "notify.confirmed" in caplog.text
    errors = {f.key: f.error for f in await bot.store.outbox.failures()}
    assert errors["note:1"].startswith("blocked") and errors["note:2"].startswith("400")


async def test_pacing_keeps_the_pace_and_one_message_per_second_per_chat(
    quiet_bot: Harness,
) -> None:
    """At 20/s overall, two messages to one chat are at least a second apart."""
    from telegram.ext import ExtBot

    bot = quiet_bot
    await bot.store.outbox.add(notes(9), bot.clock.now())
    times: dict[int, list[float]] = {}

    class Stamped(AiohttpRequest):
        """Notes when the outbox hands over each message, on the outbox's own stopwatch."""

        async def do_request(self, url, method, request_data=None, *args, **kwargs):  # type: ignore[no-untyped-def]
            if url.endswith("/sendMessage") and request_data is not None:
                chat_id = request_data.parameters["chat_id"]
                times.setdefault(int(chat_id), []).append(bot.timer.monotonic())
            return await super().do_request(url, method, request_data, *args, **kwargs)

    stamped = ExtBot(bot.api.token, base_url=f"{bot.api.url}/bot", request=Stamped())
    sender = build_sender(
        bot.settings,
        bot.store,
        bot.services,
        stamped,
        Pacer(20, 20, timer=bot.timer),
        bot.clock,
        1.0,  # the real gap between two messages to one chat
    )
    async with stamped:
        assert await sender.drain_once() == 9
    for stamps in times.values():
        assert len(stamps) == 3
        gaps = [b - a for a, b in itertools.pairwise(stamps)]
        assert min(gaps) >= 1.0
    every = sorted(t for stamps in times.values() for t in stamps)
    assert every[-1] - every[0] >= 2.0  # three rounds, a second apart
    assert min(b - a for a, b in itertools.pairwise(every)) >= 1 / 20 - 1e-9  # 20/s overall
    assert delivered(bot.api) == 9


async def test_quiet_hours_let_urgent_rows_through(quiet_bot: Harness) -> None:
    """At 23:00 a security notice goes out; a wave waits."""
    bot = quiet_bot
    from datetime import datetime
    from zoneinfo import ZoneInfo

    bot.clock.set(datetime(2022, 4, 2, 23, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))
    urgent = OutboxMessage(
        key="urgent", person_id=1, payload=Notice(template="notify.relinked"), priority=0
    )
    await bot.store.outbox.add([urgent, *notes(1)], bot.clock.now())
    assert await bot.drain_outbox() == 1
    assert (await statuses(bot)) == {"urgent": "sent", "note:0": "queued"}


async def test_expired_rows_are_dropped_not_sent(quiet_bot: Harness) -> None:
    """A meeting reminder still queued when the meeting starts is marked expired."""
    bot = quiet_bot
    late = OutboxMessage(
        key="late",
        person_id=1,
        payload=Notice(template="notify.confirmed"),
        expires_at=bot.clock.now() + timedelta(minutes=5),
    )
    await bot.store.outbox.add([late], bot.clock.now())
    bot.clock.advance(timedelta(minutes=6))
    assert await bot.drain_outbox() == 0
    assert (await statuses(bot)) == {"late": "expired"}
    assert delivered(bot.api) == 0


async def test_a_long_429_hands_rows_back_instead_of_outwaiting_their_lease(
    quiet_bot: Harness,
) -> None:
    """Told to wait two minutes, the sender queues its other rows again rather than sit on them."""
    bot = quiet_bot
    await bot.store.outbox.add(notes(3, person_ids=(2,)), bot.clock.now())  # one chat, in order
    bot.api.faults.append(Fault("sendMessage", 429, "Too Many Requests", retry_after=120))
    started = bot.timer.monotonic()
    assert await bot.drain_outbox() == 3
    assert bot.timer.monotonic() - started < 5  # no waiting for the two minutes
    assert set((await statuses(bot)).values()) == {OutboxStatus.QUEUED.value}
    assert len(bot.api.calls_of("sendMessage")) == 1
    assert await bot.store.outbox.failures() == []  # nothing failed: all wait for their turn
