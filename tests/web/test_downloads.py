"""Download links on the bot's own web server: the owner gets the exact file, anyone else,
a forged, expired or revoked token a bare 404; each use is in the audit log."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import quote

import aiohttp
import pytest
from multidict import CIMultiDictProxy
from sqlalchemy import select

from bot.config import Settings
from bot.domain.audit import AuditAction
from bot.domain.inbox import InboxStatus
from bot.domain.models import Channel, Person
from bot.locales import Catalog, Safe
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from bot.services.audit import AuditService
from bot.services.channels import Blocked
from bot.services.clock import ManualClock
from bot.services.downloads import (
    ChatLinks,
    DownloadService,
    NoPersonForChat,
    token_hash,
    well_shaped,
)
from bot.services.housekeeping import SEEN_KEEP, Housekeeping
from bot.services.replies import Attachment, Reply
from handlers.web.server import WebServer, web_app
from handlers.zalo.channel import ZaloChannel
from handlers.zalo.client import ZaloClient
from storage.store import Store
from storage.tables import download_links
from tests.conftest import ROSTER
from tests.storage.test_repositories import records

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)
DAYS = 7
BINH_CHAT = "6ede9afa66b88fe6d6a9"
DUC_CHAT = "a1b2c3d4e5f6a7b8c9d0"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PLAN = Attachment("Kế hoạch Trần Thị Bình.docx", b"PK\x03\x04 binh's plan \x00\xff")
EXPORT = Attachment("ho-so.zip", b"PK\x05\x06 the unit export")


@dataclass
class World:
    """A store with the sample roster, two people on Zalo, the service and its web server."""

    store: Store
    clock: ManualClock
    downloads: DownloadService
    links: ChatLinks
    url: str
    http: aiohttp.ClientSession
    binh: Person
    duc: Person

    async def get(self, url: str) -> tuple[int, bytes, CIMultiDictProxy[str]]:
        """Status, body and headers of a GET."""
        async with self.http.get(url, allow_redirects=False) as response:
            return response.status, await response.read(), response.headers


class Recording:
    """The service behind the web server, noting which tokens reached it."""

    def __init__(self, downloads: DownloadService) -> None:
        self.downloads = downloads
        self.tokens: list[str] = []

    async def fetch(self, token: str, now: datetime) -> Attachment | None:
        """Record ``token``, then fetch."""
        self.tokens.append(token)
        return await self.downloads.fetch(token, now)


@pytest.fixture
async def world(any_store: Store) -> AsyncIterator[World]:
    """Bình and Đức signed in on Zalo; links of 7 days served on 127.0.0.1."""
    store = any_store
    clock = ManualClock(START)
    await store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=START)
    binh = await store.roster.person_by_code("DV002")
    duc = await store.roster.person_by_code("DV004")
    assert binh is not None and duc is not None
    for person, chat in ((binh, BINH_CHAT), (duc, DUC_CHAT)):
        await store.accounts.link(Channel.ZALO, chat, chat, person.id, method="code", now=START)
    audit = AuditService(store.audit, store.roster, store.plans, clock)
    downloads = DownloadService(store.links, store.accounts, audit, timedelta(days=DAYS))
    server = WebServer(web_app(downloads, clock))
    url = await server.start("127.0.0.1", 0)
    links = ChatLinks(downloads, store.links, url, clock)
    try:
        async with aiohttp.ClientSession() as http:
            yield World(store, clock, downloads, links, url, http, binh, duc)
    finally:
        await server.stop()


def token_of(url: str) -> str:
    """The token at the end of a link."""
    return url.rsplit("/d/", 1)[1]


async def test_the_owners_link_downloads_the_exact_file(world: World) -> None:
    """A link on the bot's address gives back the same bytes, as an attachment named in UTF-8."""
    link = await world.links.link(BINH_CHAT, PLAN)
    assert link.startswith(f"{world.url}/d/") and well_shaped(token_of(link))
    status, body, headers = await world.get(link)
    assert (status, body) == (200, PLAN.content)
    assert headers["Content-Type"] == DOCX
    assert headers["Content-Disposition"] == (
        "attachment; filename=\"Ke hoach Tran Thi Binh.docx\"; filename*=UTF-8''"
        + quote(PLAN.filename)
    )
    assert headers["Cache-Control"] == "no-store"
    assert (await world.get(link))[:2] == (200, PLAN.content)  # works again until it expires


