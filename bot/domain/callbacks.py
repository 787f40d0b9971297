"""Callback data: one typed press per feature, packed and parsed here only, never over 64 bytes.

Nothing in callback data is trusted: it names an action, never whose data to touch. The plan
press carries the plan's revision so a button from an earlier step is recognised as stale. The
formats on the wire never change (buttons already sent in chats keep working):

    p:<rev>:<code>:<arg>   p:<owner>.<rev>:<code>:<arg>   a plan step (owner: filled by proxy)
    m:<code>:<arg>         the calendar of meetings
    r:<code>:<arg>         the reviewer's desk (and filling for someone: px, pf)
    b:<code>:<arg>         the broadcast composer
    u:inv:                 the unit view's invite codes
    u:rep:  u:rep:<year>   the district report (this campaign's, or a past year's)
    t:<code>:<arg>         progress on the plan's concrete actions (and the cell's progress)
    l:<code>:<arg>         the study library
    e:<code>:<arg>         exemplary models (gương điển hình)
    k:<rev>:<code>:<arg>   the year-end review draft (kiểm điểm), the plan's engine codes
    h:<code>:<arg>         the mid-year self-check (tự kiểm tra giữa kỳ)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from bot.domain.models import Channel

MAX_BYTES = 64
MAX_DIGITS = 9  # ids and revisions in callback data: larger numbers are forged


class Prefix(StrEnum):
    """The first part of callback data: which feature the press belongs to."""

    PLAN = "p"
    MEETING = "m"
    DESK = "r"
    BROADCAST = "b"
    UNIT = "u"
    PROGRESS = "t"  # tiến độ
    LIBRARY = "l"
    MODELS = "e"  # gương điển hình (exemplary)
    YEAR = "k"  # kiểm điểm cuối năm
    MIDYEAR = "h"  # half-year (giữa kỳ)


class PlanCode(StrEnum):
    """What a plan button does (the form engine's actions, and the plan's lifecycle)."""

    IDENTITY_OK = "ok"
    EDIT_LINE = "ei"
    BACK = "bk"
    SKIP = "sk"
    KEEP = "kp"
    DONE = "dn"
    CLEAR = "cl"
    CHOICE = "ch"
    ADD_ITEM = "ad"
    FINISH_GROUP = "fg"
    EDIT = "ed"
    EDIT_ITEM = "et"
    DELETE_ITEM = "dl"  # asks "Chắc chắn?" first
    CONFIRM_DELETE = "dy"
    KEEP_ITEM = "dk"
    DOCUMENT = "doc"
    SUBMIT = "sb"
    REOPEN = "ro"
    VOLUNTARY = "vol"
    RESUME = "go"


class MeetingCode(StrEnum):
    """What a calendar button does."""

    NEW = "new"
    EDIT = "ed"
    CANCEL = "cx"
    CONFIRM_CANCEL = "cy"
    STOP = "st"
    # Scheduling step by step (arg: yyyymmdd, HHMM, an index into the offered places).
    DAY = "dy"
    TIME = "tm"
    PLACE = "pl"
    TOPIC = "tp"  # the year's topic
    SAVE = "sv"
    # Recording after the meeting's time (arg of RECORD: the meeting id).
    RECORD = "rc"
    RECORD_NEW = "rn"  # a meeting held but never entered
    RECORD_KIND = "rk"  # arg: the kind
    OUTCOME = "ro"  # arg: held / not_held
    RECORD_DAY = "rd"  # arg: yyyymmdd
    ABSENT = "ra"  # arg: a person id of the roster (one press per absent member)
    ATTENDANCE_DONE = "rx"
    NO_PHOTO = "rp"
    RECORD_SAVE = "rs"
    PAST = "ps"  # the cell's past meetings and what was concluded


class DeskCode(StrEnum):
    """What a reviewer's button does."""

    LIST = "ls"
    OPEN = "op"
    CONFIRM = "ok"
    RETURN = "rt"  # asks "Chắc chắn?" first
    CONFIRM_RETURN = "ry"
    STOP = "st"
    EXPORT = "ex"
    PROXY_LIST = "px"
    PROXY_FILL = "pf"
    PAST = "py"
    YEARS = "yl"  # the earlier campaigns' years
    YEAR = "yr"  # arg: <year>[.<status>.<page>]: an earlier year's plans, read only


