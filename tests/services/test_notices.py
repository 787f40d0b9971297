"""Digests and outbox payloads rendered: valid Telegram HTML, split cleanly, names escaped."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.domain.payloads import DigestData, PayloadError, to_payload
from bot.domain.telegram_html import parse_html, utf16_len
from bot.locales import Catalog, CatalogError
from bot.sandbox.fake_api import MAX_TEXT
from bot.services.notices import Notices, split_parts
from bot.services.replies import Reply


def render(notices: Notices, payload: dict[str, Any], now: datetime | None = None) -> list[Reply]:
    """Render ``payload``, written as a row of the version before payloads had a kind."""
    return notices.render(to_payload(payload), now)


def render_digest(data: dict[str, Any], now: datetime | None = None) -> list[Reply]:
    """Render the digest of ``data`` (JSON values, as it travels in the outbox)."""
    return Notices(Catalog.load()).digest(DigestData.model_validate(data), now)


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
    [reply] = render_digest(digest(3))
    text = parse_html(reply.text)
    assert "Chi bộ <thôn> 1" in text and "Phải nộp: 6 · Đã nộp: 3" in text
    assert "Chưa nộp (53): Nguyễn Văn <b>0</b> & Co" in text and "và 50 người khác" in text
    assert "Chờ xác nhận (2): A, B" in text and "Đã trả lại" not in text
    assert "Sắp tới: buổi sinh hoạt chuyên đề lúc 20/04/2022 08:00" in text
    assert "quý: I." in text and "1/2" in text


def test_a_long_digest_splits_at_line_or_name_boundaries() -> None:
    """200 names make several messages, each valid HTML under Telegram's limit, numbered."""
    parts = render_digest(digest(200))
    assert len(parts) >= 2
    for index, part in enumerate(parts, start=1):
        assert len(part.text) <= MAX_TEXT
        assert f"(phần {index}/{len(parts)})" in parse_html(part.text)
    joined = " ".join(parse_html(p.text) for p in parts)
    assert all(f"Nguyễn Văn <b>{n}</b> & Co" in joined for n in range(200))


def test_everyone_report_has_no_meeting_lines() -> None:
    """The admin's report covers everyone and shows no unit meeting flags."""
    data = digest(1, unit=None) | {"outbox": {"queued": 2, "sent": 5, "failed": 1}}
    [reply] = render_digest(data)
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
    parts = render_digest(data)
    assert all(utf16_len(parse_html(p.text)) <= MAX_TEXT for p in parts)
    joined = " ".join(parse_html(p.text) for p in parts)
    assert all(name in joined for name in names)


def test_split_parts_counts_an_emoji_as_two() -> None:
    """The budget is UTF-16 code units; a long line of emoji is cut between two emoji."""
    assert split_parts(["🌟" * 3, "🌟" * 3], budget=12) == ["🌟🌟🌟", "🌟🌟🌟"]
    assert all(utf16_len(p) <= 5 for p in split_parts(["🌟" * 9], budget=5))


def test_a_payload_with_values_its_template_does_not_take_is_refused() -> None:
    """A notify template given a value it does not use raises CatalogError."""
    with pytest.raises(CatalogError):
        render(Notices(Catalog.load()), {"template": "notify.confirmed", "params": {"x": 1}})


