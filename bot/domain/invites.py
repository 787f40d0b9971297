"""Invite codes: single-use, unguessable, easy to read aloud and to type on a phone."""

from __future__ import annotations

import re
import secrets

# No 0/O, 1/I/L or U/V look-alikes: a code read off paper is typed right.
ALPHABET = "ABCDEFGHJKMNPQRSTWXYZ23456789"
LENGTH = 12  # 29**12 ~ 2**58 possibilities
_SEPARATORS = re.compile(r"[\s\-_.]+")


_CODES = len(ALPHABET) ** LENGTH


def new_code() -> str:
    """Return a fresh random code (``ABCD-EFGH-JKMN``): one uniform draw below 29**12 from the
    system's randomness, written in base 29 (one draw, not twelve: 50,000 codes at once)."""
    number = secrets.randbelow(_CODES)
    digits = []
    for _ in range(LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        digits.append(ALPHABET[digit])
    return format_code("".join(digits))


def format_code(raw: str) -> str:
    """Group a bare code in fours with dashes."""
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def parse_code(text: str) -> str | None:
    """Return the canonical code in ``text`` or None when it cannot be a code."""
    bare = _SEPARATORS.sub("", text.strip()).upper()
    if len(bare) != LENGTH or any(ch not in ALPHABET for ch in bare):
        return None
    return format_code(bare)
