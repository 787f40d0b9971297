"""The events Zalo delivers (by webhook or ``getUpdates``), parsed into typed values.

A body is ``{"ok": true, "result": <event>}``; some implementers saw ``result`` as a list, so
both are read (and a bare event too). An event names itself by ``event_name``; a name we do not
know becomes an ``UnknownEvent`` (logged and ignored by the callers), a body that is not what Zalo
documents raises ``MalformedEvent`` with a short reason that quotes no content (what people
type is personal data), never a crash further in.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class EventKind(StrEnum):
    """The events the bot understands."""

    TEXT = "message.text.received"
    IMAGE = "message.image.received"
    STICKER = "message.sticker.received"
    UNSUPPORTED = "message.unsupported.received"  # content hidden (a protected user: a minor)
    VOICE = "message.voice.received"  # in later copies of the docs [impl]


class _Model(BaseModel):
    # Ids are strings; a number where a string was expected is taken as its digits.
    model_config = ConfigDict(
        frozen=True, extra="ignore", populate_by_name=True, coerce_numbers_to_str=True
    )


class Sender(_Model):
    """Who wrote."""

    id: str = Field(min_length=1)
    display_name: str = ""
    is_bot: bool = False


class Chat(_Model):
    """Where they wrote: the id to answer to."""

    id: str = Field(min_length=1)
    chat_type: str = "PRIVATE"  # or "GROUP" (in internal testing at Zalo)


class Message(_Model):
    """One message a person sent the bot."""

    sender: Sender = Field(alias="from")
    chat: Chat
    message_id: str = Field(min_length=1)
    date: int = 0  # milliseconds since the epoch
    text: str | None = None
    photo: str | None = None  # the picture's URL
    caption: str | None = None
    sticker: str | None = None
    url: str | None = None  # the sticker's URL


class Event(_Model):
    """An event the bot understands."""

    event_name: EventKind
    message: Message

    @property
    def key(self) -> str:
        """What identifies it across redeliveries: its name and its message id."""
        return f"{self.event_name.value}:{self.message.message_id}"


@dataclass(frozen=True, slots=True)
class UnknownEvent:
    """An event whose name the bot does not know: logged by name, otherwise ignored."""

    event_name: str


Parsed = Event | UnknownEvent


class MalformedEvent(ValueError):
    """A body that is not an event as Zalo documents it."""


def _reason(error: ValidationError) -> str:
    """Where and what, without the values (they may be what someone typed)."""
    problems = error.errors(include_input=False, include_url=False)
    return "; ".join(
        f"{'.'.join(str(part) for part in problem['loc']) or 'body'}: {problem['msg']}"
        for problem in problems[:3]
    )


def parse_event(data: object) -> Parsed:
    """One event (the value of ``result``)."""
    if not isinstance(data, dict):
        raise MalformedEvent(f"an event must be an object, not {type(data).__name__}")
    name = data.get("event_name")
    if not isinstance(name, str) or not name:
        raise MalformedEvent("an event needs an event_name")
    if name not in EventKind._value2member_map_:
        return UnknownEvent(name)
    try:
        return Event.model_validate(data)
    except ValidationError as error:
        raise MalformedEvent(f"{name}: {_reason(error)}") from None


def parse_body(body: Any) -> list[Parsed]:
    """The events of a webhook POST or a ``getUpdates`` answer's ``result``-bearing body."""
    if isinstance(body, dict) and "result" in body:
        if body.get("ok") is False:
            raise MalformedEvent("the body says ok: false")
        return parse_result(body["result"])
    if isinstance(body, dict) and "event_name" in body:  # an event without its envelope
        return [parse_event(body)]
    raise MalformedEvent("a body needs a result (or an event_name)")


def parse_result(result: Any) -> list[Parsed]:
    """``result`` as one event or a list of them."""
    if result is None:
        return []
    items = result if isinstance(result, list) else [result]
    return [parse_event(item) for item in items]
