"""The mid-year self-check's screens as replies."""

from __future__ import annotations

from collections.abc import Sequence
from zoneinfo import ZoneInfo

from bot.domain.callbacks import MidyearCode, MidyearPress, PlanCode, PlanPress
from bot.domain.midyear import MidyearCheck
from bot.domain.progress import ProgressEntry, ProgressStatus
from bot.domain.telegram_html import utf16_len
from bot.locales import Catalog, Safe
from bot.services.midyear import (
    ActionStep,
    AskNote,
    CheckReview,
    MidyearScreen,
    NoPlan,
    Off,
    Question,
    Sent,
    Shown,
)
from bot.services.replies import TEXT_BUDGET, Choice, Presenter, Reply, fit_lines

SHORT = 120  # characters of an action's text in the review
NOTE = 300  # characters of a note shown with an action's state
SUMMARY_NOTE = 100  # ... in the review, where every action is listed
ANSWER = 2000  # characters of the self-assessment shown in the review (all of it is kept)
STATUSES = (ProgressStatus.DONE, ProgressStatus.DOING, ProgressStatus.TODO)


def _short(value: str, limit: int = SHORT) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def open_button(catalog: Catalog) -> Choice:
    """ "Tự kiểm tra giữa kỳ" (under a handed-in plan, under the mid-year prompt)."""
    return Choice(catalog.plain("midyear.button.open"), MidyearPress(MidyearCode.OPEN).pack())


