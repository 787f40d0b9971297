"""Whether the bot can take work (``/readyz``), and who may read its figures (``/metrics``).

``/healthz`` says the process answers; ``/readyz`` says a proxy or an orchestrator may send it
work: the database answers a ``SELECT 1`` within ``READY_TIMEOUT`` and is at the migrations this
program ships, and the process is not stopping (on SIGTERM readiness turns first, so a proxy
drains this replica while the update in hand is finished). Otherwise 503 with one word:
``stopping``, ``database`` or ``migrations``.

``/metrics`` goes only to the addresses of ``METRICS_FROM`` (default loopback), and never to a
request that came through a proxy (it carries ``Forwarded``, ``X-Forwarded-For`` or
``X-Real-IP``): a proxy on the same host would otherwise make every caller look like loopback.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
from collections.abc import Awaitable, Callable, Iterable, Mapping

log = logging.getLogger(__name__)
READY_TIMEOUT = 1.0  # seconds the database has to answer a readiness check
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Real-IP")
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class Readiness:
    """The checks behind ``/readyz``: ``problem()`` is None when the bot is ready."""

    def __init__(
        self,
        answers: Callable[[], Awaitable[None]],
        current: Callable[[], Awaitable[bool]],
        stopping: Callable[[], bool] = lambda: False,
        timeout: float = READY_TIMEOUT,
    ) -> None:
        """``answers`` runs ``SELECT 1`` (raises when the database does not answer),
        ``current`` tells the migrations are current, ``stopping`` that the process stops."""
        self._answers = answers
        self._current = current
        self._stopping = stopping
        self._stopped = False
        self._timeout = timeout

    def stop(self) -> None:
        """The process is stopping: not ready from now on."""
        self._stopped = True

    async def problem(self) -> str | None:
        """``stopping``, ``database``, ``migrations``, or None when ready."""
        if self._stopped or self._stopping():
            return "stopping"
        try:
            async with asyncio.timeout(self._timeout):
                await self._answers()
                current = await self._current()
        except Exception as error:  # unreachable, refused, timed out, a damaged file
            log.warning("readyz: the database does not answer (%s)", type(error).__name__)
            return "database"
        return None if current else "migrations"


def metrics_allowed(
    remote: str | None, headers: Mapping[str, str], networks: Iterable[Network]
) -> bool:
    """May the caller at ``remote`` read ``/metrics``: an address of ``networks``, reached
    directly (no proxy header)? A missing or unreadable address may not."""
    if remote is None or any(name in headers for name in PROXY_HEADERS):
        return False
    try:
        address = ipaddress.ip_address(remote.split("%", 1)[0])  # fe80::1%eth0: no zone
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped  # ::ffff:127.0.0.1 on a dual-stack socket
    return any(address in network for network in networks)
