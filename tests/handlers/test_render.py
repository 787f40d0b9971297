"""Rendering a reply for Telegram: a caption is sized as Telegram counts it."""

from __future__ import annotations

from bot.locales import Safe
from bot.sandbox.harness import Harness
from bot.services.replies import Attachment, Reply
from handlers.telegram.render import send


async def test_an_emoji_text_too_long_for_a_caption_goes_before_the_file(bot: Harness) -> None:
    """600 emoji are 1,200 UTF-16 units, over Telegram's 1024 for a caption: text, then file."""
    chat = bot.chat("Bình", phone="0987654321")
    text = "🌟" * 600
    reply = Reply(Safe(text), document=Attachment("thong-bao.pdf", b"%PDF-1.4"))
    sent = await send(bot.application.bot, chat.user.id, reply)
    assert len(sent) == 2
    assert chat.messages[0].plain == text and chat.messages[1].kind == "document"
