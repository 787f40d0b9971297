"""``chuyende run`` by Telegram webhook: the real bot on a SQLite file, the fake Bot API POSTing.

Each update is answered 200 only once its inbox row has committed, taken once however often it
is delivered, and one person's updates are handled in update_id order however they arrive.
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import socket
import sqlite3
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from telegram import Update
from telegram.ext import ContextTypes, TypeHandler

from bot.app import Running, build_services, serve
from bot.config import Settings
from bot.domain.inbox import InboxStatus
from bot.domain.models import Channel
from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import JSON, SECRET_HEADER, FakeBotApi, FakeUser
from bot.sandbox.harness import DEFAULT_START, sample_campaign
from bot.services.clock import ShiftedClock
from handlers.telegram.webhook import WEBHOOK_UPDATES, webhook_secret
from storage.engine import make_engine
from storage.store import Store
from tests.conftest import PG_SKIP, PG_URL, ROSTER
from tests.waiting import PATIENCE

BINH = FakeUser(id=20_002, first_name="Bình", phone="0987654321")
QUICK_HOLD = 0.3  # seconds the first update waits for an earlier one (none comes here)


def free_port() -> int:
    """A port nobody listens on now (the web server binds it next)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


async def prepare(db: Path | str) -> None:
    """The sample roster and the 2022 campaign in ``db`` (a SQLite file, or a database URL)."""
    url = db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}"
    store = await Store.open(url)
    try:
        services = build_services(Settings(_env_file=None, database_url=url), store, SystemLike())
        await services.roster.import_table(
            list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1)),
            remove_missing=False,
            dry_run=False,
        )
        await services.plans.set_campaign(**sample_campaign())
    finally:
        await store.close()


class SystemLike(ShiftedClock):
    """The tests' clock: real time running on from the sample campaign's days."""

    def __init__(self) -> None:
        super().__init__(DEFAULT_START)


@dataclass
class Hooked:
    """A running webhook bot: deliver updates to it and wait until they are handled."""

    api: FakeBotApi
    running: Running
    url: str
    secret: str
    handled: dict[int, int] = field(default_factory=dict)  # update_id: times handled
    finished: int = 0  # inbox rows marked done (or dead)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    def watch(self) -> None:
        """Be told when the inbox marks a row finished (the real method, then a note)."""
        inbox = self.running.store.inbox
        finish = inbox.finish

        async def noted(
            row_id: int, status: InboxStatus, now: datetime, then: int | None = None
        ) -> int | None:
            taken = await finish(row_id, status, now, then)
            self.finished += 1
            self.changed.set()
            return taken

        inbox.finish = noted  # type: ignore[method-assign]

    async def note(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """The last handler group: the update has been through every route."""
        if isinstance(update, Update):
            self.handled[update.update_id] = self.handled.get(update.update_id, 0) + 1
            self.changed.set()

    async def until_handled(self, update_ids: list[int]) -> None:
        """Return once every one of ``update_ids`` has been handled and its row marked done."""
        async with asyncio.timeout(PATIENCE):
            while not (
                all(uid in self.handled for uid in update_ids)
                and self.finished >= len(self.handled)
            ):
                self.changed.clear()
                await self.changed.wait()

    async def until_finished(self, rows: int) -> None:
        """Return once ``rows`` inbox rows have been marked done or dead."""
        async with asyncio.timeout(PATIENCE):
            while self.finished < rows:
                self.changed.clear()
                await self.changed.wait()

    async def feed(self, update: JSON) -> None:
        """Deliver one update by webhook and wait until the bot has handled it."""
        await self.api.deliver([update])
        await self.until_handled([update["update_id"]])

    def chat(self, user: FakeUser) -> Chat:
        return Chat(self.api, self.feed, user)

    async def post(self, body: bytes, headers: dict[str, str]) -> int:
        """One POST to the webhook as anyone could make it; its status."""
        async with (
            aiohttp.ClientSession() as session,
            session.post(self.url, data=body, headers=headers) as answer,
        ):
            return answer.status


@asynccontextmanager
async def webhook_bot(api: FakeBotApi, db: Path | str, **more: Any) -> AsyncIterator[Hooked]:
    """``serve`` with PUBLIC_URL set (webhook mode) on ``db`` (a SQLite file or a database URL)
    until the block ends."""
    port = free_port()
    settings = Settings(
        _env_file=None,
        telegram_bot_token=api.token,
        telegram_api_url=api.url,
        database_url=db if isinstance(db, str) else f"sqlite+aiosqlite:///{db}",
        public_url=f"http://127.0.0.1:{port}",
        web_port=port,
        **({"reorder_hold": QUICK_HOLD} | more),
    )
    stop, up = asyncio.Event(), asyncio.Event()
    holder: list[Hooked] = []

    async def ready(running: Running) -> None:
        hooked = Hooked(api, running, f"{settings.public_url}/telegram", webhook_secret(api.token))
        running.application.add_handler(TypeHandler(Update, hooked.note), group=99)
        hooked.watch()
        holder.append(hooked)
        up.set()

    task = asyncio.create_task(serve(settings, stop, SystemLike(), ready))
    waiting = asyncio.create_task(up.wait())
    await asyncio.wait([task, waiting], timeout=PATIENCE, return_when=asyncio.FIRST_COMPLETED)
    waiting.cancel()
    if task.done():
        task.result()  # its error
    try:
        yield holder[0]
    finally:
        stop.set()
        await asyncio.wait_for(task, PATIENCE)


def start(api: FakeBotApi, user: FakeUser, text: str = "/start") -> JSON:
    """A fresh update: ``user`` typing ``text``."""
    message: JSON = {
        "message_id": api.new_message_id(),
        "date": 0,
        "chat": {"id": user.id, "type": "private"},
        "from": user.as_json(),
        "text": text,
    }
    if text.startswith("/"):
        message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(text)}]
    return api.new_update({"message": message})


