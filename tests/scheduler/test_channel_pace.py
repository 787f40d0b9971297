"""Each channel has its own pace: a second channel's slots and 429s never hold up Telegram."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from sqlalchemy import select

from bot.app import build_sender
from bot.domain.models import Channel
from bot.domain.outbox import OutboxMessage, OutboxStatus
from bot.domain.payloads import Notice
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot
from bot.services import channels
from bot.services.channels import Capabilities, ChannelPort, Formatting, Sent, TextUnit
from bot.services.replies import Reply
from handlers.telegram.channel import TelegramChannel
from scheduler.pacing import Pacer
from scheduler.sender import OutboxSender
from scheduler.timer import VirtualTimer
from storage.tables import outbox
from tests.conftest import ROSTER
from tests.helpers import signed_in
from tests.waiting import until

ZALO_CHAT = "zalo-8f3a"


class Stamped:
    """A channel port that notes, on the outbox's stopwatch, when each message was handed over;
    it fails as told first (a list of errors, one per delivery)."""

    def __init__(self, port: ChannelPort, timer: VirtualTimer, fail: list[Exception]) -> None:
        self._port = port
        self._timer = timer
        self._fail = fail
        self.stamps: list[float] = []

    @property
    def channel(self) -> Channel:
        return self._port.channel

    @property
    def capabilities(self) -> Capabilities:
        return self._port.capabilities

    def addressable(self, chat_id: str) -> bool:
        return self._port.addressable(chat_id)

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        if self._fail:
            raise self._fail.pop(0)
        self.stamps.append(self._timer.monotonic())
        return await self._port.deliver(chat_id, reply)


class Zalo:
    """A second channel that accepts everything (string ids, no buttons)."""

    @property
    def channel(self) -> Channel:
        return Channel.ZALO

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(2000, TextUnit.CHARACTERS, False, False, False, Formatting.PLAIN)

    def addressable(self, chat_id: str) -> bool:
        return bool(chat_id)

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        return [Sent("1")]


@pytest.fixture
async def bot(db_url: str, api: FakeBotApi) -> AsyncIterator[Harness]:
    """An on Telegram; Bình on Telegram and on Zalo."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        await bot.open_campaign()
        await signed_in(bot, "An", "0912345678")
        await signed_in(bot, "Bình", "0987654321")
        await bot.store.accounts.link(
            Channel.ZALO, ZALO_CHAT, ZALO_CHAT, 2, method="test", now=bot.clock.now()
        )
        api.calls.clear()
        yield bot


async def queue(bot: Harness, telegram: int, zalo: int) -> None:
    """``telegram`` notes to An and Bình on Telegram and ``zalo`` to Bình on Zalo, interleaved
    (the Zalo rows first in line)."""
    zalo_rows = [
        OutboxMessage(f"zalo:{n}", 2, Notice(template="notify.confirmed"), Channel.ZALO)
        for n in range(zalo)
    ]
    telegram_rows = [
        OutboxMessage(f"tg:{n}", 1 + n % 2, Notice(template="notify.confirmed"), Channel.TELEGRAM)
        for n in range(telegram)
    ]
    mixed = [m for pair in itertools.zip_longest(zalo_rows, telegram_rows) for m in pair if m]
    await bot.store.outbox.add(mixed, bot.clock.now())


async def statuses(bot: Harness) -> dict[str, tuple[str, str]]:
    """Outbox key -> (status, error)."""
    async with bot.store.engine.connect() as conn:
        found = await conn.execute(select(outbox.c.key, outbox.c.status, outbox.c.error))
        return {key: (status, error) for key, status, error in found}


def sender(
    bot: Harness, zalo: ChannelPort, telegram: ChannelPort, paces: tuple[float, float]
) -> OutboxSender:
    """A sender with Telegram at ``paces[0]`` and Zalo at ``paces[1]`` messages a second."""
    tg_pace, zalo_pace = paces
    return build_sender(
        bot.settings,
        bot.store,
        bot.services,
        bot.application.bot,
        Pacer(tg_pace, tg_pace, timer=bot.timer),
        bot.clock,
        0.0,
        {Channel.TELEGRAM: telegram, Channel.ZALO: zalo},
        {Channel.ZALO: Pacer(zalo_pace, zalo_pace, timer=bot.timer)},
    )


