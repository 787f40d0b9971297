"""The mid-year self-check (issue 17 §3): optional per campaign, one screen per concrete action of
the member's handed-in plan with where it stands, then one question, "tự đánh giá giữa kỳ", then a
review and submit. One record per person and campaign; once submitted it keeps the date it was
sent, and taking it back to change it keeps the answer.

The steps are numbered against the plan's actions, read again at every press: ``0 .. n-1`` the
actions, ``n`` the question, ``n + 1`` the review. A step past the end (the plan lost an action
since) is shown as the review.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from bot.domain.callbacks import MidyearCode, MidyearPress
from bot.domain.payloads import Button

MAX_ANSWER = 3000  # characters of the self-assessment


# "Tự kiểm tra giữa kỳ" under the mid-year prompt, when the campaign has the self-check on.
OPEN_BUTTON = Button(label="midyear.button.open", data=MidyearPress(MidyearCode.OPEN).pack())


class CheckStatus(StrEnum):
    """Where a self-check is."""

    DRAFT = "draft"
    SUBMITTED = "submitted"


@dataclass(frozen=True, slots=True)
class MidyearCheck:
    """A member's self-check of one campaign."""

    id: int
    person_id: int
    campaign_id: int
    step: int
    answer: str
    status: CheckStatus
    rev: int
    created_at: datetime
    updated_at: datetime
    submitted_at: datetime | None

    @property
    def submitted(self) -> bool:
        """True once sent (and not taken back)."""
        return self.status is CheckStatus.SUBMITTED


def question_step(actions: int) -> int:
    """The step of the question "tự đánh giá giữa kỳ" for a plan of ``actions`` actions."""
    return actions


def review_step(actions: int) -> int:
    """The step of the review."""
    return actions + 1


def clamp(step: int, actions: int) -> int:
    """``step`` within the steps of a plan of ``actions`` actions (past the end: the review)."""
    return min(max(step, 0), review_step(actions))