class BroadcastCode(StrEnum):
    """What a broadcast composer button does."""

    AUDIENCE = "au"
    SEND = "go"
    SEND_AGAIN = "ga"
    PROGRESS = "pr"
    CANCEL = "cx"  # asks "Chắc chắn?" first
    CONFIRM_CANCEL = "cy"
    STOP = "st"
    UNITS = "un"
    IN_UNIT = "in"
    LATER = "at"
    NEWS = "nw"  # arg: the audience: keep (or not) as a bản tin in the library (issue 18 §3)
    ITEMS = "li"  # arg: the audience: the library items the broadcast may link
    LINK = "lk"  # arg: <item id, 0 none>.<audience>


class UnitCode(StrEnum):
    """What a button under the unit view or the report does."""

    INVITES = "inv"
    NOTIFY = "nt"  # where the person's messages go (their card's choice)
    REPORT = "rep"


class ProgressCode(StrEnum):
    """What a progress button does (the action is the presser's own plan's, by its number)."""

    HOME = "ls"  # my plan's actions and where each stands
    OPEN = "op"  # one action: its history, and where it stands now
    STATUS = "st"  # item.status: say where it stands, then a note (or a photo)
    SAVE = "sv"  # item.status: record it without a note
    CELL = "cl"  # page: the secretary's view of the cell's progress
    LAST_YEAR = "ly"  # my plan of last year and how it went


class MidyearCode(StrEnum):
    """What a self-check button does (an action is the presser's own plan's, by its number)."""

    OPEN = "go"  # begin, or carry on where it was left
    STEP = "sp"  # arg: the step to show (an action's number, the question, the review)
    STATUS = "st"  # arg: item.status: where the action stands, then a note
    SAVE = "sv"  # arg: item.status: record it without a note
    ANSWER = "an"  # type (again) the self-assessment
    SUBMIT = "sb"
    REOPEN = "ro"  # take a sent self-check back to change it


class LibraryCode(StrEnum):
    """What a study library button does."""

    LIST = "ls"  # arg: <kind or empty>.<page>
    OPEN = "op"  # arg: the material's id
    STUDIED = "ok"  # arg: the material's id ("Đã học")
    FOLLOW = "who"  # arg: the page of the secretary's "who has studied" view
    ADD = "add"  # an admin adds a material from the chat
    NOTICE = "nt"  # arg: the material's id: preview the notice to its audience
    NOTICE_SEND = "ns"  # arg: the material's id: queue that notice
    AUDIENCE = "au"  # arg: all | party | u.<unit id>: who the admin's next upload is for


class ModelsCode(StrEnum):
    """What an exemplary-models button does (arg: a nomination's id unless said)."""

    LIST = "ls"  # arg: <year, 0: every year>.<page>.<1: my unit only, 0: all>
    OPEN = "op"
    NEW = "new"  # a secretary or an admin nominates
    EDIT = "ed"
    QUEUE = "q"  # the admin's nominations waiting for review
    MINE = "my"  # the nominations of the secretary's unit not yet published
    APPROVE = "ok"
    RETURN = "rt"  # asks for the comment
    NOTICE = "nt"  # preview the broadcast of a published model
    NOTICE_SEND = "ns"


class Route(StrEnum):
    """Regular expressions that pick the Telegram handler of a press, most specific first."""

    PLAN = f"^{Prefix.PLAN}:"
    MEETING = f"^{Prefix.MEETING}:"
    PROXY = f"^{Prefix.DESK}:({DeskCode.PROXY_LIST}|{DeskCode.PROXY_FILL}):"
    DESK = f"^{Prefix.DESK}:"
    BROADCAST = f"^{Prefix.BROADCAST}:"
    INVITES = f"^{Prefix.UNIT}:{UnitCode.INVITES}:$"
    REPORT = f"^{Prefix.UNIT}:{UnitCode.REPORT}:([0-9]{{4}})?$"


def number(text: str) -> int | None:
    """A non-negative id or revision from callback data, or None: ASCII digits only (``"²"``
    passes ``str.isdigit``), and short enough for any database integer."""
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)


def two_numbers(arg: str) -> tuple[int, int] | None:
    """ "12.3" -> (12, 3); None for anything else."""
    first, _, second = arg.partition(".")
    one, two = number(first), number(second)
    if one is None or two is None:
        return None
    return one, two


