"""A thin client of the Zalo Bot API: ``POST <root>/bot<token>/<method>`` with a JSON body.

Why not a library: python-zalo-bot (a fork of python-telegram-bot) and zalobot-python are young,
each kept by one person, and some still call the old host ``bot-api.zapps.me``; the API itself is
a handful of POSTs answered ``{"ok", "result", "description", "error_code"}``. A few dozen lines on
aiohttp, which the bot already uses, are easier to keep right than a second bot framework.

Every answer becomes a result or one of the channel port's errors (``classify``: the one place to
change when Zalo turns out to mean something else by a code). The token is part of every URL: it
never appears in a log line or an exception's message, and aiohttp's own exceptions (whose text
may quote the URL) are not chained.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any

import aiohttp

from bot.config import Settings
from bot.services.channels import BadRequest, ChannelError, RateLimited, Transient

DEFAULT_API_URL = "https://bot-api.zaloplatforms.com"
DEFAULT_RETRY_AFTER = 30.0  # seconds to wait after a 429 that does not say (Zalo documents none)
REQUEST_TIMEOUT = 15.0  # seconds for one call (a long poll gets its own timeout on top)
NO_EVENT = 408  # what an idle getUpdates ends with: normal, not an error
REDACTED = "[token]"

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answer of the Zalo Bot API, before it is classified."""

    def __init__(self, code: int, message: str, retry_after: float | None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retry_after = retry_after


class TokenRefused(ChannelError):
    """Zalo refused the bot token (401): ZALO_BOT_TOKEN is wrong or was reset; sending again
    will not help until it is fixed."""


def classify(
    code: int, description: str, retry_after: float | None, default_wait: float
) -> ChannelError:
    """The channel-neutral error for a Zalo error code (ZALO.md's table)."""
    if code == 429:  # quota exceeded
        return RateLimited(description, retry_after if retry_after is not None else default_wait)
    if code == 401:
        return TokenRefused(f"Zalo refused the bot token (check ZALO_BOT_TOKEN): {description}")
    if code in (400, 404):  # a request Zalo cannot take (404: a method it does not have)
        return BadRequest(description)
    # 403 is documented as "internal error", not as "the person blocked the bot": treating it
    # as Blocked would mark people unreachable (and tell their secretary) on a server hiccup,
    # so it is retried like a 5xx; change it here if Zalo turns out to use it for blocks.
    return Transient(description)


def _retry_after(body: Mapping[str, Any], header: str | None) -> float | None:
    """The pause a 429 asked for: ``parameters.retry_after``, ``retry_after`` or the header."""
    parameters = body.get("parameters")
    candidates = (
        parameters.get("retry_after") if isinstance(parameters, Mapping) else None,
        body.get("retry_after"),
        header,
    )
    for value in candidates:
        try:
            seconds = float(value) if value is not None else None
        except (TypeError, ValueError):
            continue
        if seconds is not None and seconds >= 0:
            return seconds
    return None


class ZaloClient:
    """Calls the Zalo Bot API with one aiohttp session."""

    def __init__(
        self,
        token: str,
        api_url: str = DEFAULT_API_URL,
        *,
        timeout: float = REQUEST_TIMEOUT,
        retry_after: float = DEFAULT_RETRY_AFTER,
        on_429: Callable[[], None] | None = None,
    ) -> None:
        """``retry_after``: the pause assumed when a 429 does not give one; ``on_429`` is told
        of every 429 answer (the metrics count them)."""
        self._on_429 = on_429
        self._token = token
        self._root = api_url.rstrip("/")
        self._timeout = timeout
        self._retry_after = retry_after
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> ZaloClient:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        await self.close()

    async def start(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession()

    async def close(self) -> None:
        """Close the session."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def redact(self, text: str) -> str:
        """``text`` with the token replaced by ``[token]``."""
        return text.replace(self._token, REDACTED) if self._token else text

    async def call(
        self, method: str, params: Mapping[str, object] | None = None, longer: float = 0.0
    ) -> Any:
        """Call ``method``; its ``result``, or the channel port's error for what went wrong.
        ``longer`` adds seconds to the usual limit (a long poll)."""
        try:
            return await self._result(method, dict(params or {}), longer)
        except ApiError as error:
            raise self.classify(error) from None

    def classify(self, error: ApiError) -> ChannelError:
        """The channel port's error for an error answer."""
        return classify(error.code, error.message, error.retry_after, self._retry_after)

    async def _result(self, method: str, params: dict[str, object], extra: float) -> Any:
        status, header, raw = await self._post(method, params, extra)
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise Transient(f"{method}: HTTP {status}, an answer that is not a JSON object")
        if body.get("ok") is True and status < 400:
            return body.get("result")
        code = body.get("error_code")
        code = code if isinstance(code, int) and not isinstance(code, bool) else status
        if code == 429 and self._on_429 is not None:
            self._on_429()
        description = self.redact(str(body.get("description") or f"HTTP {status}"))
        log.debug("zalo %s answered %s: %s", method, code, description)
        raise ApiError(code, f"{method}: {description}", _retry_after(body, header))

    async def _post(
        self, method: str, params: dict[str, object], extra: float
    ) -> tuple[int, str | None, bytes]:
        if self._session is None or self._session.closed:
            raise RuntimeError("ZaloClient is not started")
        url = f"{self._root}/bot{self._token}/{method}"
        limit = aiohttp.ClientTimeout(total=self._timeout + extra)
        try:
            async with self._session.post(url, json=params, timeout=limit) as answer:
                return answer.status, answer.headers.get("Retry-After"), await answer.read()
        except (TimeoutError, asyncio.TimeoutError):  # noqa: UP041 - aiohttp may raise the alias
            raise Transient(f"{method}: no answer within {self._timeout + extra:g} s") from None
        except aiohttp.ClientError as error:
            # ``from None``: aiohttp's message may quote the URL, and with it the token.
            reason = self.redact(f"{type(error).__name__}: {error}")
            raise Transient(f"{method}: {reason}") from None

    # ----------------------------------------------------------------- methods
    async def get_me(self) -> dict[str, Any]:
        """The bot's account: ``{id, account_name, account_type, can_join_groups}``."""
        result = await self.call("getMe")
        return dict(result) if isinstance(result, Mapping) else {}

    async def get_updates(self, wait: float) -> Any | None:
        """Wait up to ``wait`` seconds for the next event: its raw body (an object, or a list
        of them), or None when none came (Zalo's 408)."""
        params: dict[str, object] = {"timeout": str(int(wait))}
        try:
            return await self._result("getUpdates", params, wait)
        except ApiError as error:
            if error.code == NO_EVENT:
                return None
            raise self.classify(error) from None

    async def send_message(self, chat_id: str, text: str) -> str:
        """Send a text (1-2000 characters, plain); the message id."""
        return _message_id(await self.call("sendMessage", {"chat_id": chat_id, "text": text}))

    async def send_photo(self, chat_id: str, photo_url: str, caption: str | None = None) -> str:
        """Send the picture at ``photo_url`` (Zalo fetches it), with ``caption``; the message id."""
        params: dict[str, object] = {"chat_id": chat_id, "photo": photo_url}
        if caption:
            params["caption"] = caption
        return _message_id(await self.call("sendPhoto", params))

    async def send_chat_action(self, chat_id: str, action: str = "typing") -> None:
        """Show "typing..." in the chat for a moment."""
        await self.call("sendChatAction", {"chat_id": chat_id, "action": action})

    async def set_webhook(self, url: str, secret_token: str) -> None:
        """Have events POSTed to ``url`` (https) with ``secret_token`` in a header."""
        await self.call("setWebhook", {"url": url, "secret_token": secret_token})

    async def delete_webhook(self) -> None:
        """Stop the webhook (getUpdates works again)."""
        await self.call("deleteWebhook")

    async def get_webhook_info(self) -> dict[str, Any]:
        """``{url, updated_at}`` of the webhook (``url`` empty when none is set)."""
        result = await self.call("getWebhookInfo")
        return dict(result) if isinstance(result, Mapping) else {}


def client_for(settings: Settings, on_429: Callable[[], None] | None = None) -> ZaloClient | None:
    """The client ``settings`` configure (ZALO_BOT_TOKEN, ZALO_API_URL); None without a token.
    ``on_429`` is told of every 429 answer."""
    token = settings.zalo_bot_token
    if token is None or not token.get_secret_value():
        return None
    return ZaloClient(token.get_secret_value(), settings.zalo_api_url, on_429=on_429)


def _message_id(result: object) -> str:
    """The ``message_id`` of a send's result (a string; empty if Zalo gave none)."""
    if isinstance(result, Mapping):
        value = result.get("message_id")
        return "" if value is None else str(value)
    return ""
