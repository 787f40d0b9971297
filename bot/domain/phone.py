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
