"""Progress screens as replies: the member's actions, one action's history, the cell's view."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from bot.domain.callbacks import PlanCode, PlanPress, ProgressCode, ProgressPress, YearPress
from bot.domain.progress import ProgressEntry, ProgressStatus
from bot.domain.telegram_html import utf16_len
from bot.locales import Catalog, Safe
from bot.services.progress import (
    ActionView,
    AskNote,
    CellLine,
    CellView,
    Home,
    LastYear,
    NoLastYear,
    NoPlan,
    ProgressScreen,
    Refused,
)
from bot.services.replies import TEXT_BUDGET, Choice, Presenter, Reply, fit_lines

SHORT = 120  # characters of an action's text in a list
PER_ROW = 3
STATUSES = (ProgressStatus.DONE, ProgressStatus.DOING, ProgressStatus.TODO)


def _short(value: str, limit: int = SHORT) -> str:
    value = " ".join(value.split())
    return value if len(value) <= limit else value[: limit - 1] + "…"


def update_button(catalog: Catalog) -> Choice:
    """ "Cập nhật tiến độ" (under a handed-in plan)."""
    return Choice(catalog.plain("progress.button.update"), ProgressPress(ProgressCode.HOME).pack())


class ProgressPresenter:
    """Turns progress outcomes into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: ZoneInfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def _day(self, entry: ProgressEntry) -> str:
        return entry.at.astimezone(self._tz).strftime("%d/%m/%Y")

    def _status(self, status: ProgressStatus) -> str:
        return self._c.plain(f"progress.status.{status.value}")

    def render(self, screen: ProgressScreen) -> Reply:
        """The reply for ``screen``."""
        c, p = self._c, self._p
        match screen:
            case NoPlan(person=person, has_last=has_last):
                key = "progress.no_plan"
                text = c.t(key, **p.you(person, key))
                if has_last:
                    return Reply(text, choices=((self._last_button(),),))
                return p.with_menu(text, person)
            case NoLastYear(person=person):
                return p.simple("progress.last_year.none", person)
            case LastYear():
                return self._last_year(screen)
            case Refused(person=person):
                return p.simple("common.no_right", person)
            case Home():
                return self._home(screen)
            case ActionView():
                return self._action(screen)
            case AskNote():
                return self._ask(screen)
            case CellView():
                return self._cell(screen)

    def _home(self, screen: Home) -> Reply:
        c, p = self._c, self._p
        lines: list[str] = []
        if screen.notice:
            lines += [c.t(screen.notice), ""]
        key = "progress.home"
        lines.append(c.t(key, year=screen.campaign.year, **p.you(screen.person, key)))
        for item, action in enumerate(screen.actions):
            state = self._state(screen.latest.get(item))
            text = _short(action[0] if action else "")
            lines.append(c.t("progress.home_line", number=item + 1, action=text, state=state))
        buttons = [
            Choice(
                c.plain("progress.button.action", number=item + 1),
                ProgressPress(ProgressCode.OPEN, str(item)).pack(),
            )
            for item in range(len(screen.actions))
        ]
        rows = [tuple(buttons[i : i + PER_ROW]) for i in range(0, len(buttons), PER_ROW)]
        if screen.has_last:
            rows.append((self._last_button(),))
        rows.append(
            (Choice(c.plain("progress.button.plan"), PlanPress(0, PlanCode.RESUME).pack()),)
        )
        folded = c.t("tidy3.progress_home", year=screen.campaign.year)
        return Reply(Safe("\n".join(lines)), choices=tuple(rows), folded=folded)

    def _last_button(self) -> Choice:
        label = self._c.plain("progress.last_year.button")
        return Choice(label, ProgressPress(ProgressCode.LAST_YEAR).pack())

    def _state(self, entry: ProgressEntry | None) -> str:
        if entry is None:
            return self._c.plain("progress.never")
        status, day = self._status(entry.status), self._day(entry)
        return self._c.plain("progress.state", status=status, day=day)

    def _last_year(self, screen: LastYear) -> Reply:
        c, t = self._c, screen.tally
        status = c.plain(f"plan.status.{screen.plan.status.value}")
        lines = [c.t("progress.last_year.title", year=screen.campaign.year, status=status)]
        for item, action in enumerate(screen.actions):
            lines.append(
                c.t(
                    "progress.last_year.line",
                    number=item + 1,
                    action=_short(action[0] if action else ""),
                    state=self._state(screen.latest.get(item)),
                )
            )
        lines.append(
            c.t(
                "progress.last_year.total",
                done=t.done,
                doing=t.doing,
                todo=t.todo,
                actions=t.actions,
            )
        )
        back = Choice(c.plain("progress.button.plan"), PlanPress(0, PlanCode.RESUME).pack())
        return Reply(Safe("\n".join(lines)), choices=((back,),), document=screen.document)

    def _action(self, screen: ActionView) -> Reply:
        c = self._c
        lines: list[str] = []
        if screen.saved is not None:
            lines += [
                c.t(
                    "progress.saved",
                    number=screen.item + 1,
                    status=self._status(screen.saved.status),
                    day=self._day(screen.saved),
                ),
                "",
            ]
        action = screen.action
        lines.append(c.t("progress.action_title", number=screen.item + 1, action=action[0]))
        if len(action) > 1 and action[1]:
            lines.append(c.t("progress.action_when", when=action[1]))
        lines.append(c.t("progress.history_title"))
        if not screen.history:
            lines.append(c.t("progress.history_empty"))
        history: list[str] = []
        for entry in reversed(screen.history):  # the newest first
            note = c.plain("progress.history_note", note=entry.note) if entry.note else ""
            picture = c.plain("progress.history_picture") if entry.picture else ""
            history.append(
                c.t(
                    "progress.history_line",
                    day=self._day(entry),
                    status=self._status(entry.status),
                    note=note,
                    picture=picture,
                )
            )
        question = c.t("progress.ask_status")
        budget = TEXT_BUDGET - utf16_len("\n".join([*lines, question])) - 200
        lines += fit_lines(history, budget, c.t("progress.history_more", count=Safe("{count}")))
        lines += ["", question]
        statuses = tuple(
            Choice(
                c.plain(f"progress.button.{status.value}"),
                ProgressPress(ProgressCode.STATUS, f"{screen.item}.{status.value}").pack(),
            )
            for status in STATUSES
        )
        back = Choice(c.plain("progress.button.list"), ProgressPress(ProgressCode.HOME).pack())
        folded = (
            c.t(
                "tidy3.progress_saved",
                number=screen.item + 1,
                status=self._status(screen.saved.status),
            )
            if screen.saved is not None
            else c.t("tidy3.progress_action", number=screen.item + 1)
        )
        return Reply(Safe("\n".join(lines)), choices=(statuses, (back,)), folded=folded)

    def _ask(self, screen: AskNote) -> Reply:
        c, p = self._c, self._p
        lines: list[str] = []
        if screen.invalid:
            lines += [c.t(screen.invalid), ""]
        key = "progress.ask_note"
        lines.append(
            c.t(
                key,
                number=screen.item + 1,
                action=_short(screen.action[0] if screen.action else ""),
                status=self._status(screen.status),
                **p.you(screen.person, key),
            )
        )
        arg = f"{screen.item}.{screen.status.value}"
        save = Choice(c.plain("progress.button.save"), ProgressPress(ProgressCode.SAVE, arg).pack())
        back = Choice(
            c.plain("progress.button.cancel"),
            ProgressPress(ProgressCode.OPEN, str(screen.item)).pack(),
        )
        folded = c.t(
            "tidy3.progress_note", number=screen.item + 1, status=self._status(screen.status)
        )
        return Reply(Safe("\n".join(lines)), choices=((save,), (back,)), folded=folded)

    def midyear_state(self, line: CellLine) -> str:
        """Where the person's mid-year self-check is (sent, with its day; begun; not done)."""
        check = line.midyear
        if check is None:
            return self._c.plain("midyear.cell.none")
        if check.submitted and check.submitted_at is not None:
            day = check.submitted_at.astimezone(self._tz).strftime("%d/%m/%Y")
            return self._c.plain("midyear.cell.sent", day=day)
        return self._c.plain("midyear.cell.draft")

    def _cell(self, screen: CellView) -> Reply:
        c = self._c
        lines = [c.t("progress.cell_title", count=screen.total)]
        if not screen.lines:
            lines.append(c.t("progress.cell_empty"))
        never = c.plain("progress.never")
        for line in screen.lines:
            t = line.tally
            last = t.last.astimezone(self._tz).strftime("%d/%m/%Y") if t.last else never
            shown = c.t(
                "progress.cell_line",
                name=line.full_name,
                unit=line.unit_path.rsplit(" / ", 1)[-1],
                done=t.done,
                doing=t.doing,
                todo=t.todo,
                actions=t.actions,
                last=last,
            )
            if screen.midyear:
                shown = Safe(
                    f"{shown}\n   {c.t('midyear.cell.line', state=self.midyear_state(line))}"
                )
            lines.append(shown)
        rows: list[tuple[Choice, ...]] = []
        pager: list[Choice] = []
        if screen.page > 0:
            pager.append(
                Choice(
                    c.plain("desk.button.prev"),
                    ProgressPress(ProgressCode.CELL, str(screen.page - 1)).pack(),
                )
            )
        if screen.page + 1 < screen.pages:
            pager.append(
                Choice(
                    c.plain("desk.button.next"),
                    ProgressPress(ProgressCode.CELL, str(screen.page + 1)).pack(),
                )
            )
        if pager:
            lines.append(c.t("desk.page", page=screen.page + 1, pages=screen.pages))
            rows.append(tuple(pager))
        summary = YearPress(0, PlanCode.RESUME, "cell").pack()  # the year-end review summary
        rows.append((Choice(c.plain("yearend.button.cell"), summary),))
        return (
            self._p.with_menu(Safe("\n".join(lines)), screen.person)
            if not rows
            else Reply(Safe("\n".join(lines)), choices=tuple(rows))
        )
