"""What a member can do at each step: the buttons (or numbered lines) and their codes.

The same list serves every channel: Telegram shows buttons whose callback data carries the code,
a text-only channel shows numbered lines and maps a typed number or label back to the code.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from bot.domain import engine as e
from bot.domain.callbacks import pack_desk, pack_plan
from bot.domain.forms import FormDef, Group, Question
from bot.domain.payloads import Button
from bot.domain.plans import Plan, PlanStatus


@dataclass(frozen=True, slots=True)
class Action:
    """One thing to press: ``code`` and ``arg`` go in the callback data; ``label`` names a text."""

    code: str
    label: str
    arg: str = ""
    params: dict[str, str] = field(default_factory=dict)


BACK = Action("bk", "plan.button.back")
SUBMIT = Action("sb", "plan.button.submit")
DOCUMENT = Action("doc", "plan.button.document")
REOPEN = Action("ro", "plan.button.reopen")
VOLUNTARY = Action("vol", "plan.button.voluntary")
RESUME = Action("go", "plan.button.resume")


def notice_button(label: str, data: str) -> Button:
    """A button under an outbox message: a catalog key for its label and its callback data."""
    return Button(label=label, data=data)


# "Go to my plan" under a notice: the press opens the presser's own plan, whoever they are.
RESUME_BUTTON = notice_button(RESUME.label, pack_plan(0, RESUME.code))
FIX_BUTTON = notice_button("plan.button.fix", pack_plan(0, RESUME.code))


def review_button(plan_id: int) -> Button:
    """ "Xem và duyệt" under a submission notice: the desk re-checks the presser's rights."""
    return notice_button("desk.button.review_notice", pack_desk("op", str(plan_id)))


def step_actions(form: FormDef, draft: e.Draft) -> list[Action]:
    """The buttons of the step the draft is at."""
    parts = e.parse_position(draft.position)
    if draft.position == e.IDENTITY:
        edits = [
            Action("ei", "plan.button.edit_line", f.key, {"label": f.label}) for f in form.identity
        ]
        return [Action("ok", "plan.button.identity_ok"), *edits]
    if parts[0] == e.IDENTITY:
        return [BACK]
    if parts[0] == "more":
        group = form.item(parts[1])
        assert isinstance(group, Group)
        count = len(e.group_items(draft.answers, group))
        actions = []
        if count < group.max_items:
            actions.append(
                Action("ad", "plan.button.add_item", group.key, {"item": group.item_label})
            )
        actions.append(Action("fg", "plan.button.finish_group"))
        return [*actions, BACK]
    if parts[0] == e.REVIEW:
        return review_actions(form, draft)
    question = e.question_at(form, draft.position)
    if question is None:
        return [BACK]
    return _question_actions(form, draft, question)


def _question_actions(form: FormDef, draft: e.Draft, question: Question) -> list[Action]:
    actions: list[Action] = []
    if question.kind == "choice":
        actions += [
            Action("ch", "plan.button.choice", str(i), {"label": c})
            for i, c in enumerate(question.choices)
        ]
    if question.kind == "long_text" and draft.buffer:
        actions += [Action("dn", "plan.button.done"), Action("cl", "plan.button.clear")]
    if question.optional:
        actions.append(Action("sk", "plan.button.skip"))
    if e.current_value(form, draft) and not draft.buffer:
        actions.append(Action("kp", "plan.button.keep"))
    actions.append(BACK)
    return actions


def review_actions(form: FormDef, draft: e.Draft) -> list[Action]:
    """Sửa buttons for every answer, item edits and deletes, then submit."""
    actions: list[Action] = []
    if form.identity:
        actions.append(Action("ed", "plan.button.edit_identity", e.IDENTITY))
    for item in form.items():
        if isinstance(item, Question):
            actions.append(Action("ed", "plan.button.edit", item.key, {"label": item.label}))
            continue
        items = e.group_items(draft.answers, item)
        for index in range(len(items)):
            params = {"item": item.item_label, "number": str(index + 1)}
            actions.append(Action("et", "plan.button.edit_item", f"{item.key}.{index}", params))
            actions.append(Action("dl", "plan.button.delete_item", f"{item.key}.{index}", params))
        if len(items) < item.max_items:
            actions.append(
                Action("ad", "plan.button.add_item", item.key, {"item": item.item_label})
            )
    actions += [DOCUMENT, SUBMIT]
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
    group, _, index = arg.partition(".")
    handlers: dict[str, Callable[[], e.Result]] = {
        "ok": lambda: e.confirm_identity(form, draft),
        "ei": lambda: e.edit_identity(form, draft, arg),
        "bk": lambda: e.back(form, draft),
        "sk": lambda: e.skip(form, draft),
        "kp": lambda: e.keep(form, draft),
        "dn": lambda: e.finish_long(form, draft),
        "cl": lambda: e.clear_buffer(draft),
        "ch": lambda: e.choose(form, draft, int(arg)) if arg.isdigit() else e.Invalid("bad_choice"),
        "ad": lambda: e.add_item(form, draft, arg),
        "fg": lambda: e.finish_group(form, draft),
        "ed": lambda: e.edit(form, draft, arg),
        "et": lambda: (
            e.edit_item(form, draft, group, int(index))
            if index.isdigit()
            else e.Invalid("no_question")
        ),
        "dl": lambda: (
            e.delete_item(form, draft, group, int(index))
            if index.isdigit()
            else e.Invalid("no_question")
        ),
    }
    handler = handlers.get(code)
    return handler() if handler else e.Invalid("no_question")
