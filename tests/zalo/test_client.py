"""The Zalo client turns every answer into a result or one of the channel port's errors, and
never lets the token out."""

from __future__ import annotations

import logging
import socket

import pytest
from pydantic import ValidationError

from bot.config import Settings
from bot.logs import PrivacyFilter, RedactFilter, redact_personal
from bot.sandbox.fake_zalo import FakeZaloApi
from bot.services.channels import BadRequest, ChannelError, RateLimited, Transient
from handlers.zalo.client import DEFAULT_API_URL, TokenRefused, ZaloClient, client_for
from tests.zalo.conftest import TED


async def test_calls_reach_the_fake_server(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """getMe, sendMessage, sendPhoto and sendChatAction go to <root>/bot<token>/<method>."""
    assert (await client.get_me())["id"] == zalo.bot_id
    message_id = await client.send_message(TED.id, "Xin chào")
    await client.send_photo(TED.id, "https://example.test/a.png", "ảnh")
    await client.send_chat_action(TED.id)
    assert message_id == zalo.sent(TED.id)[0].message_id
    assert [m.kind for m in zalo.sent(TED.id)] == ["text", "photo"]
    assert DEFAULT_API_URL == "https://bot-api.zaloplatforms.com"


@pytest.mark.parametrize("in_body_only", [False, True])
async def test_error_codes_become_the_ports_errors(
    client: ZaloClient, zalo: FakeZaloApi, in_body_only: bool
) -> None:
    """400 and 404 are BadRequest, 403 and 5xx Transient, 429 RateLimited, whether Zalo puts
    the code in the HTTP status or only in the body."""
    zalo.error_http_status = not in_body_only
    with pytest.raises(BadRequest, match="text is required"):
        await client.send_message(TED.id, "")
    with pytest.raises(BadRequest, match="Not Found"):
        await client.call("sendDocument", {"chat_id": TED.id})
    for code in (403, 500, 502):
        zalo.fail("sendMessage", code, f"failure {code}")
        with pytest.raises(Transient, match=f"failure {code}"):
            await client.send_message(TED.id, "x")
    zalo.fail("sendMessage", 429, "Quota exceeded", retry_after=7)
    with pytest.raises(RateLimited) as limited:
        await client.send_message(TED.id, "x")
    assert limited.value.retry_after == 7.0


async def test_a_429_without_a_pause_waits_the_configured_default(zalo: FakeZaloApi) -> None:
    """When Zalo does not say how long to wait, the client's default is used."""
    zalo.users[TED.id] = TED
    zalo.fail("sendMessage", 429, "Quota exceeded")
    async with ZaloClient(zalo.token, zalo.url, retry_after=42.0) as client:
        with pytest.raises(RateLimited) as limited:
            await client.send_message(TED.id, "x")
    assert limited.value.retry_after == 42.0


async def test_an_idle_poll_is_no_event(client: ZaloClient, zalo: FakeZaloApi) -> None:
    """getUpdates' 408 is 'nothing came', not an error; elsewhere a 408 is Transient."""
    assert await client.get_updates(0) is None
    event = zalo.text(TED, "chào")
    await zalo.push(event)
    assert await client.get_updates(0) == event["result"]
    zalo.fail("sendMessage", 408, "Request timeout")
    with pytest.raises(Transient):
        await client.send_message(TED.id, "x")


async def test_a_wrong_token_is_a_configuration_error_without_the_token(
    zalo: FakeZaloApi,
) -> None:
    """401 says to check ZALO_BOT_TOKEN, and quotes no token."""
    token = "999999:SecretTokenThatMustNotLeak_0123456789"
    async with ZaloClient(token, zalo.url) as client:
        with pytest.raises(TokenRefused, match="ZALO_BOT_TOKEN") as refused:
            await client.get_me()
    assert isinstance(refused.value, ChannelError)
    assert token not in str(refused.value)
    assert refused.value.__cause__ is None


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def test_network_errors_and_time_outs_are_transient_without_the_token(
    zalo: FakeZaloApi, caplog: pytest.LogCaptureFixture
) -> None:
    """A refused connection or an answer that does not come in time is Transient; neither the
    error nor anything logged quotes the token, and aiohttp's exception is not chained."""
    caplog.set_level(logging.DEBUG)
    async with ZaloClient(zalo.token, f"http://127.0.0.1:{_closed_port()}") as client:
        with pytest.raises(Transient) as down:
            await client.get_me()
    release = zalo.hold("getMe")
    async with ZaloClient(zalo.token, zalo.url, timeout=0.05) as client:
        with pytest.raises(Transient, match="no answer") as slow:
            await client.get_me()
    release.set()
    for error in (down.value, slow.value):
        assert zalo.token not in str(error)
        assert error.__cause__ is None and error.__suppress_context__
    assert all(zalo.token not in record.getMessage() for record in caplog.records)


def test_tokens_in_urls_are_redacted_in_logs() -> None:
    """A Zalo or Telegram token inside an API URL is blanked, with or without the secret."""
    zalo = "1459232241454765289:FakeZaloTokenForTestsOnly-abcdef"
    line = f"POST https://bot-api.zaloplatforms.com/bot{zalo}/sendMessage failed"
    assert redact_personal(line) == (
        "POST https://bot-api.zaloplatforms.com/bot[token]/sendMessage failed"
    )
    record = logging.LogRecord("handlers.zalo", logging.ERROR, __file__, 1, "%s", (line,), None)
    PrivacyFilter().filter(record)
    assert zalo not in record.getMessage()
    bare = logging.LogRecord("x", logging.ERROR, __file__, 1, "token is %s", (zalo,), None)
    RedactFilter(zalo).filter(bare)
    assert bare.getMessage() == "token is [token]"


def test_settings_configure_the_client() -> None:
    """ZALO_BOT_TOKEN, ZALO_API_URL and ZALO_SEND_PACE are read; no token, no client."""
    assert client_for(Settings(_env_file=None)) is None
    settings = Settings(
        _env_file=None, zalo_bot_token="1:abc", zalo_api_url="http://127.0.0.1:9/", zalo_send_pace=2
    )
    assert settings.zalo_api_url == "http://127.0.0.1:9" and settings.zalo_send_pace == 2
    assert "1:abc" not in repr(settings)
    assert isinstance(client_for(settings), ZaloClient)
    assert Settings(_env_file=None).zalo_api_url == DEFAULT_API_URL
    with pytest.raises(ValidationError) as wrong:
        Settings(_env_file=None, zalo_api_url="bot-api.zaloplatforms.com")
    assert wrong.value.errors()[0]["type"] == "api_url"
