"""Turns the year-end review draft's screens into replies: the plan's screens (the same engine),
their buttons re-addressed to the draft, the plan's wording changed where it names the plan."""

from __future__ import annotations

import html
from dataclasses import replace

from bot.domain.callbacks import PlanCode, YearPress, parse_plan
from bot.domain.engine import Place, at
from bot.domain.models import Person
from bot.domain.plans import PlanStatus
from bot.locales import Catalog, Safe
from bot.services.plan_screens import HandedIn, Review
from bot.services.plan_view import PlanPresenter
from bot.services.replies import TEXT_BUDGET, Choice, Presenter, Reply, fit_lines
from bot.services.yearend import CellSummary, NoPlanYet, YearScreen

FULL = 3000  # characters of the drafted commitment shown in full under the review


def open_button(catalog: Catalog) -> Choice:
    """ "Dự thảo kiểm điểm cuối năm" (under a handed-in plan)."""
    return Choice(catalog.plain("yearend.button.open"), YearPress(0, PlanCode.RESUME).pack())


class YearEndPresenter:
    """Renders the draft with the plan presenter; every button becomes a ``k:`` press."""

    def __init__(self, catalog: Catalog, presenter: Presenter, plans: PlanPresenter) -> None:
        self._c = catalog
        self._presenter = presenter
        self._plans = plans

    def _choice(self, choice: Choice) -> Choice | None:
        press = parse_plan(choice.data)
        if press is None or press.owner is not None:
            return None  # the plan's own extras (progress, the draft's entry): not here
        label = choice.label
        if press.code is PlanCode.SUBMIT:
            label = self._c.plain("yearend.button.submit")
        elif press.code is PlanCode.DOCUMENT:
            label = self._c.plain("yearend.button.document")
        return replace(choice, label=label, data=YearPress(press.rev, press.code, press.arg).pack())

    def render(self, screen: YearScreen) -> Reply:
        """The reply for ``screen``."""
        if isinstance(screen, NoPlanYet):
            text = self._c.t("yearend.text.no_plan", year=screen.year)
            return self._presenter.with_menu(text, screen.person)
        reply = self._plans.render(screen)
        rows = []
        for row in reply.choices:
            kept = tuple(c for c in (self._choice(choice) for choice in row) if c is not None)
            if kept:
                rows.append(kept)
        text = reply.text
        if isinstance(screen, HandedIn):
            rev = screen.plan.rev
            rows.append(
                (
                    Choice(
                        self._c.plain("yearend.button.document"),
                        YearPress(rev, PlanCode.DOCUMENT).pack(),
                    ),
                )
            )
            text = Safe(f"{self._c.t('yearend.text.submitted')}\n\n{text}")
            if screen.plan.status is PlanStatus.SUBMITTED:  # not yet confirmed: may take back
                rows.append(
                    (
                        Choice(
                            self._c.plain("yearend_reopen.button"),
                            YearPress(rev, PlanCode.REOPEN).pack(),
                        ),
                    )
                )
                text = Safe(f"{text}\n{self._c.t('yearend_reopen.note')}")
        return replace(reply, text=text, choices=tuple(rows))

    def drafted(self, screen: YearScreen) -> Reply | None:
        """The drafted commitment in full (the review shows each answer shortened), sent
        before the review screen; None on any other screen."""
        if not isinstance(screen, Review) or at(screen.plan.draft).place is not Place.REVIEW:
            return None
        drafted = str(screen.plan.draft.answers.get("commitment", ""))[:FULL]
        return Reply(self._c.t("yearend.text.full", text=drafted)) if drafted else None

    def cell(self, summary: CellSummary, text: str) -> Reply:
        """The secretary's summary (whole lines, as many as one message holds), then the menu."""
        lines = [html.escape(line, quote=False) for line in text.split("\n")]
        more = self._c.plain("yearend.summary.more", count="{count}")
        kept = fit_lines(lines, TEXT_BUDGET, more)
        return self._presenter.with_menu(Safe("\n".join(kept)), summary.viewer)

    def refused(self, person: Person) -> Reply:
        """Not a secretary, head of unit or admin (or no campaign open)."""
        return self._presenter.simple("common.no_right", person)
