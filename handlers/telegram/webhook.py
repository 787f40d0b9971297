"""Telegram's webhook: updates POSTed by Telegram, recorded in the inbox before the 200.

Telegram redelivers an update until it gets a 2xx, and delivers up to ``max_connections`` at
once, so the receiver:

- refuses a request without the right ``X-Telegram-Bot-Api-Secret-Token`` with 403 (compared in
  constant time), recording nothing;
- answers 400 to a body that is no JSON, and 200 to JSON that is no update (no ``update_id``):
  retrying it would not make it one;
- records the update (``InboxStore.record``: key and seq its update_id, lane its sender) and
  answers 200 only once that row has committed, 500 if the database failed (Telegram tries
  again); a redelivered update_id is recorded once and answered 200;
- then wakes the sender's lane; the inbox puts the person's updates back in update_id order.

The secret is derived from the bot token with HMAC (``webhook_secret``), not drawn at random:
every replica computes the same one without a shared store or a race to create it, so the
``setWebhook`` each replica makes at start is the same call; it changes when the token is
reset, and it is no weaker than the token (whoever has the token can call setWebhook anyway).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from bot.domain.inbox import lane_name
from bot.services.metrics import Metrics
from bot.services.ports import Clock, InboxStore
from handlers.telegram.polling import ALLOWED_UPDATES, sender_of

log = logging.getLogger(__name__)
PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
CHANNEL = "telegram"
MAX_CONNECTIONS = 40  # Telegram's default; its limit is 100
# my_chat_member too (a person blocking the bot): taken and ignored, so that if Telegram numbers
# the update types it was not asked for as well, fewer ids are missing from the sequence
WEBHOOK_UPDATES = [*ALLOWED_UPDATES, "my_chat_member"]

Receiver = Callable[[web.Request], Awaitable[web.StreamResponse]]


def webhook_secret(token: str) -> str:
    """The webhook's secret derived from the bot token (64 hex digits: Telegram allows 1-256 of
    A-Z, a-z, 0-9, _ and -)."""
    return hmac.new(token.encode(), b"chuyende telegram webhook", hashlib.sha256).hexdigest()


def lane_of(update: dict[str, Any]) -> str:
    """The lane of an update: its sender's, or ``t:-`` for one without a sender."""
    sender = sender_of(update)
    return lane_name(CHANNEL, sender if sender is not None else "-")


def webhook_receiver(
    secret: str,
    inbox: InboxStore,
    clock: Clock,
    wake: Callable[[str], None],
    metrics: Metrics | None = None,
) -> Receiver:
    """The aiohttp handler of ``POST /telegram``; ``metrics`` counts each POST: ``refused``
    (the secret, not JSON), ``new`` or ``duplicate``."""
    expected = secret.encode()
    counted = metrics or Metrics()

    async def receive(request: web.Request) -> web.StreamResponse:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, expected):
            log.warning("a telegram webhook POST without the right secret: refused")
            counted.received(CHANNEL, "refused")
            return web.Response(status=403)
        try:
            update = json.loads(await request.read())
        except (ValueError, UnicodeDecodeError):
            counted.received(CHANNEL, "refused")
            return web.Response(status=400, text="not JSON")
        update_id = update.get("update_id") if isinstance(update, dict) else None
        if not isinstance(update_id, int) or isinstance(update_id, bool):
            log.warning("a telegram webhook POST without an update_id: ignored")
            return web.Response()
        lane = lane_of(update)
        body = json.dumps(update, ensure_ascii=False, separators=(",", ":"))
        try:
            new = await inbox.record(CHANNEL, str(update_id), lane, update_id, body, clock.now())
        except Exception:
            log.exception("telegram update %d could not be recorded", update_id)
            return web.Response(status=500)
        counted.received(CHANNEL, "new" if new else "duplicate")
        wake(lane)  # a redelivery too: harmless, and it takes up a row a lost wake left
        return web.Response()

    return receive
