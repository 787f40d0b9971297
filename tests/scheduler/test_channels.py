"""The outbox sender delivers through the channel port of each recipient's account."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import select
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.domain.models import Channel
from bot.domain.outbox import OutboxMessage, OutboxStatus
from bot.domain.payloads import Notice
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot
from bot.services import channels
from bot.services.channels import Capabilities, Formatting, Sent, TextUnit
from bot.services.replies import Reply
from handlers.telegram.channel import TELEGRAM, TelegramChannel, classify
from tests.conftest import ROSTER
from tests.handlers.test_plan import signed_in

ZALO_CHAT = "zalo-8f3a"  # Zalo's ids are strings


class RecordingChannel:
    """A second channel that keeps what it was asked to deliver, or fails as told."""

    def __init__(self, fail: channels.ChannelError | None = None) -> None:
        self.delivered: list[tuple[str, Reply]] = []
        self._fail = fail

    @property
    def channel(self) -> Channel:
        return Channel.ZALO

    @property
    def capabilities(self) -> Capabilities:
        return Capabilities(2000, TextUnit.CHARACTERS, False, False, False, Formatting.PLAIN)

    def addressable(self, chat_id: str) -> bool:
        return bool(chat_id)

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        if self._fail is not None:
            raise self._fail
        self.delivered.append((chat_id, reply))
        return [Sent(str(len(self.delivered)))]


@pytest.fixture
async def two_channels(db_url: str, api: FakeBotApi) -> AsyncIterator[Harness]:
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


def note(key: str, person_id: int, channel: Channel) -> OutboxMessage:
    return OutboxMessage(
        key=key,
        person_id=person_id,
        payload=Notice(template="notify.confirmed"),
        channel=channel,
    )


async def status_and_error(bot: Harness) -> dict[str, tuple[str, str | None]]:
    from storage.tables import outbox

    async with bot.store.engine.connect() as conn:
        rows = await conn.execute(select(outbox.c.key, outbox.c.status, outbox.c.error))
        return {key: (status, error) for key, status, error in rows}


async def drain(bot: Harness, others: channels.Channels | None) -> None:
    sender = bot.sender(others=others)
    while await sender.drain_once():
        pass


async def test_each_row_goes_out_on_the_channel_of_its_account(two_channels: Harness) -> None:
    """A Zalo row reaches the Zalo adapter at the string id; the Telegram rows reach Telegram."""
    bot = two_channels
    zalo = RecordingChannel()
    await bot.store.outbox.add(
        [
            note("tg:an", 1, Channel.TELEGRAM),
            note("tg:binh", 2, Channel.TELEGRAM),
            note("zalo:binh", 2, Channel.ZALO),
        ],
        bot.clock.now(),
    )
    await drain(bot, {Channel.ZALO: zalo})
    assert {k: s for k, (s, _) in (await status_and_error(bot)).items()} == {
        "tg:an": "sent",
        "tg:binh": "sent",
        "zalo:binh": "sent",
    }
    [(chat, reply)] = zalo.delivered
    assert chat == ZALO_CHAT and reply.text
    sent = [c for c in bot.api.calls if c.method == "sendMessage" and c.status == 200]
    assert sorted(str(c.params["chat_id"]) for c in sent) == ["10001", "10002"]


async def test_a_row_for_a_channel_without_adapter_fails_and_goes_nowhere(
    two_channels: Harness,
) -> None:
    """No Zalo adapter wired: the row fails with the reason, and is not sent on Telegram."""
    bot = two_channels
    await bot.store.outbox.add([note("zalo:binh", 2, Channel.ZALO)], bot.clock.now())
    await drain(bot, None)
    assert (await status_and_error(bot))["zalo:binh"] == (
        OutboxStatus.FAILED.value,
        "no zalo channel",
    )
    assert not [c for c in bot.api.calls if c.method == "sendMessage"]


async def test_blocked_on_one_channel_marks_only_that_account(two_channels: Harness) -> None:
    """The port's Blocked fails the row and marks the Zalo account, not the Telegram one."""
    bot = two_channels
    zalo = RecordingChannel(fail=channels.Blocked("user left the official account"))
    await bot.store.outbox.add([note("zalo:binh", 2, Channel.ZALO)], bot.clock.now())
    await drain(bot, {Channel.ZALO: zalo})
    assert (await status_and_error(bot))["zalo:binh"] == (
        OutboxStatus.FAILED.value,
        "blocked: user left the official account",
    )
    from storage.tables import accounts

    async with bot.store.engine.connect() as conn:
        rows = await conn.execute(
            select(accounts.c.channel).where(accounts.c.blocked_at.is_not(None))
        )
        assert list(rows.scalars()) == [Channel.ZALO.value]


async def test_rate_limited_on_a_channel_puts_the_row_back(two_channels: Harness) -> None:
    """The port's RateLimited requeues the row ("429") and holds the outbox the time asked."""
    bot = two_channels
    zalo = RecordingChannel(fail=channels.RateLimited("slow down", 7))
    await bot.store.outbox.add([note("zalo:binh", 2, Channel.ZALO)], bot.clock.now())
    sender = bot.sender(others={Channel.ZALO: zalo})
    assert await sender.drain_once() == 1
    assert await sender.drain_once() == 0  # not before the 7 seconds asked for
    assert (await status_and_error(bot))["zalo:binh"] == (OutboxStatus.QUEUED.value, "429")
    assert classify(RetryAfter(7)).message.startswith("Flood control")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (Forbidden("Forbidden: bot was blocked by the user"), channels.Blocked),
        (BadRequest("Bad Request: chat not found"), channels.BadRequest),
        (TimedOut(), channels.Transient),
        (NetworkError("Bad Gateway"), channels.Transient),
        (ChatMigrated(42), channels.Transient),
    ],
)
def test_telegram_errors_are_classified(error: Exception, kind: type) -> None:
    """PTB's errors become the port's, keeping what Telegram said."""
    assert isinstance(error, Forbidden | BadRequest | NetworkError | ChatMigrated)
    found = classify(error)
    assert type(found) is kind
    assert found.message == error.message and str(found) == str(error)


def test_telegram_capabilities() -> None:
    """Telegram counts UTF-16 units: an emoji outside the BMP is two of its 4096."""
    port = TelegramChannel(Bot("1:offline"))
    assert port.capabilities is TELEGRAM and port.channel is Channel.TELEGRAM
    assert TELEGRAM.length("Đ😀") == 3 and TELEGRAM.max_text == 4096
    assert TELEGRAM.buttons and TELEGRAM.documents and TELEGRAM.contact_sharing
    assert port.addressable("-100123") and not port.addressable(ZALO_CHAT)
