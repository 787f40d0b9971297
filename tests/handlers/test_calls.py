"""Replies and folds sent without PTB parsing their answers: the same calls as PTB's methods."""

from __future__ import annotations

import warnings

import pytest
from telegram.error import BadRequest
from telegram.warnings import PTBUserWarning

from bot.domain.menu import Command
from bot.locales import Safe
from bot.sandbox.harness import Harness
from bot.services.replies import Choice, Reply
from handlers.telegram import calls
from handlers.telegram.render import Posted, fold, keyboard, markup, send

REPLIES = [
    Reply(Safe("Câu 1/9"), choices=((Choice("⏭ Bỏ qua", "p:s"), Choice("⬅️ Quay lại", "p:b")),)),
    Reply(Safe("Chia sẻ số điện thoại"), ask_contact="📱 Gửi số điện thoại"),
    Reply(
        Safe("Menu"),
        menu=((Command.PLAN, "Kế hoạch"), (Command.HELP, "Trợ giúp"), (Command.ME, "Tôi")),
    ),
    Reply(Safe("Chỉ chữ")),
]


@pytest.mark.parametrize("reply", REPLIES)
def test_a_keyboard_as_json_is_what_ptb_would_send(reply: Reply) -> None:
    """``markup`` is the JSON PTB's own objects turn into, for buttons, contact and menu."""
    built = keyboard(reply)
    assert markup(reply) == (built.to_dict() if built is not None else None)


async def test_a_text_reply_is_sent_as_html_and_reports_its_message_id(bot: Harness) -> None:
    """The text goes out with parse_mode HTML and its buttons; what comes back is its id."""
    chat = bot.chat("Bình", phone="0987654321")
    [posted] = await send(bot.application.bot, chat.user.id, REPLIES[0])
    [call] = bot.api.calls_of("sendMessage")
    assert call.params["parse_mode"] == "HTML"
    assert call.params["reply_markup"] == markup(REPLIES[0])
    assert posted == Posted(chat.messages[-1].message_id, text=True)
    assert chat.messages[-1].inline_buttons()


async def test_a_fold_takes_the_buttons_off_and_reads_no_answer(bot: Harness) -> None:
    """The fold is one editMessageText, in HTML, without reply_markup: the buttons go."""
    chat = bot.chat("Bình", phone="0987654321")
    [posted] = await send(bot.application.bot, chat.user.id, REPLIES[0])
    assert await fold(bot.application.bot, chat.user.id, posted.message_id, "✓ <b>Câu 1/9</b>")
    [call] = bot.api.calls_of("editMessageText")
    assert call.params["parse_mode"] == "HTML" and "reply_markup" not in call.params
    assert chat.messages[-1].plain == "✓ Câu 1/9" and not chat.messages[-1].inline_buttons()


async def test_a_refused_fold_is_reported_as_one(bot: Harness) -> None:
    """A message Telegram will not edit (unknown here) is a False fold, not an error."""
    chat = bot.chat("Bình", phone="0987654321")
    assert not await fold(bot.application.bot, chat.user.id, 999_999, "✓ Câu 1/9")
    [refused] = bot.api.rejected()
    assert refused.method == "editMessageText"
    bot.api.calls.remove(refused)  # Telegram's own refusal, expected here


async def test_telegram_refusing_a_text_raises_ptbs_error(bot: Harness) -> None:
    """A text Telegram refuses (empty after the HTML is parsed) raises BadRequest, as
    ``Bot.send_message`` would, so the channel port classifies it the same way."""
    chat = bot.chat("Bình", phone="0987654321")
    with pytest.raises(BadRequest):
        await calls.send_text(bot.application.bot, chat.user.id, "<b></b>", None)
    [refused] = bot.api.rejected()
    bot.api.calls.remove(refused)  # Telegram's own refusal, expected here


async def test_only_this_modules_calls_are_silenced(bot: Harness) -> None:
    """PTB's "Please use Bot.send_message" warning is silenced for ``calls`` only: the same
    call from anywhere else still warns."""
    chat = bot.chat("Bình", phone="0987654321")
    ptb = bot.application.bot
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        calls.silence_known_endpoints()
        await calls.send_text(ptb, chat.user.id, "một", None)
        await calls.edit_text(ptb, chat.user.id, chat.messages[-1].message_id, "hai")
        assert not [w for w in seen if issubclass(w.category, PTBUserWarning)]
        await ptb.do_api_request("send_message", api_kwargs={"chat_id": chat.user.id, "text": "ba"})
    assert [w for w in seen if issubclass(w.category, PTBUserWarning)]


def test_the_applications_defaults_are_only_what_calls_pass_themselves(bot: Harness) -> None:
    """``do_api_request`` skips ``Defaults``: the application's may set parse modes (HTML, which
    ``calls`` passes) and nothing else, or a text sent through ``calls`` would miss it."""
    defaults = bot.application.bot.defaults
    assert defaults is not None
    assert {k: v for k, v in defaults.api_defaults.items() if not k.endswith("parse_mode")} == {}
    assert set(defaults.api_defaults.values()) == {"HTML"}
