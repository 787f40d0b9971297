"""`chuyende sandbox`: the real bot, offline, with a phone-like chat page in the browser.

The same Application, handlers, scheduler and storage as ``chuyende run`` (it calls ``serve``),
talking to the offline Bot API server of ``bot/sandbox/fake_api.py`` instead of Telegram, on its
own SQLite file seeded with a small sample organisation. A web page on 127.0.0.1 lets you be any
sample person: type, press buttons, share your number, download documents, see pictures and
edits. The clock can jump ahead (next reminder, deadline, before a meeting, mid-year, the year
end): the scheduler runs on it. Everything the bot sends passes the fake server's Telegram
checks; a refusal shows in red.
Each person can switch their chat to Zalo: the bot's Zalo side (``serve`` builds it, as for a
real ``ZALO_BOT_TOKEN``) runs on the offline Zalo Bot API of ``bot/sandbox/fake_zalo.py``; the
chat then looks like Zalo (plain text, numbered choices, documents as links), the person signs
in by typing their invite code (shown above the input), and a document's link ``/d/<token>``
downloads from this page's own server (the bot's download service, behind the same checks).
The chats, the clock and the message numbers survive a restart (``bot/sandbox/saved.py``). The
page answers only to 127.0.0.1 / localhost and takes no POST from another site; the sandbox
refuses a database that holds a real roster.
"""

from __future__ import annotations

import asyncio
import csv
import io
import logging
import re
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from importlib import resources
from pathlib import Path
from time import time as time_now
from typing import Any
from urllib.parse import quote

from aiohttp import web

from bot.app import Running, build_downloads, build_services, serve
from bot.config import Settings
from bot.domain.meetings import MeetingStatus
from bot.domain.models import Channel, Person
from bot.domain.progress import campaign_occasions as progress_occasions
from bot.domain.schedule import Schedule, deadline_occasions, late_occasions, meeting_occasions
from bot.domain.telegram_html import utf16_prefix
from bot.locales import Catalog
from bot.sandbox.chat import Chat, ZaloChat
from bot.sandbox.fake_api import JSON, FakeBotApi, FakeUser, Message
from bot.sandbox.fake_zalo import FakeZaloApi, FakeZaloUser
from bot.sandbox.harness import sample_campaign
from bot.sandbox.library_samples import seed_library
from bot.sandbox.models_samples import seed_models
from bot.sandbox.saved import (
    MARKER_KEY,
    MARKER_VALUE,
    STATE_KEY,
    Saved,
    TypedOnZalo,
    capture,
    capture_zalo,
    highest_message_id,
    restore,
    restore_zalo,
)
from bot.sandbox.saved import Typed as Said
from bot.services.clock import ShiftedClock
from bot.services.downloads import DownloadService
from handlers.web.server import content_type, disposition
from storage.store import Store

log = logging.getLogger(__name__)
USER_BASE = 880_000  # Telegram user ids of the sample people: 880001, 880002, ...
MAX_TEXT = 4096
MAX_ZALO_TEXT = 2000
TELEGRAM, ZALO = "telegram", "zalo"
# A download link in a Zalo message: served by this page's own server at the same path.
DOWNLOAD_LINK = re.compile(r"https?://[^\s/]+/d/([A-Za-z0-9_-]{43})")
JUMP_MINUTE = timedelta(minutes=1)
# The page's own words, from the catalog (sandbox.ui.*): it fills them in from /api/state.
UI_TEXTS = (
    "title",
    "brand",
    "tagline",
    "clock",
    "who",
    "choose",
    "pick",
    "placeholder",
    "send",
    "edited",
    "refused",
    "chat",
    "telegram",
    "zalo",
    "invite",
    "type_invite",
    "zalo_refused",
)
SAFE_METHODS = frozenset({"GET", "HEAD"})


class NotASandbox(Exception):
    """The database holds a real roster, not the sandbox's sample organisation."""