async def test_two_channels_keep_their_own_pace(bot: Harness) -> None:
    """Zalo at 2/s sends a message every half second; Telegram's rows do not queue behind
    Zalo's slots (five slots at 2/s would be 2.5 s of waiting)."""
    await queue(bot, telegram=3, zalo=3)
    zalo = Stamped(Zalo(), bot.timer, [])
    telegram = Stamped(TelegramChannel(bot.application.bot), bot.timer, [])
    assert await sender(bot, zalo, telegram, (1000.0, 2.0)).drain_once() == 6
    assert len(zalo.stamps) == 3 and len(telegram.stamps) == 3
    assert all(b - a >= 0.5 - 1e-9 for a, b in itertools.pairwise(zalo.stamps))
    assert sum(bot.timer.waits) < 1.5  # Zalo's two gaps, and Telegram's thousandths
    assert {status for status, _ in (await statuses(bot)).values()} == {"sent"}


async def test_a_429_on_one_channel_does_not_delay_the_other(bot: Harness) -> None:
    """Zalo asks for two minutes' pause: its rows go back to the queue, and every Telegram row
    goes out in the same drain, without waiting; Zalo's rows follow once the pause is over."""
    await queue(bot, telegram=4, zalo=2)
    zalo = Stamped(Zalo(), bot.timer, [channels.RateLimited("slow down", 120)])
    telegram = Stamped(TelegramChannel(bot.application.bot), bot.timer, [])
    outbox_sender = sender(bot, zalo, telegram, (1000.0, 1000.0))
    started = bot.timer.monotonic()
    assert await outbox_sender.drain_once() == 6
    assert len(telegram.stamps) == 4 and max(telegram.stamps) - started < 1
    assert bot.timer.monotonic() - started < 5  # nobody sat out the two minutes
    found = await statuses(bot)
    assert all(found[f"tg:{n}"][0] == OutboxStatus.SENT.value for n in range(4))
    assert found["zalo:0"] == (OutboxStatus.QUEUED.value, "429")
    assert found["zalo:1"] == (OutboxStatus.QUEUED.value, "paused by 429")
    assert zalo.stamps == []
    bot.clock.advance(timedelta(seconds=121))
    bot.timer.now += 121  # the pause is over on the outbox's stopwatch too
    assert await outbox_sender.drain_once() == 2
    assert len(zalo.stamps) == 2
    assert {status for status, _ in (await statuses(bot)).values()} == {"sent"}


def test_a_channel_without_its_own_pace_is_refused(bot: Harness) -> None:
    """Wiring a second channel with no pacer of its own is a mistake caught at start."""
    with pytest.raises(ValueError, match="zalo"):
        build_sender(
            bot.settings,
            bot.store,
            bot.services,
            bot.application.bot,
            Pacer(25, timer=bot.timer),
            bot.clock,
            0.0,
            {Channel.ZALO: Zalo()},
        )


async def test_rows_claimed_while_their_channel_is_paused_go_back_at_once(bot: Harness) -> None:
    """Running, the sender does not keep a paused channel's new rows waiting in memory (where
    they would count against the rows it may have in flight): they go back to the queue until
    the pause ends, and the Telegram rows claimed with them go out."""
    await queue(bot, telegram=0, zalo=1)
    zalo = Stamped(Zalo(), bot.timer, [channels.RateLimited("slow down", 30)])
    telegram = Stamped(TelegramChannel(bot.application.bot), bot.timer, [])
    outbox_sender = sender(bot, zalo, telegram, (1000.0, 1000.0))
    assert await outbox_sender.drain_once() == 1  # Zalo is now paused for 30 seconds
    started = bot.timer.monotonic()
    await bot.store.outbox.add(
        [OutboxMessage("zalo:new", 2, Notice(template="notify.confirmed"), Channel.ZALO)]
        + [
            OutboxMessage(
                f"tg:{n}", 1 + n % 2, Notice(template="notify.confirmed"), Channel.TELEGRAM
            )
            for n in range(3)
        ],
        bot.clock.now(),
    )
    stop = asyncio.Event()
    running = asyncio.create_task(outbox_sender.run(stop, idle=0.01))
    await until(bot.api, lambda: len(telegram.stamps) == 3)
    stop.set()
    await running
    found = await statuses(bot)
    assert found["zalo:new"] == (OutboxStatus.QUEUED.value, "paused by 429")
    assert bot.timer.monotonic() - started < 30 and zalo.stamps == []
