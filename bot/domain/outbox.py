"""Proactive messages: written to the outbox with a unique key before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.models import Channel
from bot.domain.payloads import Payload

MAX_ATTEMPTS = 8  # claims of one row before it is marked failed, whatever went wrong


class OutboxStatus(StrEnum):
    """Delivery state of one outbox row."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    EXPIRED = "expired"  # no longer useful when its turn came (a reminder after the deadline)
    CANCELLED = "cancelled"  # an admin cancelled the broadcast before it was sent
    SKIPPED = "skipped"  # a broadcast's recipient no longer in its audience when their turn came


class Priority:
    """Order of sending: lower first. Quiet hours hold everything but URGENT."""

    URGENT = 0  # security notices that follow a member's own action
    NOTICE = 1  # one-off notices: a plan handed in, a meeting scheduled or changed
    WAVE = 2  # reminders, digests and broadcasts to many people


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to deliver; writing the same key twice is harmless."""

    key: str
    person_id: int
    payload: Payload
    channel: Channel | None = None  # None: the person's own (their newest link, or their choice)
    priority: int = Priority.NOTICE
    expires_at: datetime | None = None  # not sent after this instant
    not_before: datetime | None = None  # not sent before this instant (default: now)


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A stored payload that is not one of the kinds (``error`` says why): never sent."""

    error: str


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed outbox row with where to send it."""

    id: int
    key: str
    person_id: int
    chat_id: str | None
    payload: Payload | Unreadable
    attempts: int
    not_before: datetime
    parts_sent: int = 0  # of a message sent in several parts, those already delivered
    expires_at: datetime | None = None
    channel: Channel = Channel.TELEGRAM


@dataclass(frozen=True, slots=True)
class Failure:
    """A row that could not be delivered, for the admin's view."""

    key: str
    status: str
    error: str
    at: datetime
    channel: Channel = Channel.TELEGRAM  # where it was to be delivered

    def reason(self) -> tuple[str, str]:
        """(kind, the rest) of the stored error, as the sender writes it: ``blocked: <what
        the channel said>``, ``400: …`` (the channel refused the message), ``gave up: …``,
        ``bad payload: …``, ``expired``; kind ``other`` for any other text (then the rest is
        all of it)."""
        error = self.error.strip()
        if error == "expired":
            return "expired", ""
        for prefix, kind in (
            ("blocked:", "blocked"),
            ("400:", "rejected"),
            ("gave up:", "gave_up"),
            ("bad payload:", "bad_payload"),
        ):
            if error.startswith(prefix):
                return kind, error[len(prefix) :].strip()
        return "other", error


ERASED = "…"  # what is left where the name of an erased person stood


def scrub_names(value: Any, name: str) -> Any:
    """``value`` (JSON-like) with ``name`` gone: list entries equal to it dropped (a digest's
    names), and the name replaced by ``ERASED`` inside any other text."""
    if isinstance(value, str):
        return value.replace(name, ERASED) if name and name in value else value
    if isinstance(value, Mapping):
        return {key: scrub_names(item, name) for key, item in value.items()}
    if isinstance(value, Sequence):
        return [scrub_names(item, name) for item in value if item != name]
    return value


def scrub_payload(payload: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """An outbox payload of someone else without the erased person's ``name``, or None when the
    message is only about them (a secretary's "has handed in a plan" notice).

    A digest keeps its counts (the person still counts, anonymously) but not the name.
    """
    params = payload.get("params")
    if isinstance(params, Mapping) and params.get("name") == name:
        return None
    scrubbed = scrub_names(payload, name)
    return scrubbed if isinstance(scrubbed, dict) else None
