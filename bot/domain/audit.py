"""The audit log: who viewed, decided, exported, broadcast or erased what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class AuditAction(StrEnum):
    """What was done."""

    VIEW_PLAN = "view_plan"
    CONFIRM = "confirm"
    RETURN = "return"
    REPORT = "report"
    BROADCAST = "broadcast"
    BROADCAST_CANCEL = "broadcast_cancel"
    EXPORT = "export"
    FORGET = "forget"
    PROXY = "proxy"  # began filling a plan for someone without a chat account
    DOWNLOAD = "download"  # a file sent as a download link was fetched (Zalo)
    MODEL_NOMINATE = "models.nominate"  # an exemplary model proposed (or its text edited)
    MODEL_APPROVE = "models.approve"
    MODEL_RETURN = "models.return"


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log."""

    at: datetime
    actor_id: int | None
    actor: str
    action: AuditAction
    target: str
    detail: str


def forgotten_detail(category: str, exempt: bool, plan: str | None) -> str:
    """The anonymous line kept when a person is erased: ``category=…; exempt=…; plan=…``."""
    return f"category={category}; exempt={exempt}; plan={plan or 'none'}"


def read_detail(detail: str) -> dict[str, str]:
    """The ``name=value`` pairs of a detail such as ``forgotten_detail`` writes."""
    pairs = (part.partition("=") for part in detail.split(";"))
    return {name.strip(): value.strip() for name, sep, value in pairs if sep}
