"""Hostile and odd input: no crash, nothing Telegram would refuse, nobody else's data."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.models import Channel
from bot.sandbox.harness import Harness

ROSTER_NAMES = (
    "Nguyễn Văn An",
    "Trần Thị Bình",
    "Lê Văn Cường",
    "Phạm Minh Đức",
    "Võ Thị Em",
    "Hồ Thị Hoa",
)

hostile_text = st.one_of(
    st.text(min_size=1, max_size=300),
    st.sampled_from(
        [
            "<b>bold</b>",
            "<script>alert(1)</script>",
            "a & b < c > d",
            "&amp;&lt;",
            "/start <b>",
            "/start " + "A" * 500,
            "/start ABCD-EFGH-JKMN",
            "0912345678",
            "x" * 4096,
            "🙂" * 2000,
            "\u202e\u0000\ufeff",
            "Hướng dẫn",
        ]
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=hostile_text)
async def test_any_text_from_a_guest_and_a_member(bot: Harness, text: str) -> None:
    """Random text from a stranger and from a linked member never breaks or leaks."""
    guest = bot.chat("Khách", user_id=9001)
    for message in await guest.send(text):
        assert not any(name in message.plain for name in ROSTER_NAMES)
    member = bot.chat("Bình", phone="0987654321", user_id=9002)
    if await bot.services.signin.whoami(Channel.TELEGRAM, "9002") is None:
        await member.share_contact()
    for message in await member.send(text):
        assert not any(name in message.plain for name in ROSTER_NAMES if name != "Trần Thị Bình")
    assert bot.errors == []
    assert bot.api.rejected() == []


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.text(min_size=1, max_size=64))
async def test_forged_callback_data_is_answered_harmlessly(bot: Harness, data: str) -> None:
    """Any callback data (forged, stale, unicode) is answered and changes nothing."""
    chat = bot.chat("Khách", user_id=9003)
    await chat.send("/start")
    await chat.press_data(data)
    assert await bot.services.signin.whoami(Channel.TELEGRAM, "9003") is None
    assert bot.errors == [] and bot.api.rejected() == []


async def test_group_chats_edits_and_channel_posts_are_ignored(bot: Harness) -> None:
    """The bot works in private chats only; edits and posts elsewhere get no reply."""
    chat = bot.chat("An", phone="0912345678", user_id=9004)
    base = {"message_id": 1, "date": 0, "from": chat.user.as_json(), "text": "/start"}
    entities = [{"type": "bot_command", "offset": 0, "length": 6}]
    group = {"id": -100123, "type": "supergroup", "title": "Chi bộ"}
    await bot.feed(bot.api.new_update({"message": {**base, "chat": group, "entities": entities}}))
    private = {"id": 9004, "type": "private"}
    await bot.feed(
        bot.api.new_update({"edited_message": {**base, "chat": private, "edit_date": 1}})
    )
    await bot.feed(
        bot.api.new_update({"channel_post": {**base, "chat": {"id": -1001, "type": "channel"}}})
    )
    assert bot.api.calls_of("sendMessage") == []
    assert bot.errors == []


async def test_contact_with_a_garbage_number_is_unknown(bot: Harness) -> None:
    """A shared contact whose number is nonsense is simply not on the roster."""
    chat = bot.chat("Lạ", phone="+1 (555) <b>", user_id=9005)
    [reply] = await chat.share_contact()
    assert "chưa có trong danh sách" in reply.plain


async def test_huge_and_non_ascii_numbers_in_callback_data(bot: Harness) -> None:
    """Ids past any database integer, or digits that are not ASCII ("²", "٣"), are forged:
    answered harmlessly, never an error (they used to overflow SQLite's integer)."""
    from tests.helpers import signed_in

    await bot.open_campaign()
    chats = [
        await signed_in(bot, "An", "0912345678"),  # a secretary
        await signed_in(bot, "Hoa", "0977123456"),  # an admin
    ]
    for number in ("9" * 30, "²", "٣", "1" * 10):
        for data in (
            f"r:op:{number}",
            f"r:pf:{number}",
            f"r:ok:{number}.1",
            f"r:ls:submitted.{number}",
            f"r:px:{number}",
            f"m:ed:{number}",
            f"m:cy:{number}.1",
            f"b:pr:{number}",
            f"b:cx:{number}",
            f"b:in:{number}",
            f"p:{number}:sb:",
            f"p:{number}.1:sb:",
        ):
            for chat in chats:
                await chat.press_data(data[:64])
    await chats[0].send("²")  # a "digit" typed where a numbered choice is possible
    assert bot.errors == [] and bot.api.rejected() == []