class MidyearPresenter:
    """Turns self-check screens into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: ZoneInfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def _press(self, label: str, code: MidyearCode, arg: str = "", **values: object) -> Choice:
        return Choice(self._c.plain(label, **values), MidyearPress(code, arg).pack())

    def _plan_button(self) -> Choice:
        return Choice(self._c.plain("progress.button.plan"), PlanPress(0, PlanCode.RESUME).pack())

    def _day(self, moment: MidyearCheck | ProgressEntry) -> str:
        at = moment.at if isinstance(moment, ProgressEntry) else moment.submitted_at
        return at.astimezone(self._tz).strftime("%d/%m/%Y") if at is not None else ""

    def _state(self, entry: ProgressEntry | None, note: int = NOTE) -> str:
        c = self._c
        if entry is None:
            return c.plain("progress.never")
        status = c.plain(f"progress.status.{entry.status.value}")
        state = c.plain("progress.state", status=status, day=self._day(entry))
        if entry.note:
            state = c.plain("midyear.state_note", state=state, note=_short(entry.note, note))
        return state

    def render(self, screen: MidyearScreen) -> Reply:
        """The reply for ``screen``."""
        c, p = self._c, self._p
        match screen:
            case Off(person=person):
                return p.simple("midyear.off", person)
            case NoPlan(person=person, year=year):
                key = "midyear.no_plan"
                return p.with_menu(c.t(key, year=year, **p.you(person, key)), person)
            case ActionStep():
                return self._action(screen)
            case AskNote():
                return self._ask(screen)
            case Question():
                return self._question(screen)
            case CheckReview():
                return self._review(screen)
            case Sent():
                return self._sent(screen)

    def _title(self, screen: Shown) -> str:
        return self._c.t("midyear.title", year=screen.campaign.year)

    def _action(self, screen: ActionStep) -> Reply:
        c, item, total = self._c, screen.item, len(screen.actions)
        lines: list[str] = []
        if screen.notice:
            lines += [c.t(screen.notice), ""]
        if screen.saved is not None:
            status = c.plain(f"progress.status.{screen.saved.status.value}")
            lines += [
                c.t("progress.saved", number=item + 1, status=status, day=self._day(screen.saved)),
                "",
            ]
        action = screen.actions[item]
        lines += [
            self._title(screen),
            c.t("midyear.step", number=item + 1, total=total),
            c.t("progress.action_title", number=item + 1, action=action[0] if action else ""),
        ]
        if len(action) > 1 and action[1]:
            lines.append(c.t("progress.action_when", when=action[1]))
        lines.append(c.t("midyear.now", state=self._state(screen.latest.get(item))))
        lines += ["", c.t("midyear.ask_status")]
        statuses = tuple(
            self._press(f"progress.button.{s.value}", MidyearCode.STATUS, f"{item}.{s.value}")
            for s in STATUSES
        )
        moves = []
        if item > 0:
            moves.append(self._press("midyear.button.prev", MidyearCode.STEP, str(item - 1)))
        moves.append(self._press("midyear.button.next", MidyearCode.STEP, str(item + 1)))
        rows = (statuses, tuple(moves), (self._plan_button(),))
        return Reply(Safe("\n".join(lines)), choices=rows)

    def _ask(self, screen: AskNote) -> Reply:
        c, p = self._c, self._p
        lines: list[str] = []
        if screen.invalid:
            lines += [c.t(screen.invalid), ""]
        action = screen.actions[screen.item]
        key = "midyear.ask_note"
        lines.append(
            c.t(
                key,
                number=screen.item + 1,
                action=_short(action[0] if action else ""),
                status=c.plain(f"progress.status.{screen.status.value}"),
                **p.you(screen.person, key),
            )
        )
        arg = f"{screen.item}.{screen.status.value}"
        rows = (
            (self._press("progress.button.save", MidyearCode.SAVE, arg),),
            (self._press("progress.button.cancel", MidyearCode.STEP, str(screen.item)),),
        )
        return Reply(Safe("\n".join(lines)), choices=rows)

    def _question(self, screen: Question) -> Reply:
        c, p = self._c, self._p
        lines: list[str] = []
        if screen.invalid:
            lines += [c.t(screen.invalid), ""]
        key = "midyear.question"
        lines += [
            self._title(screen),
            c.t(key, year=screen.campaign.year, **p.you(screen.person, key)),
        ]
        if screen.check.answer:
            lines.append(c.t("midyear.current", answer=_short(screen.check.answer, 1000)))
        count = len(screen.actions)
        moves = []
        if count > 0:
            moves.append(self._press("midyear.button.prev", MidyearCode.STEP, str(count - 1)))
        if screen.check.answer:
            moves.append(self._press("midyear.button.review", MidyearCode.STEP, str(count + 1)))
        rows = (tuple(moves),) if moves else ()
        return Reply(Safe("\n".join(lines)), choices=rows)

    def _summary(self, screen: Shown, around: Sequence[str]) -> list[str]:
        """Each action's state (as many whole lines as fit one message beside ``around``),
        then the self-assessment."""
        c = self._c
        lines: list[str] = []
        for item, action in enumerate(screen.actions):
            lines.append(
                c.t(
                    "progress.home_line",
                    number=item + 1,
                    action=_short(action[0] if action else ""),
                    state=self._state(screen.latest.get(item), SUMMARY_NOTE),
                )
            )
        answer = screen.check.answer
        said = (
            c.t("midyear.answer", answer=_short(answer, ANSWER))
            if answer
            else c.t("midyear.answer_none")
        )
        budget = TEXT_BUDGET - utf16_len("\n".join([*around, said])) - 200
        kept = fit_lines(lines, budget, c.t("midyear.more", count=Safe("{count}")))
        return [*kept, said]

    def _review(self, screen: CheckReview) -> Reply:
        c = self._c
        lines: list[str] = []
        if screen.notice:
            lines += [c.t(screen.notice), ""]
        if screen.invalid:
            lines += [c.t(screen.invalid), ""]
        lines += [self._title(screen), c.t("midyear.review")]
        hint = c.t("midyear.review_hint")
        lines += [*self._summary(screen, [*lines, hint]), "", hint]
        rows = (
            (self._press("midyear.button.submit", MidyearCode.SUBMIT),),
            (self._press("midyear.button.answer", MidyearCode.ANSWER),),
            (self._press("midyear.button.again", MidyearCode.STEP, "0"),),
            (self._plan_button(),),
        )
        return Reply(Safe("\n".join(lines)), choices=rows)

    def _sent(self, screen: Sent) -> Reply:
        c, p = self._c, self._p
        lines: list[str] = []
        if screen.notice:
            lines += [c.t(screen.notice), ""]
        key = "midyear.sent"
        day = self._day(screen.check)
        lines.append(c.t(key, year=screen.campaign.year, day=day, **p.you(screen.person, key)))
        hint = c.t("midyear.sent_hint")
        lines += [*self._summary(screen, [*lines, hint]), "", hint]
        rows = (
            (self._press("midyear.button.reopen", MidyearCode.REOPEN),),
            (self._plan_button(),),
        )
        return Reply(Safe("\n".join(lines)), choices=rows)
