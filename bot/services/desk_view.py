"""The reviewer's desk as replies: the list by status, one plan, the request for a comment."""

from __future__ import annotations

from bot.domain.callbacks import DeskCode, DeskPress, ProgressCode, ProgressPress
from bot.domain.plans import PlanStatus
from bot.locales import Catalog, Safe
from bot.services.desk import (
    AskComment,
    AskReturn,
    Decided,
    DeskExport,
    DeskList,
    DeskNoCampaign,
    DeskPlan,
    DeskRefused,
    DeskScreen,
    DeskStopped,
    NoSuchYear,
    PastList,
    YearList,
    YearsList,
)
from bot.services.plan_view import PlanPresenter
from bot.services.replies import Attachment, Choice, Presenter, Reply
from bot.services.review import Verdict


class DeskPresenter:
    """Turns desk outcomes into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, plans: PlanPresenter) -> None:
        self._c = catalog
        self._p = presenter
        self._plans = plans

    def _status(self, status: PlanStatus) -> str:
        return self._c.plain(f"plan.status.{status.value}")

    def render(self, screen: DeskScreen) -> Reply:
        """The reply for ``screen``."""
        c, viewer = self._c, screen.viewer
        match screen:
            case DeskRefused():
                return self._p.simple("common.no_right", viewer)
            case DeskNoCampaign():
                return self._p.simple("desk.no_campaign", viewer)
            case DeskStopped():
                return self._p.simple("desk.stopped", viewer)
            case AskComment(name=name):
                stop = Choice(c.plain("desk.button.stop"), DeskPress(DeskCode.STOP).pack())
                folded = c.t("tidy3.desk_comment", name=name)
                return Reply(c.t("desk.ask_comment", name=name), choices=((stop,),), folded=folded)
            case AskReturn(name=name, plan_id=plan_id, rev=rev):
                yes = Choice(
                    c.plain("desk.tidy.yes"),
                    DeskPress(DeskCode.CONFIRM_RETURN, f"{plan_id}.{rev}").pack(),
                )
                no = Choice(c.plain("desk.tidy.no"), DeskPress(DeskCode.OPEN, str(plan_id)).pack())
                text, folded = (
                    c.t("desk.tidy.ask_return", name=name),
                    c.t("tidy3.desk_return", name=name),
                )
                return Reply(text, choices=((yes, no),), folded=folded)
            case Decided(confirmed=confirmed, name=name):
                key = "desk.confirmed" if confirmed else "desk.returned"
                return self._p.with_menu(c.t(key, name=name), viewer)
            case DeskPlan():
                return self._plan(screen)
            case PastList():
                return self._past(screen)
            case YearsList():
                return self._years(screen)
            case YearList():
                return self._year(screen)
            case NoSuchYear(year=year, years=years):
                if years:
                    known = ", ".join(str(y) for y in years)
                    text = c.t("years.desk.no_year", year=year, years=known)
                    back = Choice(c.plain("years.desk.back"), DeskPress(DeskCode.YEARS).pack())
                    return Reply(text, choices=((back,),))
                return self._p.with_menu(c.t("years.desk.no_year_none", year=year), viewer)
            case DeskList():
                return self._list(screen)
            case DeskExport():  # the edge sends the files (``export``); this is their summary
                return Reply(self._summary(screen))

    def _past(self, screen: PastList) -> Reply:
        c = self._c
        lines = [c.t("desk.past_title", year=screen.year, count=screen.count)]
        if not screen.rows:
            lines.append(c.t("desk.empty"))
        rows: list[tuple[Choice, ...]] = []
        for row in screen.rows:
            unit = row.unit_path.rsplit(" / ", 1)[-1]
            lines.append(c.t("desk.line", name=row.full_name, unit=unit, late=""))
            label = c.plain("desk.button.open", name=row.full_name)[:60]
            rows.append((Choice(label, DeskPress(DeskCode.OPEN, str(row.plan_id)).pack()),))
        pager: list[Choice] = []
        if screen.page > 0:
            pager.append(
                Choice(
                    c.plain("desk.button.prev"),
                    DeskPress(DeskCode.PAST, str(screen.page - 1)).pack(),
                )
            )
        if screen.page + 1 < screen.pages:
            pager.append(
                Choice(
                    c.plain("desk.button.next"),
                    DeskPress(DeskCode.PAST, str(screen.page + 1)).pack(),
                )
            )
        if pager:
            lines.append(c.t("desk.page", page=screen.page + 1, pages=screen.pages))
            rows.append(tuple(pager))
        back = Choice(
            c.plain("desk.button.list"),
            DeskPress(DeskCode.LIST, f"{PlanStatus.SUBMITTED.value}.0").pack(),
        )
        rows.append((back,))
        return Reply(Safe("\n".join(lines)), choices=tuple(rows))

    def _years(self, screen: YearsList) -> Reply:
        c = self._c
        lines = [c.t("years.desk.years_title")]
        rows: list[tuple[Choice, ...]] = []
        for year, count in screen.years:
            label = c.plain("years.desk.year_button", year=year, count=count)
            rows.append((Choice(label, DeskPress(DeskCode.YEAR, str(year)).pack()),))
        if not screen.years:
            lines.append(c.t("years.desk.none", year=screen.year))
        rows.append((self._back_to_list(),))
        return Reply(Safe("\n".join(lines)), choices=tuple(rows))

    def _back_to_list(self) -> Choice:
        return Choice(
            self._c.plain("desk.button.list"),
            DeskPress(DeskCode.LIST, f"{PlanStatus.SUBMITTED.value}.0").pack(),
        )

    def _year(self, screen: YearList) -> Reply:
        c, year = self._c, screen.year
        counts = " · ".join(f"{self._status(s)}: {n}" for s, n in screen.counts)
        lines = [
            c.t("years.desk.title", year=year, counts=counts),
            c.t("desk.showing", status=self._status(screen.status)),
        ]
        if not screen.rows:
            lines.append(c.t("desk.empty"))
        rows: list[tuple[Choice, ...]] = []
        for row in screen.rows:
            late = c.plain("desk.late") if row.late else ""
            unit = row.unit_path.rsplit(" / ", 1)[-1]
            lines.append(c.t("desk.line", name=row.full_name, unit=unit, late=late))
            label = c.plain("desk.button.open", name=row.full_name)[:60]
            rows.append((Choice(label, DeskPress(DeskCode.OPEN, str(row.plan_id)).pack()),))
        tabs = tuple(
            Choice(
                f"{self._status(s)} ({n})", DeskPress(DeskCode.YEAR, f"{year}.{s.value}.0").pack()
            )
            for s, n in screen.counts
            if s is not screen.status
        )
        rows.append(tabs[:2])
        rows.append(tabs[2:])
        pager: list[Choice] = []
        at = f"{year}.{screen.status.value}"
        if screen.page > 0:
            press = DeskPress(DeskCode.YEAR, f"{at}.{screen.page - 1}").pack()
            pager.append(Choice(c.plain("desk.button.prev"), press))
        if screen.page + 1 < screen.pages:
            press = DeskPress(DeskCode.YEAR, f"{at}.{screen.page + 1}").pack()
            pager.append(Choice(c.plain("desk.button.next"), press))
        if pager:
            lines.append(c.t("desk.page", page=screen.page + 1, pages=screen.pages))
            rows.append(tuple(pager))
        export = c.plain("years.desk.export", year=year)
        rows.append((Choice(export, DeskPress(DeskCode.EXPORT, str(year)).pack()),))
        rows.append(
            (
                Choice(c.plain("years.desk.back"), DeskPress(DeskCode.YEARS).pack()),
                self._back_to_list(),
            )
        )
        folded = c.t("years.desk.folded", year=year, status=self._status(screen.status))
        return Reply(Safe("\n".join(lines)), choices=tuple(r for r in rows if r), folded=folded)

    def export(self, screen: DeskExport, table: bytes, archive: bytes | None) -> list[Reply]:
        """The summary table, then the documents as one ZIP (when any was handed in)."""
        c, bundle = self._c, screen.export
        year = f"-{bundle.year}" if bundle.year else ""  # an earlier year's files say which
        replies = [
            Reply(
                self._summary(screen), document=Attachment(f"tong-hop-ke-hoach{year}.xlsx", table)
            )
        ]
        if archive is not None:
            replies.append(
                Reply(
                    c.t("desk.export_documents", count=len(bundle.documents)),
                    document=Attachment(f"ke-hoach-ca-nhan{year}.zip", archive),
                )
            )
        return replies

    def _summary(self, screen: DeskExport) -> Safe:
        unit = screen.export.unit_path or self._c.plain("digest.everyone")
        count, year = len(screen.export.rows), screen.export.year
        if year:
            return self._c.t("years.desk.export_summary", unit=unit, count=count, year=year)
        return self._c.t("desk.export_summary", unit=unit, count=count)

    def _list(self, screen: DeskList) -> Reply:
        c = self._c
        counts = " · ".join(f"{self._status(s)}: {n}" for s, n in screen.counts)
        lines = [
            c.t("desk.title", counts=counts),
            c.t("desk.showing", status=self._status(screen.status)),
        ]
        if not screen.rows:
            lines.append(c.t("desk.empty"))
        rows: list[tuple[Choice, ...]] = []
        for row in screen.rows:
            late = c.plain("desk.late") if row.late else ""
            unit = row.unit_path.rsplit(" / ", 1)[-1]
            lines.append(c.t("desk.line", name=row.full_name, unit=unit, late=late))
            label = c.plain("desk.button.open", name=row.full_name)[:60]
            rows.append((Choice(label, DeskPress(DeskCode.OPEN, str(row.plan_id)).pack()),))
        tabs = tuple(
            Choice(f"{self._status(s)} ({n})", DeskPress(DeskCode.LIST, f"{s.value}.0").pack())
            for s, n in screen.counts
            if s is not screen.status
        )
        rows.append(tabs[:2])
        rows.append(tabs[2:])
        pager: list[Choice] = []
        if screen.page > 0:
            pager.append(
                Choice(
                    c.plain("desk.button.prev"),
                    DeskPress(DeskCode.LIST, f"{screen.status.value}.{screen.page - 1}").pack(),
                )
            )
        if screen.page + 1 < screen.pages:
            pager.append(
                Choice(
                    c.plain("desk.button.next"),
                    DeskPress(DeskCode.LIST, f"{screen.status.value}.{screen.page + 1}").pack(),
                )
            )
        if pager:
            lines.append(c.t("desk.page", page=screen.page + 1, pages=screen.pages))
            rows.append(tuple(pager))
        if screen.past_count:
            past = c.plain("desk.button.past", year=screen.past_year, count=screen.past_count)
            rows.append((Choice(past, DeskPress(DeskCode.PAST, "0").pack()),))
        if screen.earlier:
            earlier = c.plain("years.desk.button")
            rows.append((Choice(earlier, DeskPress(DeskCode.YEARS).pack()),))
        rows.append((Choice(c.plain("desk.button.export"), DeskPress(DeskCode.EXPORT).pack()),))
        cell = ProgressPress(ProgressCode.CELL, "0").pack()
        rows.append((Choice(c.plain("progress.button.cell"), cell),))
        rows.append(
            (Choice(c.plain("desk.button.proxy"), DeskPress(DeskCode.PROXY_LIST, "0").pack()),)
        )
        folded = c.t("tidy3.desk_list", status=self._status(screen.status))
        return Reply(Safe("\n".join(lines)), choices=tuple(r for r in rows if r), folded=folded)

    def _plan(self, screen: DeskPlan) -> Reply:
        c, copy = self._c, screen.copy
        plan = copy.plan
        parts: list[str] = []
        if screen.verdict is Verdict.CHANGED:
            parts.append(c.t("desk.changed"))
        elif screen.verdict is Verdict.NOT_SUBMITTED:
            parts.append(c.t("desk.not_waiting"))
        parts.append(
            c.t(
                "desk.plan_head",
                name=copy.person.full_name,
                unit=copy.person.unit_path,
                status=self._status(plan.status),
                late=c.plain("desk.late") if plan.late else "",
            )
        )
        parts.append(self._plans.answers_text(copy.form, plan.draft))
        rows: list[tuple[Choice, ...]] = []
        if plan.status is PlanStatus.SUBMITTED:
            arg = f"{plan.id}.{plan.rev}"
            rows.append(
                (
                    Choice(c.plain("desk.button.confirm"), DeskPress(DeskCode.CONFIRM, arg).pack()),
                    Choice(c.plain("desk.button.return"), DeskPress(DeskCode.RETURN, arg).pack()),
                )
            )
        rows.append(
            (
                Choice(
                    c.plain("desk.button.list"),
                    DeskPress(DeskCode.LIST, f"{plan.status.value}.0").pack(),
                ),
            )
        )
        return Reply(Safe("\n\n".join(parts)), choices=tuple(rows), document=copy.document)
