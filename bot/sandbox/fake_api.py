"""A fake Telegram Bot API server on 127.0.0.1 that the real python-telegram-bot talks to.

It answers the methods the bot uses, records every call, keeps each chat's messages, and refuses
what Telegram refuses (long texts, bad HTML, oversized callback data, unknown chats). Faults are
injected per method: 429 with ``retry_after``, 403 blocked users, 5xx, slow or hanging answers.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import random
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from aiohttp import web

from bot.domain.telegram_html import EntityError, parse_html, utf16_len

NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are"
    " exactly the same as a current content and reply markup of the message"
)
CONFLICT = (
    "Conflict: terminated by other getUpdates request; make sure that only one bot instance is"
    " running"
)
MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64
MAX_CALLBACK_ANSWER = 200
MAX_GET_FILE = 20 * 1024 * 1024  # getFile refuses files above 20 MB ("file is too big")
FILE_TOO_BIG = "Bad Request: file is too big"
_STRING_PARAMS = {
    "text",
    "caption",
    "parse_mode",
    "callback_query_id",
    "url",
    "description",
    "name",
    "file_id",
    "secret_token",
}
WEBHOOK_CONFLICT = (
    "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete"
    " the webhook first"
)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
REDELIVER_AFTER = 0.02  # seconds before a webhook POST not answered 200 is made again

JSON = dict[str, Any]


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, status: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.retry_after is not None:
            body["parameters"] = {"retry_after": self.retry_after}
        return body


@dataclass
class Fault:
    """Answer ``times`` matching calls with an error (or delay them) instead of the real answer."""

    method: str = "*"
    status: int = 500
    description: str = "Internal Server Error"
    retry_after: int | None = None
    times: int = 1
    chat_id: int | None = None
    delay: float = 0.0  # seconds to wait before answering (a slow or hanging server)
    # "error": the status above; "malformed": 200 with a body that is not JSON (a broken proxy);
    # "drop": the connection is closed without an answer.
    kind: str = "error"

    def matches(self, method: str, params: JSON) -> bool:
        if self.times <= 0 or self.method not in ("*", method):
            return False
        return self.chat_id is None or _int(params.get("chat_id")) == self.chat_id


@dataclass
class Call:
    """One request the bot made, with what it was answered."""

    method: str
    params: JSON
    status: int
    result: Any
    at: float


@dataclass
class Message:
    """A message the bot sent (and may have edited since)."""

    message_id: int
    chat_id: int
    text: str
    parse_mode: str | None
    reply_markup: JSON | None
    kind: str = "text"
    file_name: str | None = None
    file_bytes: bytes | None = None
    edits: int = 0

    @property
    def plain(self) -> str:
        """The text as the person sees it (tags removed, entities decoded)."""
        return parse_html(self.text) if self.parse_mode == "HTML" else self.text

    def inline_buttons(self) -> list[JSON]:
        """Every inline button, row by row."""
        rows = (self.reply_markup or {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def keyboard_buttons(self) -> list[JSON]:
        """Every reply-keyboard button, as dicts with at least ``text``."""
        rows = (self.reply_markup or {}).get("keyboard", [])
        return [
            button if isinstance(button, dict) else {"text": button}
            for row in rows
            for button in row
        ]


@dataclass
class FakeUser:
    """A Telegram user known to the fake server."""

    id: int
    first_name: str
    phone: str | None = None
    last_name: str | None = None
    username: str | None = None

    def as_json(self) -> JSON:
        data: JSON = {
            "id": self.id,
            "is_bot": False,
            "first_name": self.first_name,
            "language_code": "vi",
        }
        if self.last_name:
            data["last_name"] = self.last_name
        if self.username:
            data["username"] = self.username
        return data


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _decode(name: str, value: str) -> Any:
    if name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


@dataclass
class FakeBotApi:
    """The server. ``await api.start()`` returns the root URL for TELEGRAM_API_URL."""

    token: str = "123456789:AAFakeTokenForTestsOnly_abcdefghijk"
    bot_id: int = 123456789
    username: str = "chuyende_test_bot"
    latency: float = 0.0
    rate_limit: float | None = None  # messages per second over all chats; above it: 429
    calls: list[Call] = field(default_factory=list)
    faults: list[Fault] = field(default_factory=list)
    blocked: set[int] = field(default_factory=set)
    users: dict[int, FakeUser] = field(default_factory=dict)
    messages: dict[int, list[Message]] = field(default_factory=dict)
    commands: dict[str, list[JSON]] = field(default_factory=dict)
    on_call: list[Callable[[Call], None]] = field(default_factory=list)
    # Files Telegram holds, by file id: what the bot uploaded and what people sent it.
    files: dict[str, JSON] = field(default_factory=dict)
    uploads: int = 0  # requests that carried a file's bytes (not a file id)
    downloads: int = 0  # files the bot fetched through getFile and the file route

    def __post_init__(self) -> None:
        self._updates: deque[JSON] = deque()
        self.last_update_id = 0  # ids only grow, across restarts too (see ``continue_after``)
        self.last_message_id = 0
        self._callback_ids: set[str] = set()
        self._callback_serial = itertools.count(1)
        self._arrived = asyncio.Condition()
        self._sent_times: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self._closing = asyncio.Event()
        self._polls = 0  # getUpdates calls so far: a long poll is cut off by any later one
        self.polling = asyncio.Event()  # set while a long poll waits (tests wait on it)
        self.url = ""
        # setWebhook's parameters while a webhook is set (url, secret_token, max_connections,
        # allowed_updates, drop_pending_updates), else None
        self.webhook: JSON | None = None
        self.deliveries: list[tuple[int, int]] = []  # (update_id, status) of each webhook POST
        self.on_delivery: list[Callable[[int, int], None]] = []  # told (update_id, status)
        self._undelivered = 0

    # ----------------------------------------------------------------- lifecycle
    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve on ``host:port`` (0: any free port) and return the root URL."""
        app = web.Application(client_max_size=60 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.url = f"http://{host}:{self._runner.addresses[0][1]}"
        return self.url

    async def stop(self) -> None:
        """Stop serving; long polls and delayed answers are released at once."""
        self._closing.set()
        async with self._arrived:
            self._arrived.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # ----------------------------------------------------------------- test side
    def add_user(self, user: FakeUser) -> None:
        """Make a user known (as if they had opened the bot)."""
        self.users[user.id] = user

    def continue_after(self, message_id: int, update_id: int) -> None:
        """Number on after ids a former run of the server used: Telegram never gives a chat a
        message id twice, and the bot takes a message id it has seen already as a repeat."""
        self.last_message_id = max(self.last_message_id, message_id)
        self.last_update_id = max(self.last_update_id, update_id)

    def _next_update_id(self) -> int:
        self.last_update_id += 1
        return self.last_update_id

    def new_update(self, payload: JSON) -> JSON:
        """Give ``payload`` (e.g. ``{"message": {...}}``) a fresh update_id."""
        return {"update_id": self._next_update_id(), **payload}

    def new_message_id(self) -> int:
        """A message id for a message a user sends."""
        self.last_message_id += 1
        return self.last_message_id

    def new_callback_id(self) -> str:
        """A callback query id the server will accept an answer for."""
        # its own numbering: an update id spent here would be a gap in the webhook's sequence
        query_id = str(next(self._callback_serial) * 7919)
        self._callback_ids.add(query_id)
        return query_id

    async def push_update(self, update: JSON) -> None:
        """Queue an update for getUpdates (long polling)."""
        async with self._arrived:
            self._updates.append(update)
            self._arrived.notify_all()

    def sent(self, chat_id: int) -> list[Message]:
        """Messages in a chat, oldest first."""
        return self.messages.get(chat_id, [])

    def calls_of(self, method: str) -> list[Call]:
        """Recorded calls of one method."""
        return [call for call in self.calls if call.method == method]

    def rejected(self) -> list[Call]:
        """Calls answered with an error (the bot did something Telegram would refuse) or broken
        on purpose by a fault."""
        return [call for call in self.calls if call.status != 200 or call.result == "malformed"]

    # ----------------------------------------------------------------- server side
    async def _handle(self, request: web.Request) -> web.Response:
        method = request.match_info["method"]
        params = await self._params(request)
        if request.match_info["token"] != self.token:
            return self._answer(method, params, ApiError(401, "Unauthorized"))
        if self.latency:
            await asyncio.sleep(self.latency)
        for fault in self.faults:
            if fault.matches(method, params):
                fault.times -= 1
                if fault.delay:
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(self._closing.wait(), fault.delay)
                if fault.kind == "drop":
                    self._record(Call(method, params, 0, "dropped", time.monotonic()))
                    if request.transport is not None:
                        request.transport.close()
                    return web.Response(status=500)  # never reaches the bot
                if fault.kind == "malformed":
                    self._record(Call(method, params, 200, "malformed", time.monotonic()))
                    return web.Response(text='{"ok": true, "resu', content_type="application/json")
                if fault.status == 200:
                    break
                return self._answer(
                    method, params, ApiError(fault.status, fault.description, fault.retry_after)
                )
        handler = getattr(self, f"_m_{method.lower()}", None)
        if handler is None:
            return self._answer(method, params, ApiError(404, "Not Found"))
        try:
            result = await handler(params)
        except ApiError as error:
            gone = request.transport is None or request.transport.is_closing()
            if error.status == 409 and gone:  # the caller gave up on that poll: nobody is told
                return web.Response(status=409)
            return self._answer(method, params, error)
        return self._answer(method, params, result)

    async def _download(self, request: web.Request) -> web.Response:
        """A file's bytes at the path getFile gave (``documents/<file id>``), as Telegram's
        file server hands them out."""
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        folder, _, file_id = request.match_info["path"].partition("/")
        found = self.files.get(file_id) if folder == "documents" else None
        if found is None or len(found.get("content") or b"") > MAX_GET_FILE:
            return web.Response(status=404)
        self.downloads += 1
        return web.Response(body=bytes(found.get("content") or b""))

    async def _params(self, request: web.Request) -> JSON:
        params: JSON = dict(request.query)
        if request.content_type == "application/json":
            body = await request.json()
            params.update(body if isinstance(body, dict) else {})
            return params
        if request.can_read_body:
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    params[name] = {"filename": value.filename, "content": value.file.read()}
                else:
                    params[name] = _decode(name, str(value))
        return params

    def _answer(self, method: str, params: JSON, outcome: Any) -> web.Response:
        if isinstance(outcome, ApiError):
            status, body = outcome.status, outcome.body()
        else:
            status, body = 200, {"ok": True, "result": outcome}
        self._record(Call(method, params, status, body.get("result", body), time.monotonic()))
        return web.json_response(body, status=status)

    def _record(self, call: Call) -> None:
        self.calls.append(call)
        for listener in self.on_call:
            listener(call)

    # ----------------------------------------------------------------- checks
    def _chat(self, params: JSON) -> int:
        chat_id = _int(params.get("chat_id"))
        if chat_id is None:
            raise ApiError(400, "Bad Request: chat_id is empty")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id not in self.users:
            raise ApiError(400, "Bad Request: chat not found")
        return chat_id

    def _rate(self) -> None:
        if self.rate_limit is None:
            return
        now = time.monotonic()
        while self._sent_times and now - self._sent_times[0] >= 1.0:
            self._sent_times.popleft()
        if len(self._sent_times) >= self.rate_limit:
            wait = max(1, round(1.0 - (now - self._sent_times[0])))
            raise ApiError(429, f"Too Many Requests: retry after {wait}", retry_after=wait)
        self._sent_times.append(now)

    @staticmethod
    def _text(params: JSON, key: str, limit: int, required: bool) -> str:
        text = params.get(key)
        if text is None or text == "":
            if required:
                raise ApiError(400, "Bad Request: message text is empty")
            return ""
        if not isinstance(text, str):
            text = str(text)
        plain = text
        if str(params.get("parse_mode", "")).upper() == "HTML":
            try:
                plain = parse_html(text)
            except EntityError as error:
                raise ApiError(400, f"Bad Request: {error}") from None
        if required and not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > limit:
            raise ApiError(
                400,
                "Bad Request: message is too long"
                if key == "text"
                else "Bad Request: message caption is too long",
            )
        return text

    @staticmethod
    def _markup(params: JSON) -> JSON | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not str(button.get("text", "")).strip():
                    raise ApiError(
                        400, "Bad Request: text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if (
                    data is not None
                    and not 1 <= len(str(data).encode("utf-8")) <= MAX_CALLBACK_DATA
                ):
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
        for row in markup.get("keyboard", []):
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not str(text or "").strip():
                    raise ApiError(400, "Bad Request: keyboard button text is empty")
        return markup

    def _store(
        self, chat_id: int, text: str, params: JSON, kind: str = "text", file: JSON | None = None
    ) -> JSON:
        message = Message(
            message_id=self.new_message_id(),
            chat_id=chat_id,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=self._markup(params),
            kind=kind,
            file_name=file.get("filename") if file else None,
            file_bytes=file.get("content") if file else None,
        )
        self.messages.setdefault(chat_id, []).append(message)
        if kind in ("document", "photo"):
            prefix = "doc" if kind == "document" else "ph"
            self.files[f"{prefix}{message.message_id}"] = dict(file or {})
        return self.message_json(message)

    def _file(self, params: JSON, name: str) -> JSON:
        """An uploaded file, or one Telegram already has named by its id."""
        given = params.get(name)
        if isinstance(given, dict):
            self.uploads += 1
            return given
        if isinstance(given, str) and given in self.files:
            return self.files[given]
        if isinstance(given, str) and given:
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        raise ApiError(400, f"Bad Request: there is no {name} in the request")

    def message_json(self, message: Message) -> JSON:
        data: JSON = {
            "message_id": message.message_id,
            "date": int(time.time()),
            "chat": {"id": message.chat_id, "type": "private"},
            "from": {
                "id": self.bot_id,
                "is_bot": True,
                "first_name": "Bot",
                "username": self.username,
            },
        }
        if message.kind == "text":
            data["text"] = message.plain
        else:
            data["caption"] = message.plain
        if message.kind == "document":
            data["document"] = {
                "file_id": f"doc{message.message_id}",
                "file_unique_id": f"u{message.message_id}",
                "file_name": message.file_name,
            }
        if message.kind == "photo":
            data["photo"] = [
                {
                    "file_id": f"ph{message.message_id}",
                    "file_unique_id": f"u{message.message_id}",
                    "width": 800,
                    "height": 600,
                }
            ]
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup
        return data

    # ----------------------------------------------------------------- methods
    async def _m_getme(self, params: JSON) -> JSON:
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": "Personal plan test bot",
            "username": self.username,
            "can_join_groups": False,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }

    async def _m_deletewebhook(self, params: JSON) -> bool:
        self.webhook = None
        return True

    async def _m_setwebhook(self, params: JSON) -> bool:
        url = str(params.get("url") or "")
        if not url:  # Telegram: an empty url removes the webhook
            self.webhook = None
            return True
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost")):
            raise ApiError(400, "Bad Request: bad webhook: HTTPS url must be provided for webhook")
        secret = str(params.get("secret_token") or "")
        if secret and not (
            len(secret) <= 256 and secret.replace("_", "").replace("-", "").isalnum()
        ):
            raise ApiError(400, "Bad Request: secret token contains unallowed characters")
        connections = _int(params.get("max_connections")) or 40
        if not 1 <= connections <= 100:
            raise ApiError(400, "Bad Request: bad webhook: max_connections must be 1-100")
        self.webhook = {
            "url": url,
            "secret_token": secret,
            "max_connections": connections,
            "allowed_updates": params.get("allowed_updates"),
            "drop_pending_updates": params.get("drop_pending_updates"),
        }
        return True

    async def _m_getwebhookinfo(self, params: JSON) -> JSON:
        info: JSON = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": self._undelivered,
        }
        if self.webhook:
            info["max_connections"] = self.webhook["max_connections"]
            if self.webhook["allowed_updates"] is not None:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    async def deliver(
        self,
        updates: list[JSON],
        *,
        seed: int | None = 0,
        connections: int | None = None,
        secret: str | None = None,
        redeliver_after: float = REDELIVER_AFTER,
    ) -> None:
        """POST ``updates`` to the webhook as Telegram does: up to ``max_connections`` at once,
        in an order shuffled by ``seed`` (None: as given), each one made again until it is
        answered 200. Returns once every one of them has been; each POST's status is appended
        to ``deliveries``. ``secret`` replaces the header setWebhook was given."""
        if self.webhook is None:
            raise RuntimeError("no webhook is set")
        url = self.webhook["url"]
        header = self.webhook["secret_token"] if secret is None else secret
        order = list(updates)
        if seed is not None:
            random.Random(seed).shuffle(order)
        gate = asyncio.Semaphore(connections or self.webhook["max_connections"])
        self._undelivered += len(order)

        async def post(session: aiohttp.ClientSession, update: JSON) -> None:
            while not self._closing.is_set():
                async with gate:
                    try:
                        async with session.post(
                            url, json=update, headers={SECRET_HEADER: header} if header else {}
                        ) as answer:
                            status = answer.status
                    except aiohttp.ClientError:
                        status = 0  # the bot is not there (down, restarting)
                self.deliveries.append((int(update["update_id"]), status))
                for listener in self.on_delivery:
                    listener(int(update["update_id"]), status)
                if status == 200:
                    self._undelivered -= 1
                    return
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), redeliver_after)

        async with aiohttp.ClientSession() as session:
            await asyncio.gather(*(post(session, update) for update in order))

    def delivered(self, update_id: int) -> list[int]:
        """The statuses the webhook answered for one update, in order."""
        return [status for uid, status in self.deliveries if uid == update_id]

    async def _m_getupdates(self, params: JSON) -> list[JSON]:
        if self.webhook is not None:
            raise ApiError(409, WEBHOOK_CONFLICT)
        offset = _int(params.get("offset")) or 0
        limit = min(_int(params.get("limit")) or 100, 100)
        timeout = float(params.get("timeout") or 0)
        self._polls += 1
        mine = self._polls
        async with self._arrived:
            # Like Telegram: a second poller on the token ends the one still waiting with a 409.
            self._arrived.notify_all()
            while self._updates and self._updates[0]["update_id"] < offset:
                self._updates.popleft()
            if not self._updates and timeout > 0 and not self._closing.is_set():
                self.polling.set()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._arrived.wait(), timeout)
                if self._polls == mine:
                    self.polling.clear()
            if self._polls != mine and not self._closing.is_set():
                raise ApiError(409, CONFLICT)
            return list(itertools.islice(self._updates, limit))

    async def _m_sendmessage(self, params: JSON) -> JSON:
        chat_id = self._chat(params)
        text = self._text(params, "text", MAX_TEXT, required=True)
        self._rate()
        return self._store(chat_id, text, params)

    async def _m_senddocument(self, params: JSON) -> JSON:
        chat_id = self._chat(params)
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        document = self._file(params, "document")
        self._rate()
        return self._store(chat_id, caption, params, kind="document", file=document)

    async def _m_sendphoto(self, params: JSON) -> JSON:
        chat_id = self._chat(params)
        caption = self._text(params, "caption", MAX_CAPTION, required=False)
        photo = self._file(params, "photo")
        self._rate()
        return self._store(chat_id, caption, params, kind="photo", file=photo)

    def _find(self, params: JSON) -> Message:
        chat_id = self._chat(params)
        message_id = _int(params.get("message_id"))
        for message in self.messages.get(chat_id, []):
            if message.message_id == message_id:
                return message
        raise ApiError(400, "Bad Request: message to edit not found")

    async def _m_editmessagetext(self, params: JSON) -> JSON:
        message = self._find(params)
        text = self._text(params, "text", MAX_TEXT, required=True)
        markup = self._markup(params)
        if text == message.text and markup == message.reply_markup:
            raise ApiError(400, NOT_MODIFIED)
        message.text, message.parse_mode, message.reply_markup = (
            text,
            params.get("parse_mode"),
            markup,
        )
        message.edits += 1
        return self.message_json(message)

    async def _m_editmessagereplymarkup(self, params: JSON) -> JSON:
        message = self._find(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise ApiError(400, "Bad Request: message is not modified")
        message.reply_markup = markup
        message.edits += 1
        return self.message_json(message)

    async def _m_answercallbackquery(self, params: JSON) -> bool:
        query_id = str(params.get("callback_query_id", ""))
        if query_id not in self._callback_ids:
            raise ApiError(
                400,
                "Bad Request: query is too old and response timeout expired or query ID is invalid",
            )
        if len(str(params.get("text") or "")) > MAX_CALLBACK_ANSWER:
            raise ApiError(400, "Bad Request: MESSAGE_TOO_LONG")
        self._callback_ids.discard(query_id)
        return True

    async def _m_getfile(self, params: JSON) -> JSON:
        file_id = str(params.get("file_id") or "")
        found = self.files.get(file_id)
        if found is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        size = len(found.get("content") or b"")
        if size > MAX_GET_FILE:
            raise ApiError(400, FILE_TOO_BIG)
        return {
            "file_id": file_id,
            "file_unique_id": f"u-{file_id}",
            "file_size": size,
            "file_path": f"documents/{file_id}",
        }

    async def _m_sendchataction(self, params: JSON) -> bool:
        self._chat(params)
        return True

    async def _m_setmycommands(self, params: JSON) -> bool:
        commands = params.get("commands")
        if not isinstance(commands, list) or len(commands) > 100:
            raise ApiError(400, "Bad Request: commands must be a list of at most 100 commands")
        for command in commands:
            name = str(command.get("command", ""))
            if not (
                1 <= len(name) <= 32
                and name.replace("_", "").isalnum()
                and name.islower()
                and name.isascii()
            ):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: BOT_COMMAND_DESCRIPTION_INVALID")
        self.commands[json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True)] = (
            commands
        )
        return True

    async def _m_getmycommands(self, params: JSON) -> list[JSON]:
        return self.commands.get(
            json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True), []
        )

    async def _m_deletemycommands(self, params: JSON) -> bool:
        self.commands.pop(
            json.dumps(params.get("scope") or {"type": "default"}, sort_keys=True), None
        )
        return True

    def commands_for_chat(self, chat_id: int) -> list[str]:
        """Command names set for one private chat (scope ``chat``)."""
        key = json.dumps({"type": "chat", "chat_id": chat_id}, sort_keys=True)
        return [str(command["command"]) for command in self.commands.get(key, [])]
