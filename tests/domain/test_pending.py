"""What a person is in the middle of typing: one typed value, stored as before."""

from __future__ import annotations

import pytest

from bot.domain.meetings import MeetingKind
from bot.domain.pending import (
    BroadcastText,
    BroadcastTime,
    EditMeeting,
    FillingFor,
    NewMeeting,
    Pending,
    ReturnComment,
    parse_pending,
)

STORED = [
    (FillingFor(12), "proxy:12"),
    (ReturnComment(7, 3), "review:return:7.3"),
    (NewMeeting(MeetingKind.THEMATIC), f"meeting:new:{MeetingKind.THEMATIC.value}"),
    (EditMeeting(4), "meeting:edit:4"),
    (BroadcastText(), "broadcast:text"),
    (BroadcastTime("unit:5"), "broadcast:at:unit:5"),
]


@pytest.mark.parametrize(("pending", "stored"), STORED)
def test_the_stored_form_is_the_one_rows_already_hold(pending: Pending, stored: str) -> None:
    """Each value packs to the string earlier versions wrote, and reads back to itself."""
    assert pending.pack() == stored
    assert parse_pending(stored) == pending


@pytest.mark.parametrize(
    "stored",
    [
        None,
        "",
        "proxy:",
        "proxy:x",
        "proxy:²",
        "proxy:" + "9" * 50,
        "review:return:7",
        "review:return:7.x",
        "meeting:new:party",
        "meeting:edit:",
        "broadcast:textual",
        "something:else",
    ],
)
def test_anything_else_is_no_pending_input(stored: str | None) -> None:
    """A purpose this version does not understand is ignored, never a crash."""
    assert parse_pending(stored) is None
