"""The form engine: a pure state machine over a form definition.

A draft is answers plus a position. A ``Position`` is stored as a short string (``identity``,
``identity:<field>``, ``q:<question>``, ``g:<group>:<item>:<field>``, ``more:<group>:<items
before>``, ``review``), read with ``Position.parse`` and written with ``str``.
Every function returns a new draft or an ``Invalid`` with the reason; none does I/O.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import Any

from bot.domain.forms import FormDef, Group, IdentityField, Question
from bot.domain.text import fold, scrub, substance, tidy

Answers = Mapping[str, Any]  # "id.<key>": str; question key: str; group key: list[dict[str, str]]
IDENTITY = "identity"
REVIEW = "review"
_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True, slots=True)
class Draft:
    """Where a member is in their form and what they answered."""

    answers: Answers = field(default_factory=dict)
    position: str = IDENTITY
    returning: bool = False  # came from the review screen: go back there after this answer
    buffer: str = ""  # pieces of a long answer typed so far
    paused: bool = False  # the member left the form (/huy): typed text is not an answer
    last_input: str = ""  # "chat:message" of the last typed message taken (see ``seen``)
    proxied: tuple[str, ...] = ()  # answers (top-level keys) typed by someone filling for them
    proxy_by: int | None = None  # who that was (a person id)


def seen(last_input: str, source: str) -> bool:
    """True when the typed message ``source`` ("chat:message") was taken already: Telegram
    delivers an update again when the bot stopped before confirming it. Message ids only grow
    within a chat, so anything up to the last one taken from that chat is a repeat."""
    chat, _, message = source.partition(":")
    last_chat, _, last_message = last_input.partition(":")
    return (
        bool(chat)
        and chat == last_chat
        and message.isdigit()
        and last_message.isdigit()
        and int(message) <= int(last_message)
    )


@dataclass(frozen=True, slots=True)
class Invalid:
    """An answer or action that was refused; ``reason`` names a catalog message."""

    reason: str
    limit: int = 0


Result = Draft | Invalid


def start(form: FormDef, prefill: Mapping[str, str]) -> Draft:
    """A new draft with the identity block prefilled from the roster."""
    answers = {f"id.{f.key}": prefill.get(f.source, "") for f in form.identity}
    return Draft(answers=answers, position=IDENTITY if form.identity else _enter(form, {}, 0))


# ----------------------------------------------------------------------------- positions
class Place(StrEnum):
    """The kind of step a position names (its first part when stored)."""

    IDENTITY = IDENTITY
    QUESTION = "q"
    ITEM = "g"
    MORE = "more"
    REVIEW = REVIEW


@dataclass(frozen=True, slots=True)
class Position:
    """Where a draft is; stored as ``str(position)`` (``identity``, ``identity:<line>``,
    ``q:<question>``, ``g:<group>:<item>:<field>``, ``more:<group>:<items>``, ``review``)."""

    place: Place
    key: str = ""  # the identity line being edited, the question or the group
    index: int = 0  # the group's item being answered, or how many items it has (more)
    field_key: str = ""  # the field of the group's item being answered

    @classmethod
    def parse(cls, text: str) -> Position:
        """The position stored as ``text``; an unreadable one is the review, where every
        answer can be reached again."""
        head, *rest = text.split(":")
        if head == Place.IDENTITY and len(rest) <= 1:
            return cls(Place.IDENTITY, rest[0] if rest else "")
        if head == Place.QUESTION and len(rest) == 1:
            return cls(Place.QUESTION, rest[0])
        if head == Place.MORE and len(rest) == 2 and _digits(rest[1]):
            return cls(Place.MORE, rest[0], int(rest[1]))
        if head == Place.ITEM and len(rest) == 3 and _digits(rest[1]):
            return cls(Place.ITEM, rest[0], int(rest[1]), rest[2])
        if head == Place.REVIEW and len(rest) == 1:
            return cls(Place.REVIEW, rest[0])  # "Chắc chắn?" before deleting item rest[0]
        return cls(Place.REVIEW)

    def __str__(self) -> str:
        if self.place is Place.IDENTITY:
            return f"{IDENTITY}:{self.key}" if self.key else IDENTITY
        if self.place is Place.QUESTION:
            return f"{Place.QUESTION}:{self.key}"
        if self.place is Place.MORE:
            return f"{Place.MORE}:{self.key}:{self.index}"
        if self.place is Place.ITEM:
            return f"{Place.ITEM}:{self.key}:{self.index}:{self.field_key}"
        return f"{REVIEW}:{self.key}" if self.key else REVIEW

    @property
    def editing_line(self) -> bool:
        """True while one identity line is being corrected."""
        return self.place is Place.IDENTITY and bool(self.key)


def _digits(text: str) -> bool:
    return text.isascii() and text.isdigit()


def at(draft: Draft) -> Position:
    """The draft's position."""
    return Position.parse(draft.position)


