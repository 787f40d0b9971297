"""Plan screens as replies: the step's question, the review, the status, the buttons."""

from __future__ import annotations

import html
from dataclasses import replace
from zoneinfo import ZoneInfo

from bot.domain import engine as e
from bot.domain.callbacks import DeskCode, DeskPress, PlanCode, PlanPress, YearPress
from bot.domain.forms import FormDef, Group, Question
from bot.domain.models import Person
from bot.domain.plan_actions import Action
from bot.domain.plans import PlanStatus
from bot.domain.telegram_html import utf16_len
from bot.locales import Catalog, Safe
from bot.services.midyear_view import open_button as midyear_button
from bot.services.plan_screens import (
    Asking,
    Exempt,
    HandedIn,
    NoCampaign,
    PlanScreen,
    Receipt,
    Review,
)
from bot.services.progress_view import update_button
from bot.services.proxy import ProxyList
from bot.services.replies import TEXT_BUDGET, Choice, Reply, fit_lines

REVIEW_VALUE = 220  # characters of each answer shown on the review screen (the document has all)
BUTTONS_PER_ROW = 2


def _short(value: str, limit: int = REVIEW_VALUE) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _rows(buttons: list[Choice], tags: list[str]) -> tuple[tuple[Choice, ...], ...]:
    """Buttons in rows: neighbours sharing a row tag side by side (two a row), the untagged
    alone."""
    rows: list[tuple[Choice, ...]] = []
    run: list[Choice] = []
    for index, (button, tag) in enumerate(zip(buttons, tags, strict=True)):
        run.append(button)
        following = tags[index + 1] if index + 1 < len(tags) else None
        if not tag or following != tag or len(run) == BUTTONS_PER_ROW:
            rows.append(tuple(run))
            run = []
    return tuple(rows)