def year_page(arg: str) -> tuple[int, str, int] | None:
    """ "2022" or "2022.confirmed.1" -> (year, status, page); None for anything else (a year is
    four ASCII digits; the status is checked by the desk)."""
    parts = arg.split(".")
    if len(parts) not in (1, 3) or len(parts[0]) != 4:
        return None
    year = number(parts[0])
    if year is None or year < 1000:
        return None
    if len(parts) == 1:
        return year, "", 0
    page = number(parts[2])
    return None if page is None else (year, parts[1], page)


def _checked(data: str) -> str:
    if len(data.encode("utf-8")) > MAX_BYTES:
        raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
    return data


def _fits(data: str) -> bool:
    return len(data.encode("utf-8")) <= MAX_BYTES


Code = TypeVar("Code", bound=StrEnum)


def _member(kind: type[Code], text: str) -> Code | None:
    try:
        return kind(text)
    except ValueError:
        return None


@dataclass(frozen=True, slots=True)
class PlanPress:
    """A press on a plan button: the revision it was shown at, the action code and its argument."""

    rev: int
    code: PlanCode
    arg: str = ""
    owner: int | None = None  # set on buttons shown to someone filling a plan for another person

    def pack(self) -> str:
        """The callback data (``owner``: whose plan, when filled by proxy)."""
        head = f"{self.owner}.{self.rev}" if self.owner is not None else str(self.rev)
        return _checked(f"{Prefix.PLAN}:{head}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class MeetingPress:
    """A press on a calendar button: what to do and its argument (a kind, an id, id.version)."""

    code: MeetingCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.MEETING}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class DeskPress:
    """A press on a reviewer's button: what to do and its argument (an id, status.page ...)."""

    code: DeskCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.DESK}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class BroadcastPress:
    """A press on a composer button: what to do and its argument (an audience, a wave id ...)."""

    code: BroadcastCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.BROADCAST}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class InvitesPress:
    """The unit view's button: the open invite codes."""

    def pack(self) -> str:
        """The callback data."""
        return f"{Prefix.UNIT}:{UnitCode.INVITES}:"


@dataclass(frozen=True, slots=True)
class NotifyPress:
    """The card's choice: send my messages on ``channel``."""

    channel: Channel

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.UNIT}:{UnitCode.NOTIFY}:{self.channel.value}")


@dataclass(frozen=True, slots=True)
class ReportPress:
    """The button under an admin's report: the district table (None: the open campaign's)."""

    year: int | None = None

    def pack(self) -> str:
        """The callback data."""
        year = "" if self.year is None else f"{self.year:04d}"
        return _checked(f"{Prefix.UNIT}:{UnitCode.REPORT}:{year}")


@dataclass(frozen=True, slots=True)
class ProgressPress:
    """A press on a progress button: what to do and its argument (an action's number ...)."""

    code: ProgressCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.PROGRESS}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class LibraryPress:
    """A press on a study library button: what to do and its argument (a material's id, a
    kind and a page)."""

    code: LibraryCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.LIBRARY}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class ModelsPress:
    """A press on an exemplary-models button: what to do and its argument."""

    code: ModelsCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.MODELS}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class YearPress:
    """A press on a year-end review draft button: the draft's revision, an engine code."""

    rev: int
    code: PlanCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.YEAR}:{self.rev}:{self.code}:{self.arg}")


@dataclass(frozen=True, slots=True)
class MidyearPress:
    """A press on a mid-year self-check button: what to do and its argument."""

    code: MidyearCode
    arg: str = ""

    def pack(self) -> str:
        """The callback data."""
        return _checked(f"{Prefix.MIDYEAR}:{self.code}:{self.arg}")


Press = (
    PlanPress
    | MeetingPress
    | DeskPress
    | BroadcastPress
    | InvitesPress
    | ReportPress
    | NotifyPress
    | ProgressPress
    | LibraryPress
    | ModelsPress
    | YearPress
    | MidyearPress
)


def _split(data: str, prefix: Prefix, parts: int) -> list[str] | None:
    found = data.split(":", parts - 1)
    if len(found) != parts or found[0] != prefix or not _fits(data):
        return None
    return found


def parse_plan(data: str) -> PlanPress | None:
    """The plan press in ``data``, or None when it is not one (or is malformed)."""
    parts = _split(data, Prefix.PLAN, 4)
    code = _member(PlanCode, parts[2]) if parts else None
    if parts is None or code is None:
        return None
    rev = number(parts[1])
    if rev is not None:
        return PlanPress(rev, code, parts[3])
    pair = two_numbers(parts[1])
    if pair is None:
        return None
    return PlanPress(pair[1], code, parts[3], owner=pair[0])