@dataclass
class Seat:
    """One sample person: their Telegram user and their chat with the bot."""

    person: Person
    user: FakeUser
    chat: Chat
    zalo: ZaloChat
    said: list[Said] = field(default_factory=list)
    zalo_said: list[TypedOnZalo] = field(default_factory=list)
    channel: str = TELEGRAM


def start_time(tz: Any) -> datetime:
    """Where the sandbox clock starts: a week into the sample campaign, before its deadline."""
    return datetime(2022, 4, 1, 8, 30, tzinfo=tz)


def _roster_rows() -> list[tuple[int, list[str]]]:
    text = resources.files("bot.samples").joinpath("sandbox_roster.csv").read_text("utf-8")
    return list(enumerate(csv.reader(io.StringIO(text)), start=1))


def _sample_people() -> set[tuple[str, str]]:
    """(code, name) of everyone on the sample roster."""
    return {(row[0], row[1]) for _, row in _roster_rows()[1:] if len(row) > 1}


async def _is_sample(store: Store) -> bool:
    """True when everyone on the roster is a sample person (a sandbox made before the marker)."""
    people = await store.roster.list_people(active_only=False)
    sample = _sample_people()
    return all((person.code, person.full_name) in sample for person in people)


def _file_json(message: Message) -> JSON | None:
    if message.kind not in ("document", "photo"):
        return None
    name = message.file_name or ("anh.png" if message.kind == "photo" else "tep")
    return {"name": name, "url": f"/api/file/{message.chat_id}/{message.message_id}"}


def _free_port(host: str) -> int:
    """A port nobody listens on now (the bot's own web server binds it next)."""
    with socket.socket() as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _zalo_links(text: str) -> list[JSON]:
    """The download links in a Zalo text, each with the path this page serves it at."""
    return [
        {"url": found.group(0), "href": f"/d/{found.group(1)}"}
        for found in DOWNLOAD_LINK.finditer(text)
    ]