class PlanPresenter:
    """Renders plan screens with the catalog; the form's own wording is filled in as text."""

    def __init__(self, catalog: Catalog, tz: ZoneInfo) -> None:
        self._c = catalog
        self._tz = tz

    def render(self, screen: PlanScreen) -> Reply:
        """The reply for ``screen`` (text, buttons and, when there is one, the document)."""
        reply = self._render(screen)
        if screen.actor is None:
            return reply
        banner = self._c.t("plan.proxy_banner", name=screen.person.full_name)
        return replace(reply, text=Safe(f"{banner}\n\n{reply.text}"))

    def _render(self, screen: PlanScreen) -> Reply:
        c = self._c
        match screen:
            case NoCampaign():
                return Reply(c.t("plan.no_campaign"))
            case Exempt(person=person):
                reason = c.plain(f"label.exemption.{person.exemption.value}")
                return Reply(c.t("plan.exempt", reason=reason), choices=self._buttons(screen, 0))
            case Receipt(plan=plan):
                count = len(plan.draft.buffer)
                text = c.t("plan.buffer", count=count)
                folded = c.t("tidy.folded_piece", count=count)
                return Reply(text, choices=self._buttons(screen, plan.rev), folded=folded)
            case Asking() | Review() | HandedIn():
                return self._shown(screen)

    def _shown(self, screen: Asking | Review | HandedIn) -> Reply:
        c, plan, form = self._c, screen.plan, screen.form
        parts: list[str] = []
        if screen.notice:
            parts.append(c.t(screen.notice))
        if screen.invalid is not None:
            parts.append(self._invalid(screen.invalid, screen.missing))
        if plan.status is PlanStatus.RETURNED and plan.return_comment:
            parts.append(c.t("plan.returned", comment=plan.return_comment))
        if isinstance(screen, Asking | Review) and screen.by_proxy:
            name = screen.proxy_name or c.plain("plan.tidy.proxy_someone")
            parts.append(c.t("plan.tidy.proxy_entered", name=name))
        match screen:
            case Asking():
                parts.append(self._step(form, plan.draft, screen.campaign.year))
                if screen.suggestion:  # last year's answer to the same question
                    key = "progress.last_year_answer"
                    answer = _short(screen.suggestion, 1000)
                    parts.append(c.t(key, year=screen.campaign.year - 1, answer=answer))
            case Review() if e.at(plan.draft).key:
                parts.append(self._ask_delete(form, plan.draft))
            case Review():
                marked = frozenset(plan.draft.proxied) if screen.by_proxy else frozenset()
                parts.append(self._review(form, plan.draft, marked=marked))
            case HandedIn():
                parts.append(self._status(screen))
        text = Safe("\n\n".join(parts))
        choices = self._buttons(screen, plan.rev)
        if isinstance(screen, HandedIn) and screen.actor is None:  # progress on its actions
            choices = (*choices, (update_button(self._c),))
            if screen.plan.status in (PlanStatus.SUBMITTED, PlanStatus.CONFIRMED):
                year = YearPress(0, PlanCode.RESUME).pack()  # the year-end review draft
                choices = (*choices, (Choice(self._c.plain("yearend.button.open"), year),))
                if screen.campaign.schedule.midyear_check:  # the mid-year self-check is on
                    choices = (*choices, (midyear_button(self._c),))
        document = screen.document
        if document is not None:
            document = replace(document, caption=self._caption(screen))
        return Reply(text, choices=choices, document=document, folded=self._folded(screen))

    def _caption(self, screen: Asking | Review | HandedIn) -> Safe:
        """What a plan's document is: the form, its status and its date (when it was handed
        in, else when it was last changed)."""
        plan = screen.plan
        when = plan.submitted_at if plan.submitted_at is not None else plan.updated_at
        return self._c.t(
            "tidy.document_caption",
            year=screen.campaign.year,
            form=screen.form.name,
            status=self._c.plain(f"plan.status.{plan.status.value}"),
            date=when.astimezone(self._tz).strftime("%d/%m/%Y"),
        )

    def _folded(self, screen: Asking | Review | HandedIn) -> Safe | None:
        """The one line a step or the review shrinks to once the next screen replaces it (a
        plan's status keeps its text)."""
        c, form, draft = self._c, screen.form, screen.plan.draft
        where = e.at(draft)
        if isinstance(screen, HandedIn):
            return None
        if isinstance(screen, Review) or where.place is e.Place.REVIEW:
            return c.t("tidy.folded_review", form=form.name)
        current, total = e.progress(form, draft.position)
        if where.place is e.Place.IDENTITY:
            label = c.plain("plan.identity_title")
            return c.t("tidy.folded_step", current=current, total=total, label=label)
        group = e.group_named(form, where.key)
        question = e.question_at(form, draft.position)
        if where.place is e.Place.ITEM and group is not None and question is not None:
            return c.t(
                "tidy.folded_item",
                current=current,
                total=total,
                item=group.item_label,
                number=where.index + 1,
                label=question.label,
            )
        if group is not None:
            label = group.label
        elif question is not None:
            label = question.label
        else:
            return None
        return c.t("tidy.folded_step", current=current, total=total, label=label)

    def proxy_list(self, listing: ProxyList) -> Reply:
        """People without a chat account whose plan the reviewer may type, with a button each."""
        c = self._c
        lines = [c.t("plan.proxy_title")]
        if not listing.people:
            lines.append(c.t("plan.proxy_nobody"))
        rows: list[tuple[Choice, ...]] = []
        for row in listing.people:
            status = (
                c.plain(f"plan.status.{row.status.value}")
                if row.status is not None
                else c.plain("plan.proxy_not_started")
            )
            lines.append(c.t("plan.proxy_line", name=row.full_name, status=status))
            label = c.plain("plan.proxy_button", name=row.full_name)[:60]
            rows.append((Choice(label, DeskPress(DeskCode.PROXY_FILL, str(row.person_id)).pack()),))
        pager: list[Choice] = []
        if listing.page > 0:
            pager.append(
                Choice(
                    c.plain("desk.button.prev"),
                    DeskPress(DeskCode.PROXY_LIST, str(listing.page - 1)).pack(),
                )
            )
        if listing.page + 1 < listing.pages:
            pager.append(
                Choice(
                    c.plain("desk.button.next"),
                    DeskPress(DeskCode.PROXY_LIST, str(listing.page + 1)).pack(),
                )
            )
        if pager:
            lines.append(c.t("desk.page", page=listing.page + 1, pages=listing.pages))
            rows.append(tuple(pager))
        return Reply(Safe("\n".join(lines)), choices=tuple(rows))

    def proxy_ended(self, member: Person, typed: str) -> Safe:
        """Why filling for ``member`` ended (they signed in); ``typed``: the message that came
        too late, shown back so it is not lost."""
        c = self._c
        text = c.t("plan.tidy.proxy_ended", name=member.full_name)
        if typed.strip():
            late = c.t("plan.tidy.proxy_late_text", text=_short(typed, 1000))
            text = Safe(f"{text}\n\n{late}")
        return text

    def answers_text(self, form: FormDef, draft: e.Draft) -> str:
        """Every answer of a plan, as on the member's review screen (for its reviewer)."""
        return self._review(form, draft, footer=False)

    def paused_text(self) -> Safe:
        """Said when the member leaves the form with /huy."""
        return self._c.t("plan.paused")

    def _invalid(self, invalid: e.Invalid, missing: tuple[str, ...]) -> str:
        key = next(
            (
                k
                for k in (f"plan.invalid.{invalid.reason}", f"plan.tidy.{invalid.reason}")
                if self._c.has(k)
            ),
            "plan.invalid.no_question",
        )
        params = self._c.params(key)
        values: dict[str, object] = {}
        if "limit" in params:
            values["limit"] = invalid.limit
        if "items" in params:
            values["items"] = ", ".join(missing)
        return self._c.t(key, **values)

    def _buttons(
        self, screen: Exempt | Receipt | Asking | Review | HandedIn, rev: int
    ) -> tuple[tuple[Choice, ...], ...]:
        owner = screen.person.id if screen.actor is not None else None
        buttons = [
            Choice(self._label(a), PlanPress(rev, a.code, a.arg, owner).pack())
            for a in screen.actions
        ]
        if any(a.row for a in screen.actions):
            return _rows(buttons, [a.row for a in screen.actions])
        wide = [b for b in buttons if len(b.label) > 18]
        if wide:
            return tuple((b,) for b in buttons)
        return tuple(
            tuple(buttons[i : i + BUTTONS_PER_ROW]) for i in range(0, len(buttons), BUTTONS_PER_ROW)
        )

    def _label(self, action: Action) -> str:
        label = self._c.plain(action.label, **action.params)
        return label if len(label) <= 60 else label[:59] + "…"

    # ------------------------------------------------------------------ steps
    def _step(self, form: FormDef, draft: e.Draft, year: int) -> str:
        where = e.at(draft)
        lines: list[str]
        if where.place is e.Place.REVIEW:
            return self._review(form, draft)
        current, total = e.progress(form, draft.position)
        if where.place is e.Place.IDENTITY:
            title = self._c.t(
                "plan.step_title",
                current=current,
                total=total,
                section=self._c.plain("plan.identity_title"),
            )
            if where.editing_line:
                field = e.identity_field(form, where.key)
                label = field.label if field else where.key
                lines = [title, self._c.t("plan.identity_edit", label=label)]
                value = e.current_value(form, draft)
                if value:
                    lines.append(self._c.t("plan.current", value=_short(value)))
                return "\n".join(lines)
            empty = self._c.plain("plan.identity_empty")
            lines = [title, self._c.t("plan.identity_intro")]
            lines += [
                self._c.t(
                    "plan.identity_line",
                    label=f.label,
                    value=str(draft.answers.get(f"id.{f.key}", "")) or empty,
                )
                for f in form.identity
            ]
            return "\n".join(lines)
        section = form.section_of(where.key)
        section_name = self._c.plain("plan.section", number=section.number, title=section.title)
        title = self._c.t("plan.step_title", current=current, total=total, section=section_name)
        group = e.group_named(form, where.key)
        if where.place is e.Place.MORE and group is not None:
            return "\n".join([title, self._more(draft, group)])
        question = e.question_at(form, draft.position)
        if question is None:  # a step this form no longer has: its review is shown instead
            return self._review(form, draft)
        lines = [title]
        if where.place is e.Place.ITEM and group is not None:
            if (
                where.index == 0
                and question.key == group.fields[0].key
                and not e.group_items(draft.answers, group)
            ):
                prompt = group.prompt.replace("{year}", str(year))
                lines.append(self._c.t("plan.group_intro", label=group.label, prompt=prompt))
                if group.hint:
                    lines.append(self._c.t("plan.hint", hint=group.hint))
            item = self._c.t("plan.item_title", item=group.item_label, number=where.index + 1)
            prompt = html.escape(question.prompt.replace("{year}", str(year)), quote=False)
            lines.append(f"<b>{item}</b> — {prompt}")
        else:
            lines.append(html.escape(question.prompt.replace("{year}", str(year)), quote=False))
        lines += self._question_notes(question, draft, form, year)
        return "\n".join(lines)

    def _question_notes(
        self, question: Question, draft: e.Draft, form: FormDef, year: int
    ) -> list[str]:
        notes: list[str] = []
        if question.hint:
            notes.append(self._c.t("plan.hint", hint=question.hint.replace("{year}", str(year))))
        if question.example:
            notes.append(
                self._c.t("plan.example", example=question.example.replace("{year}", str(year)))
            )
        if question.kind == "choice":
            notes += [
                f"{i}. {html.escape(choice, quote=False)}"
                for i, choice in enumerate(question.choices, start=1)
            ]
            notes.append(self._c.t("plan.choices_note"))
        if question.kind == "long_text":
            notes.append(
                self._c.t("plan.buffer", count=len(draft.buffer))
                if draft.buffer
                else self._c.t("plan.long_note")
            )
        value = e.current_value(form, draft)
        if value and not draft.buffer:
            notes.append(self._c.t("plan.current", value=_short(value)))
        return notes

    def _more(self, draft: e.Draft, group: Group) -> str:
        items = e.group_items(draft.answers, group)
        first = group.fields[0].key
        lines = [self._c.t("plan.more", count=len(items), item_lower=group.item_label.lower())]
        lines += [
            self._c.t("plan.more_line", number=i, text=_short(item.get(first, ""), 120))
            for i, item in enumerate(items, start=1)
        ]
        short = e.items_short(draft.answers, group)
        if short:
            lines.append(
                self._c.t(
                    "plan.tidy.more_needed",
                    minimum=group.min_items,
                    count=e.complete_items(draft.answers, group),
                    item_lower=group.item_label.lower(),
                    item=group.item_label,
                )
            )
        else:
            lines.append(self._c.t("plan.more_question"))
        return "\n".join(lines)

    def _ask_delete(self, form: FormDef, draft: e.Draft) -> str:
        """ "Chắc chắn?" before an item of a list is deleted (Có / Không under it)."""
        found = e.deleting(form, draft)
        if found is None:  # that item is gone already: Không shows the review again
            return self._c.t("plan.invalid.no_question")
        group, index = found
        entry = e.group_items(draft.answers, group)[index]
        return self._c.t(
            "plan.tidy.ask_delete",
            item=group.item_label,
            number=index + 1,
            text=_short(entry.get(group.fields[0].key, ""), 120),
        )

    def _review(
        self,
        form: FormDef,
        draft: e.Draft,
        footer: bool = True,
        marked: frozenset[str] = frozenset(),
    ) -> str:
        """Every answer; those in ``marked`` (typed by someone filling for the owner) get ✍️."""
        c = self._c
        empty = c.plain("plan.review_empty")
        sign = c.plain("plan.tidy.proxy_mark")

        def mark(key: str, line: str) -> str:
            return f"{sign} {line}" if key in marked else line

        lines: list[str] = [c.t("plan.review_title", form=form.name)]
        for f in form.identity:
            lines.append(
                mark(
                    f"id.{f.key}",
                    c.t(
                        "plan.identity_line",
                        label=f.label,
                        value=str(draft.answers.get(f"id.{f.key}", "")) or empty,
                    ),
                )
            )
        for section in form.sections:
            lines.append(c.t("plan.review_section", number=section.number, title=section.title))
            for item in section.items:
                if isinstance(item, Question):
                    value = str(draft.answers.get(item.key, "")) or empty
                    answer = c.t("plan.review_answer", label=item.label, value=_short(value))
                    lines.append(mark(item.key, answer))
                    continue
                for number, entry in enumerate(e.group_items(draft.answers, item), start=1):
                    line = c.t(
                        "plan.review_item",
                        number=number,
                        action=_short(entry.get(item.fields[0].key, "") or empty),
                    )
                    lines.append(mark(item.key, line))
                    for detail in item.fields[1:]:
                        lines.append(
                            c.t(
                                "plan.review_item_detail",
                                label=detail.label,
                                value=_short(entry.get(detail.key, "") or empty, 120),
                            )
                        )
        end = c.t("plan.review_footer") if footer else ""
        budget = TEXT_BUDGET - utf16_len(end) - 400  # room for notices above
        kept = fit_lines(lines, budget, c.t("plan.review_more", count=Safe("{count}")))
        return "\n".join([*kept, "", end]) if end else "\n".join(kept)

    def _status(self, screen: HandedIn) -> str:
        plan, form, campaign = screen.plan, screen.form, screen.campaign
        c = self._c
        lines = [
            c.t("plan.status_title", form=form.name),
            c.t("plan.status_line", status=c.plain(f"plan.status.{plan.status.value}")),
        ]
        if plan.submitted_at is not None:
            when = plan.submitted_at.astimezone(self._tz).strftime("%H:%M %d/%m/%Y")
            lines.append(c.t("plan.submitted_at", when=when))
        if plan.late:
            lines.append(c.t("plan.late_mark"))
        lines.append(c.t("plan.deadline_line", deadline=campaign.deadline.strftime("%d/%m/%Y")))
        if any(a.code is PlanCode.REOPEN for a in screen.actions):
            lines.append(c.t("plan.reopen_note"))
        return "\n".join(lines)
