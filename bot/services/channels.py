"""The channel port: what a messenger can do and how a channel-neutral reply reaches a chat.

Telegram is one adapter (``handlers/telegram/channel.py``); a second channel (Zalo: string ids,
texts of at most 2000 characters, no buttons, no documents) plugs in beside it. Callers (the
outbox sender, later the handlers) deliver through ``ChannelPort`` and see only the errors
below, whatever the messenger's own library raises.
"""

from __future__ import annotations

import html
from collections.abc import Mapping
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Protocol

from bot.domain.choices import numbered, typed_choice
from bot.domain.models import Channel
from bot.domain.telegram_html import utf16_len
from bot.locales import Safe
from bot.services.replies import Choice, Reply


class TextUnit(StrEnum):
    """How a channel counts the length of a text."""

    UTF16 = "utf16"  # UTF-16 code units (Telegram): an emoji outside the BMP counts two
    CHARACTERS = "characters"  # code points


class Formatting(StrEnum):
    """The markup a channel renders in a reply's text."""

    TELEGRAM_HTML = "telegram_html"  # the HTML subset Telegram accepts (bot.domain.telegram_html)
    PLAIN = "plain"  # no markup: tags must be stripped before sending


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a channel can show."""

    max_text: int  # longest text of one message, in ``unit``
    unit: TextUnit
    buttons: bool  # choices as buttons (else numbered lines, the typed answer parsed back)
    documents: bool  # files sent in the chat (else a download link)
    contact_sharing: bool  # a "share my number" button
    formatting: Formatting

    def length(self, text: str) -> int:
        """The length of ``text`` as this channel counts it."""
        return utf16_len(text) if self.unit is TextUnit.UTF16 else len(text)


@dataclass(frozen=True, slots=True)
class Sent:
    """One message a channel delivered."""

    message_id: str
    file_id: str | None = None  # the channel's id of a file sent with it, to send it again by id


class ChannelError(Exception):
    """A delivery the channel refused or could not complete; ``message`` is what it said."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RateLimited(ChannelError):
    """Too many messages: wait ``retry_after`` seconds before sending anything again."""

    def __init__(self, message: str, retry_after: float) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Blocked(ChannelError):
    """The person blocked the bot (or left the channel): nothing will reach them."""


class BadRequest(ChannelError):
    """The channel refused the message itself: a bug on our side, sending again will not help."""


class Transient(ChannelError):
    """A network error, a time-out, the channel's server failing: worth trying again later."""


class FileTooBig(ChannelError):
    """The channel will not hand the bot a file this large (Telegram's getFile: 20 MB)."""


class ChannelPort(Protocol):
    """A messaging channel the bot delivers replies on."""

    @property
    def channel(self) -> Channel:
        """Which channel this is (accounts carry it)."""
        ...

    @property
    def capabilities(self) -> Capabilities:
        """What it can show."""
        ...

    def addressable(self, chat_id: str) -> bool:
        """Whether ``chat_id`` is a chat id of this channel (else the account is not linked)."""
        ...

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        """Deliver ``reply`` (one or several messages: a file, then its text, say) to ``chat_id``.

        Raises ``RateLimited``, ``Blocked``, ``BadRequest`` or ``Transient`` for what the
        channel refused; any other exception is a bug of ours (a reply that cannot be built)."""
        ...

    async def working(self, chat_id: str) -> None:
        """Show in ``chat_id`` that a reply is being made (a document: Telegram's "sending a
        file…", Zalo's "typing…"). Only a courtesy: a refusal is logged, never raised."""
        ...


Channels = Mapping[Channel, ChannelPort]  # the adapters of a running bot, by channel


GROUP_FROM = 6  # more choices than this: a blank line between rows (single ones kept together)


def without_buttons(reply: Reply) -> Reply:
    """``reply`` for a channel without buttons: its choices as numbered lines under the text
    (``typed_press`` reads the answer back); a long list keeps its rows as groups of lines
    (an item's "Sửa" and "Xóa" together, "Tải văn bản" and "Gửi" together at the end)."""
    choices = [choice for row in reply.choices for choice in row]
    if not choices:
        return reply
    listed = numbered([html.escape(c.label, quote=False) for c in choices])
    lines = listed
    if len(choices) > GROUP_FROM:  # a long list: its rows of buttons become groups of lines
        grouped: list[str] = []
        start, single = 0, False
        for row in reply.choices:
            alone = len(row) == 1
            if grouped and not (alone and single):
                grouped.append("")
            grouped += listed[start : start + len(row)]
            start, single = start + len(row), alone
        lines = grouped
    listing = "\n".join(lines)
    shown = _unlisted(reply.text, listed)
    text = Safe(f"{shown}\n\n{listing}" if shown else listing)
    return replace(reply, text=text, choices=())


def _unlisted(text: str, listed: list[str]) -> str:
    """``text`` without the numbered list of choices it already carries for typing ("1. Hội Phụ
    nữ" …, written beside Telegram's buttons): on a channel without buttons the choices are that
    list, and the same lines twice would read as two questions. Only whole lines, and only a run
    of at least two of the choices from the first, are taken out."""
    body = text.split("\n")
    for count in range(len(listed), 1, -1):
        block = listed[:count]
        for start in range(len(body) - count + 1):
            after = body[start + count] if start + count < len(body) else ""
            if body[start : start + count] == block and not after.startswith(f"{count + 1}. "):
                return "\n".join(body[:start] + body[start + count :])
    return text


def typed_press(typed: str, reply: Reply) -> Choice | None:
    """The choice of ``reply`` that a typed answer names (its number or its label), if any."""
    choices = [choice for row in reply.choices for choice in row]
    index = typed_choice(typed, [c.label for c in choices])
    return choices[index] if index is not None else None