def _question(key: str) -> str:
    return str(Position(Place.QUESTION, key))


def _item(group: Group, index: int, field_key: str) -> str:
    return str(Position(Place.ITEM, group.key, index, field_key))


def _more(group: Group, count: int) -> str:
    return str(Position(Place.MORE, group.key, count))


def _items(form: FormDef) -> list[Question | Group]:
    return form.items()


def _enter(form: FormDef, answers: Answers, index: int) -> str:
    """The first position of top-level item ``index`` (or the review after the last)."""
    items = _items(form)
    if index >= len(items):
        return REVIEW
    item = items[index]
    if isinstance(item, Question):
        return _question(item.key)
    count = len(group_items(answers, item))
    return _more(item, count) if count else _item(item, 0, item.fields[0].key)


def group_named(form: FormDef, key: str) -> Group | None:
    """The group ``key`` of the form, or None when there is no such group."""
    return next((i for i in _items(form) if i.key == key and isinstance(i, Group)), None)


def _index_of(form: FormDef, key: str) -> int | None:
    return next((i for i, item in enumerate(_items(form)) if item.key == key), None)


def top_index(form: FormDef, position: str) -> int:
    """0 for the identity step, then 1.. for each question or group; len+1 for the review."""
    where = Position.parse(position)
    if where.place is Place.IDENTITY:
        return 0
    index = _index_of(form, where.key) if where.place is not Place.REVIEW else None
    return len(_items(form)) + 1 if index is None else index + 1


def progress(form: FormDef, position: str) -> tuple[int, int]:
    """(current step, number of steps) for "Câu 3/9"."""
    total = len(_items(form)) + (1 if form.identity else 0)
    current = top_index(form, position) + (1 if form.identity else 0)
    return min(current, total), total


def group_items(answers: Answers, group: Group) -> list[dict[str, str]]:
    """The items of a group answered so far."""
    value = answers.get(group.key)
    return [dict(v) for v in value] if isinstance(value, list) else []


def complete_items(answers: Answers, group: Group) -> int:
    """How many items of the group have every required field answered."""
    return sum(1 for item in group_items(answers, group) if item_complete(group, item))


def items_short(answers: Answers, group: Group) -> int:
    """How many more complete items the group needs before "Xong" may close it (0: enough)."""
    return max(group.min_items - complete_items(answers, group), 0)


def item_complete(group: Group, item: Mapping[str, str]) -> bool:
    """True when every required field of the item is answered."""
    return all(f.optional or item.get(f.key) for f in group.fields)


def question_at(form: FormDef, position: str) -> Question | None:
    """The question asked at ``position`` (a plain question or a group field)."""
    where = Position.parse(position)
    if where.place is Place.QUESTION:
        return _question_named(form, where.key)
    if where.place is Place.ITEM and (group := group_named(form, where.key)) is not None:
        return next((f for f in group.fields if f.key == where.field_key), None)
    return None


def _question_named(form: FormDef, key: str) -> Question | None:
    return next((i for i in _items(form) if i.key == key and isinstance(i, Question)), None)


def takes_text(form: FormDef, draft: Draft) -> bool:
    """True when the step asks for a typed answer (a question or an identity line being edited)."""
    return question_at(form, draft.position) is not None or at(draft).editing_line


def identity_field(form: FormDef, key: str) -> IdentityField | None:
    """The identity field ``key``."""
    return next((f for f in form.identity if f.key == key), None)


def current_value(form: FormDef, draft: Draft) -> str:
    """The stored answer at the draft's position ('' when none)."""
    where = at(draft)
    if where.place is Place.QUESTION:
        return str(draft.answers.get(where.key, ""))
    if where.place is Place.ITEM:
        group = group_named(form, where.key)
        items = group_items(draft.answers, group) if group is not None else []
        return items[where.index].get(where.field_key, "") if where.index < len(items) else ""
    if where.editing_line:
        return str(draft.answers.get(f"id.{where.key}", ""))
    return ""


