"""Broadcasts: who an announcement goes to, chosen from the roster and the campaign."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from pathlib import PurePath

from bot.domain.digest import Standing
from bot.domain.models import Category, Channel, Role
from bot.domain.plans import PlanStatus
from bot.domain.roster import category_named, role_named
from bot.domain.text import fold

MAX_TEXT = 3500  # UTF-16 code units, below Telegram's 4096, room for markup
MAX_CAPTION = 900  # a caption under a photo or document (Telegram allows 1024 UTF-16 units)
MAX_FILE_BYTES = {"photo": 10 * 1024 * 1024, "document": 50 * 1024 * 1024}  # Bot API upload limits
PHOTO_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".webp"})
REPEAT_WINDOW = timedelta(days=1)  # the same text to the same people this close: ask first


def repeats(earlier: datetime | None, when: datetime) -> bool:
    """True when the same announcement went (or goes) to the same audience within a day."""
    return earlier is not None and abs(when - earlier) < REPEAT_WINDOW


class FileError(ValueError):
    """The file cannot go with a broadcast; ``code`` names the catalog message."""

    def __init__(self, code: str, name: str) -> None:
        super().__init__(f"{code}: {name}")
        self.code = code
        self.name = name


class FileKind(StrEnum):
    """How an attached file is shown."""

    DOCUMENT = "document"
    PHOTO = "photo"


@dataclass(frozen=True, slots=True)
class BroadcastFile:
    """A document or photo sent with a broadcast: Telegram's file id once known, else the bytes."""

    kind: FileKind
    name: str
    file_id: str | None = None
    data: bytes | None = None

    @classmethod
    def from_upload(cls, name: str, data: bytes) -> BroadcastFile:
        """A file read from disk; pictures are shown as photos, everything else as documents."""
        clean = PurePath(name.replace("\\", "/")).name[:255] or "tep-dinh-kem"
        photo = PurePath(clean).suffix.lower() in PHOTO_SUFFIXES
        kind = FileKind.PHOTO if photo else FileKind.DOCUMENT
        if not data:
            raise FileError("file_empty", clean)
        if len(data) > MAX_FILE_BYTES[kind.value]:
            raise FileError("file_too_big", clean)
        return cls(kind, clean, None, data)


class AudienceError(ValueError):
    """The audience cannot be understood; ``code`` names the catalog message."""

    def __init__(self, code: str, value: str = "") -> None:
        super().__init__(f"{code}: {value}")
        self.code = code
        self.value = value


STATUSES: dict[str, Callable[[Standing], bool]] = {
    "not_submitted": lambda s: s.owes_plan,
    "submitted": lambda s: s.status is PlanStatus.SUBMITTED,
    "returned": lambda s: s.status is PlanStatus.RETURNED,
    "confirmed": lambda s: s.status is PlanStatus.CONFIRMED,
}


# Audiences an admin may type in words, folded (no case, no diacritics: "chưa nộp" is
# "chua nop"); categories and roles are spelled as in the roster ("đảng viên", "bí thư").
_WORDS: dict[str, tuple[str, str]] = {
    "tat ca": ("all", ""),
    "moi nguoi": ("all", ""),
    "chua nop": ("status", "not_submitted"),
    "da nop": ("status", "submitted"),
    "cho xac nhan": ("status", "submitted"),
    "tra lai": ("status", "returned"),
    "bi tra lai": ("status", "returned"),
    "da tra lai": ("status", "returned"),
    "da xac nhan": ("status", "confirmed"),
}


def _in_words(text: str) -> tuple[str, str] | None:
    """The (kind, value) an audience typed in words names, or None."""
    key = " ".join(fold(text).replace("-", " ").split())
    if key in _WORDS:
        return _WORDS[key]
    category = category_named(text)
    if category is not None:
        return "category", category.value
    role = role_named(text)
    if role is not None:
        return "role", role.value
    return None


