"""Phone numbers normalise to one form so the same number always matches."""

from __future__ import annotations

import pytest

from bot.domain.phone import normalize_contact_phone, normalize_phone


@pytest.mark.parametrize(
    "raw",
    [
        "0912345678",
        "0912 345 678",
        "0912.345.678",
        "+84912345678",
        "84912345678",
        "+84 (912) 345-678",
        "912345678",
    ],
)
def test_mobile_spellings_are_one_number(raw: str) -> None:
    """Every way an office writes a mobile number gives 0912345678."""
    assert normalize_phone(raw) == "0912345678"


def test_landline_keeps_eleven_digits() -> None:
    """A landline with its area code (02x) is accepted."""
    assert normalize_phone("0252 3851 234") == "02523851234"


@pytest.mark.parametrize(
    "raw",
    ["", "12345", "0123456789", "+1 202 555 0100", "09123456789", "abc", "０９１２３４５６７８"],
)
def test_non_vietnamese_or_malformed_numbers_are_refused(raw: str) -> None:
    """Short, foreign, old 11-digit mobile and non-ASCII digits are not numbers we accept."""
    assert normalize_phone(raw) is None


@pytest.mark.parametrize("raw", ["84912345678", "+84912345678", "+84 912 345 678"])
def test_a_shared_vietnamese_contact_matches_the_roster_form(raw: str) -> None:
    """Telegram's international form of a Vietnamese number gives the roster's 0912345678."""
    assert normalize_contact_phone(raw) == "0912345678"


@pytest.mark.parametrize("raw", ["912345678", "+1 912345678", "1912345678", "0912345678", ""])
def test_a_shared_contact_never_gets_the_spreadsheet_leading_zero(raw: str) -> None:
    """A contact is international: a bare 9-digit or foreign number matches no roster entry."""
    assert normalize_contact_phone(raw) is None
