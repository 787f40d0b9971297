"""The outbox sender counts each row by outcome, and the Bot API's 429s, in ``Metrics``."""

from __future__ import annotations

from datetime import timedelta

from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import Notice
from bot.sandbox.fake_api import FakeBotApi, Fault
from bot.sandbox.harness import running_bot
from tests.conftest import ROSTER
from tests.helpers import signed_in


def notes(count: int) -> list[OutboxMessage]:
    """``count`` notices to An, Bình and Em in turn."""
    people = (1, 2, 5)
    return [
        OutboxMessage(
            f"note:{n}", people[n % 3], Notice(template="notify.confirmed"), priority=Priority.WAVE
        )
        for n in range(count)
    ]


async def test_sends_are_counted_per_channel_and_result(db_url: str, api: FakeBotApi) -> None:
    """Sent, blocked, refused (400) and rate limited (429, then sent once the pause is over)."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        for name, phone in (("An", "0912345678"), ("Bình", "0987654321"), ("Em", "0338123456")):
            await signed_in(bot, name, phone)
        before = bot.metrics.value("chuyende_rate_limited_total", channel="telegram")
        api.blocked.add(10_002)  # Bình
        api.faults.append(Fault("sendMessage", 400, "Bad Request: wrong", chat_id=10_003))
        api.faults.append(Fault("sendMessage", 429, "Too Many Requests", retry_after=30))
        await bot.store.outbox.add(notes(4), bot.clock.now())
        await bot.drain_outbox()
        bot.clock.advance(timedelta(seconds=30))
        await bot.drain_outbox()

        def sends(result: str) -> float:
            return bot.metrics.value("chuyende_sends_total", channel="telegram", result=result)

        assert (sends("sent"), sends("blocked"), sends("bad_request")) == (2, 1, 1)
        assert sends("rate_limited") == 1
        assert bot.metrics.value("chuyende_rate_limited_total", channel="telegram") == before + 1
        assert bot.metrics.value("chuyende_sends_total", channel="zalo", result="sent") == 0
