"""What a member can do at each step: the buttons (or numbered lines) and their codes.

The same list serves every channel: Telegram shows buttons whose callback data carries the code,
a text-only channel shows numbered lines and maps a typed number or label back to the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from bot.domain import engine as e
from bot.domain.callbacks import DeskCode, DeskPress, PlanCode, PlanPress, number
from bot.domain.forms import FormDef, Question
from bot.domain.payloads import Button
from bot.domain.plans import Plan, PlanStatus


@dataclass(frozen=True, slots=True)
class Action:
    """One thing to press: ``code`` and ``arg`` go in the callback data; ``label`` names a text."""

    code: PlanCode
    label: str
    arg: str = ""
    params: dict[str, str] = field(default_factory=dict)
    row: str = ""  # actions sharing a row tag stand side by side (two a row); "": laid out alone


BACK = Action(PlanCode.BACK, "plan.button.back")
SUBMIT = Action(PlanCode.SUBMIT, "plan.button.submit")
DOCUMENT = Action(PlanCode.DOCUMENT, "plan.button.document")
REOPEN = Action(PlanCode.REOPEN, "plan.button.reopen")
VOLUNTARY = Action(PlanCode.VOLUNTARY, "plan.button.voluntary")
RESUME = Action(PlanCode.RESUME, "plan.button.resume")
CONFIRM_DELETE = Action(PlanCode.CONFIRM_DELETE, "plan.tidy.yes")
KEEP_ITEM = Action(PlanCode.KEEP_ITEM, "plan.tidy.no")


def notice_button(label: str, data: str) -> Button:
    """A button under an outbox message: a catalog key for its label and its callback data."""
    return Button(label=label, data=data)


# "Go to my plan" under a notice: the press opens the presser's own plan, whoever they are.
RESUME_BUTTON = notice_button(RESUME.label, PlanPress(0, RESUME.code).pack())
FIX_BUTTON = notice_button("plan.button.fix", PlanPress(0, RESUME.code).pack())


def review_button(plan_id: int) -> Button:
    """ "Xem và duyệt" under a submission notice: the desk re-checks the presser's rights."""
    return notice_button("desk.button.review_notice", DeskPress(DeskCode.OPEN, str(plan_id)).pack())


def step_actions(form: FormDef, draft: e.Draft) -> list[Action]:
    """The buttons of the step the draft is at."""
    where = e.at(draft)
    if where.place is e.Place.IDENTITY and not where.editing_line:
        edits = [
            Action(PlanCode.EDIT_LINE, "plan.button.edit_line", f.key, {"label": f.label})
            for f in form.identity
        ]
        return [Action(PlanCode.IDENTITY_OK, "plan.button.identity_ok"), *edits]
    group = e.group_named(form, where.key) if where.place is e.Place.MORE else None
    if where.editing_line:
        return [BACK]
    if group is not None:
        count = len(e.group_items(draft.answers, group))
        actions = []
        if count < group.max_items:
            actions.append(
                Action(
                    PlanCode.ADD_ITEM, "plan.button.add_item", group.key, {"item": group.item_label}
                )
            )
        if not e.items_short(draft.answers, group):  # "Xong" once the minimum is reached
            actions.append(Action(PlanCode.FINISH_GROUP, "plan.button.finish_group"))
        return [*actions, BACK]
    if where.place is e.Place.REVIEW and where.key:  # "Chắc chắn?" before a delete
        return [CONFIRM_DELETE, KEEP_ITEM] if e.deleting(form, draft) else [KEEP_ITEM]
    if where.place is e.Place.REVIEW:
        return review_actions(form, draft)
    question = e.question_at(form, draft.position)
    if question is None:
        return [BACK]
    return _question_actions(form, draft, question)


def _question_actions(form: FormDef, draft: e.Draft, question: Question) -> list[Action]:
    actions: list[Action] = []
    if question.kind == "choice":
        actions += [
            Action(PlanCode.CHOICE, "plan.button.choice", str(i), {"label": c})
            for i, c in enumerate(question.choices)
        ]
    if question.kind == "long_text" and draft.buffer:
        actions += [
            Action(PlanCode.DONE, "plan.button.done"),
            Action(PlanCode.CLEAR, "plan.button.clear"),
        ]
    if question.optional:
        actions.append(Action(PlanCode.SKIP, "plan.button.skip"))
    if e.current_value(form, draft) and not draft.buffer:
        actions.append(Action(PlanCode.KEEP, "plan.button.keep"))
    actions.append(BACK)
    return actions