def _go(
    draft: Draft, position: str, answers: Answers | None = None, returning: bool = False
) -> Draft:
    """Move to ``position`` (dropping any half-typed long answer)."""
    kept = draft.answers if answers is None else answers
    return replace(
        draft, answers=kept, position=position, returning=returning, buffer="", paused=False
    )


def _after(form: FormDef, draft: Draft, answers: Answers) -> Draft:
    """Advance from the draft's position once its answer is settled."""
    where = at(draft)
    if where.editing_line:
        return _go(draft, IDENTITY, answers, returning=draft.returning)
    group = group_named(form, where.key) if where.place is Place.ITEM else None
    if draft.returning and group is None:
        return _go(draft, REVIEW, answers)
    if group is not None:
        keys = [f.key for f in group.fields]
        following = keys.index(where.field_key) + 1 if where.field_key in keys else len(keys)
        if following < len(keys):
            position = _item(group, where.index, keys[following])
            return _go(draft, position, answers, returning=draft.returning)
        more = _more(group, where.index + 1)
        return _go(draft, REVIEW if draft.returning else more, answers)
    return _go(draft, _enter(form, answers, top_index(form, draft.position)), answers)


def _store(form: FormDef, draft: Draft, value: str) -> Answers:
    where = at(draft)
    answers = dict(draft.answers)
    group = group_named(form, where.key) if where.place is Place.ITEM else None
    if where.editing_line:
        answers[f"id.{where.key}"] = value
    elif where.place is Place.QUESTION:
        answers[where.key] = value
    elif group is not None:
        items = group_items(answers, group)
        while len(items) <= where.index:
            items.append({})
        items[where.index][where.field_key] = value
        answers[group.key] = items
    return answers


# ----------------------------------------------------------------------------- validation
def clean(text: str) -> str:
    """Normalise typed text: scrubbed, NFC, trimmed lines; text that shows nothing is empty."""
    lines = [tidy(line) for line in scrub(text).split("\n")]
    return "\n".join(lines).strip()


def validate(question: Question | IdentityField, text: str) -> str | Invalid:
    """Return the value to store or why it is refused."""
    value = clean(text)
    if not value:
        return Invalid("empty")
    if question.kind == "date":
        return _date(value)
    if isinstance(question, Question) and question.kind == "choice":
        return _choice(question, value)
    if len(value) > question.max_length:
        return Invalid("too_long", question.max_length)
    return _long_enough(question, value) or value


def _long_enough(question: Question | IdentityField, value: str) -> Invalid | None:
    """Why ``value`` is too thin for ``question``, or None: emoji, symbols and punctuation do
    not count towards ``min_length``, so an answer made only of them is refused as saying
    nothing (``no_words``), not stored as an answer."""
    meant = substance(value)
    if not meant:
        return Invalid("no_words")
    minimum = question.min_length if isinstance(question, Question) else 1
    if len(meant) < minimum:
        # Long enough only thanks to emoji or punctuation: say that they were not counted.
        return Invalid("too_short" if len(value) < minimum else "symbols_short", minimum)
    return None


def _date(value: str) -> str | Invalid:
    match = _DATE.match(value)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            date(year, month, day)
        except ValueError:
            return Invalid("bad_date")
        if not 1900 <= year <= 2100:
            return Invalid("bad_date")
        return f"{day:02d}/{month:02d}/{year}"
    if _YEAR.match(value) and 1900 <= int(value) <= 2100:
        return value
    return Invalid("bad_date")


def _choice(question: Question, value: str) -> str | Invalid:
    if value.isdigit() and 1 <= int(value) <= len(question.choices):
        return question.choices[int(value) - 1]
    for choice in question.choices:
        if fold(choice) == fold(value):
            return choice
    return Invalid("bad_choice")


# ----------------------------------------------------------------------------- transitions
def answer(form: FormDef, draft: Draft, text: str) -> Result:
    """Take typed text as the answer at the draft's position."""
    where = at(draft)
    if where.editing_line:
        target: Question | IdentityField | None = identity_field(form, where.key)
    else:
        target = question_at(form, draft.position)
    if target is None:
        return Invalid("no_question")
    if isinstance(target, Question) and target.kind == "long_text":
        piece = clean(text)
        if not piece:
            return Invalid("empty")
        combined = f"{draft.buffer}\n{piece}" if draft.buffer else piece
        if len(combined) > target.max_length:
            return Invalid("too_long", target.max_length)
        return replace(draft, buffer=combined)
    value = validate(target, text)
    if isinstance(value, Invalid):
        return value
    return _after(form, draft, _store(form, draft, value))