def parse_meeting_press(data: str) -> MeetingPress | None:
    """The calendar press in ``data``, or None when it is not one (or is malformed)."""
    parts = _split(data, Prefix.MEETING, 3)
    code = _member(MeetingCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return MeetingPress(code, parts[2])


def parse_desk(data: str) -> DeskPress | None:
    """The reviewer's press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.DESK, 3)
    code = _member(DeskCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return DeskPress(code, parts[2])


def parse_broadcast(data: str) -> BroadcastPress | None:
    """The composer press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.BROADCAST, 3)
    code = _member(BroadcastCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return BroadcastPress(code, parts[2])


def parse_progress(data: str) -> ProgressPress | None:
    """The progress press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.PROGRESS, 3)
    code = _member(ProgressCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return ProgressPress(code, parts[2])


def parse_invites(data: str) -> InvitesPress | None:
    """The unit view's invite button, or None when ``data`` is not it."""
    return InvitesPress() if data == InvitesPress().pack() else None


def parse_notify(data: str) -> NotifyPress | None:
    """The card's channel choice, or None for anything else."""
    parts = _split(data, Prefix.UNIT, 3)
    if parts is None or parts[1] != UnitCode.NOTIFY or parts[2] not in set(Channel):
        return None
    return NotifyPress(Channel(parts[2]))


def parse_report(data: str) -> ReportPress | None:
    """The district report press (a four-digit year, or none), or None for anything else."""
    parts = _split(data, Prefix.UNIT, 3)
    if parts is None or parts[1] != UnitCode.REPORT:
        return None
    if not parts[2]:
        return ReportPress()
    year = number(parts[2])
    return ReportPress(year) if year is not None and len(parts[2]) == 4 and year >= 1000 else None


def parse_library(data: str) -> LibraryPress | None:
    """The study library press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.LIBRARY, 3)
    code = _member(LibraryCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return LibraryPress(code, parts[2])


def parse_models(data: str) -> ModelsPress | None:
    """The exemplary-models press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.MODELS, 3)
    code = _member(ModelsCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return ModelsPress(code, parts[2])


def parse_year(data: str) -> YearPress | None:
    """The year-end review press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.YEAR, 4)
    code = _member(PlanCode, parts[2]) if parts else None
    rev = number(parts[1]) if parts else None
    if parts is None or code is None or rev is None:
        return None
    return YearPress(rev, code, parts[3])


def parse_midyear(data: str) -> MidyearPress | None:
    """The self-check press in ``data``, or None when it is not one."""
    parts = _split(data, Prefix.MIDYEAR, 3)
    code = _member(MidyearCode, parts[1]) if parts else None
    if parts is None or code is None:
        return None
    return MidyearPress(code, parts[2])


def parse(data: str) -> Press | None:
    """Whatever press ``data`` is, or None when it is none (or is malformed)."""
    prefix = data.partition(":")[0]
    if prefix == Prefix.PLAN:
        return parse_plan(data)
    if prefix == Prefix.MEETING:
        return parse_meeting_press(data)
    if prefix == Prefix.DESK:
        return parse_desk(data)
    if prefix == Prefix.BROADCAST:
        return parse_broadcast(data)
    if prefix == Prefix.UNIT:
        return parse_invites(data) or parse_report(data) or parse_notify(data)
    if prefix == Prefix.PROGRESS:
        return parse_progress(data)
    if prefix == Prefix.LIBRARY:
        return parse_library(data)
    if prefix == Prefix.MODELS:
        return parse_models(data)
    if prefix == Prefix.YEAR:
        return parse_year(data)
    if prefix == Prefix.MIDYEAR:
        return parse_midyear(data)
    return None


def looks_like_plan(data: str) -> bool:
    """Whether ``data`` claims to be a plan press (answered with the plan's stale screen when it
    does not parse)."""
    return data.startswith(f"{Prefix.PLAN}:")


def looks_like_feature(data: str) -> bool:
    """Whether ``data`` claims to be a calendar, desk, composer, progress or library press (a
    malformed one gets only the stale notice, not the menu)."""
    feature = (
        Prefix.MEETING,
        Prefix.DESK,
        Prefix.BROADCAST,
        Prefix.PROGRESS,
        Prefix.LIBRARY,
        Prefix.MODELS,
        Prefix.YEAR,
        Prefix.MIDYEAR,
    )
    return data.partition(":")[0] in feature