def review_actions(form: FormDef, draft: e.Draft) -> list[Action]:
    """Sửa buttons for every answer (a row per section), each item's Sửa and Xóa side by side,
    then the document and submit side by side at the bottom."""
    actions: list[Action] = []
    if form.identity:
        actions.append(Action(PlanCode.EDIT, "plan.button.edit_identity", e.IDENTITY, row="id"))
    for section in form.sections:
        row = f"s.{section.number}"
        for place, item in enumerate(section.items):
            if isinstance(item, Question):
                params = {"label": item.label}
                actions.append(Action(PlanCode.EDIT, "plan.button.edit", item.key, params, row))
                continue
            row = f"s.{section.number}.{place}"  # the section's questions after a list
            items = e.group_items(draft.answers, item)
            for index in range(len(items)):
                arg, pair = f"{item.key}.{index}", f"{item.key}.{index}"
                params = {"item": item.item_label, "number": str(index + 1)}
                actions += [
                    Action(PlanCode.EDIT_ITEM, "plan.button.edit_item", arg, params, pair),
                    Action(PlanCode.DELETE_ITEM, "plan.button.delete_item", arg, params, pair),
                ]
            if len(items) < item.max_items:
                params = {"item": item.item_label}
                actions.append(Action(PlanCode.ADD_ITEM, "plan.button.add_item", item.key, params))
    # side by side at the bottom: the document's label is the short one, to fit half a row
    actions += [
        replace(DOCUMENT, label="tidy.document_button", row="end"),
        replace(SUBMIT, row="end"),
    ]
    return actions


def status_actions(plan: Plan, can_reopen: bool) -> list[Action]:
    """Buttons under a plan that was handed in."""
    actions = [DOCUMENT]
    if plan.status is PlanStatus.SUBMITTED and can_reopen:
        actions.append(REOPEN)
    return actions


def apply(form: FormDef, draft: e.Draft, action: Action) -> e.Result:
    """Carry out a form action on the draft (submit and document are handled by the service)."""
    code, arg = action.code, action.arg
    group, _, place = arg.partition(".")
    choice, index = number(arg), number(place)  # ASCII digits only: int("²") would raise
    handlers: dict[PlanCode, Callable[[], e.Result]] = {
        PlanCode.IDENTITY_OK: lambda: e.confirm_identity(form, draft),
        PlanCode.EDIT_LINE: lambda: e.edit_identity(form, draft, arg),
        PlanCode.BACK: lambda: e.back(form, draft),
        PlanCode.SKIP: lambda: e.skip(form, draft),
        PlanCode.KEEP: lambda: e.keep(form, draft),
        PlanCode.DONE: lambda: e.finish_long(form, draft),
        PlanCode.CLEAR: lambda: e.clear_buffer(draft),
        PlanCode.CHOICE: lambda: (
            e.choose(form, draft, choice) if choice is not None else e.Invalid("bad_choice")
        ),
        PlanCode.ADD_ITEM: lambda: e.add_item(form, draft, arg),
        PlanCode.FINISH_GROUP: lambda: e.finish_group(form, draft),
        PlanCode.EDIT: lambda: e.edit(form, draft, arg),
        PlanCode.EDIT_ITEM: lambda: (
            e.edit_item(form, draft, group, index)
            if index is not None
            else e.Invalid("no_question")
        ),
        PlanCode.DELETE_ITEM: lambda: (
            e.ask_delete(form, draft, group, index)
            if index is not None
            else e.Invalid("no_question")
        ),
        PlanCode.CONFIRM_DELETE: lambda: e.confirm_delete(form, draft),
        PlanCode.KEEP_ITEM: lambda: e.keep_item(form, draft),
    }
    handler = handlers.get(code)
    return handler() if handler else e.Invalid("no_question")
