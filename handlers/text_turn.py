"""Answering on a channel without buttons: choices as numbered lines, the typed number read back.

The choices shown last in a chat are stored (``OfferStore``), so the number typed next is the
press it names, whichever process reads it and after a restart. A number from a screen the chat
has since left still names the old press: its callback data carries the revision it was shown
at, and the feature answers it as it answers a stale button. A reply showing the very choices
read at the start of the turn (the same screen again, say after an answer it could not take)
leaves the stored row as it is: nothing to write.
"""

from __future__ import annotations

import html

from bot.domain.choices import Choice, typed_choice
from bot.domain.models import Person
from bot.locales import Safe
from bot.services.channels import (
    Capabilities,
    ChannelError,
    ChannelPort,
    Sent,
    without_buttons,
)
from bot.services.ports import Clock, OfferStore
from bot.services.replies import Reply


class ChannelTurn:
    """A ``Turn`` over any channel port; choices numbered when the channel has no buttons."""

    def __init__(self, port: ChannelPort, chat_id: str, offers: OfferStore, clock: Clock) -> None:
        self._port = port
        self._chat_id = chat_id
        self._offers = offers
        self._clock = clock
        self._stored: list[Choice] | None = None  # the chat's choices as read in this turn

    @property
    def capabilities(self) -> Capabilities:
        """The channel's."""
        return self._port.capabilities

    @property
    def numbered(self) -> bool:
        """Whether choices are shown as numbered lines here."""
        return not self._port.capabilities.buttons

    async def reply(self, reply: Reply) -> list[Sent]:
        """Deliver ``reply``; on a channel without buttons remember its choices first."""
        if self.numbered and reply.choices:
            choices = [choice for row in reply.choices for choice in row]
            if choices != self._stored:
                now = self._clock.now()
                await self._offers.offer(self._port.channel, self._chat_id, choices, now)
                self._stored = choices
            reply = without_buttons(reply)
        return await self._port.deliver(self._chat_id, reply)

    async def toast(self, text: str | None = None) -> None:
        """A press's notice, as a message of its own (there is no toast to show it in)."""
        if text:
            await self._port.deliver(self._chat_id, Reply(Safe(html.escape(text, quote=False))))

    async def working(self) -> None:
        """The channel's own sign of a reply being made (Zalo: "typing…")."""
        await self._port.working(self._chat_id)

    async def refresh(self, reply: Reply) -> None:
        """No message is edited in place here: a new one."""
        await self.reply(reply)

    async def screen(self, reply: Reply) -> None:
        """No message is edited here: the screen is a new message, and the numbers typed next
        name its choices (those of older screens are forgotten)."""
        await self.reply(reply)

    async def commands(self, person: Person) -> None:
        """No command list to set on such a channel."""

    async def fetch(self, file_id: str) -> bytes:
        """Files sent on such a channel are not fetched by id (Zalo sends a picture's URL)."""
        raise ChannelError("no file to fetch on this channel")

    async def press_for(self, typed: str) -> str | None:
        """The callback data of the choice ``typed`` names among those last shown, if any."""
        if not self.numbered:
            return None
        choices = await self._offers.offered(self._port.channel, self._chat_id)
        self._stored = choices
        index = typed_choice(typed, [choice.label for choice in choices])
        return choices[index].data if index is not None else None
