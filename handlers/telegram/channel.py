"""Telegram as a channel port: replies rendered by ``render.send``, PTB's errors classified."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import BadRequest, Forbidden, RetryAfter, TelegramError

from bot.domain.models import Channel
from bot.services import channels
from bot.services.channels import Capabilities, Formatting, Sent, TextUnit
from bot.services.replies import Reply
from handlers.telegram.render import Posted, send

TELEGRAM = Capabilities(
    max_text=4096,  # UTF-16 code units of a message's text, after entities are parsed
    unit=TextUnit.UTF16,
    buttons=True,
    documents=True,
    contact_sharing=True,
    formatting=Formatting.TELEGRAM_HTML,
)


def retry_seconds(error: RetryAfter) -> float:
    """The pause a 429 asked for, in seconds."""
    wait = error.retry_after
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


def classify(error: TelegramError) -> channels.ChannelError:
    """The channel-neutral error for what Telegram (or the way to it) said."""
    if isinstance(error, RetryAfter):
        return channels.RateLimited(error.message, retry_seconds(error))
    if isinstance(error, Forbidden):
        return channels.Blocked(error.message)
    if isinstance(error, BadRequest):
        return channels.BadRequest(error.message)
    # NetworkError, TimedOut, 5xx, and the rest (a chat migrated, a conflict): try again later
    return channels.Transient(error.message)


log = logging.getLogger(__name__)


async def show_working(bot: Bot, chat_id: int) -> None:
    """Telegram's "sending a file…" in ``chat_id`` while a document is made (it lasts five
    seconds or until the next message); a refusal only loses the indicator: logged."""
    try:
        await bot.send_chat_action(chat_id, ChatAction.UPLOAD_DOCUMENT)
    except TelegramError as error:
        log.info("telegram: no chat action for a chat: %s", type(error).__name__)


def sent_of(posted: Posted) -> Sent:
    """What the channel port reports of a message Telegram took (its file's id, if any)."""
    return Sent(str(posted.message_id), posted.file_id)


class TelegramChannel:
    """Delivers replies through a PTB ``Bot``."""

    def __init__(self, bot: Bot) -> None:
        self._bot = bot

    @property
    def channel(self) -> Channel:
        """Telegram."""
        return Channel.TELEGRAM

    @property
    def capabilities(self) -> Capabilities:
        """Buttons, documents, contact sharing, Telegram's HTML; 4096 UTF-16 units a text."""
        return TELEGRAM

    def addressable(self, chat_id: str) -> bool:
        """Telegram's chat ids are integers (negative for groups)."""
        return chat_id.lstrip("-").isdigit()

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        """Send ``reply`` to ``chat_id`` as ``handlers.telegram.render.send`` renders it."""
        try:
            messages = await send(self._bot, int(chat_id), reply)
        except TelegramError as error:
            raise classify(error) from error
        return [sent_of(message) for message in messages]

    async def working(self, chat_id: str) -> None:
        """ "Sending a file…" while a document is made."""
        await show_working(self._bot, int(chat_id))