@pytest.mark.parametrize(
    "payload",
    [
        {"template": "plan.title", "params": {}},
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
    """A payload that is not a notify template with usable buttons is refused when read."""
    with pytest.raises(PayloadError):
        to_payload(payload)


def test_payload_with_labels_and_a_resume_button() -> None:
    """Labels come from the catalog; the button carries its callback data."""
    [reply] = render(
        Notices(Catalog.load()),
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
        },
    )
    assert "buổi quán triệt chuyên đề" in parse_html(reply.text) and "<HT>" in parse_html(
        reply.text
    )
    assert reply.choices[0][0].data == "p:0:go:"


def test_a_notice_addresses_its_reader_and_old_rows_fall_back_to_neutral() -> None:
    """The payload's address labels pick "đồng chí"; a row written without them reads neutrally."""
    notices = Notices(Catalog.load())
    comrade = {"you": "address.party", "You": "address.party_start"}
    [reply] = render(notices, {"template": "notify.confirmed", "params": {}, "labels": comrade})
    assert "của đồng chí" in reply.text
    [old] = render(notices, {"template": "notify.confirmed", "params": {}})
    assert "của ông/bà" in old.text
    [unused] = render(notices, {"template": "notify.relinked", "params": {}, "labels": comrade})
    assert "đồng chí" not in unused.text  # words a template does not use are left out


VN = ZoneInfo("Asia/Ho_Chi_Minh")
RESUME = [{"label": "plan.button.resume", "data": "p:0:go:"}]


def test_the_days_left_are_counted_when_the_reminder_is_sent() -> None:
    """A T-7 reminder queued on 23/04 but sent on 24/04 says 6 days; on 30/04 'today'; later
    the late wording; a payload written without a countdown renders as it was queued."""
    notices = Notices(Catalog.load())
    payload = {
        "template": "notify.remind_deadline",
        "params": {"days": 7, "deadline": "30/04/2022"},
        "buttons": RESUME,
        "countdown": {
            "deadline": "2022-04-30",
            "today": "notify.remind_deadline_today",
            "late": "notify.remind_late",
        },
    }
    [late_by_a_day] = render(notices, payload, datetime(2022, 4, 24, 7, 0, tzinfo=VN))
    assert "Còn 6 ngày" in parse_html(late_by_a_day.text)
    [today] = render(notices, payload, datetime(2022, 4, 30, 7, 0, tzinfo=VN))
    assert "Hôm nay (30/04/2022) là hạn cuối" in parse_html(today.text)
    [after] = render(notices, payload, datetime(2022, 5, 7, 8, 0, tzinfo=VN))
    assert "hạn đã qua ngày 30/04/2022 (7 ngày trước)" in parse_html(after.text)
    assert parse_html(after.text).startswith("⏰ Đồng chí chưa gửi")
    old = {k: v for k, v in payload.items() if k != "countdown"}  # queued by the last version
    [as_queued] = render(notices, old, datetime(2022, 4, 24, 7, 0, tzinfo=VN))
    assert "Còn 7 ngày" in parse_html(as_queued.text)


def test_the_hours_left_before_a_meeting_are_counted_when_it_is_sent() -> None:
    """A 72-hour reminder sent 10 hours late says 3 days (rounded); a 2-hour one at 07:00 for
    08:00 says 1 hour."""
    notices = Notices(Catalog.load())
    payload = {
        "template": "notify.meeting_soon_hours",
        "params": {"unit": "Chi bộ 1", "when": "15/04/2022 08:00", "place": "HT", "topic": "Q2"},
        "labels": {"kind": "label.meeting.chuyen_de"},
        "countdown": {
            "starts_at": datetime(2022, 4, 15, 8, 0, tzinfo=VN).isoformat(),
            "days": "notify.meeting_soon_days",
        },
    }
    [soon] = render(notices, payload, datetime(2022, 4, 15, 7, 0, tzinfo=VN))
    assert "còn 1 giờ" in parse_html(soon.text)
    [days] = render(notices, payload, datetime(2022, 4, 12, 18, 0, tzinfo=VN))
    assert "còn 3 ngày" in parse_html(days.text)
    [day] = render(notices, payload, datetime(2022, 4, 14, 6, 0, tzinfo=VN))
    assert "còn 1 ngày" in parse_html(day.text)


def test_a_digest_counts_its_days_left_when_sent() -> None:
    """The digest queued on 18/04 with 12 days left, sent on 20/04, says 10."""
    data = digest(1) | {"deadline_on": "2022-04-30"}
    [reply] = render_digest(data, datetime(2022, 4, 20, 7, 0, tzinfo=VN))
    assert "còn 10 ngày" in parse_html(reply.text)
    [queued] = render_digest(digest(1), datetime(2022, 4, 20, 7, 0, tzinfo=VN))
    assert "còn 12 ngày" in parse_html(queued.text)


def test_a_returned_plan_on_the_last_day_is_not_told_zero_days_are_left() -> None:
    """On the deadline a returned plan's reminder says 'today', never 'Còn 0 ngày'."""
    from datetime import date

    from bot.domain.plans import Campaign
    from bot.services.reminders import deadline_payload

    campaign = Campaign(1, 2022, "Chuyên đề", date(2022, 4, 30), "Tuy Phong", {})
    payload = deadline_payload(campaign, 1, returned=True, party=True)
    [reply] = Notices(Catalog.load()).render(payload, datetime(2022, 4, 30, 8, 0, tzinfo=VN))
    text = parse_html(reply.text)
    assert "Hôm nay (30/04/2022) là hạn cuối" in text and "trả lại để sửa" in text
    assert "Còn 0 ngày" not in text


def test_a_digest_says_its_campaigns_year_and_an_older_row_still_reads() -> None:
    """A digest made now carries its year in the title; a row queued before digests carried
    one (no ``year``) renders the title it was written for."""
    [made_now] = render_digest(digest(3) | {"year": 2023})
    assert "Tiến độ kế hoạch cá nhân năm 2023 — " in made_now.text
    [older] = render_digest(digest(3))
    assert "Tiến độ kế hoạch cá nhân — " in older.text and "năm 20" not in older.text
