"""Outbox payloads: one model per kind, read back as written, older rows read by their keys."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot.domain.outbox import scrub_payload
from bot.domain.payloads import (
    Broadcast,
    Button,
    DeadlineCountdown,
    DeadlineReminder,
    Digest,
    DigestData,
    MeetingCountdown,
    MeetingReminder,
    Names,
    Notice,
    Payload,
    PayloadError,
    PlanDocument,
    Relinked,
    read_payload,
    to_payload,
    write_payload,
)

BUTTON = Button(label="plan.button.resume", data="p:0:go:")
DIGEST = DigestData(
    unit="Chi bộ 1",
    day="18/04/2022",
    deadline="30/04/2022",
    days_left=12,
    deadline_on=date(2022, 4, 30),
    required=5,
    submitted=3,
    confirmed=1,
    exempt=0,
    not_linked=1,
    missing=Names(count=2, names=("Trần Thị Bình", "Lê Văn C")),
)
EVERY_KIND: list[Payload] = [
    Notice(template="notify.confirmed", labels={"you": "address.party"}, buttons=(BUTTON,)),
    Relinked(template="notify.relinked", to_chat="10001"),
    PlanDocument(template="notify.document", params={"form": "Mẫu 01"}, document_plan=7),
    DeadlineReminder(
        template="notify.remind_deadline",
        params={"days": 7, "deadline": "30/04/2022"},
        buttons=(BUTTON,),
        countdown=DeadlineCountdown(
            deadline=date(2022, 4, 30),
            today="notify.remind_deadline_today",
            late="notify.remind_late",
        ),
    ),
    MeetingReminder(
        template="notify.meeting_soon_hours",
        params={"unit": "Chi bộ 1", "left": 2},
        labels={"kind": "label.meeting.chuyen_de"},
        countdown=MeetingCountdown(
            starts_at=datetime(2022, 4, 15, 1, tzinfo=UTC), days="notify.meeting_soon_days"
        ),
    ),
    Digest(digest=DIGEST),
    Broadcast(html="<b>Thông báo</b>", broadcast=3),
]


@pytest.mark.parametrize("payload", EVERY_KIND, ids=lambda p: p.kind)
def test_every_kind_reads_back_as_written(payload: Payload) -> None:
    """Written and read again, each kind is the same model with the same values."""
    text = write_payload(payload)
    assert json.loads(text)["kind"] == payload.kind
    assert read_payload(text) == payload and type(read_payload(text)) is type(payload)


def test_payloads_are_frozen_and_refuse_unknown_keys() -> None:
    """A payload cannot be changed once made, and a key no kind has is refused."""
    notice = Notice(template="notify.confirmed")
    with pytest.raises(ValidationError):
        notice.template = "notify.returned"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        Notice(template="notify.confirmed", colour="red")  # type: ignore[call-arg]
    with pytest.raises(PayloadError, match="colour"):
        to_payload({"kind": "notice", "template": "notify.confirmed", "colour": "red"})


@pytest.mark.parametrize(
    "text",
    [
        "not json",
        "[1, 2]",
        '{"kind": "telegram_sticker"}',
        '{"kind": "broadcast", "html": "x"}',
        '{"kind": "notice", "template": "notify.confirmed", "buttons": [{"label": "a.b", '
        '"data": "' + "x" * 65 + '"}]}',
        '{"kind": "deadline", "template": "notify.remind_deadline", "countdown": {}}',
        '{"kind": "meeting", "template": "notify.meeting_soon_hours", '
        '"countdown": {"starts_at": "2022-04-15T08:00:00", "days": "notify.meeting_soon_days"}}',
        '{"kind": "notice", "template": "notify.confirmed", "params": {"days": 1.5}}',
    ],
)
def test_a_text_that_is_no_payload_is_refused_with_the_reason(text: str) -> None:
    """Bad JSON, an unknown kind, a missing field, over-long callback data, a meeting time
    without its zone, a value that is neither text nor a whole number: PayloadError."""
    with pytest.raises(PayloadError) as refused:
        read_payload(text)
    assert str(refused.value)


def test_a_payload_that_would_not_read_back_is_not_written() -> None:
    """A payload made without its checks (``model_construct``) is refused before it is stored."""
    broken = Notice.model_construct(template="plan.title")
    with pytest.raises(PayloadError, match="template"):
        write_payload(broken)


# What the version before kinds wrote, key for key (bot/services/* and storage/broadcasts_repo.py).
OLD_ROWS: list[tuple[dict[str, Any], type]] = [
    (
        {
            "template": "notify.returned",
            "params": {"comment": "Thiếu mục 2"},
            "labels": {"you": "address.party", "You": "address.party_start"},
            "buttons": [{"label": "plan.button.fix", "data": "p:0:go:"}],
        },
        Notice,
    ),
    ({"template": "notify.relinked", "params": {}, "to_chat": "10002"}, Relinked),
    (
        {"template": "notify.document", "params": {"form": "Mẫu 01"}, "document_plan": 4},
        PlanDocument,
    ),
    (
        {
            "template": "notify.remind_deadline",
            "params": {"days": 7, "deadline": "30/04/2022"},
            "buttons": [{"label": "plan.button.resume", "data": "p:0:go:"}],
            "countdown": {
                "deadline": "2022-04-30",
                "today": "notify.remind_deadline_today",
                "late": "notify.remind_late",
            },
        },
        DeadlineReminder,
    ),
    (
        {
            "template": "notify.meeting_soon_days",
            "params": {"unit": "U", "when": "15/04/2022 08:00", "place": "P", "topic": "T"},
            "labels": {"kind": "label.meeting.chuyen_de"},
            "countdown": {
                "starts_at": "2022-04-15T08:00:00+07:00",
                "days": "notify.meeting_soon_days",
            },
        },
        MeetingReminder,
    ),
    (
        {  # a digest of an early version: no deadline_on, returned, unreachable, quarters
            "digest": {
                "unit": None,
                "day": "18/04/2022",
                "deadline": "30/04/2022",
                "days_left": 12,
                "required": 1,
                "submitted": 0,
                "confirmed": 0,
                "exempt": 0,
                "not_linked": 0,
                "missing": {"count": 1, "names": ["A"]},
                "waiting": {"count": 0, "names": []},
                "meeting": None,
                "outbox": {"queued": 2},
            }
        },
        Digest,
    ),
    ({"html": "<b>Họp</b>", "broadcast": 9}, Broadcast),
]


@pytest.mark.parametrize(("old", "kind"), OLD_ROWS, ids=lambda v: getattr(v, "__name__", ""))
def test_rows_written_before_kinds_are_read_by_their_keys(old: dict[str, Any], kind: type) -> None:
    """A queued row of the older shape reads as its kind, and is written back with it."""
    payload = read_payload(json.dumps(old, ensure_ascii=False))
    assert type(payload) is kind
    assert payload == to_payload({**old, "kind": payload.kind})  # the same keys, named
    assert read_payload(write_payload(payload)) == payload


def test_a_scrubbed_payload_still_reads() -> None:
    """Erasing a person from a digest drops their name and keeps a payload that reads."""
    stored = json.loads(write_payload(Digest(digest=DIGEST)))
    scrubbed = scrub_payload(stored, "Trần Thị Bình")
    assert scrubbed is not None
    digest = to_payload(scrubbed)
    assert isinstance(digest, Digest)
    assert digest.digest.missing == Names(count=2, names=("Lê Văn C",))
