"""Stored payloads on their way out: checked before the row is written, read as typed models
by the sender; a row that does not read fails alone, with its reason."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select, update

from bot.cli.text import failure_values
from bot.domain.outbox import OutboxMessage, OutboxStatus
from bot.domain.payloads import Notice, PayloadError
from bot.locales import Catalog
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness, running_bot
from storage.tables import outbox
from tests.conftest import ROSTER
from tests.helpers import signed_in


@pytest.fixture
async def bot(db_url: str, api: FakeBotApi) -> AsyncIterator[Harness]:
    """The bot with An and Bình signed in."""
    async with running_bot(db_url, api) as bot:
        await bot.load_roster(ROSTER)
        await bot.open_campaign()
        for name, phone in (("An", "0912345678"), ("Bình", "0987654321")):
            await signed_in(bot, name, phone)
        api.calls.clear()
        yield bot


async def rows(bot: Harness) -> dict[str, tuple[str, str]]:
    """Outbox key -> (status, error)."""
    async with bot.store.engine.connect() as conn:
        found = await conn.execute(select(outbox.c.key, outbox.c.status, outbox.c.error))
        return {key: (status, error) for key, status, error in found}


async def stored_as(bot: Harness, key: str, text: str) -> None:
    """Overwrite the stored payload of ``key`` with ``text`` (a bug, a hand edit, an old row)."""
    async with bot.store.engine.begin() as conn:
        await conn.execute(update(outbox).where(outbox.c.key == key).values(payload=text))


async def test_a_payload_that_does_not_check_out_is_never_written(bot: Harness) -> None:
    """A payload made without its checks is refused before any row of its batch is inserted."""
    good = OutboxMessage("good", 1, Notice(template="notify.confirmed"))
    broken = OutboxMessage("broken", 1, Notice.model_construct(template="plan.title"))
    with pytest.raises(PayloadError):
        await bot.store.outbox.add([good, broken], bot.clock.now())
    assert await rows(bot) == {}


async def test_an_unreadable_row_fails_with_its_reason_and_the_rest_go_out(
    bot: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    """Between two good rows, one whose payload reads as no kind is failed and logged; both
    good rows are sent in the same drain, one of them written in the older shape."""
    messages = [
        OutboxMessage(key, 1 + n % 2, Notice(template="notify.confirmed"))
        for n, key in enumerate(("first", "broken", "old"))
    ]
    await bot.store.outbox.add(messages, bot.clock.now())
    await stored_as(bot, "broken", '{"kind": "telegram_sticker", "file": "x"}')
    await stored_as(bot, "old", '{"template": "notify.confirmed", "params": {}}')
    with caplog.at_level(logging.ERROR, logger="scheduler.sender"):
        assert await bot.drain_outbox() == 3
    found = await rows(bot)
    assert found["first"][0] == found["old"][0] == OutboxStatus.SENT.value
    status, error = found["broken"]
    assert status == OutboxStatus.FAILED.value and error.startswith("bad payload:")
    assert "telegram_sticker" in error and "outbox row broken has an unreadable" in caplog.text
    sent = [c for c in bot.api.calls if c.method == "sendMessage" and c.status == 200]
    assert len(sent) == 2
    [failure] = await bot.store.outbox.failures()
    said = failure_values(Catalog.load(), failure, UTC)["error"]
    assert (
        said.startswith("nội dung tin nhắn trong hàng đợi bị hỏng") and "telegram_sticker" in said
    )


def test_failures_are_worded_for_the_channel_they_were_on() -> None:
    """The same stored error names Telegram for a Telegram row and Zalo for a Zalo row."""
    from bot.domain.models import Channel
    from bot.domain.outbox import Failure

    catalog = Catalog.load()
    at = datetime(2022, 4, 1, tzinfo=UTC)
    said = {
        (channel, error): failure_values(catalog, Failure("k", "failed", error, at, channel), UTC)[
            "error"
        ]
        for channel in Channel
        for error in ("blocked: gone", "400: too long", "gave up: timed out")
    }
    assert said[Channel.TELEGRAM, "400: too long"] == "Telegram từ chối tin nhắn (400: too long)"
    assert said[Channel.ZALO, "400: too long"] == "Zalo từ chối tin nhắn (400: too long)"
    assert said[Channel.ZALO, "blocked: gone"] == "người nhận đã chặn bot (Zalo: gone)"
    assert said[Channel.TELEGRAM, "gave up: timed out"].endswith("(Telegram: timed out)")
