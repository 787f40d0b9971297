"""An aiohttp transport for python-telegram-bot (PTB's supported ``BaseRequest`` extension point).

PTB's default httpx transport spends most of its CPU in httpcore's connection-pool bookkeeping
once hundreds of requests are in flight (measured with py-spy in bench/conversation.py: ~90% of
the echo bot's time in ``AsyncConnectionPool._assign_requests_to_connections``). aiohttp's
connector does not, so many members can be answered at once on two cores.

JSON both ways is orjson's, through the two places PTB leaves it to the transport: a body
is ``RequestData.parameters`` encoded here, and an answer is parsed by ``parse_json_payload``
(overridden as PTB's documentation suggests); what orjson refuses falls back to PTB's own
``json`` path, errors included.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable

import aiohttp
import orjson
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import JSONDict, ODVInput
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

SEND_METHODS = frozenset(
    {"sendMessage", "sendDocument", "sendPhoto", "sendMediaGroup", "copyMessage", "forwardMessage"}
)


def _retry_after(body: bytes) -> float | None:
    """The ``retry_after`` of a 429 answer, if it has one."""
    try:
        data = json.loads(body)
        return float(data["parameters"]["retry_after"])
    except (ValueError, KeyError, TypeError):
        return None


JSON_BODY = {"Content-Type": "application/json"}


def _body(request_data: RequestData | None) -> aiohttp.FormData | bytes | None:
    """The request body (built afresh for each attempt: aiohttp consumes a FormData).

    Without files the parameters go as one JSON document, which the Bot API takes for every
    method but uploads: a form body cost aiohttp a ``FormData`` per request (and with it a
    multipart writer whose boundary is a fresh ``uuid4``, read from ``os.urandom``) and
    ``urlencode`` of every parameter, about a tenth of the bot's CPU per update."""
    if request_data is None:
        return None
    if not request_data.contains_files:  # nested objects as JSON, not as JSON in a string
        parameters = request_data.parameters
        try:
            return orjson.dumps(parameters)
        except TypeError:  # what orjson does not take (an int beyond 64 bits, say)
            return json.dumps(parameters, ensure_ascii=False).encode()
    files = request_data.multipart_data
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in files.items():
        form.add_field(name, content, filename=filename, content_type=mimetype)
    return form


class AiohttpRequest(BaseRequest):
    """Sends Bot API requests with one shared aiohttp session."""

    def __init__(
        self,
        connection_pool_size: int = 1024,
        read_timeout: float | None = 10.0,
        write_timeout: float | None = 20.0,
        connect_timeout: float | None = 10.0,
        pool_timeout: float | None = 30.0,
        on_send: Callable[[], None] | None = None,
        wait_on_429: float = 0.0,
        on_429: Callable[[], None] | None = None,
    ) -> None:
        """``on_send`` is told of every message sent (the outbox's pacer counts replies);
        with ``wait_on_429`` a 429 asking to wait at most that many seconds is waited out and
        the request sent once more, so a reply is late rather than lost; ``on_429`` is told of
        every 429 answer (the metrics count them)."""
        self._on_send = on_send
        self._on_429 = on_429
        self._wait_on_429 = wait_on_429
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @staticmethod
    def parse_json_payload(payload: bytes) -> JSONDict:
        """Telegram's answer parsed by orjson; PTB's parser for what orjson refuses (invalid
        UTF-8, which PTB replaces; invalid JSON, which PTB reports as a ``TelegramError``)."""
        try:
            parsed: JSONDict = orjson.loads(payload)
        except orjson.JSONDecodeError:
            return BaseRequest.parse_json_payload(payload)
        return parsed

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout in seconds."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (idempotent)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._pool_size, limit_per_host=self._pool_size)
            self._session = aiohttp.ClientSession(connector=connector)

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    @staticmethod
    def _value(given: ODVInput[float], default: float | None) -> float | None:
        return default if isinstance(given, DefaultValue) else given

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """One HTTP request; network trouble becomes NetworkError, time-outs TimedOut."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        read = self._value(read_timeout, self._read_timeout)
        write = self._value(write_timeout, self._write_timeout)
        connect = self._value(connect_timeout, self._connect_timeout)
        pool = self._value(pool_timeout, self._pool_timeout)
        # aiohttp counts waiting for a free pooled connection as part of "connect".
        waiting = None if connect is None or pool is None else connect + pool
        timeout = aiohttp.ClientTimeout(
            total=None,
            connect=waiting,
            sock_connect=connect,
            sock_read=None if read is None else read + (write or 0.0),
        )
        sends = self._on_send is not None and url.rsplit("/", 1)[-1] in SEND_METHODS
        for attempt in range(2):
            if sends and self._on_send is not None:
                self._on_send()
            status, body = await self._once(session, method, url, _body(request_data), timeout)
            if status == 429 and self._on_429 is not None:
                self._on_429()
            wait = _retry_after(body) if status == 429 and attempt == 0 else None
            if wait is None or wait > self._wait_on_429:
                break
            await asyncio.sleep(wait)
        return status, body

    @staticmethod
    async def _once(
        session: aiohttp.ClientSession,
        method: str,
        url: str,
        data: aiohttp.FormData | bytes | None,
        limits: aiohttp.ClientTimeout,
    ) -> tuple[int, bytes]:
        headers = JSON_BODY if isinstance(data, bytes) else None
        try:
            async with session.request(
                method, url, data=data, headers=headers, timeout=limits
            ) as response:
                return response.status, await response.read()
        except TimeoutError as error:
            raise TimedOut from error
        except asyncio.TimeoutError as error:  # noqa: UP041 - aiohttp may raise the asyncio alias
            raise TimedOut from error
        except aiohttp.ClientError as error:
            raise NetworkError(f"aiohttp: {type(error).__name__}: {error}") from error