def finish_long(form: FormDef, draft: Draft) -> Result:
    """ "Xong": the pieces typed so far become the answer to the long question."""
    question = question_at(form, draft.position)
    if question is None or question.kind != "long_text":
        return Invalid("no_question")
    if not draft.buffer:
        return Invalid("empty")
    thin = _long_enough(question, draft.buffer)
    if thin is not None:
        return thin
    return _after(form, draft, _store(form, draft, draft.buffer))


def clear_buffer(draft: Draft) -> Draft:
    """Start the long answer again."""
    return replace(draft, buffer="")


def choose(form: FormDef, draft: Draft, index: int) -> Result:
    """A choice button: the ``index``-th choice of the current question."""
    question = question_at(form, draft.position)
    if question is None or question.kind != "choice" or not 0 <= index < len(question.choices):
        return Invalid("bad_choice")
    return _after(form, draft, _store(form, draft, question.choices[index]))


def skip(form: FormDef, draft: Draft) -> Result:
    """Leave an optional question empty."""
    question = question_at(form, draft.position)
    if question is None or not question.optional:
        return Invalid("not_optional")
    return _after(form, draft, _store(form, draft, ""))


def keep(form: FormDef, draft: Draft) -> Result:
    """Keep the answer already stored here and move on."""
    if question_at(form, draft.position) is None or not current_value(form, draft):
        return Invalid("nothing_to_keep")
    return _after(form, draft, draft.answers)


def confirm_identity(form: FormDef, draft: Draft) -> Result:
    """ "Đúng": the identity block is right; go on (or back to the review)."""
    if draft.position != IDENTITY:
        return Invalid("no_question")
    if draft.returning:
        return replace(draft, position=REVIEW, returning=False)
    return replace(draft, position=_enter(form, draft.answers, 0))


def edit_identity(form: FormDef, draft: Draft, key: str) -> Result:
    """Correct one identity line."""
    if draft.position != IDENTITY or identity_field(form, key) is None:
        return Invalid("no_question")
    return replace(draft, position=str(Position(Place.IDENTITY, key)), buffer="")


def back(form: FormDef, draft: Draft) -> Result:
    """Go to the previous step (from an edit started on the review: back to the review)."""
    where = at(draft)
    if where.editing_line:
        return _go(draft, IDENTITY, returning=draft.returning)
    if draft.returning:
        return _go(draft, REVIEW)
    if where.place is Place.REVIEW:
        return replace(draft, position=_last_of(form, draft.answers, len(_items(form)) - 1))
    group = group_named(form, where.key)
    if where.place is Place.ITEM and group is not None:
        keys = [f.key for f in group.fields]
        field_index = keys.index(where.field_key) if where.field_key in keys else 0
        if field_index > 0:
            position = _item(group, where.index, keys[field_index - 1])
            return replace(draft, position=position, buffer="")
        if where.index > 0:
            return _go(draft, _more(group, where.index))
    if where.place is Place.MORE and group is not None:
        after = min(where.index, len(group_items(draft.answers, group)))
        if after > 0:
            return _go(draft, _item(group, after - 1, group.fields[-1].key))
    if where.place is Place.IDENTITY:
        return Invalid("at_start")
    index = _index_of(form, where.key)
    if index is None:
        return _go(draft, REVIEW)
    if index == 0:
        return (
            replace(draft, position=IDENTITY, buffer="") if form.identity else Invalid("at_start")
        )
    return replace(draft, position=_last_of(form, draft.answers, index - 1), buffer="")


def _last_of(form: FormDef, answers: Answers, index: int) -> str:
    """The last position of top-level item ``index`` (used when going back into it)."""
    item = _items(form)[index]
    if isinstance(item, Question):
        return _question(item.key)
    count = len(group_items(answers, item))
    return _more(item, count) if count else _item(item, 0, item.fields[0].key)


def add_item(form: FormDef, draft: Draft, group_key: str) -> Result:
    """ "Thêm việc": start a new item of the group (from its "more" step or the review)."""
    group = group_named(form, group_key)
    if group is None:
        return Invalid("no_question")
    items = group_items(draft.answers, group)
    if len(items) >= group.max_items:
        return Invalid("too_many_items", group.max_items)
    returning = draft.position == REVIEW or draft.returning
    return _go(draft, _item(group, len(items), group.fields[0].key), returning=returning)


