"""Digests and outbox payloads rendered: valid Telegram HTML, split cleanly, names escaped."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.telegram_html import parse_html, utf16_len
from bot.locales import Catalog, CatalogError
from bot.sandbox.fake_api import MAX_TEXT
from bot.services.notices import Notices, split_parts


def digest(names: int, unit: str | None = "Đảng bộ xã / Chi bộ <thôn> 1") -> dict[str, Any]:
    """Digest data with ``names`` people still missing."""
    missing = [f"Nguyễn Văn <b>{n}</b> & Co" for n in range(names)]
    return {
        "unit": unit,
        "day": "18/04/2022",
        "deadline": "30/04/2022",
        "days_left": 12,
        "required": names + 3,
        "submitted": 3,
        "confirmed": 1,
        "exempt": 2,
        "not_linked": 4,
        "missing": {"count": names + 50, "names": missing},
        "waiting": {"count": 2, "names": ["A", "B"]},
        "returned": {"count": 0, "names": []},
        "unreachable": {"count": 1, "names": ["C"]},
        "meeting": {
            "kind": "chuyen_de",
            "when": "20/04/2022 08:00",
            "place": "Hội trường",
            "topic": "Quý II",
        },
        "thematic": 1,
        "thematic_min": 2,
        "quarters_without": [1],
    }


def test_a_short_digest_is_one_message_with_every_part() -> None:
    """Counts, names, the next meeting and the flags fit one message; names are escaped."""
    [reply] = Notices(Catalog.load()).digest(digest(3))
    text = parse_html(reply.text)
    assert "Chi bộ <thôn> 1" in text and "Phải nộp: 6 · Đã nộp: 3" in text
    assert "Chưa nộp (53): Nguyễn Văn <b>0</b> & Co" in text and "và 50 người khác" in text
    assert "Chờ xác nhận (2): A, B" in text and "Đã trả lại" not in text
    assert "Sắp tới: buổi sinh hoạt chuyên đề lúc 20/04/2022 08:00" in text
    assert "quý: I." in text and "1/2" in text


def test_a_long_digest_splits_at_line_or_name_boundaries() -> None:
    """200 names make several messages, each valid HTML under Telegram's limit, numbered."""
    parts = Notices(Catalog.load()).digest(digest(200))
    assert len(parts) >= 2
    for index, part in enumerate(parts, start=1):
        assert len(part.text) <= MAX_TEXT
        assert f"(phần {index}/{len(parts)})" in parse_html(part.text)
    joined = " ".join(parse_html(p.text) for p in parts)
    assert all(f"Nguyễn Văn <b>{n}</b> & Co" in joined for n in range(200))


def test_everyone_report_has_no_meeting_lines() -> None:
    """The admin's report covers everyone and shows no unit meeting flags."""
    data = digest(1, unit=None) | {"outbox": {"queued": 2, "sent": 5, "failed": 1}}
    [reply] = Notices(Catalog.load()).digest(data)
    text = parse_html(reply.text)
    assert "Toàn bộ tổ chức" in text and "Sắp tới" not in text
    assert "chờ gửi: 2 · đã gửi: 5 · lỗi: 1 · quá hạn: 0" in text


def test_split_parts_never_exceeds_the_budget() -> None:
    """Lines are packed greedily; a line longer than the budget breaks after a comma."""
    assert split_parts(["a" * 5, "b" * 5], budget=11) == ["aaaaa\nbbbbb"]
    assert split_parts(["a" * 5, "b" * 6], budget=11) == ["aaaaa", "bbbbbb"]
    long = ", ".join(["xyz"] * 10)
    assert all(len(p) <= 12 for p in split_parts([long], budget=12))


def test_a_digest_of_emoji_names_splits_by_telegram_units() -> None:
    """Names full of emoji count two units each: every part still fits Telegram's 4096."""
    data = digest(0)
    names = [f"Hồ 🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸🌸 {n}" for n in range(200)]
    data["missing"] = {"count": 200, "names": names}
    parts = Notices(Catalog.load()).digest(data)
    assert all(utf16_len(parse_html(p.text)) <= MAX_TEXT for p in parts)
    joined = " ".join(parse_html(p.text) for p in parts)
    assert all(name in joined for name in names)


def test_split_parts_counts_an_emoji_as_two() -> None:
    """The budget is UTF-16 code units; a long line of emoji is cut between two emoji."""
    assert split_parts(["🌟" * 3, "🌟" * 3], budget=12) == ["🌟🌟🌟", "🌟🌟🌟"]
    assert all(utf16_len(p) <= 5 for p in split_parts(["🌟" * 9], budget=5))


@pytest.mark.parametrize(
    "payload",
    [
        {"template": "plan.title", "params": {}},
        {"template": "notify.confirmed", "params": {"x": 1}},
        {
            "template": "notify.confirmed",
            "params": {},
            "buttons": [{"label": "plan.button.resume"}],
        },
        {"template": "notify.confirmed", "params": {}, "buttons": ["p:0:go:"]},
        {"params": {}},
        {"template": "notify.confirmed", "params": [], "labels": {}},
    ],
)
def test_malformed_payloads_are_refused(payload: dict[str, Any]) -> None:
    """A payload that is not a notify template with its exact values raises CatalogError."""
    with pytest.raises(CatalogError):
        Notices(Catalog.load()).render(payload)


def test_payload_with_labels_and_a_resume_button() -> None:
    """Labels come from the catalog; the button carries its callback data."""
    [reply] = Notices(Catalog.load()).render(
        {
            "template": "notify.meeting_cancelled",
            "params": {
                "unit": "Chi bộ 1",
                "when": "20/04/2022 08:00",
                "place": "<HT>",
                "topic": "Q2",
            },
            "labels": {"kind": "label.meeting.quan_triet"},
            "buttons": [{"label": "plan.button.resume", "data": "p:0:go:"}],
        }
    )
    assert "buổi quán triệt chuyên đề" in parse_html(reply.text) and "<HT>" in parse_html(
        reply.text
    )
    assert reply.choices[0][0].data == "p:0:go:"
