"""What the running bot counts, served at ``/metrics`` in Prometheus' text format.

One ``Metrics`` object per running bot, built by the composition root and handed to whatever
counts (the channels' receivers, the update processors, the outbox sender, the API clients): it
is never looked up as a global, and its counters live in a private ``CollectorRegistry``, so two
bots in one process (the tests) never add to each other's figures.

- ``chuyende_updates_received_total{channel,result}``: ``new`` (taken for handling),
  ``duplicate`` (a redelivery, taken once), ``refused`` (a wrong secret, a body that is no update);
- ``chuyende_updates_handled_total{channel,result}``: ``ok``, ``error`` (the person was told
  something went wrong), ``dropped`` (one chat flooding: beyond its queue);
- ``chuyende_handling_seconds{channel}``: from an update taken to its handling done;
- ``chuyende_outbox_depth{status}``: outbox rows per status, read at a scrape (at most every
  ``OUTBOX_TTL`` seconds: a scraper polling often costs one count query per five seconds);
- ``chuyende_sends_total{channel,result}``: outbox rows settled per outcome (``sent``,
  ``rate_limited``, ``blocked``, ``bad_request``, ``transient``, ``error``);
- ``chuyende_rate_limited_total{channel}``: 429 answers of a channel's API, replies and outbox.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

from bot.domain.models import Channel
from bot.domain.outbox import OutboxStatus

log = logging.getLogger(__name__)
# The classic text format every Prometheus reads: our names and labels are plain ASCII, so
# generate_latest writes exactly it (prometheus_client's newest default says version=1.0.0).
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
RECEIVED = ("new", "duplicate", "refused")
HANDLED = ("ok", "error", "dropped")
SENDS = ("sent", "rate_limited", "blocked", "bad_request", "transient", "error")
# A reply takes 50 ms to a few seconds (a document, a chart): finer at the short end.
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)
OUTBOX_TTL = 5.0  # seconds an outbox count is served again before it is read anew

OutboxCounts = Callable[[], Awaitable[Mapping[str, int]]]

if TYPE_CHECKING:
    from prometheus_client import Counter, Histogram


class Metrics:
    """The bot's counters; ``exposition`` is the text a scrape gets."""

    def __init__(
        self, monotonic: Callable[[], float] = time.monotonic, *, served: bool = True
    ) -> None:
        """``monotonic``: the stopwatch of the handling times and of the outbox cache.
        ``served=False`` (no web server, so no ``/metrics``): nothing is counted and
        prometheus_client is not even loaded, for a bot waiting for messages."""
        self.monotonic = monotonic
        self.served = served
        self._children: dict[tuple[object, ...], Any] = {}
        self._outbox: OutboxCounts | None = None
        self._outbox_read: float | None = None
        if not served:
            return
        from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

        self.registry = CollectorRegistry()
        self._received = Counter(
            "chuyende_updates_received",
            "Updates received, by channel and result (new, duplicate, refused).",
            ("channel", "result"),
            registry=self.registry,
        )
        self._handled = Counter(
            "chuyende_updates_handled",
            "Updates handled, by channel and result (ok, error, dropped).",
            ("channel", "result"),
            registry=self.registry,
        )
        self._handling = Histogram(
            "chuyende_handling_seconds",
            "Seconds from an update taken to its handling done.",
            ("channel",),
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._sends = Counter(
            "chuyende_sends",
            "Outbox messages settled, by channel and result.",
            ("channel", "result"),
            registry=self.registry,
        )
        self._rate_limited = Counter(
            "chuyende_rate_limited",
            "429 answers from a channel's API (replies and outbox).",
            ("channel",),
            registry=self.registry,
        )
        self._depth = Gauge(
            "chuyende_outbox_depth",
            "Outbox rows by status, read at a scrape.",
            ("status",),
            registry=self.registry,
        )
        for channel in Channel:  # every series from the start: a dashboard sees zeros, not gaps
            for result in RECEIVED:
                self._received.labels(channel.value, result)
            for result in HANDLED:
                self._handled.labels(channel.value, result)
            for result in SENDS:
                self._sends.labels(channel.value, result)
            self._handling.labels(channel.value)
            self._rate_limited.labels(channel.value)

    # ------------------------------------------------------------------ counting
    def _child(self, metric: Counter | Histogram, *labels: str) -> Any:
        """``metric.labels(*labels)``, looked up once (it takes a lock and checks the names)."""
        key = (id(metric), *labels)
        child = self._children.get(key)
        if child is None:
            child = self._children[key] = metric.labels(*labels)
        return child

    def received(self, channel: str, result: str) -> None:
        """An update came in: ``new``, ``duplicate`` or ``refused``."""
        if not self.served:
            return
        self._child(self._received, str(channel), result).inc()

    def handled(self, channel: str, result: str, seconds: float | None = None) -> None:
        """An update's handling ended: ``ok``, ``error`` or ``dropped``, after ``seconds``."""
        if not self.served:
            return
        self._child(self._handled, str(channel), result).inc()
        if seconds is not None:
            self._child(self._handling, str(channel)).observe(max(0.0, seconds))

    def since(self, started: float) -> float:
        """Seconds on the stopwatch since ``started`` (a value of ``monotonic``)."""
        return self.monotonic() - started

    def sent(self, channel: str, result: str) -> None:
        """An outbox row was settled on ``channel`` with ``result``."""
        if not self.served:
            return
        self._child(self._sends, str(channel), result).inc()

    def rate_limited(self, channel: str) -> None:
        """``channel``'s API answered 429."""
        if not self.served:
            return
        self._child(self._rate_limited, str(channel)).inc()

    # ------------------------------------------------------------------ reading
    def watch_outbox(self, counts: OutboxCounts) -> None:
        """Read the outbox depth with ``counts`` (rows per status) at a scrape."""
        self._outbox = counts
        self._outbox_read = None

    async def _refresh_outbox(self) -> None:
        if self._outbox is None:
            return
        now = self.monotonic()
        if self._outbox_read is not None and now - self._outbox_read < OUTBOX_TTL:
            return
        counts = await self._outbox()
        self._outbox_read = now
        for status in {*(s.value for s in OutboxStatus), *counts}:
            self._depth.labels(status).set(counts.get(status, 0))

    async def exposition(self) -> bytes:
        """The Prometheus text of every metric, the outbox depth read if it is stale; a
        database that does not answer leaves the last depth read (the counters still go out)."""
        if not self.served:
            return b""
        from prometheus_client import generate_latest

        try:
            await self._refresh_outbox()
        except Exception as error:  # /readyz is what tells a database that is down
            log.warning("metrics: the outbox depth could not be read (%s)", type(error).__name__)
        return generate_latest(self.registry)

    def value(self, name: str, **labels: str) -> float:
        """One sample's value (0 when it has none yet): for tests and the sandbox."""
        if not self.served:
            return 0.0
        found = self.registry.get_sample_value(name, labels)
        return found if found is not None else 0.0