class Sandbox:
    """The bot, the fake Bot API and the page, in one process."""

    def __init__(
        self, database: Path, host: str = "127.0.0.1", port: int = 8080, *, trust: bool = False
    ) -> None:
        self.database = database
        self.host = host
        self.port = port
        self.trust = trust  # --i-know: use a database that holds a real roster all the same
        self.api = FakeBotApi(username="chuyende_sandbox_bot")
        self.zalo = FakeZaloApi()
        self.downloads: DownloadService | None = None
        self.seats: dict[str, Seat] = {}
        self.running: Running | None = None
        self.clock: ShiftedClock | None = None
        self.url = ""
        self.tz: Any = None
        self._ready = asyncio.Event()
        self._saved = Saved()
        self._saved_calls = 0  # the fake server's calls when the state was last written
        self._saved_zalo_calls = 0
        self._zalo_last_id = 0  # the last message number a person sent on Zalo

    # ------------------------------------------------------------------ lifecycle
    async def run(self, stop: asyncio.Event, on_ready: Callable[[str], None] | None = None) -> None:
        """Serve until ``stop`` is set; ``on_ready`` gets the page's address."""
        await self.api.start()
        await self.zalo.start()
        runner: web.AppRunner | None = None
        try:
            settings = Settings(
                _env_file=None,
                telegram_bot_token=self.api.token,
                telegram_api_url=self.api.url,
                zalo_bot_token=self.zalo.token,
                zalo_api_url=self.zalo.url,
                web_host="127.0.0.1",
                web_port=_free_port("127.0.0.1"),
                database_url=f"sqlite+aiosqlite:///{self.database}",
            )
            self.tz = settings.tz
            self._saved = await self._open(settings)
            clock = self.clock = ShiftedClock(self._saved.clock or start_time(settings.tz))

            async def ready(running: Running) -> None:
                self.running = running
                self.downloads = build_downloads(
                    settings, running.store, running.services, clock
                ).service
                await self._seat_people(running)
                nonlocal runner
                runner = web.AppRunner(self.web_app(), access_log=None)
                await runner.setup()
                site = web.TCPSite(runner, self.host, self.port)
                await site.start()
                port = runner.addresses[0][1]
                self.url = f"http://{self.host}:{port}/"
                self._ready.set()
                if on_ready is not None:
                    on_ready(self.url)

            await serve(settings, stop, self.clock, ready=ready)
            if self.running is not None:  # what the bot sent while it stopped is kept too
                await self._with_store(settings, self.save)
        finally:
            if runner is not None:
                await runner.cleanup()
            await self.zalo.stop()
            await self.api.stop()

    @staticmethod
    async def _with_store(settings: Settings, work: Callable[[Store], Awaitable[None]]) -> None:
        store = await Store.open(settings.database_url)
        try:
            await work(store)
        finally:
            await store.close()

    async def _open(self, settings: Settings) -> Saved:
        """Check the database is the sandbox's, seed it when new; return what was saved."""
        saved = Saved()

        async def work(store: Store) -> None:
            nonlocal saved
            services = build_services(settings, store, ShiftedClock(start_time(settings.tz)))
            marked = await store.directory.get_setting(MARKER_KEY) == MARKER_VALUE
            empty = await services.roster.is_empty()
            fresh = empty and await services.plans.campaign() is None
            sample = marked or fresh or (not empty and await _is_sample(store))
            if not sample and not self.trust:
                raise NotASandbox(str(self.database))
            if empty and sample:
                outcome = await services.roster.import_table(
                    _roster_rows(), remove_missing=False, dry_run=False
                )
                if outcome.summary is None:
                    raise RuntimeError(f"the sample roster is broken: {outcome.parsed.errors[:3]}")
                await seed_library(services.library)
                await seed_models(services.models, services.audit)
            if sample and await services.plans.campaign() is None:  # a real one stays as it is
                # with the mid-year self-check on, so the clock's mid-year jump shows it
                sandbox_rules = {"schedule": Schedule(midyear_check=True)}
                await services.plans.set_campaign(**(sample_campaign() | sandbox_rules))
            if sample and not marked:
                await store.directory.set_setting(MARKER_KEY, MARKER_VALUE)
            saved = Saved.loads(await store.directory.get_setting(STATE_KEY))
            # Never a message number the bot has taken already, even if the state was lost.
            taken = highest_message_id(await store.plans.last_inputs())
            saved.last_message_id = max(saved.last_message_id, taken)

        await self._with_store(settings, work)
        return saved

    async def save(self, store: Store) -> None:
        """Write the chats, the clock and the message numbers into the database."""
        if self.clock is None:
            raise RuntimeError("the sandbox is saved only once its clock is set")
        self._saved_calls = len(self.api.calls)
        self._saved_zalo_calls = len(self.zalo.calls)
        state = capture(
            self.api,
            self.clock.now(),
            {code: seat.said for code, seat in self.seats.items()},
            {code: seat.user.id for code, seat in self.seats.items()},
        )
        capture_zalo(
            state,
            self.zalo,
            {code: seat.zalo_said for code, seat in self.seats.items()},
            {code: seat.zalo.user for code, seat in self.seats.items()},
            {code: seat.channel for code, seat in self.seats.items()},
            self._zalo_last_id,
        )
        await store.directory.set_setting(STATE_KEY, state.dumps())

    async def _keep(self, changed: bool) -> None:
        """Save while running, after a change (a killed sandbox loses at most the last one)."""
        calls = (len(self.api.calls), len(self.zalo.calls))
        if self.running is not None and (
            changed or calls != (self._saved_calls, self._saved_zalo_calls)
        ):
            await self.save(self.running.store)

    async def wait_ready(self) -> str:
        """The page's address, once everything runs."""
        await self._ready.wait()
        return self.url

    async def _seat_people(self, running: Running) -> None:
        people = await running.store.roster.list_people()
        for index, person in enumerate(sorted(people, key=lambda p: p.code), start=1):
            user = FakeUser(
                id=USER_BASE + index,
                first_name=person.full_name.rsplit(" ", 1)[-1],
                last_name=person.full_name.rsplit(" ", 1)[0],
                phone=person.phone,
            )
            zalo_user = FakeZaloUser(id=f"5a{index:018x}", display_name=person.full_name)
            zalo = ZaloChat(self.zalo, self.zalo.push, zalo_user, self._new_zalo_id)
            seat = Seat(person, user, Chat(self.api, self.api.push_update, user), zalo)
            self.seats[person.code] = seat
        said = restore(
            self._saved, self.api, {code: seat.user.id for code, seat in self.seats.items()}
        )
        zalo_said = restore_zalo(
            self._saved, self.zalo, {code: seat.zalo.user for code, seat in self.seats.items()}
        )
        self._zalo_last_id = self._saved.zalo_last_id
        for code, seat in self.seats.items():
            seat.said = said.get(code, [])
            seat.zalo_said = zalo_said.get(code, [])
            seat.channel = ZALO if self._saved.channels.get(code) == ZALO else TELEGRAM
        await running.services.roster.issue_invites(None, None)  # to sign in on Zalo with

    def _new_zalo_id(self) -> str:
        """The next message number of a person on Zalo (never one the bot has taken before,
        even when the saved count was lost: the wall clock's milliseconds lead it)."""
        self._zalo_last_id += 1
        return f"{int(time_now() * 1000):013x}{self._zalo_last_id % 0x10000000:07x}"

    # ------------------------------------------------------------------ the page's API
    def web_app(self) -> web.Application:
        """The page and its JSON API."""
        app = web.Application(client_max_size=64 * 1024, middlewares=[self._guard])
        app.router.add_get("/", self._index)
        app.router.add_get("/static/{name}", self._static)
        app.router.add_get("/api/state", self._state)
        app.router.add_get("/api/chat/{code}", self._chat)
        app.router.add_post("/api/chat/{code}/send", self._send)
        app.router.add_post("/api/chat/{code}/press", self._press)
        app.router.add_post("/api/chat/{code}/contact", self._contact)
        app.router.add_get("/api/file/{chat}/{message}", self._file)
        app.router.add_post("/api/chat/{code}/channel", self._channel)
        app.router.add_get("/d/{token}", self._download, allow_head=False)
        app.router.add_post("/api/clock", self._jump)
        return app

    def _hosts(self) -> set[str]:
        """The Host headers the page answers to (no other name: no DNS rebinding)."""
        port = self.url.rsplit(":", 1)[-1].rstrip("/")
        return {f"{name}:{port}" for name in (self.host, "127.0.0.1", "localhost")}

    @web.middleware
    async def _guard(
        self,
        request: web.Request,
        handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
    ) -> web.StreamResponse:
        """Only this machine's own page: the right Host, and POSTs from the page's own origin."""
        hosts = self._hosts()
        if request.headers.get("Host", "") not in hosts:
            raise web.HTTPForbidden(text="wrong host")
        if request.method not in SAFE_METHODS:
            origin = request.headers.get("Origin", "")
            if origin not in {f"http://{host}" for host in hosts}:
                raise web.HTTPForbidden(text="cross-site request")
        response = await handler(request)
        await self._keep(changed=request.method not in SAFE_METHODS)
        return response

    async def _index(self, request: web.Request) -> web.Response:
        return await self._static_file("index.html")

    async def _static(self, request: web.Request) -> web.Response:
        return await self._static_file(request.match_info["name"])

    async def _static_file(self, name: str) -> web.Response:
        kinds = {".html": "text/html", ".js": "text/javascript", ".css": "text/css"}
        suffix = Path(name).suffix
        if "/" in name or "\\" in name or suffix not in kinds:
            raise web.HTTPNotFound()
        folder = resources.files("bot.sandbox").joinpath("web")
        item = folder.joinpath(name)
        if not item.is_file():
            raise web.HTTPNotFound()
        return web.Response(body=item.read_bytes(), content_type=kinds[suffix], charset="utf-8")

    def _seat(self, request: web.Request) -> Seat:
        seat = self.seats.get(request.match_info["code"])
        if seat is None:
            raise web.HTTPNotFound(text="no such person")
        return seat

    def _live(self) -> tuple[ShiftedClock, Running]:
        """The clock and the running bot: the page's API is served only once both are there."""
        if self.clock is None or self.running is None:
            raise web.HTTPServiceUnavailable(text="the bot is not running")
        return self.clock, self.running

    @staticmethod
    def _role(person: Person, c: Catalog) -> str:
        parts = [c.plain(f"label.category.{person.category.value}")]
        parts += [c.plain(f"label.role.{role.value}") for role in sorted(person.roles)]
        if person.is_exempt:
            parts.append(c.plain(f"label.exemption.{person.exemption.value}"))
        return " · ".join(parts)

    async def _state(self, request: web.Request) -> web.Response:
        clock, running = self._live()
        catalog = running.services.catalog
        tz = self.tz
        people = [
            {
                "code": code,
                "name": seat.person.full_name,
                "role": self._role(seat.person, catalog),
                "unit": seat.person.unit_path.rsplit(" / ", 1)[-1],
                "messages": len(self.api.sent(seat.user.id)),
                "channel": seat.channel,
            }
            for code, seat in self.seats.items()
        ]
        jumps = [
            {"id": key, "label": label, "when": when.astimezone(tz).strftime("%d/%m/%Y %H:%M")}
            for key, label, when in await self._jumps()
        ]
        now = clock.now().astimezone(tz)
        ui = {key: catalog.plain(f"sandbox.ui.{key}") for key in UI_TEXTS}
        return web.json_response(
            {"clock": now.strftime("%H:%M %d/%m/%Y"), "people": people, "jumps": jumps, "ui": ui}
        )

    async def _chat(self, request: web.Request) -> web.Response:
        seat = self._seat(request)
        if seat.channel == ZALO:
            return web.json_response(await self._zalo_chat(seat))
        entries: list[JSON] = [
            {"id": said.message_id, "from": "me", "text": said.text} for said in seat.said
        ]
        keyboard: JSON | None = None
        for message in self.api.sent(seat.user.id):
            entry: JSON = {
                "id": message.message_id,
                "from": "bot",
                "kind": message.kind,
                "html": message.text if message.parse_mode == "HTML" else None,
                "text": message.plain,
                "buttons": (message.reply_markup or {}).get("inline_keyboard", []),
                "edits": message.edits,
                "file": _file_json(message),
            }
            entries.append(entry)
            markup = message.reply_markup or {}
            if "keyboard" in markup:
                keyboard = {"rows": markup["keyboard"]}
            elif "remove_keyboard" in markup:
                keyboard = None
        refused = [
            {
                "method": call.method,
                "error": str(
                    call.result.get("description", call.result)
                    if isinstance(call.result, dict)
                    else call.result
                )[:300],
            }
            for call in self.api.rejected()
            if str(call.params.get("chat_id", "")) == str(seat.user.id)
        ]
        entries.sort(key=lambda e: int(e["id"]))
        return web.json_response(
            {"channel": TELEGRAM, "messages": entries, "keyboard": keyboard, "refused": refused}
        )

    async def _zalo_chat(self, seat: Seat) -> JSON:
        """A Zalo chat as the page draws it: the texts as sent, the person's between them."""
        _, running = self._live()
        said: dict[int, list[str]] = {}
        for typed in seat.zalo_said:
            said.setdefault(min(typed.after, len(seat.zalo.messages)), []).append(typed.text)
        entries: list[JSON] = []

        def mine(after: int) -> None:
            for number, text in enumerate(said.get(after, [])):
                entries.append({"id": f"m{after}.{number}", "from": "me", "text": text})

        mine(0)
        for index, sent in enumerate(seat.zalo.messages, start=1):
            photo = DOWNLOAD_LINK.fullmatch(sent.photo or "")
            entries.append(
                {
                    "id": f"b{index}",
                    "from": "bot",
                    "kind": sent.kind,
                    "text": sent.text,
                    "links": _zalo_links(sent.text),
                    "photo": f"/d/{photo.group(1)}" if photo else None,
                }
            )
            mine(index)
        refused = [
            {"method": call.method, "error": f"error_code {call.code}"}
            for call in self.zalo.calls
            if call.code != 200 and str(call.params.get("chat_id", "")) == seat.zalo.user.id
        ]
        invite = await self._invite(seat, running)
        return {
            "channel": ZALO,
            "messages": entries,
            "keyboard": None,
            "refused": refused,
            "invite": invite,
        }

    @staticmethod
    async def _invite(seat: Seat, running: Running) -> str | None:
        """The code that signs ``seat`` in on Zalo; None once they are. Someone signed in on
        Telegram (their first code used) gets a new one, as a secretary would give them."""
        if await running.services.signin.whoami(Channel.ZALO, seat.zalo.user.id) is not None:
            return None
        code = seat.person.code
        rows = await running.store.accounts.open_invites(None)
        if not any(row.person_code == code for row in rows):
            rows = (await running.services.roster.issue_invites(None, code)).open
        return next((row.code for row in rows if row.person_code == code), None)

    async def _channel(self, request: web.Request) -> web.Response:
        seat = self._seat(request)
        channel = str((await self._body(request)).get("channel", ""))
        if channel not in (TELEGRAM, ZALO):
            raise web.HTTPBadRequest(text="unknown channel")
        seat.channel = channel
        return web.json_response({"ok": True, "channel": channel})

    async def _download(self, request: web.Request) -> web.Response:
        """A Zalo message's download link, served here (the bot's own download service)."""
        clock, _ = self._live()
        if self.downloads is None:
            raise web.HTTPServiceUnavailable(text="the bot is not running")
        attachment = await self.downloads.fetch(request.match_info["token"], clock.now())
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=attachment.content,
            content_type=content_type(attachment.filename),
            headers={
                "Content-Disposition": disposition(attachment.filename),
                "Cache-Control": "no-store",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def _body(self, request: web.Request) -> JSON:
        try:
            body = await request.json()
        except ValueError as error:
            raise web.HTTPBadRequest(text="JSON expected") from error
        if not isinstance(body, dict):
            raise web.HTTPBadRequest(text="JSON object expected")
        return body

    async def _send(self, request: web.Request) -> web.Response:
        seat = self._seat(request)
        if seat.channel == ZALO:
            typed = str((await self._body(request)).get("text", ""))[:MAX_ZALO_TEXT]
            if not typed.strip():
                raise web.HTTPBadRequest(text="empty")
            seat.zalo_said.append(TypedOnZalo(len(seat.zalo.messages), typed))
            await seat.zalo.send(typed)
            return web.json_response({"ok": True})
        text = utf16_prefix(str((await self._body(request)).get("text", "")), MAX_TEXT)
        if not text.strip():
            raise web.HTTPBadRequest(text="empty")
        before = self.api.new_message_id()  # the id the person's message will follow
        seat.said.append(Said(before + 1, text))
        await seat.chat.send(text)
        return web.json_response({"ok": True})

    async def _press(self, request: web.Request) -> web.Response:
        seat = self._seat(request)
        body = await self._body(request)
        data = str(body.get("data", ""))[:64]
        message_id = body.get("message_id")
        target = next((m for m in self.api.sent(seat.user.id) if m.message_id == message_id), None)
        if target is None:
            raise web.HTTPBadRequest(text="no such message")
        await seat.chat.press_data(data, target)
        return web.json_response({"ok": True})

    async def _contact(self, request: web.Request) -> web.Response:
        seat = self._seat(request)
        seat.said.append(Said(self.api.new_message_id() + 1, f"📱 {seat.user.phone or ''}"))
        await seat.chat.share_contact()  # always the person's own number, like the real button
        return web.json_response({"ok": True})

    async def _file(self, request: web.Request) -> web.Response:
        try:
            chat, message_id = int(request.match_info["chat"]), int(request.match_info["message"])
        except ValueError as error:
            raise web.HTTPNotFound() from error
        message = next((m for m in self.api.sent(chat) if m.message_id == message_id), None)
        if message is None or message.file_bytes is None:
            raise web.HTTPNotFound()
        name = message.file_name or "tep"
        kind = "image/png" if message.kind == "photo" else "application/octet-stream"
        disposition = "inline" if message.kind == "photo" else "attachment"
        return web.Response(
            body=message.file_bytes,
            content_type=kind,
            headers={"Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(name)}"},
        )

    # ------------------------------------------------------------------ the clock
    async def _jumps(self) -> list[tuple[str, str, datetime]]:
        """Where the clock can jump: the next deadline reminder, the deadline, before a meeting,
        mid-year and the year end (the progress prompts)."""
        clock, running = self._live()
        services = running.services
        c = services.catalog
        campaign = await services.plans.campaign()
        if campaign is None:
            return []
        tz = self.tz
        now = clock.now()
        schedule = campaign.schedule or Schedule()
        found: list[tuple[str, str, datetime]] = []
        reminders = deadline_occasions(campaign.year, campaign.deadline, schedule, tz)
        reminders += late_occasions(campaign.year, campaign.deadline, schedule, tz)  # after it
        upcoming = sorted(o.due for o in reminders if o.due > now)
        if upcoming:
            found.append(("reminder", c.plain("sandbox.jump.reminder"), upcoming[0] + JUMP_MINUTE))
        deadline = datetime.combine(campaign.deadline, time(17, 0), tz)
        if deadline > now:
            found.append(("deadline", c.plain("sandbox.jump.deadline"), deadline))
        meeting = await self._next_meeting(running, now, schedule)
        if meeting is not None:
            found.append(("meeting", c.plain("sandbox.jump.meeting"), meeting))
        # Mid-year and the year end: the progress prompts (mid-year; before the year-end review).
        for occasion in progress_occasions(campaign.year, schedule, tz):
            key = "midyear" if occasion.key.split(":")[1] == "midyear" else "yearend"
            if occasion.due > now:
                found.append((key, c.plain(f"progress.jump.{key}"), occasion.due + JUMP_MINUTE))
        found.append(("day", c.plain("sandbox.jump.day"), now + timedelta(days=1)))
        return found

    async def _next_meeting(
        self, running: Running, now: datetime, schedule: Schedule
    ) -> datetime | None:
        """Just after the next meeting reminder falls due (the scheduler's own rules)."""
        meetings = await running.store.meetings.between(now, now + timedelta(days=400))
        due = [
            occasion.due
            for m in meetings
            if m.status is MeetingStatus.SCHEDULED
            for occasion in meeting_occasions(
                m.id, m.version, m.starts_at, m.updated_at, schedule, self.tz
            )
            if occasion.due > now and not occasion.dropped  # a dropped one sends nothing
        ]
        return min(due) + JUMP_MINUTE if due else None

    async def _jump(self, request: web.Request) -> web.Response:
        clock, running = self._live()
        key = str((await self._body(request)).get("jump", ""))
        target = next((when for k, _, when in await self._jumps() if k == key), None)
        if target is None:
            raise web.HTTPBadRequest(text="unknown jump")
        clock.jump(target)
        await running.sweeps.enqueue_due()  # what fell due goes out now, not in a minute
        return web.json_response({"ok": True})
