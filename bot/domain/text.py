"""Text folding for matching what people type in spreadsheets and chats."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, tzinfo

_SPACES = re.compile(r"\s+")
_WHEN = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:hH.](\d{2})?\s*$")


def fold(value: str) -> str:
    """Drop diacritics, case and repeated spaces: ``Đảng  Viên`` -> ``dang vien``."""
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def tidy(value: str) -> str:
    """Return ``value`` in NFC with single spaces and no surrounding blanks."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()


def parse_when(text: str, tz: tzinfo) -> datetime | None:
    """A local time typed as "dd/mm/yyyy HH:MM" (also 7h30, 07.30, 20-4-2022 14h); else None."""
    match = _WHEN.match(text)
    if match is None:
        return None
    day, month, year, hour, minute = (int(g) if g else 0 for g in match.groups())
    try:
        return datetime.combine(date(year, month, day), time(hour, minute), tz)
    except ValueError:
        return None
