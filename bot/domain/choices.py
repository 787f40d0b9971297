"""Choices on a channel without buttons: numbered lines, and the typed answer read back as a press.

The number shown wins; else the label as typed, with or without diacritics and whatever the
case (``sua cau 3`` for ``Sửa câu 3``). A folded label shared by two choices picks neither.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.domain.text import fold

_WORD = re.compile(r"\w+")
MAX_NUMBER_DIGITS = 4  # no screen shows thousands of choices: a longer number names none


@dataclass(frozen=True, slots=True)
class Choice:
    """A button under a message; on a text-only channel, a numbered line."""

    label: str
    data: str


def numbered(labels: Sequence[str]) -> list[str]:
    """One line per choice, numbered from 1: ``1. Bắt đầu``."""
    return [f"{number}. {label}" for number, label in enumerate(labels, start=1)]


def typed_choice(typed: str, labels: Sequence[str]) -> int | None:
    """The index of the choice ``typed`` names (its number, or its label), else None."""
    value = typed.strip().rstrip(".")
    if value.isascii() and value.isdigit():
        if len(value) > MAX_NUMBER_DIGITS:
            return None
        number = int(value)
        return number - 1 if 1 <= number <= len(labels) else None
    wanted = fold(typed)
    if not wanted:
        return None
    exact = [i for i, label in enumerate(labels) if label.strip() == typed.strip()]
    if len(exact) == 1:
        return exact[0]
    folded = [i for i, label in enumerate(labels) if fold(label) == wanted]
    if folded:
        return folded[0] if len(folded) == 1 else None
    words = label_words(
        typed
    )  # "gui ke hoach" for "📨 Gửi kế hoạch", "sua noi dung" for "Sửa: Nội dung"
    named = [i for i, label in enumerate(labels) if words and label_words(label) == words]
    return named[0] if len(named) == 1 else None


def label_words(value: str) -> str:
    """The words of ``value`` folded, without emoji and punctuation."""
    return " ".join(_WORD.findall(fold(value)))
