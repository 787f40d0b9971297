"""The upper bound: a bare python-telegram-bot echo bot built like ours (same transport, same
update processor), answering every message and button press with one message."""

from __future__ import annotations

import os

from telegram import Update
from telegram.ext import Application, CallbackQueryHandler, ContextTypes, MessageHandler, filters

from bot.app import HTTP_POOL_SIZE, HTTP_POOL_TIMEOUT
from handlers.telegram.concurrency import PerPersonUpdateProcessor
from handlers.telegram.transport import AiohttpRequest


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer with one short message."""
    if update.callback_query is not None:
        await update.callback_query.answer()
    if update.effective_chat is not None:
        await context.bot.send_message(update.effective_chat.id, "echo")


def main() -> None:
    """Poll the Bot API at TELEGRAM_API_URL until terminated."""
    root = os.environ["TELEGRAM_API_URL"].rstrip("/")
    application = (
        Application.builder()
        .token(os.environ["TELEGRAM_BOT_TOKEN"])
        .base_url(f"{root}/bot")
        .concurrent_updates(PerPersonUpdateProcessor())
        .request(AiohttpRequest(HTTP_POOL_SIZE, pool_timeout=HTTP_POOL_TIMEOUT))
        .get_updates_request(AiohttpRequest(1))
        .build()
    )
    application.add_handler(MessageHandler(filters.ALL, echo))
    application.add_handler(CallbackQueryHandler(echo))
    application.run_polling(allowed_updates=["message", "callback_query"])


if __name__ == "__main__":
    main()
