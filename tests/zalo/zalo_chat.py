"""A person on Zalo talking to the real bot: the edge and channel on the offline Zalo Bot API."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import timedelta

from bot.app import build_conversation
from bot.domain.inbox import channel_of
from bot.domain.models import Channel
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from bot.sandbox.harness import Harness
from bot.services.downloads import ChatLinks, DownloadService, links_for
from bot.services.replies import Attachment
from handlers.inbox import Drainer
from handlers.web.server import WebServer, web_app
from handlers.zalo.channel import ChatOffers, Links, ZaloChannel
from handlers.zalo.client import ZaloClient
from handlers.zalo.events import Event, parse_body
from handlers.zalo.updates import ZaloEdge

BINH = FakeZaloUser(id="5a1e0c3b9d7f2e4a6c80", display_name="Bình")
PATIENCE = 60.0  # seconds: a safety net for a hung loop, never a pause


class FakeLinks:
    """Download links that name the chat and the file."""

    async def link(self, chat_id: str, attachment: Attachment) -> str:
        """A URL for ``attachment``."""
        return f"https://files.example.test/{chat_id}/{attachment.filename}"


@dataclass
class ZaloBot:
    """The bot's Zalo side beside its Telegram harness."""

    bot: Harness
    zalo: FakeZaloApi
    client: ZaloClient
    edge: ZaloEdge
    links: Links = field(default_factory=FakeLinks)

    @property
    def channel(self) -> ZaloChannel:
        """The Zalo channel port (the outbox delivers on it too)."""
        offers = ChatOffers(self.bot.store.offers, self.bot.clock)
        return ZaloChannel(self.client, self.links, self.bot.services.catalog, offers=offers)

    async def drain_outbox(self) -> int:
        """Send everything due, on Telegram and on Zalo; how many rows were handled."""
        sender = self.bot.sender(others={Channel.ZALO: self.channel})
        total = 0
        while handled := await sender.drain_once():
            total += handled
        return total

    def edge_again(self) -> ZaloEdge:
        """A second edge on the same database (another replica)."""
        return make_edge(self.bot, self.client, self.links)

    def with_links(self, links: Links) -> ZaloBot:
        """The same bot whose files become ``links`` (e.g. real ones on its web server)."""
        edge = make_edge(self.bot, self.client, links)
        return ZaloBot(self.bot, self.zalo, self.client, edge, links)

    async def hand(self, body: dict[str, object], edge: ZaloEdge | None = None) -> None:
        """Give the edge one event body, as the poller or the webhook would, and wait until
        it has been answered."""
        edge = edge or self.edge
        for event in parse_body(body):
            assert isinstance(event, Event)
            await edge.on_event(event)
        await self.settle(edge)

    async def settle(self, edge: ZaloEdge | None = None) -> None:
        """Drain every Zalo lane with rows recorded, as the lane runner would, through
        ``edge``'s handler (the production ``Drainer``)."""
        drainer = Drainer(self.bot.store.inbox, (edge or self.edge).handle_row, self.bot.clock)
        while lanes := [
            lane
            for lane in await self.bot.store.inbox.lanes_with_todo(1000)
            if channel_of(lane) == "zalo"
        ]:
            for lane in lanes:
                await drainer.drain(lane)


def make_edge(
    bot: Harness,
    client: ZaloClient,
    links: Links | None = None,
    wake: Callable[[str], None] = lambda lane: None,  # the test drains (``ZaloBot.settle``)
) -> ZaloEdge:
    """The Zalo edge on the harness's services and store (files as ``links``, else fake ones),
    recording in the inbox and telling ``wake`` the lane."""
    catalog = bot.services.catalog
    return ZaloEdge(
        build_conversation(bot.services),
        ZaloChannel(
            client, links or FakeLinks(), catalog, offers=ChatOffers(bot.store.offers, bot.clock)
        ),
        bot.store.offers,
        bot.services.presenter,
        bot.clock,
        bot.store.inbox,
        wake,
    )


@asynccontextmanager
async def zalo_bot_on(bot: Harness) -> AsyncIterator[ZaloBot]:
    """The bot with 2022 open, reachable on the offline Zalo Bot API."""
    await bot.open_campaign()
    zalo = FakeZaloApi()
    await zalo.start()
    try:
        async with ZaloClient(zalo.token, zalo.url, timeout=10.0) as client:
            yield ZaloBot(bot, zalo, client, make_edge(bot, client))
    finally:
        await zalo.stop()


class ZaloChat:
    """One person writing to the bot on Zalo."""

    def __init__(self, side: ZaloBot, user: FakeZaloUser) -> None:
        self._side = side
        self.user = user

    @property
    def received(self) -> list[str]:
        """Every text the bot sent this person."""
        return [sent.text for sent in self._side.zalo.sent(self.user.id)]

    @property
    def last(self) -> str:
        """The last text received."""
        return self.received[-1]

    async def send(self, text: str) -> list[str]:
        """Type ``text``; the messages it brought back."""
        before = len(self.received)
        await self._side.hand(self._side.zalo.text(self.user, text))
        return self.received[before:]

    async def choose(self, label: str) -> list[str]:
        """Type the number shown before ``label`` in the last message."""
        for line in self.last.splitlines():
            number, _, shown = line.partition(". ")
            if shown == label and number.isdigit():
                return await self.send(number)
        raise AssertionError(f"no numbered choice {label!r} in: {self.last}")


async def invite_code(bot: Harness, person_code: str) -> str:
    """An open invite code of ``person_code``."""
    batch = await bot.services.roster.issue_invites(None, None)
    return next(row.code for row in batch.open if row.person_code == person_code)


def code_in(text: str) -> str:
    """The ABCD-EFGH-JKMN code in a message."""
    found = re.search(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}", text)
    assert found is not None, text
    return found.group(0)


@asynccontextmanager
async def served_links(bot: Harness) -> AsyncIterator[tuple[ChatLinks, str]]:
    """Real download links (LINK_DAYS of the settings) on the bot's web server on 127.0.0.1;
    yields them and the server's address."""
    lifetime = timedelta(days=bot.settings.link_days)
    downloads = DownloadService(bot.store.links, bot.store.accounts, bot.services.audit, lifetime)
    server = WebServer(web_app(downloads, bot.clock))
    url = await server.start("127.0.0.1", 0)
    try:
        yield links_for(downloads, bot.store.links, url, bot.clock), url
    finally:
        await server.stop()
