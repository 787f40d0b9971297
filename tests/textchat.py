"""A channel with no buttons, no documents and no contact sharing, as a test double of the port.

It proves the core is channel-neutral: the conversation is driven with typed text only, and
every choice comes back as a numbered line that the person answers by typing.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

from bot.domain.models import Channel
from bot.domain.telegram_html import parse_html
from bot.services.channels import Capabilities, Formatting, Sent, TextUnit
from bot.services.ports import Clock, OfferStore
from bot.services.replies import Reply
from handlers.inbound import Inbound, Kind
from handlers.routes import Conversation
from handlers.text_turn import ChannelTurn

TEXT_ONLY = Capabilities(
    max_text=2000,
    unit=TextUnit.CHARACTERS,
    buttons=False,
    documents=False,
    contact_sharing=False,
    formatting=Formatting.PLAIN,
)
LINE = re.compile(r"^(\d+)\. (.+)$", re.MULTILINE)


@dataclass
class Delivered:
    """One message the channel delivered: its text without markup, and a file's name if any."""

    chat_id: str
    text: str
    file_name: str | None = None


@dataclass
class TextOnlyChannel:
    """A ``ChannelPort`` that keeps what it delivered; choices must come already numbered."""

    channel: Channel = Channel.ZALO
    capabilities: Capabilities = TEXT_ONLY
    delivered: list[Delivered] = field(default_factory=list)
    working_in: list[str] = field(default_factory=list)  # chats told a reply is being made
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))

    def addressable(self, chat_id: str) -> bool:
        """Any non-empty id."""
        return bool(chat_id)

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        """Keep ``reply`` as a message (a document as its name: there are no files here)."""
        if reply.choices:
            raise AssertionError("a channel without buttons was handed buttons")
        document = reply.document or reply.photo
        self.delivered.append(
            Delivered(chat_id, parse_html(reply.text), document.filename if document else None)
        )
        return [Sent(str(next(self._ids)))]

    async def working(self, chat_id: str) -> None:
        """Note that a reply was announced as being made."""
        self.working_in.append(chat_id)

    def to(self, chat_id: str) -> list[Delivered]:
        """Everything delivered to ``chat_id``."""
        return [d for d in self.delivered if d.chat_id == chat_id]


class TextChat:
    """One person typing to the bot on ``channel``: every answer is text."""

    def __init__(
        self,
        conversation: Conversation,
        channel: TextOnlyChannel,
        offers: OfferStore,
        clock: Clock,
        user_id: str,
    ) -> None:
        self._conversation = conversation
        self._channel = channel
        self._offers = offers
        self._clock = clock
        self.user_id = user_id
        self._message_ids = itertools.count(1)

    @property
    def last(self) -> Delivered:
        """The last message this person received."""
        return self._channel.to(self.user_id)[-1]

    async def send(self, text: str) -> list[Delivered]:
        """Type ``text`` (``/word args`` is a command); the messages it brought back."""
        before = len(self._channel.to(self.user_id))
        if text.startswith("/"):
            word, *args = text[1:].split()
            kind, command = Kind.COMMAND, word.lower()
        else:
            kind, command, args = Kind.TEXT, "", []
        inbound = Inbound(
            self._channel.channel,
            self.user_id,
            self.user_id,
            kind,
            message_id=str(next(self._message_ids)),
            text=text,
            command=command,
            args=tuple(args),
        )
        turn = ChannelTurn(self._channel, self.user_id, self._offers, self._clock)
        await self._conversation.handle(inbound, turn)
        return self._channel.to(self.user_id)[before:]

    async def picture(self, reference: str, caption: str = "") -> list[Delivered]:
        """Send a picture (the channel's reference to it, as Zalo gives its URL)."""
        before = len(self._channel.to(self.user_id))
        inbound = Inbound(
            self._channel.channel,
            self.user_id,
            self.user_id,
            Kind.OTHER,
            message_id=str(next(self._message_ids)),
            text=caption,
            picture=reference,
        )
        turn = ChannelTurn(self._channel, self.user_id, self._offers, self._clock)
        await self._conversation.handle(inbound, turn)
        return self._channel.to(self.user_id)[before:]

    def numbers(self) -> dict[str, str]:
        """The numbered choices of the last message: label -> the number to type."""
        return {label: number for number, label in LINE.findall(self.last.text)}

    async def choose(self, label: str) -> list[Delivered]:
        """Type the number shown before ``label`` in the last message."""
        numbers = self.numbers()
        if label not in numbers:
            raise AssertionError(f"no numbered choice {label!r} in: {self.last.text}")
        return await self.send(numbers[label])
