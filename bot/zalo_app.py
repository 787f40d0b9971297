"""The Zalo side of a running bot: its client, channel, edge, web server and way of receiving.

Built by the composition root (``bot.app.serve``) when ``ZALO_BOT_TOKEN`` is set. Receiving is
long polling (``getUpdates``) by default, or Zalo's webhook when ``PUBLIC_URL`` is set: the bot's
own web server (WEB_HOST:WEB_PORT, which also hands out the download links) takes the POSTs at
``/zalo`` and checks their secret header. Either way each event is recorded in the inbox (the
webhook answers 200 only after that commit) and handled by the process's lane runner, which
hands Zalo rows to ``ZaloEdge.handle_row`` (``bot/app.py``): at least once, in order per sender.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass

from bot.config import Settings
from bot.domain.models import Channel
from bot.locales import Catalog
from bot.services.downloads import ChatLinks
from bot.services.metrics import Metrics
from bot.services.ports import Clock, InboxStore, OfferStore
from bot.services.replies import Presenter
from handlers.routes import Conversation
from handlers.web.server import WebServer
from handlers.zalo.channel import ChatOffers, ZaloChannel
from handlers.zalo.client import ZaloClient, client_for
from handlers.zalo.polling import Poller, webhook_receiver, webhook_secret
from handlers.zalo.updates import ZaloEdge
from scheduler.timer import RealTimer

log = logging.getLogger(__name__)
WEBHOOK_PATH = "/zalo"


@dataclass(frozen=True, slots=True)
class ZaloSide:
    """What the rest of the bot needs of Zalo: the channel to deliver on, the edge."""

    client: ZaloClient
    channel: ZaloChannel
    edge: ZaloEdge
    webhook_url: str | None  # where Zalo POSTs events; None: the bot polls
    polls: int = 1  # long polls at once (ZALO_POLLS)
    metrics: Metrics | None = None  # counts the redeliveries the poller drops

    async def receive(self, stop: asyncio.Event) -> None:
        """Take events until ``stop`` is set (a refused token ends it with ``TokenRefused``)."""
        if self.webhook_url is not None:
            await stop.wait()  # the web server takes them
        else:
            poller = Poller(
                self.client,
                self.edge.on_event,
                RealTimer(),
                stop,
                polls=self.polls,
                metrics=self.metrics,
            )
            await poller.run()


@asynccontextmanager
async def zalo_side(
    settings: Settings,
    conversation: Conversation,
    links: ChatLinks,
    web: WebServer,
    offers: OfferStore,
    presenter: Presenter,
    catalog: Catalog,
    clock: Clock,
    metrics: Metrics | None,
    inbox: InboxStore,
    wake: Callable[[str], None],
) -> AsyncIterator[ZaloSide | None]:
    """The Zalo side while it runs (None without ``ZALO_BOT_TOKEN``); the web server is started
    for the download links and, with ``PUBLIC_URL``, for the webhook. ``metrics`` counts the
    events received and handled, and Zalo's 429s. Events are recorded in ``inbox`` and
    their lane woken with ``wake`` (see ``ZaloEdge``)."""
    metrics = metrics or Metrics()
    client = client_for(settings, on_429=lambda: metrics.rate_limited(Channel.ZALO))
    if client is None:
        yield None
        return
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(client)
        channel = ZaloChannel(client, links, catalog, offers=ChatOffers(offers, clock))
        edge = ZaloEdge(
            conversation,
            channel,
            offers,
            presenter,
            clock,
            inbox,
            wake,
            metrics=metrics,
        )
        webhook: str | None = None
        token = settings.zalo_bot_token
        if settings.public_url and token is not None:
            secret = webhook_secret(token.get_secret_value())
            web.add_post(WEBHOOK_PATH, webhook_receiver(secret, edge.on_event, metrics=metrics))
            webhook = f"{settings.public_url}{WEBHOOK_PATH}"
        await web.start(settings.web_host, settings.web_port)
        stack.push_async_callback(web.stop)
        if webhook is not None and token is not None:
            await client.set_webhook(webhook, webhook_secret(token.get_secret_value()))
        else:
            await client.delete_webhook()  # getUpdates is refused while a webhook is set
        log.info("zalo: receiving by %s", "webhook" if webhook else "polling")
        yield ZaloSide(client, channel, edge, webhook, settings.zalo_polls, metrics)
