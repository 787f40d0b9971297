"""The bot's own web server: ``GET /d/{token}`` hands out a file published as a download link.

Routes, in full: ``GET /d/{token}``, ``GET /healthz`` (the process answers), ``GET /readyz``
(it may take work: ``handlers.web.health``), ``GET /metrics`` (Prometheus text, only to
``METRICS_FROM``) and the channels' webhooks mounted with ``add_post`` (``POST /zalo``,
``POST /telegram``). Nothing else is served (no listing,
no static files). Every refusal is the same bare 404, whether the token is malformed (refused
before any database read), unknown, expired, revoked or its person has left, so a caller
learns nothing by trying. A file goes out with ``Content-Disposition: attachment`` (UTF-8 name),
``Cache-Control: no-store`` and no referrer.
"""

from __future__ import annotations

import mimetypes
import unicodedata
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Protocol
from urllib.parse import quote

from aiohttp import web

from bot.services.downloads import LINK_PATH, well_shaped
from bot.services.metrics import CONTENT_TYPE, Metrics
from bot.services.ports import Clock
from bot.services.replies import Attachment
from handlers.web.health import Network, Readiness, metrics_allowed

TYPES = {  # what we send; mimetypes depends on the system's tables for the rest
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".zip": "application/zip",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
}
OCTETS = "application/octet-stream"
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
D_BAR = str.maketrans({0x0110: "D", 0x0111: "d"})  # the one Vietnamese letter NFD keeps whole


class Fetcher(Protocol):
    """Hands out a published file by its token (``DownloadService``)."""

    async def fetch(self, token: str, now: datetime) -> Attachment | None: ...


def content_type(filename: str) -> str:
    """The media type of ``filename`` by its extension (bytes when unknown)."""
    dot = filename.rfind(".")
    extension = filename[dot:].lower() if dot >= 0 else ""
    return TYPES.get(extension) or mimetypes.guess_type(filename)[0] or OCTETS


def disposition(filename: str) -> str:
    """``attachment`` with an ASCII name for old clients and the UTF-8 one (RFC 6266)."""
    decomposed = unicodedata.normalize("NFD", filename.translate(D_BAR))
    plain = "".join(c for c in decomposed if c.isascii() and c.isprintable() and c not in '"\\')
    return f"attachment; filename=\"{plain or 'file'}\"; filename*=UTF-8''{quote(filename)}"


def web_app(
    downloads: Fetcher,
    clock: Clock,
    readiness: Readiness | None = None,
    metrics: Metrics | None = None,
    metrics_from: tuple[Network, ...] = (),
) -> web.Application:
    """The application with its routes: ``/readyz`` with ``readiness``, ``/metrics`` with
    ``metrics`` (to the addresses of ``metrics_from``)."""

    async def download(request: web.Request) -> web.Response:
        token = request.match_info["token"]
        if not well_shaped(token):
            raise web.HTTPNotFound()
        attachment = await downloads.fetch(token, clock.now())
        if attachment is None:
            raise web.HTTPNotFound()
        return web.Response(
            body=attachment.content,
            content_type=content_type(attachment.filename),
            headers={
                "Content-Disposition": disposition(attachment.filename),
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
                "X-Content-Type-Options": "nosniff",
            },
        )

    async def healthz(request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    # allow_head=False: a HEAD would count as a use and be logged without a file going out
    app.router.add_get(LINK_PATH + "{token}", download, allow_head=False)
    app.router.add_get("/healthz", healthz, allow_head=False)
    if readiness is not None:
        app.router.add_get("/readyz", readyz_route(readiness), allow_head=False)
    if metrics is not None:
        app.router.add_get("/metrics", metrics_route(metrics, metrics_from), allow_head=False)
    return app


def readyz_route(readiness: Readiness) -> Handler:
    """``GET /readyz``: 200 ``ready``, or 503 with the one-word reason."""

    async def readyz(request: web.Request) -> web.Response:
        problem = await readiness.problem()
        return web.Response(
            text=problem or "ready",
            status=503 if problem else 200,
            headers={"Cache-Control": "no-store"},
        )

    return readyz


def metrics_route(metrics: Metrics, allowed: tuple[Network, ...]) -> Handler:
    """``GET /metrics``: the Prometheus text to a caller of ``allowed`` reached directly, else
    a bare 403."""

    async def scrape(request: web.Request) -> web.Response:
        if not metrics_allowed(request.remote, request.headers, allowed):
            raise web.HTTPForbidden()
        return web.Response(
            body=await metrics.exposition(),
            headers={"Content-Type": CONTENT_TYPE, "Cache-Control": "no-store"},
        )

    return scrape


class WebServer:
    """Starts and stops the web server on WEB_HOST:WEB_PORT (the composition root calls it)."""

    def __init__(self, app: web.Application) -> None:
        self._app = app
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def started(self) -> bool:
        """It listens (between ``start`` and ``stop``)."""
        return self._runner is not None

    def add_post(self, path: str, handler: Handler) -> None:
        """Also take POSTs at ``path`` (a channel's webhook); before ``start``."""
        self._app.router.add_post(path, handler)

    async def start(self, host: str, port: int) -> str:
        """Listen on ``host:port`` (0: any free port); the address it serves at."""
        runner = web.AppRunner(self._app, access_log=None)  # a URL in a log is a working link
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port).start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        bound = runner.addresses[0][1]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{bound}"
        return self.url

    async def stop(self) -> None:
        """Stop listening; requests in flight are finished first."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
