"""``/healthz``, ``/readyz`` and ``/metrics`` on the real web server, on real databases."""

from __future__ import annotations

import asyncio
import csv
import io
import ipaddress
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import aiohttp
import pytest
from sqlalchemy import text

from bot.app import build_downloads, build_services, readiness_of
from bot.config import Settings, parse_networks
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import Notice
from bot.sandbox.harness import DEFAULT_START
from bot.services.clock import ManualClock
from bot.services.metrics import OUTBOX_TTL, Metrics
from bot.services.ports import Clock
from handlers.web.health import Readiness, metrics_allowed
from handlers.web.server import WebServer
from storage.migrate import alembic_config, current_heads, is_current
from storage.store import Store
from tests.conftest import ROSTER

LOOPBACK = parse_networks("127.0.0.0/8,::1")


class Stopwatch:
    """A monotonic clock the test moves by hand (the metrics' outbox cache)."""

    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


@asynccontextmanager
async def serving(
    store: Store,
    readiness: Readiness | None = None,
    metrics: Metrics | None = None,
    metrics_from: str = "127.0.0.0/8,::1",
    clock: Clock | None = None,
) -> AsyncIterator[str]:
    """The bot's web server for ``store`` on a free loopback port; its address."""
    settings = Settings(
        _env_file=None, database_url="sqlite+aiosqlite://", metrics_from=metrics_from
    )
    clock = clock or ManualClock(DEFAULT_START)
    services = build_services(settings, store, clock)
    readiness = readiness or readiness_of(store, lambda: False)
    web: WebServer = build_downloads(settings, store, services, clock, readiness, metrics).web
    url = await web.start("127.0.0.1", 0)
    try:
        yield url
    finally:
        await web.stop()


async def get(url: str, **headers: str) -> tuple[int, str]:
    """GET ``url``: its status and body."""
    async with aiohttp.ClientSession() as session, session.get(url, headers=headers) as answer:
        return answer.status, await answer.text()


async def test_readyz_is_200_on_a_migrated_database(any_store: Store) -> None:
    """SQLite file, in memory, PostgreSQL: the database answers and is at the shipped head."""
    async with serving(any_store) as url:
        assert await get(f"{url}/healthz") == (200, "ok")
        assert await get(f"{url}/readyz") == (200, "ready")


async def test_readyz_is_503_migrations_while_the_schema_is_behind(any_store: Store) -> None:
    """One migration missing (the database of an older version): not ready, saying why."""
    from alembic.script import ScriptDirectory

    (head,) = current_heads()
    previous = ScriptDirectory.from_config(alembic_config()).get_revision(head).down_revision
    assert isinstance(previous, str)

    def step_back(connection):  # type: ignore[no-untyped-def]
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": previous})

    async with serving(any_store) as url:
        assert (await get(f"{url}/readyz"))[0] == 200
        await any_store.database.write(step_back)
        assert await get(f"{url}/readyz") == (503, "migrations")
        assert await get(f"{url}/healthz") == (200, "ok")  # alive all the same


