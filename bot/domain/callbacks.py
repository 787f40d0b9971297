"""Callback data: short typed prefixes, packed and parsed here only, never over 64 bytes.

Nothing in callback data is trusted: it names an action, never whose data to touch. The plan
prefix carries the plan's revision so a button from an earlier step is recognised as stale.
"""

from __future__ import annotations

from dataclasses import dataclass

MAX_BYTES = 64
PLAN = "p"
MAX_DIGITS = 9  # ids and revisions in callback data: larger numbers are forged


def number(text: str) -> int | None:
    """A non-negative id or revision from callback data, or None: ASCII digits only (``"²"``
    passes ``str.isdigit``), and short enough for any database integer."""
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class PlanPress:
    """A press on a plan button: the revision it was shown at, the action code and its argument."""

    rev: int
    code: str
    arg: str
    owner: int | None = None  # set on buttons shown to someone filling a plan for another person


def pack_plan(rev: int, code: str, arg: str = "", owner: int | None = None) -> str:
    """Callback data for a plan button (``owner``: whose plan, when filled by proxy)."""
    head = f"{owner}.{rev}" if owner is not None else str(rev)
    data = f"{PLAN}:{head}:{code}:{arg}"
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def parse_plan(data: str) -> PlanPress | None:
    """The plan press in ``data``, or None when it is not one (or is malformed)."""
    parts = data.split(":", 3)
    if len(parts) != 4 or parts[0] != PLAN or len(data.encode("utf-8")) > MAX_BYTES:
        return None
    rev = number(parts[1])
    if rev is not None:
        return PlanPress(rev, parts[2], parts[3])
    pair = two_numbers(parts[1])
    if pair is None:
        return None
    return PlanPress(pair[1], parts[2], parts[3], owner=pair[0])


MEETING = "m"
MEETING_CODES = frozenset({"new", "ed", "cx", "cy", "st"})


@dataclass(frozen=True, slots=True)
class MeetingPress:
    """A press on a calendar button: what to do and its argument (a kind, an id, id.version)."""

    code: str
    arg: str


def pack_meeting(code: str, arg: str = "") -> str:
    """Callback data for a calendar button."""
    data = f"{MEETING}:{code}:{arg}"
    if code not in MEETING_CODES or len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"bad calendar callback data: {data!r}")
    return data


def parse_meeting_press(data: str) -> MeetingPress | None:
    """The calendar press in ``data``, or None when it is not one (or is malformed)."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != MEETING or parts[1] not in MEETING_CODES:
        return None
    if len(data.encode("utf-8")) > MAX_BYTES:
        return None
    return MeetingPress(parts[1], parts[2])


DESK = "r"
DESK_CODES = frozenset({"ls", "op", "ok", "rt", "st", "ex", "px", "pf", "py"})


def pack_desk(code: str, arg: str = "") -> str:
    """Callback data for a reviewer's button."""
    data = f"{DESK}:{code}:{arg}"
    if code not in DESK_CODES or len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"bad desk callback data: {data!r}")
    return data


def parse_desk(data: str) -> tuple[str, str] | None:
    """(code, argument) of a reviewer's press, or None when ``data`` is not one."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != DESK or parts[1] not in DESK_CODES:
        return None
    if len(data.encode("utf-8")) > MAX_BYTES:
        return None
    return parts[1], parts[2]


def two_numbers(arg: str) -> tuple[int, int] | None:
    """ "12.3" -> (12, 3); None for anything else."""
    first, _, second = arg.partition(".")
    one, two = number(first), number(second)
    if one is None or two is None:
        return None
    return one, two


BROADCAST = "b"
BROADCAST_CODES = frozenset({"au", "go", "ga", "pr", "cx", "st", "un", "in", "at"})


def pack_broadcast(code: str, arg: str = "") -> str:
    """Callback data for a broadcast composer button."""
    data = f"{BROADCAST}:{code}:{arg}"
    if code not in BROADCAST_CODES or len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"bad broadcast callback data: {data!r}")
    return data


def parse_broadcast(data: str) -> tuple[str, str] | None:
    """(code, argument) of a composer press, or None when ``data`` is not one."""
    parts = data.split(":", 2)
    if len(parts) != 3 or parts[0] != BROADCAST or parts[1] not in BROADCAST_CODES:
        return None
    if len(data.encode("utf-8")) > MAX_BYTES:
        return None
    return parts[1], parts[2]
