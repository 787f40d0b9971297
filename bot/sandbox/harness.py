"""The real bot (services, handlers, storage) wired to the fake Bot API, for tests and benches."""

from __future__ import annotations

import csv
import io
import itertools
import tomllib
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import resources
from typing import Any

from telegram import Update
from telegram.ext import ContextTypes

from bot.app import (
    Services,
    TelegramApp,
    announce,
    build_application,
    build_sender,
    build_services,
)
from bot.config import Settings
from bot.domain.models import Channel
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import JSON, FakeBotApi, FakeUser
from bot.services.channels import Channels
from bot.services.clock import ManualClock
from bot.services.metrics import Metrics
from bot.services.reminders import SweepReport
from bot.services.roster import ImportOutcome
from scheduler.pacing import Pacer
from scheduler.sender import OutboxSender
from scheduler.timer import VirtualTimer
from storage.store import Store

DEFAULT_START = datetime(2022, 3, 25, 1, 0, tzinfo=UTC)


def sample_campaign() -> dict[str, Any]:
    """The packaged sample campaign (2022, due 30/04/2022) as keyword arguments."""
    text = resources.files("bot.samples").joinpath("campaign_2022.toml").read_text("utf-8")
    data = tomllib.loads(text)
    data["deadline"] = datetime.strptime(data["deadline"], "%d/%m/%Y").date()
    return data


@dataclass
class Harness:
    """A running bot: send it updates through chats and inspect what it did."""

    api: FakeBotApi
    store: Store
    services: Services
    application: TelegramApp
    clock: ManualClock
    settings: Settings
    errors: list[BaseException] = field(default_factory=list)
    # The outbox's stopwatch: its pauses (pace, gaps, 429s) take no time and are exact.
    timer: VirtualTimer = field(default_factory=VirtualTimer)
    metrics: Metrics = field(default_factory=Metrics)  # what the replies and the senders counted
    _user_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(10_001))

    async def feed(self, update: JSON) -> None:
        """Hand one update to the Application and wait until it has been handled."""
        await self.application.process_update(Update.de_json(update, self.application.bot))

    def chat(self, first_name: str, phone: str | None = None, user_id: int | None = None) -> Chat:
        """A new person with their own private chat."""
        user = FakeUser(id=user_id or next(self._user_ids), first_name=first_name, phone=phone)
        return Chat(self.api, self.feed, user)

    def sender(
        self,
        pace: float = 1000.0,
        chat_gap: float = 0.0,
        others: Channels | None = None,
        paces: Mapping[Channel, float] | None = None,
    ) -> OutboxSender:
        """An outbox sender on the application's bot (and the adapters of ``others``), on the
        virtual stopwatch (tests do not wait; ``timer.waits`` tells how long it would have).

        Each channel has its own pacer: ``paces`` of a channel, else ``pace``."""
        rates = {channel: (paces or {}).get(channel, pace) for channel in others or {}}
        return build_sender(
            self.settings,
            self.store,
            self.services,
            self.application.bot,
            Pacer(pace, pace, timer=self.timer),
            self.clock,
            chat_gap,
            others,
            {channel: Pacer(rate, rate, timer=self.timer) for channel, rate in rates.items()},
            metrics=self.metrics,
        )

    async def sweep(self) -> SweepReport:
        """Run the "enqueue what is due" sweep once at the clock's time."""
        return await self.services.reminders.enqueue_due()

    async def drain_outbox(self) -> int:
        """Send everything due in the outbox now; return how many rows were handled."""
        sender = self.sender()
        total = 0
        while handled := await sender.drain_once():
            total += handled
        return total

    async def open_campaign(self, **overrides: Any) -> None:
        """Open the sample 2022 campaign (deadline 30/04/2022)."""
        await self.services.plans.set_campaign(**(sample_campaign() | overrides))

    async def load_roster(self, table: str, **options: Any) -> ImportOutcome:
        """Import a roster given as CSV text (header first)."""
        rows = list(enumerate(csv.reader(io.StringIO(table.strip())), start=1))
        return await self.services.roster.import_table(
            rows,
            remove_missing=options.get("remove_missing", False),
            dry_run=options.get("dry_run", False),
        )


@asynccontextmanager
async def running_bot(
    database_url: str,
    api: FakeBotApi | None = None,
    clock: ManualClock | None = None,
    pacer: Pacer | None = None,
    **settings: Any,
) -> AsyncIterator[Harness]:
    """Start the fake API (unless given), open the store, initialise the Application."""
    own_api = api is None
    api = api or FakeBotApi()
    if not api.url:
        await api.start()
    config = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        database_url=database_url,
        **settings,
    )
    store = await Store.open(database_url)
    clock = clock or ManualClock(DEFAULT_START)
    try:
        services = build_services(config, store, clock)
        await services.plans.register_forms()
        metrics = Metrics()
        application = build_application(config, services, pacer, metrics=metrics)
        harness = Harness(api, store, services, application, clock, config, metrics=metrics)

        async def record(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
            if context.error is not None:
                harness.errors.append(context.error)

        application.add_error_handler(record)
        async with application:
            await announce(application.bot, services)
            yield harness
    finally:
        await store.close()
        if own_api:
            await api.stop()
