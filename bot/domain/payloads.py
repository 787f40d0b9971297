"""Outbox payloads: one frozen model per kind, checked when a row is written and when it is read.

A payload says what to show, never how: a catalog template with its values (and catalog keys for
labels and buttons), a digest's numbers and names, or a broadcast's text. The ``kind`` field picks
the model; a row whose text does not read as one of them is refused (``PayloadError``).

Rows written before payloads had a ``kind`` carry the same keys without it: ``read_payload``
names their kind from the keys they have (``legacy_kind``), so queued rows of a deployment that
is upgraded, or of an older replica still running beside a new one, are still sent.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StrictInt,
    StrictStr,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from bot.domain.callbacks import MAX_BYTES
from bot.domain.meetings import MIN_THEMATIC_PER_YEAR

Template = Annotated[str, StringConstraints(pattern=r"^notify\.[a-z0-9_.]+$")]
CatalogKey = Annotated[str, StringConstraints(pattern=r"^[a-z0-9_]+(\.[A-Za-z0-9_]+)+$")]
Param = StrictStr | StrictInt


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Button(_Model):
    """A button under a notice: a catalog key for its label and its callback data."""

    label: CatalogKey
    data: str

    @field_validator("data")
    @classmethod
    def _fits(cls, data: str) -> str:
        if not data or len(data.encode("utf-8")) > MAX_BYTES:
            raise ValueError(f"callback data must be 1 to {MAX_BYTES} bytes")
        return data


class DeadlineCountdown(_Model):
    """Count the days left to ``deadline`` when sent: ``today`` on the day, ``late`` after."""

    deadline: date
    today: Template
    late: Template


class MeetingCountdown(_Model):
    """Count the hours left to ``starts_at`` when sent: the ``days`` template from 24 hours."""

    starts_at: AwareDatetime
    days: Template


class _Templated(_Model):
    """A catalog template, its values and the catalog keys of its labels and buttons."""

    template: Template
    params: Mapping[str, Param] = Field(default_factory=dict)
    labels: Mapping[str, CatalogKey] = Field(default_factory=dict)
    buttons: tuple[Button, ...] = ()


class Notice(_Templated):
    """A one-off notice: a plan confirmed, returned or handed in, a meeting set or changed."""

    kind: Literal["notice"] = "notice"


class Relinked(_Templated):
    """Told to a former account of the person (``to_chat``): the link moved elsewhere."""

    kind: Literal["relinked"] = "relinked"
    to_chat: str


class PlanDocument(_Templated):
    """A notice that carries the plan's document (drawn when it is sent)."""

    kind: Literal["document"] = "document"
    document_plan: int


class DeadlineReminder(_Templated):
    """A reminder of the plans' deadline; its wording follows the days left when it is sent."""

    kind: Literal["deadline"] = "deadline"
    countdown: DeadlineCountdown


class MeetingReminder(_Templated):
    """A reminder of a meeting; it says the time left when it is sent."""

    kind: Literal["meeting"] = "meeting"
    countdown: MeetingCountdown


class Names(_Model):
    """Some names of a group and how many it has."""

    count: int = 0
    names: tuple[str, ...] = ()


class DigestMeeting(_Model):
    """The next meeting of a unit, as a digest shows it."""

    kind: str
    when: str
    place: str
    topic: str


class DigestData(_Model):
    """What a digest shows: counts, some names, the next meeting, the thematic-meeting flags.

    Fields an older version did not write have defaults (a row queued then still reads).
    """

    unit: str | None = None  # None: everyone (an admin's report)
    year: int = 0  # the campaign's year (0: written before digests said it)
    day: str
    deadline: str
    days_left: int = 0  # as of the day it was made; see deadline_on
    deadline_on: date | None = None  # the renderer counts the days left when it is sent
    required: int
    submitted: int
    confirmed: int
    exempt: int
    not_linked: int
    missing: Names = Names()
    waiting: Names = Names()
    returned: Names = Names()
    unreachable: Names = Names()
    meeting: DigestMeeting | None = None
    thematic: int = 0
    thematic_min: int = MIN_THEMATIC_PER_YEAR
    quarters_without: tuple[int, ...] = ()
    no_briefing: bool = False  # the deadline passed without a quán triệt recorded as held
    thematic_flag: int = 0  # 3 or 4: that quarter ended with fewer than 2 thematic held
    outbox: Mapping[str, int] | None = None  # rows per delivery state (an admin's report)


class Digest(_Model):
    """A secretary's digest."""

    kind: Literal["digest"] = "digest"
    digest: DigestData


class Broadcast(_Model):
    """An admin's announcement (Telegram HTML, checked when written) and its broadcast's id."""

    kind: Literal["broadcast"] = "broadcast"
    html: str
    broadcast: int
    buttons: tuple[Button, ...] = ()  # "📚 Mở tài liệu" of a linked library item (issue 18)


Templated = Notice | Relinked | PlanDocument | DeadlineReminder | MeetingReminder
Payload = Annotated[
    Notice | Relinked | PlanDocument | DeadlineReminder | MeetingReminder | Digest | Broadcast,
    Field(discriminator="kind"),
]
PAYLOAD: TypeAdapter[Payload] = TypeAdapter(Payload)


class PayloadError(ValueError):
    """A payload that is not one of the kinds above; the message says what is wrong."""


def legacy_kind(data: Mapping[str, Any]) -> str:
    """The kind of a payload written before payloads carried one, named from its keys."""
    if "digest" in data:
        return "digest"
    if "html" in data:
        return "broadcast"
    if "to_chat" in data:
        return "relinked"
    if "document_plan" in data:
        return "document"
    countdown = data.get("countdown")
    if isinstance(countdown, Mapping) and "deadline" in countdown:
        return "deadline"
    if isinstance(countdown, Mapping) and "starts_at" in countdown:
        return "meeting"
    return "notice"


def _explain(error: ValidationError) -> str:
    said = [
        f"{'.'.join(str(part) for part in found['loc']) or 'payload'}: {found['msg']}"
        for found in error.errors()[:3]
    ]
    return "; ".join(said)


def to_payload(data: object) -> Payload:
    """``data`` (JSON values) as a payload; one without ``kind`` is read as an older row."""
    if isinstance(data, Mapping) and "kind" not in data:
        data = {**data, "kind": legacy_kind(data)}
    try:
        return PAYLOAD.validate_python(data)
    except ValidationError as error:
        raise PayloadError(_explain(error)) from None


def read_payload(text: str | bytes) -> Payload:
    """The payload stored as ``text``; PayloadError if it is not one."""
    try:
        data = json.loads(text)
    except ValueError as error:
        raise PayloadError(f"not JSON: {error}") from None
    return to_payload(data)


def write_payload(payload: Payload) -> str:
    """``payload`` as stored; PayloadError unless the text reads back as the same payload."""
    text = PAYLOAD.dump_json(payload).decode()
    if read_payload(text) != payload:
        raise PayloadError(f"a {payload.kind} payload does not read back as written")
    return text
