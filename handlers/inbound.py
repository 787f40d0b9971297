"""What arrived from a chat, and how a router answers it, whatever the channel.

A channel edge (``handlers/telegram/``, later Zalo's) turns what its messenger delivered into
one ``Inbound`` and hands it to the conversation (``handlers/routes.py``) with a ``Turn``: the
way to answer in that chat. The feature routers see only these two, never a messenger's types.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol

from bot.domain.broadcast import BroadcastFile
from bot.domain.models import Channel, Person
from bot.services.channels import Capabilities, Sent
from bot.services.replies import Reply


class Kind(StrEnum):
    """What kind of thing arrived."""

    COMMAND = "command"  # ``/word args``
    TEXT = "text"
    PRESS = "press"  # a button pressed (or, on a text-only channel, a numbered choice typed)
    CONTACT = "contact"  # a shared phone number
    OTHER = "other"  # a photo, sticker, voice note or file


@dataclass(frozen=True, slots=True)
class Contact:
    """A shared contact: whose account it is (when the messenger says) and the number."""

    user_id: str | None
    phone: str


@dataclass(frozen=True, slots=True)
class Inbound:
    """One message or press from a person's chat, channel-neutral."""

    channel: Channel
    user_id: str  # the sender's account id on ``channel``
    chat_id: str
    kind: Kind
    message_id: str = ""
    text: str = ""  # the typed text (or a file's caption), as the person wrote it
    html: str = ""  # the same with its formatting as Telegram HTML (an admin's announcement)
    command: str = ""  # the command word, lower case, without the slash or a ``@bot`` suffix
    args: tuple[str, ...] = ()
    data: str = ""  # a press's callback data
    contact: Contact | None = None
    file: BroadcastFile | None = None  # a photo or document sent (an announcement's attachment)
    picture: str = ""  # the channel's reference to a photo sent (Telegram file id, Zalo URL)

    @property
    def source(self) -> str:
        """Where an answer came from (recorded with it): chat and message id."""
        return f"{self.chat_id}:{self.message_id}" if self.message_id else ""


class Turn(Protocol):
    """How a router answers the ``Inbound`` it was given, in the chat it came from."""

    @property
    def capabilities(self) -> Capabilities:
        """What the chat's channel can show (a guest is asked for a contact only where it can
        be shared)."""
        ...

    async def reply(self, reply: Reply) -> list[Sent]:
        """Show ``reply`` in the chat; the messages sent (a file's id on the channel in them)."""
        ...

    async def toast(self, text: str | None = None) -> None:
        """Acknowledge a press, with a short notice (``text``) if there is one to give."""
        ...

    async def working(self) -> None:
        """Show in the chat that a reply is being made (before a document is built), where
        the channel can; never fails."""
        ...

    async def refresh(self, reply: Reply) -> None:
        """Show ``reply`` in place of the message whose button was pressed, where the channel
        can; else as a new message."""
        ...

    async def screen(self, reply: Reply) -> None:
        """Show ``reply`` as the chat's current screen (a step of the form, the review): the
        screen shown before it, remembered per chat, loses its buttons and shrinks to its
        ``folded`` line where the channel can edit a message. ``reply`` itself always arrives,
        as a new message, whatever happens to the one before."""
        ...

    async def commands(self, person: Person) -> None:
        """Show this person's own command list, where the channel has one."""
        ...

    async def fetch(self, file_id: str) -> bytes:
        """The bytes of a file sent in this chat, by the channel's id of it. ``FileTooBig``
        when the channel will not hand out a file that large; another ``ChannelError`` when
        it could not (or the channel has no such files)."""
        ...

    async def press_for(self, typed: str) -> str | None:
        """On a channel without buttons, the press a typed answer names among the choices last
        shown in the chat (their number or label); None elsewhere, or when it names none."""
        ...
