"""Proactive messages: written to the outbox with a unique key before anything is sent."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.domain.models import Channel


class OutboxStatus(StrEnum):
    """Delivery state of one outbox row."""

    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to deliver; writing the same key twice is harmless."""

    key: str
    person_id: int
    payload: Mapping[str, Any]
    channel: Channel = Channel.TELEGRAM
    priority: int = 1  # 0: the follow-up of a member's own action, sent before any wave


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A claimed outbox row with where to send it."""

    id: int
    key: str
    person_id: int
    chat_id: str | None
    payload: Mapping[str, Any]
    attempts: int
    not_before: datetime