async def test_two_peoples_links_differ_and_each_gives_only_its_own_file(world: World) -> None:
    """Bình's and Đức's links are different and each returns its own file."""
    binh = await world.links.link(BINH_CHAT, PLAN)
    duc = await world.links.link(DUC_CHAT, EXPORT)
    again = await world.links.link(BINH_CHAT, PLAN)
    assert len({binh, duc, again}) == 3
    assert (await world.get(binh))[1] == PLAN.content
    assert (await world.get(duc))[1] == EXPORT.content
    assert (await world.get(duc))[2]["Content-Type"] == "application/zip"


async def test_forged_expired_and_revoked_links_are_a_bare_404(world: World) -> None:
    """A made-up token, one past LINK_DAYS and a revoked one all get the same empty-handed 404."""
    binh = await world.links.link(BINH_CHAT, PLAN)
    duc = await world.links.link(DUC_CHAT, EXPORT)
    forged = f"{world.url}/d/{'A' * 43}"
    tampered = binh[:-1] + ("B" if binh[-1] != "B" else "C")
    refusals = [await world.get(url) for url in (forged, tampered)]

    assert await world.downloads.revoke_for(world.duc.id, world.clock.now()) == 1
    refusals.append(await world.get(duc))
    assert (await world.get(binh))[0] == 200  # revoking Đức's leaves Bình's alone

    world.clock.advance(timedelta(days=DAYS, seconds=1))
    refusals.append(await world.get(binh))

    assert {(status, body) for status, body, _ in refusals} == {(404, b"404: Not Found")}
    assert all("Content-Disposition" not in headers for _, _, headers in refusals)


async def test_a_link_stops_the_moment_it_expires(world: World) -> None:
    """It works until the last second of LINK_DAYS, and not at the boundary."""
    link = await world.links.link(BINH_CHAT, PLAN)
    world.clock.advance(timedelta(days=DAYS) - timedelta(seconds=1))
    assert (await world.get(link))[0] == 200
    world.clock.advance(timedelta(seconds=1))
    assert (await world.get(link))[0] == 404


async def test_malformed_tokens_are_refused_before_any_lookup(world: World) -> None:
    """Too long, too short or odd characters: 404 without the service being asked."""
    recording = Recording(world.downloads)
    server = WebServer(web_app(recording, world.clock))
    url = await server.start("127.0.0.1", 0)
    try:
        good = token_of(await world.links.link(BINH_CHAT, PLAN))
        for bad in (good + "A", good[:-1], good[:-1] + "%2E", "..%2F..%2Fetc", "%00" * 43):
            assert (await world.get(f"{url}/d/{bad}"))[0] == 404
        for other in ("/", "/d/", "/d", f"/x/{good}", f"/d/{good}/x"):
            assert (await world.get(url + other))[0] == 404
        assert recording.tokens == []
        assert (await world.get(f"{url}/d/{good}"))[:2] == (200, PLAN.content)
        assert recording.tokens == [good]
        async with world.http.head(f"{url}/d/{good}") as response:
            assert response.status == 405  # a HEAD would count as a use
        assert (await world.get(f"{url}/healthz"))[:2] == (200, b"ok")
    finally:
        await server.stop()


async def test_each_use_is_in_the_audit_log_without_the_token(world: World) -> None:
    """A download is logged with the person and the file name; the token appears nowhere."""
    link = await world.links.link(BINH_CHAT, PLAN)
    await world.get(link)
    await world.get(f"{world.url}/d/{'A' * 43}")
    entries = await world.store.audit.entries(10)
    assert [(e.action, e.actor_id, e.target, e.detail) for e in entries] == [
        (AuditAction.DOWNLOAD, world.binh.id, f"person:{world.binh.id}", PLAN.filename)
    ]
    assert entries[0].actor == f"{world.binh.full_name} ({world.binh.code})"
    token = token_of(link)
    assert not any(token in f"{e.actor} {e.target} {e.detail}" for e in entries)


async def test_the_database_keeps_only_the_hash_of_a_token(world: World) -> None:
    """A copy of the database opens no link: the row is keyed by the token's SHA-256."""
    token = token_of(await world.links.link(BINH_CHAT, PLAN))
    rows = await world.store.database.read(
        lambda conn: conn.execute(select(download_links)).mappings().all()
    )
    assert [row["token_hash"] for row in rows] == [token_hash(token)]
    assert not any(token in str(value) for row in rows for value in row.values())
    assert rows[0]["person_id"] == world.binh.id and rows[0]["used_count"] == 0


