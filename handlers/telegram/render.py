"""Render channel-neutral replies as Telegram messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from telegram import (
    Bot,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.domain.telegram_html import utf16_len
from bot.services.replies import Attachment, Reply
from handlers.telegram.calls import edit_text, send_text

MENU_COLUMNS = 2
CAPTION_LIMIT = 900  # UTF-16 units; Telegram allows 1024 in a caption: keep clear of it


log = logging.getLogger(__name__)


def keyboard(reply: Reply) -> InlineKeyboardMarkup | ReplyKeyboardMarkup | None:
    """Buttons under the text when there are choices; else the contact button or the menu."""
    if reply.choices:
        return InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(c.label, callback_data=c.data) for c in row]
                for row in reply.choices
            ]
        )
    if reply.ask_contact is not None:
        return ReplyKeyboardMarkup(
            [[KeyboardButton(reply.ask_contact, request_contact=True)]],
            resize_keyboard=True,
            is_persistent=True,
        )
    if reply.menu:
        labels = [label for _, label in reply.menu]
        rows = [labels[i : i + MENU_COLUMNS] for i in range(0, len(labels), MENU_COLUMNS)]
        return ReplyKeyboardMarkup(rows, resize_keyboard=True, is_persistent=True)
    return None


def markup(reply: Reply) -> dict[str, Any] | None:
    """``keyboard(reply)`` as the Bot API's JSON, built directly: a reply's buttons are sent,
    never read back, so PTB's objects (and their ``to_dict``) would be made only to be undone."""
    if reply.choices:
        return {
            "inline_keyboard": [
                [{"text": c.label, "callback_data": c.data} for c in row] for row in reply.choices
            ]
        }
    if reply.ask_contact is not None:
        return {
            "keyboard": [[{"text": reply.ask_contact, "request_contact": True}]],
            "resize_keyboard": True,
            "is_persistent": True,
        }
    if reply.menu:
        labels = [label for _, label in reply.menu]
        rows = [labels[i : i + MENU_COLUMNS] for i in range(0, len(labels), MENU_COLUMNS)]
        return {
            "keyboard": [[{"text": label} for label in row] for row in rows],
            "resize_keyboard": True,
            "is_persistent": True,
        }
    return None


@dataclass(frozen=True, slots=True)
class Posted:
    """A message Telegram took: its id, whether it is the reply's text message (the one a
    screen's buttons are on), and the id of its photo or document."""

    message_id: int
    text: bool = False
    file_id: str | None = None


def _posted(message: Message) -> Posted:
    found = message.photo[-1] if message.photo else message.document
    return Posted(message.message_id, False, found.file_id if found is not None else None)


async def answer(message: Message, reply: Reply) -> None:
    """Send ``reply`` in the chat of ``message``."""
    await send(message.get_bot(), message.chat_id, reply)


def _file(attachment: Attachment) -> str | bytes:
    return attachment.file_id or attachment.content


async def send(bot: Bot, chat_id: int, reply: Reply) -> list[Posted]:
    """Send ``reply`` to ``chat_id``: a photo or document with a short text as its caption, else
    the text first; return the messages sent (a file's id is in them). The text goes through
    ``calls.send_text`` (no ``Message`` parsed from the answer: only its id is read)."""
    buttons = markup(reply)
    sent: list[Posted] = []
    photo, document = reply.photo, reply.document
    caption = utf16_len(reply.text) <= CAPTION_LIMIT and buttons is None
    if photo is not None:
        as_caption = caption and document is None
        message = await bot.send_photo(
            chat_id,
            _file(photo),
            filename=photo.filename,
            caption=(reply.text or None) if as_caption else None,
            parse_mode=ParseMode.HTML,
        )
        sent.append(_posted(message))
        if as_caption:
            return sent
    if document is not None and caption:
        message = await bot.send_document(
            chat_id,
            _file(document),
            filename=document.filename,
            caption=reply.text or None,
            parse_mode=ParseMode.HTML,
        )
        sent.append(_posted(message))
        return sent
    if reply.text or buttons is not None:
        sent.append(Posted(await send_text(bot, chat_id, reply.text, buttons), text=True))
    if document is not None:
        message = await bot.send_document(
            chat_id,
            _file(document),
            filename=document.filename,
            caption=document.caption,
            parse_mode=ParseMode.HTML,
        )
        sent.append(_posted(message))
    return sent


async def acknowledge(query: CallbackQuery, text: str | None = None) -> None:
    """Answer a button press (a toast with ``text``). A press Telegram delivers again after a
    restart was answered already and Telegram refuses a second answer: nothing to tell anyone."""
    try:
        await query.answer(text)
    except BadRequest as error:
        if (
            "query is too old" not in str(error).lower()
            and "query id is invalid" not in str(error).lower()
        ):
            raise
        log.info("a button press was answered already (%s)", error)


async def edit(query: CallbackQuery, reply: Reply) -> None:
    """Show ``reply`` in place of the message whose button was pressed (a fresh count, say);
    a new message when that one cannot be edited."""
    buttons = keyboard(reply)
    message = query.message
    if (
        isinstance(message, Message)
        and message.text is not None
        and reply.document is None
        and reply.photo is None
        and (buttons is None or isinstance(buttons, InlineKeyboardMarkup))
    ):
        if message.text_html == reply.text and message.reply_markup == buttons:
            return  # nothing changed since the last press (Telegram would refuse the edit)
        try:
            await edit_text(
                query.get_bot(), message.chat.id, message.message_id, reply.text, markup(reply)
            )
            return
        except BadRequest as error:
            if "not modified" in error.message:  # nothing changed since the last press
                return
            raise
    if message is not None:
        await send(query.get_bot(), message.chat.id, reply)


async def fold(bot: Bot, chat_id: int, message_id: int, folded: str) -> bool:
    """Take the buttons off a screen the chat has moved on from, and shrink its text to
    ``folded`` (kept as it is when empty). False when Telegram refused (too old to edit, deleted
    by the person, unreachable): its buttons stay, and answer as stale buttons do."""
    try:
        if folded:  # an edit without reply_markup removes the inline keyboard too
            await edit_text(bot, chat_id, message_id, folded)
        else:
            await bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
    except TelegramError as error:
        log.info("a screen could not be folded (%s)", error)
        return False
    return True
