"""Text folding for matching what people type in spreadsheets and chats."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(value: str) -> str:
    """Drop diacritics, case and repeated spaces: ``Đảng  Viên`` -> ``dang vien``."""
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def tidy(value: str) -> str:
    """Return ``value`` in NFC with single spaces and no surrounding blanks."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", value)).strip()