async def test_dead_links_are_purged_and_a_forgotten_persons_links_go(world: World) -> None:
    """A revoked row is deleted by the next publish, an expired one once past LINK_DAYS; erasing
    a person erases their links."""

    async def kept() -> list[str]:
        found = await world.store.database.read(
            lambda conn: conn.execute(select(download_links.c.token_hash)).scalars().all()
        )
        return sorted(found)

    old = await world.links.link(BINH_CHAT, PLAN)
    await world.links.link(DUC_CHAT, EXPORT)
    await world.downloads.revoke_for(world.duc.id, world.clock.now())
    second = await world.links.link(BINH_CHAT, PLAN)
    assert await kept() == sorted(token_hash(token_of(url)) for url in (old, second))
    world.clock.advance(timedelta(days=DAYS))
    fresh = await world.links.link(BINH_CHAT, PLAN)
    assert await kept() == [token_hash(token_of(fresh))] and (await world.get(old))[0] == 404

    audit = AuditService(world.store.audit, world.store.roster, world.store.plans, world.clock)
    assert await audit.forget(world.binh.code) is not None
    assert (await world.get(fresh))[0] == 404
    assert await kept() == []  # the cascade took it


async def test_a_person_who_left_the_roster_gets_nothing(world: World) -> None:
    """Marked as having left, Bình's link answers 404 and no use is logged."""
    link = await world.links.link(BINH_CHAT, PLAN)
    smaller = "\n".join(line for line in ROSTER.splitlines() if "DV002" not in line)
    await world.store.roster.import_roster(
        records(smaller), remove_missing=True, dry_run=False, now=world.clock.now()
    )
    assert (await world.get(link))[0] == 404
    assert await world.store.audit.entries(10) == []


async def test_a_chat_nobody_owns_gets_no_link(world: World) -> None:
    """No signed-in person behind the chat: a Blocked error, nothing published."""
    with pytest.raises(NoPersonForChat) as raised:
        await world.links.link("ffffffffffffffffffff", PLAN)
    assert isinstance(raised.value, Blocked)
    rows = await world.store.database.read(lambda conn: conn.execute(select(download_links)).all())
    assert rows == []


async def test_the_zalo_channel_sends_a_link_that_downloads_the_document(world: World) -> None:
    """A reply with a document reaches Zalo as a text with our URL, and the URL gives the file."""
    zalo = FakeZaloApi()
    await zalo.start()
    zalo.users[BINH_CHAT] = FakeZaloUser(id=BINH_CHAT, display_name="Bình")
    try:
        async with ZaloClient(zalo.token, zalo.url, timeout=10.0) as client:
            channel = ZaloChannel(client, world.links, Catalog.load())
            await channel.deliver(BINH_CHAT, Reply(Safe("Kế hoạch của đồng chí"), document=PLAN))
    finally:
        await zalo.stop()
    [message] = zalo.sent(BINH_CHAT)
    found = re.search(rf"{re.escape(world.url)}/d/[A-Za-z0-9_-]+", message.text)
    assert found is not None and message.text.startswith("Kế hoạch của đồng chí\n\n")
    assert (await world.get(found.group(0)))[:2] == (200, PLAN.content)


def test_links_start_with_public_url_or_the_web_servers_address() -> None:
    """PUBLIC_URL when set (no trailing slash), else http://WEB_HOST:WEB_PORT; bad values stop."""
    assert Settings(_env_file=None).download_base == "http://127.0.0.1:8080"
    custom = Settings(_env_file=None, public_url="https://bot.example.vn/", web_port=9000)
    assert custom.download_base == "https://bot.example.vn"
    assert Settings(_env_file=None, web_host="::1").download_base == "http://[::1]:8080"
    assert Settings(_env_file=None, public_url="").public_url is None
    for bad in ({"public_url": "bot.example.vn"}, {"link_days": 0}, {"link_days": 91}):
        with pytest.raises(ValueError):
            Settings(_env_file=None, **bad)


async def test_housekeeping_deletes_dead_links_and_old_event_keys(world: World) -> None:
    """The hourly round deletes a link once it expired and forgets handled events' keys after a
    week."""
    link = await world.links.link(BINH_CHAT, PLAN)
    key = "message.text.received:1"
    assert await world.store.inbox.record("zalo", key, "z:b", 1, "{}", START)
    (row,) = (await world.store.inbox.ready("z:b", START)).rows
    await world.store.inbox.finish(row.id, InboxStatus.DONE, START)
    tidy = Housekeeping(world.downloads, world.clock, world.store.inbox)
    assert await tidy.tidy() == 0  # nothing has expired yet
    assert (await world.get(link))[0] == 200
    world.clock.advance(timedelta(days=max(DAYS, SEEN_KEEP.days) + 1))
    assert await tidy.tidy() == 1
    assert await world.store.inbox.record("zalo", key, "z:b", 1, "{}", START)
