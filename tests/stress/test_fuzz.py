"""Random and hostile updates of every kind, from people of every role, in random order.

Every update type the bot can receive (text, commands in and out of context, forged and stale
callback data with real prefixes, contacts, files, edits, channel posts, group chats) goes
through the real Application. Checked after each sequence: no unhandled exception, nothing the
fake Bot API (Telegram's checks) refused, and no reply carrying someone else's personal data.
"""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.domain.menu import Command
from bot.domain.models import Channel
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.handlers.test_hostile_input import ROSTER_NAMES

# name -> (phone, names they may see: their own, and their unit's people for a secretary)
PEOPLE: dict[str, tuple[str | None, frozenset[str]]] = {
    "guest": (None, frozenset()),
    "member": ("0987654321", frozenset({"Trần Thị Bình"})),
    "secretary": (
        "0912345678",
        frozenset({"Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"}),
    ),
}
ROSTER_PHONES = ("0912345678", "0987654321", "0905111222", "0338123456", "0977123456")

any_text = st.one_of(
    st.text(min_size=1, max_size=200),
    st.text(alphabet=st.characters(min_codepoint=0x10000, max_codepoint=0x10FFFF), min_size=1),
    st.sampled_from(
        [
            "<b>x</b>",
            "<a href='javascript:1'>y</a>",
            "*bold* _it_ `code` [l](http://x)",
            "&lt;&amp;",
            "x" * 4096,
            "🙂" * 1500,
            "\u202e\u200b\ufeff",
            "xong",
            "1",
            "99",
            "📝 Kế hoạch của tôi",
            "✅ Duyệt kế hoạch",
            "📢 Gửi thông báo",
            "20/04/2022 07:30; Hội trường",
        ]
    ),
)
commands = st.sampled_from([f"/{c.value}" for c in Command] + ["/xyz", "/start ABC", "/"])
callback = st.one_of(
    st.text(max_size=64),
    st.builds(
        lambda prefix, rest: f"{prefix}:{rest}"[:64],
        st.sampled_from(["p", "m", "r", "b", "u", "p:0", "p:1.3", "r:op", "r:pf", "b:go", "m:cy"]),
        st.one_of(
            st.text(alphabet="0123456789.:abcxyz-", max_size=20),
            st.sampled_from(["9" * 30, "²", "٣.1", "1" * 10 + ".1", "-1", "0.0"]),
        ),
    ),
)
actions = st.tuples(
    st.sampled_from(sorted(PEOPLE)),
    st.one_of(
        st.tuples(st.just("text"), any_text),
        st.tuples(st.just("command"), commands),
        st.tuples(st.just("press"), callback),
        st.tuples(st.just("contact"), st.sampled_from([None, *ROSTER_PHONES, "+1 555", ""])),
        st.tuples(st.just("file"), st.sampled_from(["photo", "sticker", "voice", "document"])),
        st.tuples(st.just("odd"), st.sampled_from(["edited", "channel", "group", "no_from"])),
    ),
)


_STARTED: set[int] = set()


async def _odd(bot: Harness, chat: Chat, kind: str) -> None:
    """Updates the bot must ignore: edits, channel posts, group chats, messages with no sender."""
    base: dict[str, Any] = {
        "message_id": 1,
        "date": 0,
        "text": "/start",
        "from": chat.user.as_json(),
    }
    private = {"id": chat.user.id, "type": "private"}
    payload: dict[str, Any]
    if kind == "edited":
        payload = {"edited_message": {**base, "chat": private, "edit_date": 1}}
    elif kind == "channel":
        payload = {"channel_post": {**base, "chat": {"id": -1001, "type": "channel"}}}
    elif kind == "group":
        payload = {"message": {**base, "chat": {"id": -100123, "type": "group", "title": "G"}}}
    else:
        payload = {"message": {k: v for k, v in base.items() if k != "from"} | {"chat": private}}
    await bot.feed(bot.api.new_update(payload))


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(actions, min_size=1, max_size=12))
async def test_hostile_sequences_break_nothing_and_leak_nothing(
    bot: Harness, steps: list[tuple[str, tuple[str, Any]]]
) -> None:
    if await bot.services.plans.campaign() is None:
        await bot.open_campaign()
    chats = {
        name: bot.chat(name, phone=phone, user_id=7000 + index)
        for index, (name, (phone, _)) in enumerate(sorted(PEOPLE.items()))
    }
    for name in ("member", "secretary"):  # hostile input from people signed in, too
        if await bot.services.signin.whoami(Channel.TELEGRAM, str(chats[name].user.id)) is None:
            await chats[name].share_contact()
    first = id(bot) not in _STARTED  # the first example also runs every command as everyone
    _STARTED.add(id(bot))
    every_command = [(who, ("command", f"/{c.value}")) for who in sorted(PEOPLE) for c in Command]
    for who, (kind, value) in (every_command if first else []) + steps:
        chat = chats[who]
        before = {name: len(c.messages) for name, c in chats.items()}
        if kind in ("text", "command"):
            await chat.send(value)
        elif kind == "press":
            await chat.press_data(value, chat.messages[-1] if chat.messages else None)
        elif kind == "contact":
            await chat.share_contact(value, own=value is None)
        elif kind == "file":
            await chat.send_other(value)
        else:
            await _odd(bot, chat, value)
        for name, other in chats.items():
            allowed = PEOPLE[name][1]
            for message in other.messages[before[name] :]:
                leaked = [n for n in ROSTER_NAMES if n in message.plain and n not in allowed]
                assert not leaked, (name, leaked, message.plain[:300])
        assert bot.errors == [], bot.errors
        assert bot.api.rejected() == [], [(c.method, c.result) for c in bot.api.rejected()]
