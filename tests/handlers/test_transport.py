"""The aiohttp transport's JSON: orjson both ways, PTB's own path for what orjson refuses."""

from __future__ import annotations

import json

import pytest
from telegram.error import TelegramError
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.app import outbox_bot
from bot.sandbox.fake_api import Fault
from bot.sandbox.harness import Harness
from handlers.telegram.transport import AiohttpRequest, _body


def _data(**parameters: object) -> RequestData:
    return RequestData([RequestParameter.from_input(k, v) for k, v in parameters.items()])


def test_a_body_is_the_json_of_its_parameters() -> None:
    """Nested keyboards, Vietnamese text and ids encode as the standard library would."""
    data = _data(
        chat_id=-1001234567890,
        text="Đồng chí đã gửi kế hoạch ✅",
        reply_markup={"inline_keyboard": [[{"text": "Sửa", "callback_data": "p:e:1"}]]},
        disable_notification=True,
    )
    body = _body(data)
    assert isinstance(body, bytes)
    assert json.loads(body) == data.parameters
    assert "Đồng chí".encode() in body  # UTF-8 as it is, not \\u escapes


def test_what_orjson_cannot_encode_goes_through_json() -> None:
    """An integer beyond 64 bits (orjson refuses it) still makes a body."""
    body = _body(_data(chat_id=2**70, text="x"))
    assert isinstance(body, bytes) and json.loads(body)["chat_id"] == 2**70


def test_an_answer_is_parsed_and_invalid_utf8_replaced_as_ptb_does() -> None:
    """Valid JSON is parsed; bytes that are not UTF-8 are replaced (PTB's way), not an error."""
    assert AiohttpRequest.parse_json_payload(b'{"ok":true,"result":{"message_id":7}}') == {
        "ok": True,
        "result": {"message_id": 7},
    }
    parsed = AiohttpRequest.parse_json_payload(b'{"ok":true,"result":"a\xffb"}')
    assert parsed == {"ok": True, "result": "a\ufffdb"}


def test_an_answer_that_is_not_json_is_ptbs_error() -> None:
    """A body that is not JSON is TelegramError("Invalid server response"), as in PTB."""
    with pytest.raises(TelegramError, match="Invalid server response"):
        AiohttpRequest.parse_json_payload(b"<html>502 Bad Gateway</html>")


async def test_a_broken_proxy_answering_html_is_an_error_of_the_call(bot: Harness) -> None:
    """200 with a body that is not JSON reaches the caller as TelegramError, nothing parsed."""
    chat = bot.chat("Bình", phone="0987654321")
    bot.api.faults.append(Fault("sendMessage", 200, kind="malformed"))
    with pytest.raises(TelegramError, match="Invalid server response"):
        await bot.application.bot.send_message(chat.user.id, "một")
    [broken] = bot.api.rejected()
    bot.api.calls.remove(broken)  # broken on purpose


def test_the_poller_long_polls_through_aiohttp_too(bot: Harness) -> None:
    """The bot that polls getUpdates (the outbox's) sends that call through the aiohttp
    transport as well, not through PTB's default httpx one (which it used before)."""
    polling = outbox_bot(bot.settings)
    get_updates, others = polling._request  # PTB keeps no public handle on the first
    assert isinstance(get_updates, AiohttpRequest) and isinstance(others, AiohttpRequest)