def finish_group(form: FormDef, draft: Draft) -> Result:
    """ "Xong": enough items; go to what follows the group."""
    where = at(draft)
    group = group_named(form, where.key) if where.place is Place.MORE else None
    if group is None:
        return Invalid("no_question")
    if items_short(draft.answers, group):
        return Invalid("too_few_items", group.min_items)
    if draft.returning:
        return replace(draft, position=REVIEW, returning=False)
    return replace(draft, position=_enter(form, draft.answers, top_index(form, draft.position)))


def edit(form: FormDef, draft: Draft, key: str) -> Result:
    """From the review: answer question ``key`` again (or check the identity block)."""
    if draft.position != REVIEW:
        return Invalid("no_question")
    if key == IDENTITY and form.identity:
        return replace(draft, position=IDENTITY, returning=True)
    if not any(i.key == key and isinstance(i, Question) for i in _items(form)):
        return Invalid("no_question")
    return replace(draft, position=_question(key), returning=True, buffer="")


def edit_item(form: FormDef, draft: Draft, group_key: str, index: int) -> Result:
    """From the review: go through item ``index`` of a group again."""
    group = group_named(form, group_key)
    if draft.position != REVIEW or group is None:
        return Invalid("no_question")
    if not 0 <= index < len(group_items(draft.answers, group)):
        return Invalid("no_question")
    return _go(draft, _item(group, index, group.fields[0].key), returning=True)


def delete_item(form: FormDef, draft: Draft, group_key: str, index: int) -> Result:
    """From the review: remove item ``index`` of a group."""
    group = group_named(form, group_key)
    if draft.position != REVIEW or group is None:
        return Invalid("no_question")
    items = group_items(draft.answers, group)
    if not 0 <= index < len(items):
        return Invalid("no_question")
    del items[index]
    return replace(draft, answers={**draft.answers, group.key: items})


def ask_delete(form: FormDef, draft: Draft, group_key: str, index: int) -> Result:
    """From the review: ask "Chắc chắn?" before removing item ``index`` of a group (the
    review then offers only Có / Không)."""
    group = group_named(form, group_key)
    if draft.position != REVIEW or group is None:
        return Invalid("no_question")
    if not 0 <= index < len(group_items(draft.answers, group)):
        return Invalid("no_question")
    return replace(draft, position=str(Position(Place.REVIEW, f"{group.key}.{index}")))


def deleting(form: FormDef, draft: Draft) -> tuple[Group, int] | None:
    """The group and item the review asks "Chắc chắn?" about, or None."""
    where = at(draft)
    if where.place is not Place.REVIEW or not where.key:
        return None
    key, _, place = where.key.partition(".")
    group = group_named(form, key)
    if group is None or not _digits(place) or int(place) >= len(group_items(draft.answers, group)):
        return None
    return group, int(place)


def confirm_delete(form: FormDef, draft: Draft) -> Result:
    """ "Có": remove the item the review asked about and show the review again."""
    found = deleting(form, draft)
    if found is None:
        return Invalid("no_question")
    group, index = found
    return delete_item(form, to_review(draft), group.key, index)


def keep_item(form: FormDef, draft: Draft) -> Result:
    """ "Không": keep the item and show the review again."""
    if at(draft).place is not Place.REVIEW or not at(draft).key:
        return Invalid("no_question")
    return to_review(draft)


def missing(form: FormDef, answers: Answers) -> list[str]:
    """Keys of required questions without an answer and groups without enough complete items."""
    gaps: list[str] = []
    for item in _items(form):
        if isinstance(item, Question):
            if not item.optional and not answers.get(item.key):
                gaps.append(item.key)
        else:
            items = group_items(answers, item)
            if len(items) < item.min_items or not all(item_complete(item, i) for i in items):
                gaps.append(item.key)
    return gaps


def entered_by(before: Draft, after: Draft, proxy: int | None) -> Draft:
    """``after`` with its record of who typed what: answers that changed are marked as typed by
    ``proxy`` (someone filling the plan for its owner), or unmarked when the owner (None)
    typed them."""
    changed = {
        key
        for key in set(before.answers) | set(after.answers)
        if before.answers.get(key) != after.answers.get(key)
    }
    if not changed:
        return after
    if proxy is None:
        kept = tuple(k for k in after.proxied if k not in changed)
        return replace(after, proxied=kept, proxy_by=after.proxy_by if kept else None)
    marked = tuple(dict.fromkeys([*after.proxied, *sorted(changed)]))
    return replace(after, proxied=marked, proxy_by=proxy)


def to_review(draft: Draft) -> Draft:
    """Show the review screen (after a restart or from the plan menu)."""
    return replace(draft, position=REVIEW, returning=False, buffer="")
