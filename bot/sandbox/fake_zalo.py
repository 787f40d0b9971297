"""A fake Zalo Bot API server on 127.0.0.1, encoding what is known of Zalo's rules (ZALO.md).

It answers ``<root>/bot<token>/<method>`` (method names case-sensitive), records every call,
keeps what the bot sent per chat, and refuses what Zalo refuses: a wrong token (401), an unknown
method (404), a missing ``chat_id``, a text empty or over 2000 characters, a webhook secret outside
8-256 characters, ``getUpdates`` while a webhook is set. ``getUpdates`` hands out one event per
call, with no offset (the server keeps the cursor), or ``ok: false, error_code: 408`` when nothing
arrived within ``timeout``. With a webhook set, events are POSTed to it instead, with the header
``X-Bot-Api-Secret-Token``.

The test side injects what people send (text, image, sticker, unsupported content), the same
event twice (a redelivery), and faults (429, 5xx, an answer held until released); tests wait on
``until`` (woken by each call), never for a while.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

MAX_TEXT = 2000  # characters of a text or a caption
SECRET_HEADER = "X-Bot-Api-Secret-Token"
SECRET_LENGTH = range(8, 257)
CHAT_ACTIONS = frozenset({"typing", "upload_photo"})
PATIENCE = 120.0  # seconds: a safety net for a hung test, never a pause

JSON = dict[str, Any]


class ZaloError(Exception):
    """An error answer of the Zalo Bot API."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.code, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Fault:
    """Answer ``times`` calls of ``method`` with an error, or hold them until ``release`` is set
    (a slow server: the caller's time-out decides)."""

    method: str = "*"
    code: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    times: int = 1
    release: asyncio.Event | None = None  # hold the answer until this is set (or the server stops)

    def matches(self, method: str) -> bool:
        return self.times > 0 and self.method in ("*", method)


@dataclass
class Call:
    """One request the bot made, with the code it was answered."""

    method: str
    params: JSON
    code: int  # 200, or the error_code answered


@dataclass
class Sent:
    """A message the bot sent."""

    message_id: str
    chat_id: str
    kind: str  # "text" or "photo"
    text: str = ""  # the text, or a photo's caption
    photo: str | None = None  # the photo's URL


@dataclass(frozen=True)
class FakeZaloUser:
    """A Zalo user (ids are strings of hex digits, as Zalo's are)."""

    id: str
    display_name: str = "Ted"


@dataclass
class Delivery:
    """One POST of an event to the bot's webhook, and the HTTP status it answered."""

    event: JSON
    secret: str
    status: int


