"""Callback data: typed presses pack to the formats already on the wire and parse back."""

from __future__ import annotations

import pytest

from bot.domain.callbacks import (
    MAX_BYTES,
    BroadcastCode,
    BroadcastPress,
    DeskCode,
    DeskPress,
    InvitesPress,
    MeetingCode,
    MeetingPress,
    PlanCode,
    PlanPress,
    Press,
    ReportPress,
    Route,
    parse,
)

WIRE: list[tuple[Press, str]] = [
    (PlanPress(0, PlanCode.RESUME), "p:0:go:"),
    (PlanPress(7, PlanCode.EDIT_ITEM, "actions.1"), "p:7:et:actions.1"),
    (PlanPress(3, PlanCode.SUBMIT, owner=12), "p:12.3:sb:"),
    (MeetingPress(MeetingCode.CONFIRM_CANCEL, "4.2"), "m:cy:4.2"),
    (MeetingPress(MeetingCode.NEW, "chuyen_de"), "m:new:chuyen_de"),
    (DeskPress(DeskCode.LIST, "submitted.0"), "r:ls:submitted.0"),
    (DeskPress(DeskCode.EXPORT), "r:ex:"),
    (DeskPress(DeskCode.PROXY_FILL, "9"), "r:pf:9"),
    (BroadcastPress(BroadcastCode.SEND, "role:secretary"), "b:go:role:secretary"),
    (BroadcastPress(BroadcastCode.UNITS), "b:un:"),
    (InvitesPress(), "u:inv:"),
    (ReportPress(), "u:rep:"),
    (ReportPress(2022), "u:rep:2022"),
]


@pytest.mark.parametrize(("press", "data"), WIRE)
def test_presses_pack_to_the_wire_format_and_parse_back(press: Press, data: str) -> None:
    """Each press packs to exactly the data buttons already sent carry, and parses back."""
    assert press.pack() == data
    assert parse(data) == press


@pytest.mark.parametrize(
    "data",
    [
        "p:0:zz:",  # no such code
        "p:x:go:",
        "p:²:go:",  # a digit, but not an ASCII one
        "p:1.²:sb:",
        "p:" + "9" * 10 + ":go:",  # longer than any id
        "p:0:go",  # a part missing
        "m:zz:1",
        "r:op",
        "b:zz:",
        "u:inv:x",
        "u:rep:22",
        "u:rep:0000",
        "u:rep:٢٠٢٢",
        "u:zz:",
        "x:op:1",
        "",
        "r:op:" + "1" * 70,  # over 64 bytes
    ],
)
def test_malformed_data_is_no_press(data: str) -> None:
    """Data that is not exactly one of the formats parses to None, never to a guess."""
    assert parse(data) is None


def test_routes_pick_the_same_presses_as_before() -> None:
    """The Telegram routes match callback data exactly as the patterns written out did."""
    assert [r.value for r in Route] == [
        "^p:",
        "^m:",
        "^r:(px|pf):",
        "^r:",
        "^b:",
        "^u:inv:$",
        "^u:rep:([0-9]{4})?$",
    ]


def test_a_press_too_long_for_telegram_is_refused_when_packed() -> None:
    """Packing never yields more than 64 bytes: it raises instead of sending a broken button."""
    with pytest.raises(ValueError, match="64 bytes"):
        DeskPress(DeskCode.LIST, "x" * MAX_BYTES).pack()
