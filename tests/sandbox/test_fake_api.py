"""The fake Bot API refuses what Telegram refuses and injects the faults Telegram produces."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, InvalidToken, NetworkError, RetryAfter, TimedOut
from telegram.request import HTTPXRequest

from bot.domain.telegram_html import EntityError, parse_html
from bot.sandbox.fake_api import FakeBotApi, FakeUser, Fault

CHAT = 777


@pytest.fixture
async def tg(api: FakeBotApi) -> AsyncIterator[Bot]:
    """A plain PTB Bot pointed at the fake server, with a known user."""
    api.add_user(FakeUser(id=CHAT, first_name="Test"))
    bot = Bot(api.token, base_url=f"{api.url}/bot", request=HTTPXRequest(read_timeout=2.0))
    async with bot:
        yield bot


async def test_get_me_and_wrong_token(api: FakeBotApi) -> None:
    """getMe answers with the bot's username; a wrong token is Unauthorized."""
    async with Bot(api.token, base_url=f"{api.url}/bot") as bot:
        assert bot.username == api.username
    with pytest.raises(InvalidToken):
        async with Bot("1:wrong", base_url=f"{api.url}/bot"):
            pass


async def test_text_limits_and_html_are_checked(tg: Bot, api: FakeBotApi) -> None:
    """Over 4096 characters, empty text, malformed HTML and unknown chats are refused."""
    await tg.send_message(CHAT, "x" * 4096)
    await tg.send_message(
        CHAT, "<b>" + "x" * 4096 + "</b>", parse_mode=ParseMode.HTML
    )  # tags don't count
    with pytest.raises(BadRequest, match="too long"):
        await tg.send_message(CHAT, "x" * 4097)
    with pytest.raises(BadRequest, match="parse entities"):
        await tg.send_message(CHAT, "a < b", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match="parse entities"):
        await tg.send_message(CHAT, "<b>open <i>cross</b></i>", parse_mode=ParseMode.HTML)
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await tg.send_message(99999, "hello")
    with pytest.raises(BadRequest, match="empty"):
        await tg.send_message(CHAT, "<b> </b>", parse_mode=ParseMode.HTML)
    assert [m.plain[:3] for m in api.sent(CHAT)] == ["xxx", "xxx"]


async def test_callback_data_over_64_bytes_is_refused(tg: Bot) -> None:
    """Callback data is limited to 64 bytes (UTF-8), as in Telegram."""
    ok = InlineKeyboardMarkup([[InlineKeyboardButton("Sửa", callback_data="e" * 64)]])
    await tg.send_message(CHAT, "ok", reply_markup=ok)
    too_long = InlineKeyboardMarkup([[InlineKeyboardButton("Sửa", callback_data="ă" * 33)]])
    with pytest.raises(BadRequest, match=r"(?i)button_data_invalid"):
        await tg.send_message(CHAT, "no", reply_markup=too_long)


async def test_edit_and_document(tg: Bot, api: FakeBotApi) -> None:
    """Edits change the stored message (identical edits are refused); documents keep bytes."""
    sent = await tg.send_message(CHAT, "một")
    await tg.edit_message_text("hai", chat_id=CHAT, message_id=sent.message_id)
    with pytest.raises(BadRequest, match="not modified"):
        await tg.edit_message_text("hai", chat_id=CHAT, message_id=sent.message_id)
    await tg.send_document(CHAT, b"PK-docx-bytes", filename="ke-hoach.docx", caption="Kế hoạch")
    first, doc = api.sent(CHAT)
    assert first.text == "hai" and first.edits == 1
    assert (
        doc.kind == "document"
        and doc.file_name == "ke-hoach.docx"
        and doc.file_bytes == b"PK-docx-bytes"
    )


async def test_faults_429_403_5xx_and_timeouts(tg: Bot, api: FakeBotApi) -> None:
    """Injected faults surface in PTB as RetryAfter, Forbidden, NetworkError and TimedOut."""
    api.faults.append(Fault("sendMessage", 429, "Too Many Requests: retry after 3", retry_after=3))
    with pytest.raises(RetryAfter) as retry:
        await tg.send_message(CHAT, "a")
    assert "3" in str(retry.value)
    api.blocked.add(CHAT)
    with pytest.raises(Forbidden, match="blocked"):
        await tg.send_message(CHAT, "b")
    api.blocked.clear()
    api.faults.append(Fault("*", 502, "Bad Gateway"))
    with pytest.raises(NetworkError):
        await tg.send_message(CHAT, "c")
    api.faults.append(Fault("sendMessage", 200, delay=5.0))
    with pytest.raises(TimedOut):
        await tg.send_message(CHAT, "d", read_timeout=0.2)
    await tg.send_message(CHAT, "e")
    assert api.sent(CHAT)[-1].text == "e"
    assert [c.status for c in api.calls_of("sendMessage")][:3] == [429, 403, 502]


async def test_rate_limit_answers_429_above_the_pace(tg: Bot, api: FakeBotApi) -> None:
    """With a limit of 3 messages per second the fourth within a second gets 429."""
    api.rate_limit = 3
    for text in "abc":
        await tg.send_message(CHAT, text)
    with pytest.raises(RetryAfter):
        await tg.send_message(CHAT, "d")


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("<b>đậm</b> &amp; <i>nghiêng</i>", "đậm & nghiêng"),
        ('<a href="https://t.me/x">liên kết</a>', "liên kết"),
        ("&lt;b&gt; &#39; &#x41;", "<b> ' A"),
        ('<tg-spoiler>x</tg-spoiler><span class="tg-spoiler">y</span>', "xy"),
    ],
)
def test_html_subset_accepted(text: str, plain: str) -> None:
    """Telegram's tags and entities are accepted and stripped to the visible text."""
    assert parse_html(text) == plain


@pytest.mark.parametrize(
    "text", ["<script>x</script>", "a & b", "&nbsp;", "<b>x", "<a>x</a>", "<span>x</span>", "x</b>"]
)
def test_html_outside_the_subset_refused(text: str) -> None:
    """Unknown tags, bare ampersands, unknown entities and unbalanced tags are refused."""
    with pytest.raises(EntityError):
        parse_html(text)
