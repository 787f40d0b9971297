"""Zalo's event bodies parse into typed events; unknown ones are named, malformed ones refused
with a reason that quotes no content."""

from __future__ import annotations

import pytest

from bot.sandbox.fake_zalo import FakeZaloApi
from handlers.zalo.events import (
    Event,
    EventKind,
    MalformedEvent,
    UnknownEvent,
    parse_body,
    parse_result,
)
from tests.zalo.conftest import TED

DOCUMENTED = {  # the webhook sample of Zalo's documentation
    "ok": True,
    "result": {
        "message": {
            "from": {"id": "6ede9afa66b88fe6d6a9", "display_name": "Ted", "is_bot": False},
            "chat": {"id": "6ede9afa66b88fe6d6a9", "chat_type": "PRIVATE"},
            "text": "Xin chào",
            "message_id": "2d758cb5e222177a4e35",
            "date": 1750316131602,
        },
        "event_name": "message.text.received",
    },
}


def only(body: object) -> Event:
    """The one understood event of ``body``."""
    (event,) = parse_body(body)
    assert isinstance(event, Event)
    return event


def test_the_documented_text_event() -> None:
    """Sender, chat, text, message id and the date in milliseconds are read; ids are strings."""
    event = only(DOCUMENTED)
    assert event.event_name is EventKind.TEXT
    assert (event.message.sender.id, event.message.sender.display_name) == (TED.id, "Ted")
    assert (event.message.chat.id, event.message.chat.chat_type) == (TED.id, "PRIVATE")
    assert event.message.text == "Xin chào"
    assert event.message.date == 1750316131602
    assert event.key == "message.text.received:2d758cb5e222177a4e35"


def test_images_stickers_and_hidden_content() -> None:
    """A picture has its URL and caption, a sticker its id; a protected user's message none."""
    zalo = FakeZaloApi()
    image = only(zalo.image(TED, "https://zalo.test/p.jpg", "ảnh"))
    assert (image.event_name, image.message.photo, image.message.caption) == (
        EventKind.IMAGE,
        "https://zalo.test/p.jpg",
        "ảnh",
    )
    sticker = only(zalo.sticker(TED, "abc123"))
    assert (sticker.event_name, sticker.message.sticker) == (EventKind.STICKER, "abc123")
    hidden = only(zalo.unsupported(TED))
    assert hidden.event_name is EventKind.UNSUPPORTED and hidden.message.text is None


def test_result_as_a_list_a_bare_event_and_numeric_ids() -> None:
    """``result`` may be a list; an event may come without its envelope; number ids become
    strings."""
    zalo = FakeZaloApi()
    one, two = zalo.text(TED, "1")["result"], zalo.text(TED, "2")["result"]
    events = parse_body({"ok": True, "result": [one, two]})
    assert [e.message.text for e in events if isinstance(e, Event)] == ["1", "2"]
    assert only(one).message.text == "1"
    numeric = {**one, "message": {**one["message"], "message_id": 12, "chat": {"id": 345}}}
    event = only({"result": numeric})
    assert (event.message.message_id, event.message.chat.id) == ("12", "345")
    assert parse_result(None) == []


def test_unknown_events_are_named_not_refused() -> None:
    """An event name the bot does not know parses as UnknownEvent."""
    assert parse_body({"ok": True, "result": {"event_name": "user.follow", "x": 1}}) == [
        UnknownEvent("user.follow")
    ]


@pytest.mark.parametrize(
    "body",
    [
        [],
        "text",
        {"ok": True},
        {"ok": False, "result": None},
        {"result": "message.text.received"},
        {"result": {"message": {}}},
        {"result": {"event_name": "message.text.received"}},
        {"result": {"event_name": "message.text.received", "message": {"text": "bí mật riêng"}}},
        {
            "result": {
                "event_name": "message.text.received",
                "message": {**DOCUMENTED["result"]["message"], "chat": {"id": ""}},
            }
        },
    ],
)
def test_malformed_bodies_are_refused_with_a_reason(body: object) -> None:
    """Whatever the shape, MalformedEvent (a ValueError) with a reason, never the content."""
    with pytest.raises(MalformedEvent) as refused:
        parse_body(body)
    assert str(refused.value)
    assert "bí mật" not in str(refused.value)
