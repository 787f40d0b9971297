"""Broadcast audiences typed as keys or in Vietnamese words."""

from __future__ import annotations

import pytest

from bot.domain.broadcast import Audience, AudienceError


@pytest.mark.parametrize(
    ("typed", "kind", "value"),
    [
        ("all", "all", ""),
        ("tất cả", "all", ""),
        ("Mọi người", "all", ""),
        ("status:not_submitted", "status", "not_submitted"),
        ("chưa nộp", "status", "not_submitted"),
        ("CHUA NOP", "status", "not_submitted"),
        ("đã nộp", "status", "submitted"),
        ("bị trả lại", "status", "returned"),
        ("Đã xác nhận", "status", "confirmed"),
        ("đảng viên", "category", "party_member"),
        ("dang vien", "category", "party_member"),
        ("CBCCVC", "category", "staff"),
        ("đoàn viên, hội viên", "category", "union_member"),
        ("cá nhân", "category", "individual"),
        ("bí thư", "role", "secretary"),
        ("Thủ trưởng", "role", "head"),
        ("quản trị", "role", "admin"),
    ],
)
def test_keys_and_words_name_the_same_audience(typed: str, kind: str, value: str) -> None:
    """Vietnamese words, in any case and with or without diacritics, equal the keys."""
    assert Audience.parse(typed) == Audience(kind, value)


@pytest.mark.parametrize("typed", ["", "thành viên", "chưa", "status:chưa nộp", "ai đó"])
def test_words_naming_no_audience_are_refused(typed: str) -> None:
    """A word that names no group is an error carrying what was typed."""
    with pytest.raises(AudienceError) as caught:
        Audience.parse(typed)
    assert caught.value.value == typed
