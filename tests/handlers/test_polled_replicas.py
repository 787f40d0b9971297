"""Two replicas in one process on PostgreSQL by long polling: one polls; a graceful stop of it
confirms what it took and hands polling to the other, which answers the next message."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from bench.replicas import fresh_database
from bot.app import Running, serve
from bot.config import Settings
from bot.sandbox.fake_api import FakeBotApi, FakeUser
from tests.conftest import PG_SKIP, PG_URL
from tests.waiting import PATIENCE, until
from tests.web.test_telegram_webhook import start


def _replica(
    api: FakeBotApi, db: str, stop: asyncio.Event
) -> tuple[asyncio.Task[None], asyncio.Event]:
    settings = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        database_url=db,
        reorder_hold=0.1,  # the first update waits this long for an earlier one (none comes)
    )
    up = asyncio.Event()

    async def ready(running: Running) -> None:
        up.set()

    return asyncio.create_task(serve(settings, stop, ready=ready)), up


def _answered(api: FakeBotApi, user: FakeUser, count: int) -> Callable[[], bool]:
    return lambda: len(api.sent(user.id)) >= count


@pytest.mark.skipif(not PG_URL, reason=PG_SKIP)
async def test_a_graceful_stop_of_the_poller_hands_polling_to_the_other(api: FakeBotApi) -> None:
    """The first replica polls and answers; stopped, it confirms its last batch and unlocks;
    the second then polls and answers; no getUpdates was cut off by a 409."""
    assert PG_URL is not None
    user = FakeUser(id=51, first_name="An")
    api.add_user(user)
    async with fresh_database(PG_URL) as db:
        stop_one, stop_two = asyncio.Event(), asyncio.Event()
        one, one_up = _replica(api, db, stop_one)
        await asyncio.wait_for(one_up.wait(), PATIENCE)
        await until(api, lambda: bool(api.calls_of("getUpdates")))  # the first one polls
        two, two_up = _replica(api, db, stop_two)
        try:
            await asyncio.wait_for(two_up.wait(), PATIENCE)
            await api.push_update(start(api, user))
            await until(api, _answered(api, user, 1))
            stop_one.set()
            await asyncio.wait_for(one, PATIENCE)
            confirmed = [c for c in api.calls_of("getUpdates") if c.params.get("timeout") == 0]
            assert [c.params["offset"] for c in confirmed] == [api.last_update_id + 1]
            await api.push_update(start(api, user))
            await until(api, _answered(api, user, 2))  # only the second one runs now
        finally:
            stop_one.set()
            stop_two.set()
            await asyncio.wait_for(asyncio.gather(one, two, return_exceptions=True), PATIENCE)
        assert two.exception() is None and one.exception() is None
    assert [c for c in api.calls_of("getUpdates") if c.status == 409] == []
    assert len(api.calls_of("deleteWebhook")) == 2  # each replica once, when elected
