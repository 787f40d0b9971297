"""Bot API calls whose result the bot does not read, made without PTB parsing it.

PTB's ``Bot.send_message`` and ``Bot.edit_message_text`` turn the message Telegram returns into
a ``Message`` (with its chat, sender, entities and buttons: ~15 objects, ~450 attribute writes),
which a reply uses only for its ``message_id`` and a fold not at all: 6% of the bot's busy
samples under ``bench/conversation.py``. ``Bot.do_api_request`` is PTB's public way to call an
endpoint and get its JSON as it is (``return_type=None``). Two things differ from the named
methods, both handled here:

- it warns when the endpoint has a method of its own ("Please use 'Bot.send_message' …"): that
  warning is silenced for the calls of this module only (``module=`` below; pyproject's pytest
  filters repeat it, since pytest resets filters for each test);
- it does not apply ``telegram.ext.Defaults`` to what it is given: every parameter that the
  application's ``Defaults`` set (``parse_mode``) is passed explicitly, and a keyboard is passed as
  the Bot API's JSON (``render.markup``), checked against PTB's own objects in the tests.

Errors are PTB's as with the named methods (``BadRequest``, ``Forbidden``, ``RetryAfter`` …):
the request goes through the same ``Bot._post`` and transport.
"""

from __future__ import annotations

import warnings
from typing import Any

from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.warnings import PTBUserWarning


def silence_known_endpoints() -> None:
    """Drop PTB's "Please use 'Bot.send_message'" warning for the calls of this module only."""
    warnings.filterwarnings(
        "ignore",
        message=r"Please use 'Bot\.(send_message|edit_message_text)' instead",
        category=PTBUserWarning,
        module=r"handlers\.telegram\.calls",
    )


silence_known_endpoints()

JSON = dict[str, Any]


async def send_text(bot: Bot, chat_id: int, text: str, keyboard: JSON | None) -> int:
    """Send an HTML text (with ``keyboard``, the Bot API's JSON) to ``chat_id``; its message id."""
    params: JSON = {"chat_id": chat_id, "text": text, "parse_mode": ParseMode.HTML.value}
    if keyboard is not None:
        params["reply_markup"] = keyboard
    result = await bot.do_api_request("send_message", api_kwargs=params)
    message_id = result.get("message_id") if isinstance(result, dict) else None
    if not isinstance(message_id, int):
        raise TelegramError(f"sendMessage answered without a message id: {type(result).__name__}")
    return message_id


async def edit_text(
    bot: Bot, chat_id: int, message_id: int, text: str, keyboard: JSON | None = None
) -> None:
    """Replace the text of a message the bot sent (HTML); without ``keyboard`` its inline
    buttons go too."""
    params: JSON = {
        "chat_id": chat_id,
        "message_id": message_id,
        "text": text,
        "parse_mode": ParseMode.HTML.value,
    }
    if keyboard is not None:
        params["reply_markup"] = keyboard
    await bot.do_api_request("edit_message_text", api_kwargs=params)
