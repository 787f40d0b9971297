"""Text as people type it in spreadsheets and chats: cleaned at the door, folded for matching.

``scrub`` is the one rule for what may enter: every roster cell, answer, meeting field and
broadcast passes through it (``tidy`` and the form engine call it), so nothing stored can break
an XLSX or DOCX file (XML 1.0) or a Telegram message later.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, tzinfo

_SPACES = re.compile(r"\s+")
# What XML 1.0 cannot hold and Telegram refuses: C0 controls but tab and line feed (carriage
# returns become line feeds first), DEL, lone surrogates and the Unicode noncharacters.
_UNSAFE = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(
        f"{chr(plane * 0x10000 + 0xFFFE)}{chr(plane * 0x10000 + 0xFFFF)}" for plane in range(17)
    )
    + "]"
)
# Characters that show nothing: an answer made only of these (and spaces) is empty.
INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff"
_DROP_INVISIBLE = str.maketrans("", "", INVISIBLE)
_WHEN = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s+(\d{1,2})[:hH.](\d{2})?\s*$")


def fold(value: str) -> str:
    """Drop diacritics, case and repeated spaces: ``Đảng  Viên`` -> ``dang vien``."""
    decomposed = unicodedata.normalize("NFD", value.replace("Đ", "D").replace("đ", "d"))
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _SPACES.sub(" ", stripped).strip().casefold()


def scrub(value: str) -> str:
    """``value`` without what XML 1.0 and Telegram cannot carry; CR LF and CR become LF."""
    if value.isprintable():  # no control, surrogate or noncharacter, no CR: the usual cell
        return value
    return _UNSAFE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


def is_blank(value: str) -> bool:
    """True when ``value`` shows nothing: only spaces and zero-width characters."""
    return not value.translate(_DROP_INVISIBLE).strip()


def substance(value: str) -> str:
    """What of ``value`` says something: its letters (with their marks), digits and the single
    spaces between them; emoji, symbols and punctuation dropped (``"👍 !!"`` -> ``""``,
    ``"Học tập 👍"`` -> ``"Học tập"``)."""
    kept = (
        ch if unicodedata.category(ch)[0] in "LNM" else " "
        for ch in unicodedata.normalize("NFC", value)
    )
    return _SPACES.sub(" ", "".join(kept)).strip()


def tidy(value: str) -> str:
    """Return ``value`` scrubbed, in NFC, with single spaces and no surrounding blanks; a value
    that shows nothing becomes ``""``."""
    value = unicodedata.normalize("NFC", scrub(value))
    # A printable string holds no blank but the space (every other one is a separator or a
    # control): without two spaces in a row there is nothing to collapse.
    if not value.isprintable() or "  " in value:
        value = _SPACES.sub(" ", value)
    value = value.strip()
    # Stripped, it starts with something shown unless that is an invisible character.
    return "" if value[:1] in INVISIBLE and is_blank(value) else value


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
