"""Render channel-neutral replies as Telegram messages."""

from __future__ import annotations

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
)
from telegram.constants import ParseMode

from bot.services.replies import Reply

MENU_COLUMNS = 2
CAPTION_LIMIT = 900  # Telegram allows 1024 characters in a caption; keep clear of it


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


async def answer(message: Message, reply: Reply) -> None:
    """Send ``reply`` in the chat of ``message``."""
    await send(message.get_bot(), message.chat_id, reply)


async def send(bot: Bot, chat_id: int, reply: Reply) -> None:
    """Send ``reply`` to ``chat_id``: a document with a short text as its caption, else both."""
    markup = keyboard(reply)
    if reply.photo is not None:
        caption = len(reply.text) <= CAPTION_LIMIT and markup is None and reply.document is None
        await bot.send_photo(
            chat_id,
            reply.photo.content,
            filename=reply.photo.filename,
            caption=reply.text if caption else None,
            parse_mode=ParseMode.HTML,
        )
        if caption:
            return
    document = reply.document
    if document is not None and markup is None and len(reply.text) <= CAPTION_LIMIT:
        await bot.send_document(
            chat_id,
            document.content,
            filename=document.filename,
            caption=reply.text,
            parse_mode=ParseMode.HTML,
        )
        return
    await bot.send_message(chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=markup)
    if document is not None:
        await bot.send_document(chat_id, document.content, filename=document.filename)