@dataclass
class FakeZaloApi:
    """The server. ``await api.start()`` returns the root URL for ZALO_API_URL."""

    token: str = "1459232241454765289:FakeZaloTokenForTestsOnly-abcdefghijklmnopqrstuv"
    bot_id: str = "1459232241454765289"
    # Zalo wants an https webhook; tests serve the bot's receiver on plain http at 127.0.0.1.
    allow_http_webhook: bool = False
    latency: float = 0.0  # seconds added to every call before it is answered (a network)
    # Errors answered with the HTTP status equal to error_code; False: HTTP 200, ok: false.
    error_http_status: bool = True
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    users: dict[str, FakeZaloUser] = field(default_factory=dict)
    messages: dict[str, list[Sent]] = field(default_factory=dict)
    deliveries: list[Delivery] = field(default_factory=list)
    webhook_url: str = ""
    webhook_secret: str = ""
    on_call: list[Callable[[Call], None]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self._events: deque[JSON] = deque()
        self._arrived = asyncio.Condition()
        self._closing = asyncio.Event()
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.polling = asyncio.Event()  # set while a long poll waits (tests wait on it)
        self.waiting = 0  # long polls waiting now
        self.holding = asyncio.Event()  # set once a call held by ``hold`` has arrived
        self._wakers: set[asyncio.Event] = set()  # ``until`` looks again when a poll waits
        self.url = ""

    # ----------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: any free port) and return the root URL."""
        app = web.Application()
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, host, port).start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        """Stop serving; long polls and held answers are released at once."""
        self._closing.set()
        async with self._arrived:
            self._arrived.notify_all()
        if self._session is not None:
            await self._session.close()
            self._session = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- test side
    def new_id(self) -> str:
        """A fresh message id, 20 hex digits like Zalo's."""
        return f"{next(self._ids):020x}"

    def event(self, name: str, user: FakeZaloUser, **content: object) -> JSON:
        """An event body as Zalo sends it: ``{"ok": true, "result": {...}}``."""
        self.users[user.id] = user
        message: JSON = {
            "from": {"id": user.id, "display_name": user.display_name, "is_bot": False},
            "chat": {"id": user.id, "chat_type": "PRIVATE"},
            "message_id": self.new_id(),
            "date": int(time.time() * 1000),
            **content,
        }
        return {"ok": True, "result": {"event_name": name, "message": message}}

    def text(self, user: FakeZaloUser, text: str) -> JSON:
        """A text message from ``user``."""
        return self.event("message.text.received", user, text=text)

    def image(self, user: FakeZaloUser, url: str, caption: str | None = None) -> JSON:
        """A picture from ``user``."""
        extra = {"caption": caption} if caption is not None else {}
        return self.event("message.image.received", user, photo=url, **extra)

    def sticker(self, user: FakeZaloUser, sticker: str = "0e078a2fb66a5f34067b") -> JSON:
        """A sticker from ``user``."""
        return self.event(
            "message.sticker.received", user, sticker=sticker, url=f"https://zalo.test/{sticker}"
        )

    def unsupported(self, user: FakeZaloUser) -> JSON:
        """What a protected user (a minor, say) sends: its content hidden."""
        return self.event("message.unsupported.received", user)

    async def push(self, event: JSON) -> int | None:
        """Hand ``event`` to the bot: POSTed to the webhook when one is set (its HTTP status is
        returned), else queued for ``getUpdates`` (None). Pushing the same event again is a
        redelivery."""
        if self.webhook_url:
            return await self._deliver(event)
        async with self._arrived:
            self._events.append(event)
            self._arrived.notify_all()
        return None

    def fail(
        self,
        method: str = "*",
        code: int = 500,
        description: str = "Internal Server Error",
        times: int = 1,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` with ``code``."""
        self.faults.append(Fault(method, code, description, retry_after, times))

    def hold(self, method: str = "*") -> asyncio.Event:
        """Hold the next answer to ``method`` until the returned event is set."""
        release = asyncio.Event()
        self.faults.append(Fault(method, code=200, release=release))
        return release

    def sent(self, chat_id: str) -> list[Sent]:
        """What the bot sent to a chat, oldest first."""
        return self.messages.get(chat_id, [])

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    def pending(self) -> int:
        """Events queued and not yet fetched by ``getUpdates``."""
        return len(self._events)

    async def until(self, check: Callable[[], bool], patience: float = PATIENCE) -> None:
        """Return once ``check()`` holds, looking again after each call the bot makes and each
        time a long poll starts waiting."""
        called = asyncio.Event()

        def listener(call: Call) -> None:
            called.set()

        self.on_call.append(listener)
        self._wakers.add(called)
        try:
            async with asyncio.timeout(patience):
                while not check():
                    called.clear()
                    await called.wait()
        finally:
            self.on_call.remove(listener)
            self._wakers.discard(called)

    # ----------------------------------------------------------------- server side
    async def _deliver(self, event: JSON) -> int:
        if self._session is None:
            self._session = aiohttp.ClientSession()
        headers = {SECRET_HEADER: self.webhook_secret}
        try:
            async with self._session.post(self.webhook_url, json=event, headers=headers) as answer:
                status = answer.status
        except aiohttp.ClientError:
            status = 0
        self.deliveries.append(Delivery(event, self.webhook_secret, status))
        return status

    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.match_info["token"] != self.token:
            return self._answer(method, params, ZaloError(401, "Unauthorized"))
        if self.latency:
            await asyncio.sleep(self.latency)
        for fault in self.faults:
            if fault.matches(method):
                fault.times -= 1
                if fault.release is not None:
                    self.holding.set()
                    await _first(fault.release.wait(), self._closing.wait())
                    break
                return self._answer(
                    method, params, ZaloError(fault.code, fault.description, fault.retry_after)
                )
        handler = self._methods().get(method)
        if handler is None:
            return self._answer(method, params, ZaloError(404, "Not Found"))
        try:
            result = await handler(params)
        except ZaloError as error:
            return self._answer(method, params, error)
        return self._answer(method, params, result)

    @staticmethod
    async def _params(request: web.Request) -> JSON:
        params: JSON = dict(request.query)
        if request.content_type == "application/json":
            try:
                body = await request.json()
            except ValueError:
                body = None
            params.update(body if isinstance(body, dict) else {})
        elif request.can_read_body:
            params.update({k: str(v) for k, v in (await request.post()).items()})
        return params

    def _answer(self, method: str, params: JSON, outcome: Any) -> web.Response:
        if isinstance(outcome, ZaloError):
            code, body = outcome.code, outcome.body()
        else:
            code, body = 200, {"ok": True, "result": outcome}
        call = Call(method, params, code)
        self.calls.append(call)
        for listener in list(self.on_call):
            listener(call)
        headers = {}
        if isinstance(outcome, ZaloError) and outcome.retry_after is not None:
            headers["Retry-After"] = str(outcome.retry_after)
        status = code if self.error_http_status else 200
        return web.json_response(body, status=status, headers=headers)

    def _methods(self) -> dict[str, Callable[[JSON], Awaitable[Any]]]:
        return {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "setWebhook": self._set_webhook,
            "deleteWebhook": self._delete_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "sendMessage": self._send_message,
            "sendPhoto": self._send_photo,
            "sendChatAction": self._send_chat_action,
        }

    # ----------------------------------------------------------------- checks
    def _chat(self, params: JSON) -> str:
        chat_id = params.get("chat_id")
        if chat_id is None or str(chat_id) == "":
            raise ZaloError(400, "Bad Request: chat_id is required")
        if str(chat_id) not in self.users:
            raise ZaloError(400, "Bad Request: chat not found")
        return str(chat_id)

    @staticmethod
    def _text(params: JSON, key: str, required: bool) -> str:
        value = params.get(key)
        text = "" if value is None else str(value)
        if required and not text:
            raise ZaloError(400, f"Bad Request: {key} is required")
        if len(text) > MAX_TEXT:
            raise ZaloError(400, f"Bad Request: {key} must be 1 to {MAX_TEXT} characters")
        return text

    def _store(self, sent: Sent) -> JSON:
        self.messages.setdefault(sent.chat_id, []).append(sent)
        return {"message_id": sent.message_id, "date": int(time.time() * 1000)}

    def _webhook(self) -> JSON:
        return {"url": self.webhook_url, "updated_at": int(time.time() * 1000)}

    # ----------------------------------------------------------------- methods
    async def _get_me(self, params: JSON) -> JSON:
        return {
            "id": self.bot_id,
            "account_name": "bot.FakeZalo",
            "account_type": "BASIC",
            "can_join_groups": False,
        }

    async def _get_updates(self, params: JSON) -> JSON:
        if self.webhook_url:
            raise ZaloError(400, "Bad Request: a webhook is set; delete it to use getUpdates")
        try:
            given = params.get("timeout")
            timeout = 30.0 if given is None or given == "" else float(given)
        except (TypeError, ValueError):
            raise ZaloError(400, "Bad Request: timeout must be a number") from None
        async with self._arrived:
            if not self._events and not self._closing.is_set():
                self.polling.set()
                self.waiting += 1
                for waker in self._wakers:
                    waker.set()
                try:
                    # woken with the event taken by another poll: wait on (Zalo would)
                    arrived = self._arrived.wait_for(
                        lambda: bool(self._events) or self._closing.is_set()
                    )
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(arrived, timeout)
                finally:
                    self.waiting -= 1
                if not self.waiting:
                    self.polling.clear()
            if not self._events:
                raise ZaloError(408, "Request timeout")
            event: JSON = self._events.popleft()["result"]
            return event

    async def _set_webhook(self, params: JSON) -> JSON:
        url = str(params.get("url") or "")
        secret = str(params.get("secret_token") or "")
        schemes = ("https://", "http://") if self.allow_http_webhook else ("https://",)
        if not url.startswith(schemes):
            raise ZaloError(400, "Bad Request: url must be an https URL")
        if len(secret) not in SECRET_LENGTH:
            raise ZaloError(400, "Bad Request: secret_token must be 8 to 256 characters")
        self.webhook_url, self.webhook_secret = url, secret
        return self._webhook()

    async def _delete_webhook(self, params: JSON) -> JSON:
        self.webhook_url, self.webhook_secret = "", ""
        return self._webhook()

    async def _get_webhook_info(self, params: JSON) -> JSON:
        return self._webhook()

    async def _send_message(self, params: JSON) -> JSON:
        chat_id = self._chat(params)
        text = self._text(params, "text", required=True)
        return self._store(Sent(self.new_id(), chat_id, "text", text))

    async def _send_photo(self, params: JSON) -> JSON:
        chat_id = self._chat(params)
        photo = str(params.get("photo") or "")
        if not photo.startswith(("https://", "http://")):
            raise ZaloError(400, "Bad Request: photo must be a URL")
        caption = self._text(params, "caption", required=False)
        return self._store(Sent(self.new_id(), chat_id, "photo", caption, photo))

    async def _send_chat_action(self, params: JSON) -> bool:
        self._chat(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise ZaloError(400, "Bad Request: action must be typing or upload_photo")
        return True


async def _first(*waits: Awaitable[object]) -> None:
    """Return once any of ``waits`` is done; cancel the others."""
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