@dataclass(frozen=True, slots=True)
class Audience:
    """Everyone, or one kind of people, optionally within units (a unit and its sub-units)."""

    kind: str = "all"  # all / category / role / status
    value: str = ""
    unit_ids: frozenset[int] | None = None

    @classmethod
    def parse(cls, text: str, unit_ids: Iterable[int] | None = None) -> Audience:
        """Read "all", "category:staff", "role:secretary", "status:not_submitted", or the
        same in words: "tất cả", "đảng viên", "bí thư", "chưa nộp" (any case, any diacritics)."""
        kind, _, value = text.strip().partition(":")
        units = frozenset(unit_ids) if unit_ids is not None else None
        words = _in_words(text) if not value else None
        if words is not None:
            return cls(*words, units)
        if kind == "all" and not value:
            return cls("all", "", units)
        if kind == "category" and value in set(Category):
            return cls(kind, value, units)
        if kind == "role" and value in set(Role):
            return cls(kind, value, units)
        if kind == "status" and value in STATUSES:
            return cls(kind, value, units)
        raise AudienceError("audience", text)

    def includes(self, person: Standing) -> bool:
        """True when ``person`` is in the audience."""
        if self.unit_ids is not None and person.unit_id not in self.unit_ids:
            return False
        if self.kind == "category":
            return person.category.value == self.value
        if self.kind == "role":
            return Role(self.value) in person.roles
        if self.kind == "status":
            return STATUSES[self.value](person)
        return True


def still_addressed(audience: Audience, person: Standing | None) -> bool:
    """True when a queued broadcast may still go to ``person`` (None: no longer on the roster).

    Checked when the message is sent, not only when it was queued: someone removed from the
    roster, moved out of the unit or no longer in the audience (a secretary whose role was taken
    away, for a message to secretaries) is skipped.
    """
    return person is not None and audience.includes(person)


def recipients(audience: Audience, standings: Sequence[Standing]) -> tuple[list[int], int]:
    """Person ids who can be reached, and how many of the audience cannot (not signed in)."""
    reachable: list[int] = []
    unreachable = 0
    for person in standings:
        if not audience.includes(person):
            continue
        if person.chat_id is None:
            unreachable += 1
        else:
            reachable.append(person.person_id)
    return reachable, unreachable


@dataclass(frozen=True, slots=True)
class BroadcastRow:
    """A broadcast and how its delivery stands (outbox rows per status)."""

    id: int
    audience: str
    unit_path: str
    recipients: int
    not_before: datetime
    created_at: datetime
    counts: dict[str, int]
    file: BroadcastFile | None = None
    # outbox rows per channel, then per status: one row per person, on the person's channel
    channels: dict[Channel, dict[str, int]] = field(default_factory=dict)

    def progress(self) -> dict[str, int]:
        """How delivery stands: waiting (queued or being sent), sent, failed, cancelled, and
        skipped (no longer in the audience when their turn came)."""
        return _progress(self.counts)

    def progress_by_channel(self) -> dict[Channel, dict[str, int]]:
        """``progress`` per channel the broadcast goes out on (each person counted once, on
        the channel their copy went to), in the order of ``Channel``, with ``total``."""
        split: dict[Channel, dict[str, int]] = {}
        for channel in Channel:
            counts = self.channels.get(channel)
            if counts:
                split[channel] = {**_progress(counts), "total": sum(counts.values())}
        return split


def _progress(counts: dict[str, int]) -> dict[str, int]:
    """Outbox counts per status folded into the states a broadcast's report shows."""
    return {
        "queued": counts.get("queued", 0) + counts.get("sending", 0),
        "sent": counts.get("sent", 0),
        "failed": counts.get("failed", 0) + counts.get("expired", 0),
        "cancelled": counts.get("cancelled", 0),
        "skipped": counts.get("skipped", 0),
    }


def outbox_prefix(broadcast_id: int) -> str:
    """The outbox key prefix of a broadcast's rows (one per recipient: ``…person:<id>``)."""
    return f"broadcast:{broadcast_id}:"