async def test_a_database_never_migrated_is_not_current(tmp_path: Path) -> None:
    """An empty SQLite file has no alembic_version: ``is_current`` says no, it does not raise."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}", migrate=False)
    try:
        assert await is_current(store.database) is False
    finally:
        await store.close()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql+asyncpg://postgres@127.0.0.1:1/chuyende",  # a stopped server: refused
        "sqlite+aiosqlite:///{tmp}",  # a "database file" that is a folder: cannot be opened
    ],
    ids=["stopped-postgresql", "sqlite-unopenable"],
)
async def test_readyz_is_503_database_when_the_database_does_not_answer(
    url: str, tmp_path: Path, db_url: str
) -> None:
    """A database whose connection fails: 503 ``database``, /healthz still 200."""
    good = await Store.open(db_url)
    broken = await Store.open(url.format(tmp=tmp_path), migrate=False)
    try:
        async with serving(good, readiness=readiness_of(broken, lambda: False)) as web:
            assert await get(f"{web}/readyz") == (503, "database")
            assert await get(f"{web}/healthz") == (200, "ok")
    finally:
        await broken.close()
        await good.close()


async def test_readyz_is_503_database_when_it_answers_too_late(db_url: str) -> None:
    """A SELECT 1 that does not come back within the timeout counts as no answer."""
    never = asyncio.Event()

    async def hangs() -> None:
        await never.wait()

    async def current() -> bool:
        return True

    store = await Store.open(db_url)
    try:
        async with serving(store, readiness=Readiness(hangs, current, timeout=0.05)) as url:
            assert await get(f"{url}/readyz") == (503, "database")
    finally:
        await store.close()


async def test_readyz_turns_503_stopping_once_the_stop_begins(db_url: str) -> None:
    """``stop`` set (SIGTERM): not ready at once, while the server still serves."""
    stop = asyncio.Event()
    store = await Store.open(db_url)
    try:
        readiness = readiness_of(store, stop.is_set)
        async with serving(store, readiness=readiness) as url:
            assert (await get(f"{url}/readyz"))[0] == 200
            stop.set()
            assert await get(f"{url}/readyz") == (503, "stopping")
            assert await get(f"{url}/healthz") == (200, "ok")
        explicit = readiness_of(store, lambda: False)
        explicit.stop()
        assert await explicit.problem() == "stopping"
    finally:
        await store.close()


def test_metrics_go_only_to_allowed_addresses_reached_directly() -> None:
    """Loopback by default; another address, a proxied request or no address is refused."""
    assert metrics_allowed("127.0.0.1", {}, LOOPBACK)
    assert metrics_allowed("::1", {}, LOOPBACK)
    assert metrics_allowed("::ffff:127.0.0.1", {}, LOOPBACK)  # a dual-stack socket's view
    assert not metrics_allowed("10.0.0.7", {}, LOOPBACK)
    assert not metrics_allowed("fe80::1%eth0", {}, LOOPBACK)
    assert not metrics_allowed(None, {}, LOOPBACK)
    assert not metrics_allowed("not-an-address", {}, LOOPBACK)
    for header in ("X-Forwarded-For", "Forwarded", "X-Real-IP"):  # a proxy on this host
        assert not metrics_allowed("127.0.0.1", {header: "203.0.113.9"}, LOOPBACK)
    office = parse_networks(" 10.0.0.0/8 , 192.168.1.5")
    assert office == (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.168.1.5/32"))
    assert metrics_allowed("10.20.30.40", {}, office)
    assert not metrics_allowed("127.0.0.1", {}, office)
    assert parse_networks("") == ()  # nobody


def test_a_wrong_metrics_from_is_a_configuration_error() -> None:
    """METRICS_FROM with something that is no address stops the settings, naming it."""
    with pytest.raises(ValueError, match="metrics_from"):
        Settings(_env_file=None, metrics_from="127.0.0.1, localhost")


async def test_metrics_refuse_a_caller_not_allowed_and_a_proxied_one(db_url: str) -> None:
    """From loopback with METRICS_FROM=10.0.0.0/8, or through a proxy header: a bare 403."""
    store = await Store.open(db_url)
    try:
        async with serving(store, metrics=Metrics(), metrics_from="10.0.0.0/8") as url:
            assert (await get(f"{url}/metrics"))[0] == 403
        async with serving(store, metrics=Metrics()) as url:
            assert (await get(f"{url}/metrics"))[0] == 200
            assert (await get(f"{url}/metrics", **{"X-Forwarded-For": "203.0.113.9"}))[0] == 403
    finally:
        await store.close()


async def test_the_outbox_depth_is_read_at_a_scrape_and_cached_a_few_seconds(db_url: str) -> None:
    """Rows per status from the outbox; a second scrape within OUTBOX_TTL costs no query."""
    store = await Store.open(db_url)
    clock = ManualClock(DEFAULT_START)
    stopwatch = Stopwatch()
    metrics = Metrics(monotonic=stopwatch)
    metrics.watch_outbox(store.outbox.counts)

    def notes(first: int, count: int) -> list[OutboxMessage]:
        return [
            OutboxMessage(f"n:{n}", 1, Notice(template="notify.confirmed"), priority=Priority.WAVE)
            for n in range(first, first + count)
        ]

    try:
        services = build_services(Settings(_env_file=None), store, clock)
        await services.roster.import_table(
            list(enumerate(csv.reader(io.StringIO(ROSTER.strip())), start=1)),
            remove_missing=False,
            dry_run=False,
        )
        await store.outbox.add(notes(0, 3), clock.now())
        async with serving(store, metrics=metrics, clock=clock) as url:
            status, body = await get(f"{url}/metrics")
            assert status == 200
            assert 'chuyende_outbox_depth{status="queued"} 3.0' in body
            assert 'chuyende_outbox_depth{status="sent"} 0.0' in body
            await store.outbox.add(notes(3, 2), clock.now())
            stopwatch.now += OUTBOX_TTL / 2
            assert 'chuyende_outbox_depth{status="queued"} 3.0' in (await get(f"{url}/metrics"))[1]
            stopwatch.now += OUTBOX_TTL
            assert 'chuyende_outbox_depth{status="queued"} 5.0' in (await get(f"{url}/metrics"))[1]
    finally:
        await store.close()
