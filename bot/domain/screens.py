"""A chat's current screen: the one message whose buttons are live, folded when the next comes.

A step of the form, the review, a plan's status: each is shown as a new message, and the one
before it loses its buttons and shrinks to one line ("✓ Câu 2/6 · Nội dung học tập"), so only
the current screen can be pressed. The member's own answers stay in the chat as the record.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

# Telegram lets a bot edit its messages for 48 hours (business chats enforce it; private chats
# may refuse too): an older screen keeps its buttons, which answer as stale buttons do.
EDITABLE_FOR = timedelta(hours=48)
SAFETY = timedelta(minutes=5)  # the edit is sent a little after ``now`` is read


@dataclass(frozen=True, slots=True)
class ShownScreen:
    """The message showing a chat's current screen, and the line it folds to (HTML; empty:
    it keeps its text and only loses its buttons)."""

    message_id: str
    folded: str
    shown_at: datetime


def foldable(screen: ShownScreen, now: datetime) -> bool:
    """Whether the screen's message may still be edited to fold it."""
    return now - screen.shown_at < EDITABLE_FOR - SAFETY
