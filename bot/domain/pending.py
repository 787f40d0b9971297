"""What a person is in the middle of typing: one typed value, parsed once from its stored form.

The stored form (``pending_inputs.purpose``) is unchanged from before this type existed, so a
person halfway through something when the bot is upgraded carries on where they were.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.meetings import MeetingKind

MAX_DIGITS = 9  # ids in a stored purpose: anything longer was not written by us


def _number(text: str) -> int | None:
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS:
        return None
    return int(text)


@dataclass(frozen=True, slots=True)
class FillingFor:
    """A reviewer fills the plan of ``person_id`` for them (the proxy session)."""

    person_id: int

    def pack(self) -> str:
        """The stored form."""
        return f"proxy:{self.person_id}"


@dataclass(frozen=True, slots=True)
class ReturnComment:
    """A reviewer types the comment that goes back with plan ``plan_id`` at revision ``rev``."""

    plan_id: int
    rev: int

    def pack(self) -> str:
        """The stored form."""
        return f"review:return:{self.plan_id}.{self.rev}"


@dataclass(frozen=True, slots=True)
class NewMeeting:
    """A secretary types the details of a new meeting of ``kind``."""

    kind: MeetingKind

    def pack(self) -> str:
        """The stored form."""
        return f"meeting:new:{self.kind.value}"


@dataclass(frozen=True, slots=True)
class EditMeeting:
    """A secretary types the new details of meeting ``meeting_id``."""

    meeting_id: int

    def pack(self) -> str:
        """The stored form."""
        return f"meeting:edit:{self.meeting_id}"


@dataclass(frozen=True, slots=True)
class RecordMeeting:
    """A secretary records meeting ``meeting_id`` step by step (0: one never entered)."""

    meeting_id: int

    def pack(self) -> str:
        """The stored form."""
        return f"meeting:rec:{self.meeting_id}"


@dataclass(frozen=True, slots=True)
class BroadcastText:
    """An admin types (or sends as a caption) the text of an announcement."""

    def pack(self) -> str:
        """The stored form."""
        return "broadcast:text"


@dataclass(frozen=True, slots=True)
class BroadcastTime:
    """An admin types when the announcement to ``audience`` goes out."""

    audience: str

    def pack(self) -> str:
        """The stored form."""
        return f"broadcast:at:{self.audience}"


@dataclass(frozen=True, slots=True)
class ProgressNote:
    """A member types the note (or sends the photo) of an update of action ``item`` of plan
    ``plan_id``, which they said is at ``status`` (a ``ProgressStatus`` value)."""

    plan_id: int
    item: int
    status: str

    def pack(self) -> str:
        """The stored form."""
        return f"progress:{self.plan_id}.{self.item}.{self.status}"


@dataclass(frozen=True, slots=True)
class LibraryUpload:
    """An admin sends a file (or types a link) with its title and kind, for the library: for
    everyone (``party``: the party members; ``unit_id``: that unit and the units under it)."""

    party: bool = False
    unit_id: int = 0

    def pack(self) -> str:
        """The stored form ("library:add" alone: everyone, as before the choice existed)."""
        if self.unit_id:
            return f"library:add:unit.{self.unit_id}"
        return "library:add:party" if self.party else "library:add"


@dataclass(frozen=True, slots=True)
class ModelDraft:
    """A secretary or an admin types a nomination (0: a new one, else the one being edited)."""

    model_id: int

    def pack(self) -> str:
        """The stored form."""
        return f"model:draft:{self.model_id}"


@dataclass(frozen=True, slots=True)
class ModelReturn:
    """The admin types the comment that goes back with nomination ``model_id``."""

    model_id: int

    def pack(self) -> str:
        """The stored form."""
        return f"model:return:{self.model_id}"


@dataclass(frozen=True, slots=True)
class MidyearAnswer:
    """A member types "tự đánh giá giữa kỳ" for their self-check ``check_id``."""

    check_id: int

    def pack(self) -> str:
        """The stored form."""
        return f"midyear:a:{self.check_id}"


@dataclass(frozen=True, slots=True)
class MidyearNote:
    """A member types the note of an update of action ``item`` (at ``status``) from the
    screen of self-check ``check_id``."""

    check_id: int
    item: int
    status: str

    def pack(self) -> str:
        """The stored form."""
        return f"midyear:n:{self.check_id}.{self.item}.{self.status}"


Pending = (
    FillingFor
    | ReturnComment
    | NewMeeting
    | EditMeeting
    | RecordMeeting
    | BroadcastText
    | BroadcastTime
    | ProgressNote
    | LibraryUpload
    | ModelDraft
    | ModelReturn
    | MidyearAnswer
    | MidyearNote
)
Midyear = MidyearAnswer | MidyearNote
Meeting = NewMeeting | EditMeeting | RecordMeeting
Broadcast = BroadcastText | BroadcastTime


def parse_pending(purpose: str | None) -> Pending | None:
    """The pending input a stored purpose names; None for none, or for one no longer understood
    (it is then ignored, as a stale button is)."""
    if not purpose:
        return None
    head, _, rest = purpose.partition(":")
    if head == "proxy" and (person_id := _number(rest)) is not None:
        return FillingFor(person_id)
    verb, _, arg = rest.partition(":")
    if head == "review" and verb == "return":
        first, _, second = arg.partition(".")
        plan_id, rev = _number(first), _number(second)
        return ReturnComment(plan_id, rev) if plan_id is not None and rev is not None else None
    if head == "meeting" and verb == "new" and arg in set(MeetingKind):
        return NewMeeting(MeetingKind(arg))
    if head == "meeting" and verb == "edit" and (meeting_id := _number(arg)) is not None:
        return EditMeeting(meeting_id)
    if head == "meeting" and verb == "rec" and (meeting_id := _number(arg)) is not None:
        return RecordMeeting(meeting_id)
    if head == "progress":
        plan_text, _, tail = rest.partition(".")
        item_text, _, status = tail.partition(".")
        plan_id, item = _number(plan_text), _number(item_text)
        if plan_id is not None and item is not None and status.isascii() and status.isalpha():
            return ProgressNote(plan_id, item, status)
        return None
    if head == "model" and (model_id := _number(arg)) is not None:
        if verb == "draft":
            return ModelDraft(model_id)
        if verb == "return":
            return ModelReturn(model_id)
    if head == "midyear" and verb == "a" and (check_id := _number(arg)) is not None:
        return MidyearAnswer(check_id)
    if head == "midyear" and verb == "n":
        check_text, _, tail = arg.partition(".")
        item_text, _, status = tail.partition(".")
        check_id, item = _number(check_text), _number(item_text)
        if check_id is not None and item is not None and status.isascii() and status.isalpha():
            return MidyearNote(check_id, item, status)
        return None
    if purpose == "broadcast:text":
        return BroadcastText()
    if purpose == "library:add":
        return LibraryUpload()
    if head == "library" and verb == "add":
        if arg == "party":
            return LibraryUpload(party=True)
        kind, _, unit_text = arg.partition(".")
        unit_id = _number(unit_text)
        return LibraryUpload(unit_id=unit_id) if kind == "unit" and unit_id else None
    if head == "broadcast" and verb == "at":
        return BroadcastTime(arg)
    return None
