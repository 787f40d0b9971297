"""Digests and outbox payloads rendered: valid Telegram HTML, split cleanly, names escaped."""

from __future__ import annotations

from typing import Any

import pytest

from bot.domain.telegram_html import parse_html
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


def test_a_notice_addresses_its_reader_and_old_rows_fall_back_to_neutral() -> None:
    """The payload's address labels pick "đồng chí"; a row written without them reads neutrally."""
    notices = Notices(Catalog.load())
    comrade = {"you": "address.party", "You": "address.party_start"}
    [reply] = notices.render({"template": "notify.confirmed", "params": {}, "labels": comrade})
    assert "của đồng chí" in reply.text
    [old] = notices.render({"template": "notify.confirmed", "params": {}})
    assert "của ông/bà" in old.text
    [unused] = notices.render({"template": "notify.relinked", "params": {}, "labels": comrade})
    assert "đồng chí" not in unused.text  # words a template does not use are left out
