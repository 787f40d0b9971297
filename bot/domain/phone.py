"""Vietnamese phone numbers: one canonical form so the same number always matches."""

from __future__ import annotations

import re

_SEPARATORS = re.compile(r"[\s.\-()/]+")
# Since 2018 mobile numbers have 10 digits (03, 05, 07, 08, 09); landlines 11 digits (02x).
_MOBILE_PREFIXES = frozenset({"03", "05", "07", "08", "09"})


def normalize_phone(raw: str) -> str | None:
    """Return the number as ``0xxxxxxxxx`` or None when it is not a Vietnamese number.

    Accepts ``0912 345 678``, ``84912345678``, ``+84 912.345.678`` and a number whose leading
    zero a spreadsheet dropped (``912345678``).
    """
    digits = _SEPARATORS.sub("", raw.strip())
    if digits.startswith("+"):
        digits = digits[1:]
        if not digits.startswith("84"):
            return None
    if not digits.isdigit() or not digits.isascii():
        return None
    if digits.startswith("84") and len(digits) in (11, 12):
        digits = "0" + digits[2:]
    elif not digits.startswith("0") and len(digits) in (9, 10):
        digits = "0" + digits
    mobile = len(digits) == 10 and digits[:2] in _MOBILE_PREFIXES
    landline = len(digits) == 11 and digits.startswith("02")
    return digits if mobile or landline else None


def normalize_contact_phone(raw: str) -> str | None:
    """The ``0xxxxxxxxx`` form of a number shared as a Telegram contact, or None.

    Telegram sends a contact's number in international form (``84912345678``, sometimes with
    ``+``). Only a Vietnamese (``84``) number can match the roster; the lost-leading-zero rule of
    spreadsheet cells does not apply, so ``912345678`` or ``+1 912345678`` match nobody.
    """
    digits = _SEPARATORS.sub("", raw.strip()).removeprefix("+")
    if not digits.startswith("84") or len(digits) not in (11, 12):
        return None
    return normalize_phone(digits)


def international_phone(number: str) -> str:
    """A roster number (``0912345678``) as Telegram writes it in a contact (``84912345678``)."""
    canonical = normalize_phone(number)
    return "84" + canonical[1:] if canonical else number
