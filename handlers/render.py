"""Render channel-neutral replies as Telegram messages."""

from __future__ import annotations

from telegram import Bot, KeyboardButton, Message, ReplyKeyboardMarkup
from telegram.constants import ParseMode

from bot.services.replies import Reply

MENU_COLUMNS = 2


def keyboard(reply: Reply) -> ReplyKeyboardMarkup | None:
    """The reply keyboard: the contact button when asked, else the role menu."""
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
    await message.reply_text(reply.text, parse_mode=ParseMode.HTML, reply_markup=keyboard(reply))


async def send(bot: Bot, chat_id: int, reply: Reply) -> None:
    """Send ``reply`` to ``chat_id`` (when there is no message to answer)."""
    await bot.send_message(
        chat_id, reply.text, parse_mode=ParseMode.HTML, reply_markup=keyboard(reply)
    )