async def test_webhook_mode_sets_the_webhook_and_never_deletes_it(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """setWebhook with the derived secret and Telegram's options; no deleteWebhook, even at stop."""
    await prepare(tmp_path / "w.db")
    async with webhook_bot(api, tmp_path / "w.db", webhook_max_connections=7) as bot:
        assert api.webhook is not None
        assert api.webhook["url"] == bot.url
        assert api.webhook["secret_token"] == webhook_secret(api.token) != api.token
        assert api.webhook["max_connections"] == 7
        assert api.webhook["allowed_updates"] == WEBHOOK_UPDATES
        assert api.webhook["drop_pending_updates"] is False
        api.add_user(BINH)
        await bot.feed(start(api, BINH))
        assert "Chia sẻ số điện thoại" in api.sent(BINH.id)[-1].plain
    assert api.calls_of("deleteWebhook") == [] and api.calls_of("getUpdates") == []
    assert api.webhook is not None  # Telegram keeps it: the next start (or replica) takes over


async def test_a_post_without_the_secret_is_refused_and_nothing_recorded(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """Wrong or missing secret: 403; not JSON: 400; JSON that is no update: 200. No row at all."""
    await prepare(tmp_path / "s.db")
    async with webhook_bot(api, tmp_path / "s.db") as bot:
        update = start(api, BINH)
        body = str(update).replace("'", '"').encode()
        assert await bot.post(body, {}) == 403
        assert await bot.post(body, {SECRET_HEADER: "x" * 64}) == 403
        assert await bot.post(body, {SECRET_HEADER: bot.secret[:-1]}) == 403
        assert await bot.post(b"{not json", {SECRET_HEADER: bot.secret}) == 400
        assert await bot.post(b'{"message": {}}', {SECRET_HEADER: bot.secret}) == 200
        assert await bot.post(b"[1, 2]", {SECRET_HEADER: bot.secret}) == 200
        assert await bot.running.store.inbox.counts() == {}
        assert bot.handled == {}
        metrics = bot.running.metrics
        assert metrics is not None
        received = "chuyende_updates_received_total"
        assert metrics.value(received, channel="telegram", result="refused") == 4
        assert metrics.value(received, channel="telegram", result="new") == 0


async def test_an_update_the_bot_cannot_read_is_given_up_and_the_rest_go_on(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """With the right secret, an update_id whose content is no update: 200, tried, dead; the
    updates after it are handled."""
    await prepare(tmp_path / "g.db")
    async with webhook_bot(api, tmp_path / "g.db") as bot:
        api.add_user(BINH)
        garbage = api.new_update({"message": "not a message", "callback_query": [1]})
        await api.deliver([garbage])
        await bot.feed(start(api, BINH))
        await bot.until_finished(2)
        assert api.delivered(garbage["update_id"]) == [200]
        assert await bot.running.store.inbox.counts() == {"dead": 1, "done": 1}
        assert "Chia sẻ số điện thoại" in api.sent(BINH.id)[-1].plain


async def test_a_redelivered_update_is_handled_once(api: FakeBotApi, tmp_path: Path) -> None:
    """The same update POSTed five times, some at once: all 200, one row, one answer."""
    await prepare(tmp_path / "r.db")
    async with webhook_bot(api, tmp_path / "r.db") as bot:
        api.add_user(BINH)
        update = start(api, BINH)
        await api.deliver([update, update, update])
        await bot.until_handled([update["update_id"]])
        await api.deliver([update, update])
        assert api.delivered(update["update_id"]) == [200] * 5
        assert await bot.running.store.inbox.counts() == {"done": 1}
        assert bot.handled == {update["update_id"]: 1}
        assert len(api.sent(BINH.id)) == 1
        metrics = bot.running.metrics
        assert metrics is not None
        received = "chuyende_updates_received_total"
        assert metrics.value(received, channel="telegram", result="new") == 1
        assert metrics.value(received, channel="telegram", result="duplicate") == 4
        handled = "chuyende_updates_handled_total"
        assert metrics.value(handled, channel="telegram", result="ok") == 1


async def test_an_answer_typed_in_several_messages_delivered_shuffled_is_kept_in_order(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """A member types her study answer in six messages; Telegram POSTs the last three first (at
    once, shuffled), the first three after them: the answer is stored in the order she typed."""
    await prepare(tmp_path / "o.db")
    async with webhook_bot(api, tmp_path / "o.db", reorder_hold=4.0) as bot:
        chat = bot.chat(BINH)
        await chat.share_contact()
        await chat.press("📝 Kế hoạch của tôi")
        await chat.press("✅ Thông tin đúng")
        parts = [f"Phần {n} của câu trả lời" for n in range(1, 7)]
        burst = [start(api, BINH, text) for text in parts]
        await api.deliver(burst[3:], seed=1)  # recorded (200) before the earlier ones arrive
        await api.deliver(burst[:3], seed=2)
        order = [uid for uid, _ in api.deliveries[-len(burst) :]]
        assert order != sorted(order)
        await bot.until_handled([update["update_id"] for update in burst])
        await chat.press("✅ Xong")
        services = bot.running.services
        person = await services.signin.whoami(Channel.TELEGRAM, str(BINH.id))
        campaign = await services.plans.campaign()
        assert person is not None and campaign is not None
        plan = await bot.running.store.plans.plan_of(person.id, campaign.id)
        assert plan is not None
        assert plan.draft.answers["study"] == "\n".join(parts)


async def test_a_failing_database_gives_500_and_the_redelivery_is_taken(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """While the inbox cannot be written the webhook answers 500; Telegram's next try after it
    is back is recorded and handled, once."""
    db = tmp_path / "f.db"
    await prepare(db)
    async with webhook_bot(api, db) as bot:
        api.add_user(BINH)
        await bot.feed(start(api, BINH))  # the first update (and its hold) behind us
        refused = asyncio.Event()
        api.on_delivery.append(lambda uid, status: refused.set() if status == 500 else None)
        outage = sqlite3.connect(db, timeout=PATIENCE)
        try:
            outage.execute("ALTER TABLE inbox RENAME TO inbox_away")
            update = start(api, BINH, "/help")
            delivering = asyncio.create_task(api.deliver([update]))
            await asyncio.wait_for(refused.wait(), PATIENCE)
            outage.execute("ALTER TABLE inbox_away RENAME TO inbox")
        finally:
            outage.close()
        await asyncio.wait_for(delivering, PATIENCE)
        await bot.until_handled([update["update_id"]])
        statuses = api.delivered(update["update_id"])
        assert statuses[0] == 500 and statuses[-1] == 200 and set(statuses) == {500, 200}
        assert bot.handled[update["update_id"]] == 1


async def test_an_update_recorded_before_a_crash_is_handled_at_the_next_start(
    api: FakeBotApi, tmp_path: Path
) -> None:
    """A row recorded (acknowledged to Telegram) and never handled is taken up at start, with no
    delivery at all."""
    db = tmp_path / "c.db"
    await prepare(db)
    api.add_user(BINH)
    update = start(api, BINH)
    store = await Store.open(f"sqlite+aiosqlite:///{db}")
    try:
        recorded = await store.inbox.record(
            "telegram",
            str(update["update_id"]),
            f"t:{BINH.id}",
            update["update_id"],
            json.dumps(update),
            SystemLike().now(),
        )
        assert recorded
    finally:
        await store.close()
    async with webhook_bot(api, db) as bot:
        await bot.until_handled([update["update_id"]])
        assert api.deliveries == []
        assert "Chia sẻ số điện thoại" in api.sent(BINH.id)[-1].plain
        assert await bot.running.store.inbox.counts() == {"done": 1}


@pytest.fixture
async def pg_database() -> AsyncIterator[str]:
    """A PostgreSQL database of its own (an outage is made by refusing connections to it)."""
    if not PG_URL:
        pytest.skip(PG_SKIP)
    name = f"hook_{uuid.uuid4().hex[:12]}"
    admin = make_engine(PG_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        async with admin.connect() as conn:
            await conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
        await admin.dispose()


async def outage(database: str, down: bool) -> None:
    """Make PostgreSQL refuse ``database`` (and cut its connections), or take it back."""
    admin = make_engine(PG_URL or "", isolation_level="AUTOCOMMIT")
    try:
        async with admin.connect() as conn:
            allow = "false" if down else "true"
            await conn.execute(text(f'ALTER DATABASE "{database}" ALLOW_CONNECTIONS {allow}'))
            if down:
                await conn.execute(
                    text(
                        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                        " WHERE datname = :name AND pid <> pg_backend_pid()"
                    ),
                    {"name": database},
                )
    finally:
        await admin.dispose()


async def test_postgresql_down_gives_500_and_the_redelivery_is_taken_once_it_is_back(
    api: FakeBotApi, pg_database: str
) -> None:
    """PostgreSQL refusing connections: 500 (nothing acknowledged); back: the redelivery is
    recorded and handled once, and the bot served on throughout."""
    await prepare(pg_database)
    name = make_url(pg_database).database or ""
    async with webhook_bot(api, pg_database) as bot:
        api.add_user(BINH)
        await bot.feed(start(api, BINH))
        refused = asyncio.Event()
        api.on_delivery.append(lambda uid, status: refused.set() if status == 500 else None)
        await outage(name, down=True)
        try:
            update = start(api, BINH, "/help")
            delivering = asyncio.create_task(api.deliver([update]))
            await asyncio.wait_for(refused.wait(), PATIENCE)
        finally:
            await outage(name, down=False)
        await asyncio.wait_for(delivering, PATIENCE)
        await bot.until_handled([update["update_id"]])
        statuses = api.delivered(update["update_id"])
        assert statuses[0] == 500 and statuses[-1] == 200
        assert bot.handled[update["update_id"]] == 1
        assert await bot.running.store.inbox.counts() == {"done": 2}


async def test_two_replicas_on_postgresql_share_one_person_in_order(
    api: FakeBotApi, pg_database: str
) -> None:
    """Two replicas on one PostgreSQL behind a round-robin balancer: a member's six-message
    answer, POSTed alternately to both and shuffled, is handled once per update and stored in
    the order she typed (procrastinate hands the lane to one replica at a time)."""
    await prepare(pg_database)
    async with (
        webhook_bot(api, pg_database, reorder_hold=4.0) as first,
        webhook_bot(api, pg_database, reorder_hold=4.0) as second,
    ):
        replicas = (first, second)

        def handled(update_id: int) -> int:
            return sum(bot.handled.get(update_id, 0) for bot in replicas)

        async def until_handled(update_ids: list[int]) -> None:
            async with asyncio.timeout(PATIENCE):
                while not all(handled(uid) for uid in update_ids):
                    waits = [asyncio.ensure_future(bot.changed.wait()) for bot in replicas]
                    for bot in replicas:
                        bot.changed.clear()
                    if all(handled(uid) for uid in update_ids):
                        for wait in waits:
                            wait.cancel()
                        break
                    _, pending = await asyncio.wait(waits, return_when=asyncio.FIRST_COMPLETED)
                    for wait in pending:
                        wait.cancel()

        async def post_to(bot: Hooked, update: JSON) -> int:
            body = json.dumps(update).encode()
            return await bot.post(body, {SECRET_HEADER: bot.secret})

        async def feed(update: JSON) -> None:
            assert await post_to(replicas[update["update_id"] % 2], update) == 200
            await until_handled([update["update_id"]])

        chat = Chat(api, feed, BINH)
        await chat.share_contact()
        await chat.press("📝 Kế hoạch của tôi")
        await chat.press("✅ Thông tin đúng")
        parts = [f"Phần {n} của câu trả lời" for n in range(1, 7)]
        burst = [start(api, BINH, text) for text in parts]
        shuffled = [burst[n] for n in (4, 1, 5, 0, 3, 2)]
        statuses = await asyncio.gather(
            *(post_to(replicas[n % 2], update) for n, update in enumerate(shuffled))
        )
        assert statuses == [200] * 6
        await until_handled([update["update_id"] for update in burst])
        await chat.press("✅ Xong")
        services = first.running.services
        person = await services.signin.whoami(Channel.TELEGRAM, str(BINH.id))
        campaign = await services.plans.campaign()
        assert person is not None and campaign is not None
        plan = await first.running.store.plans.plan_of(person.id, campaign.id)
        assert plan is not None
        assert plan.draft.answers["study"] == "\n".join(parts)
        every = [uid for bot in replicas for uid in bot.handled]
        assert all(handled(uid) == 1 for uid in every)
        for bot in replicas:  # each took POSTs; whichever replica was free handled them
            metrics = bot.running.metrics
            assert metrics is not None
            received = "chuyende_updates_received_total"
            assert metrics.value(received, channel="telegram", result="new") >= 3
