"""Erasing a person scrubs their name from other people's outbox payloads."""

from __future__ import annotations

from bot.domain.outbox import ERASED, scrub_payload

NAME = "Trần Thị Bình"


def test_a_notice_only_about_the_person_is_dropped() -> None:
    """The secretary's "has handed in a plan" notice names them as its subject: deleted."""
    notice = {"template": "notify.submitted", "params": {"name": NAME, "unit": "Chi bộ thôn 1"}}
    assert scrub_payload(notice, NAME) is None


def test_a_digest_keeps_its_counts_but_loses_the_name() -> None:
    """Lists of names drop the entry; the count stays, so the person still counts anonymously."""
    digest = {"digest": {"missing": {"count": 2, "names": [NAME, "Phạm Minh Đức"]}, "day": "x"}}
    assert scrub_payload(digest, NAME) == {
        "digest": {"missing": {"count": 2, "names": ["Phạm Minh Đức"]}, "day": "x"}
    }


def test_the_name_inside_other_text_is_replaced() -> None:
    """A broadcast or comment that mentions them keeps its other words."""
    payload = {"html": f"Chúc mừng đồng chí {NAME}!", "broadcast": 3}
    assert scrub_payload(payload, NAME) == {"html": f"Chúc mừng đồng chí {ERASED}!", "broadcast": 3}
