"""Exemplary models as replies: the published list, a model's card, the review buttons."""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.callbacks import ModelsCode, ModelsPress
from bot.domain.exemplars import ModelStatus, Nomination, may_approve, may_edit
from bot.domain.models import Person
from bot.locales import Catalog, Safe
from bot.services.models import ModelNotice, ModelsPage
from bot.services.replies import Choice, Presenter, Reply

LABEL_CHARS = 48


def list_press(year: int, page: int, mine: bool) -> str:
    """The callback data of a page of the published list."""
    return ModelsPress(ModelsCode.LIST, f"{year}.{page}.{int(mine)}").pack()


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


def _press(code: ModelsCode, model: Nomination) -> str:
    return ModelsPress(code, str(model.id)).pack()


class ModelsPresenter:
    """Turns the models' outcomes into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: tzinfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def _back(self) -> Choice:
        return Choice(self._c.plain("models.back_button"), list_press(0, 0, False))

    def page(self, page: ModelsPage) -> Reply:
        """The published models, newest first, with the year and unit filters."""
        c = self._c
        which = str(page.year) if page.year else c.plain("models.all_years")
        if page.mine:
            which = c.plain("models.my_unit", which=which, unit=page.viewer.unit_path)
        lines = [c.t("models.title", which=which, page=page.page + 1, pages=page.pages)]
        if not page.items:
            lines.append(c.t("models.none"))
        for model in page.items:
            lines.append(c.t("models.line", who=model.who, unit=model.unit_path, year=model.year))
        rows: list[tuple[Choice, ...]] = [
            (Choice(c.plain("models.open_button", who=_short(m.who)), _press(ModelsCode.OPEN, m)),)
            for m in page.items
        ]
        nav: list[Choice] = []
        if page.page > 0:
            nav.append(
                Choice(c.plain("models.previous"), list_press(page.year, page.page - 1, page.mine))
            )
        if page.page + 1 < page.pages:
            nav.append(
                Choice(c.plain("models.next"), list_press(page.year, page.page + 1, page.mine))
            )
        if nav:
            rows.append(tuple(nav))
        years = [
            Choice(c.plain("models.year_button", year=y), list_press(y, 0, page.mine))
            for y in page.years[:4]
            if y != page.year
        ]
        if page.year:
            years.insert(0, Choice(c.plain("models.all_years"), list_press(0, 0, page.mine)))
        if years:
            rows.append(tuple(years))
        mine_label = "models.all_units_button" if page.mine else "models.my_unit_button"
        rows.append((Choice(c.plain(mine_label), list_press(page.year, 0, not page.mine)),))
        if page.nominate:
            rows.append(
                (
                    Choice(c.plain("models.new_button"), ModelsPress(ModelsCode.NEW).pack()),
                    Choice(c.plain("models.mine_button"), ModelsPress(ModelsCode.MINE).pack()),
                )
            )
        if may_approve(page.viewer):
            queue = ModelsPress(ModelsCode.QUEUE).pack()
            rows.append((Choice(c.plain("models.queue_button", count=page.review), queue),))
        return Reply(Safe("\n".join(lines)), choices=tuple(rows))

    def photo_caption(self, model: Nomination) -> Safe:
        """The caption of a model's photo."""
        return self._c.t("models.photo_caption", who=model.who)

    def card(
        self,
        viewer: Person,
        model: Nomination,
        actions: tuple[str, ...] = (),
        *,
        photo_note: bool = False,
    ) -> Reply:
        """What the nominee did and its result; the review buttons for who may use them."""
        c = self._c
        when = model.nominated_at.astimezone(self._tz).strftime("%d/%m/%Y")
        parts = [
            c.t(
                "models.card",
                who=model.who,
                unit=model.unit_path,
                year=model.year,
                deed=model.deed,
                result=model.result,
            )
        ]
        if photo_note:
            parts.append(c.t("models.photo_elsewhere"))
        if model.status is ModelStatus.APPROVED:
            approved = model.approved_at.astimezone(self._tz) if model.approved_at else None
            day = approved.strftime("%d/%m/%Y") if approved else when
            parts.append(c.t("models.published", date=day))
        else:
            parts.append(
                c.t(
                    "models.under_review",
                    by=model.nominated_by,
                    date=when,
                    status=c.plain(f"models.status.{model.status.value}"),
                )
            )
            if model.comment:
                parts.append(c.t("models.comment", comment=model.comment))
            if actions:
                parts.append(c.t("models.plan_actions"))
                parts.extend(c.t("models.plan_action", action=a) for a in actions[:10])
        rows: list[tuple[Choice, ...]] = []
        if may_approve(viewer) and model.status is ModelStatus.PENDING:
            rows.append(
                (
                    Choice(c.plain("models.approve_button"), _press(ModelsCode.APPROVE, model)),
                    Choice(c.plain("models.return_button"), _press(ModelsCode.RETURN, model)),
                )
            )
        if may_edit(viewer, model):
            rows.append((Choice(c.plain("models.edit_button"), _press(ModelsCode.EDIT, model)),))
        if may_approve(viewer) and model.status is ModelStatus.APPROVED:
            rows.append(
                (Choice(c.plain("models.notice_button"), _press(ModelsCode.NOTICE, model)),)
            )
        rows.append((self._back(),))
        return Reply(Safe("\n".join(parts)), choices=tuple(rows))

    def listing(self, key: str, models: list[Nomination]) -> Reply:
        """The admin's queue, or the secretary's nominations not yet published."""
        c = self._c
        lines = [c.t(key, count=len(models))]
        rows: list[tuple[Choice, ...]] = []
        for model in models[:20]:
            status = c.plain(f"models.status.{model.status.value}")
            lines.append(
                c.t("models.review_line", who=model.who, unit=model.unit_path, status=status)
            )
            label = c.plain("models.open_button", who=_short(model.who))
            rows.append((Choice(label, _press(ModelsCode.OPEN, model)),))
        rows.append((self._back(),))
        return Reply(Safe("\n".join(lines)), choices=tuple(rows))

    def ask(self, person: Person, model: Nomination | None) -> Reply:
        """How to type a nomination (for an edit: what it says now)."""
        text = self._c.t("models.ask")
        if model is not None:
            current = self._c.t(
                "models.current", who=model.who, deed=model.deed, result=model.result
            )
            text = Safe(f"{text}\n{current}")
        return self._p.with_menu(text, person)

    def saved(self, person: Person, model: Nomination) -> Reply:
        """The nomination waits for the admin."""
        text = self._c.t("models.saved", who=model.who)
        return Reply(
            text,
            choices=(
                (
                    Choice(
                        self._c.plain("models.open_button", who=_short(model.who)),
                        _press(ModelsCode.OPEN, model),
                    ),
                ),
                (self._back(),),
            ),
        )

    def bad(self, code: str) -> Reply:
        """What was wrong with the typed nomination (they may type again, or /huy)."""
        return Reply(self._c.t("models.again", reason=self._c.plain(f"models.error.{code}")))

    def approved(self, model: Nomination) -> Reply:
        """Published."""
        text = self._c.t("models.approved", who=model.who)
        notice = Choice(self._c.plain("models.notice_button"), _press(ModelsCode.NOTICE, model))
        return Reply(text, choices=((notice,), (self._back(),)))

    def ask_comment(self, person: Person, model: Nomination) -> Reply:
        """The admin types why the nomination goes back."""
        return self._p.with_menu(self._c.t("models.ask_comment", who=model.who), person)

    def returned_done(self, person: Person, model: Nomination) -> Reply:
        """The nomination went back with the comment."""
        return self._p.with_menu(self._c.t("models.returned", who=model.who), person)

    def notice_text(self, model: Nomination) -> str:
        """The broadcast of a published model (Telegram HTML)."""
        return self._c.t(
            "models.notice",
            who=model.who,
            unit=model.unit_path,
            deed=model.deed,
            result=model.result,
            button=self._c.plain("menu.guong"),
        )

    def notice(self, notice: ModelNotice) -> Reply:
        """The broadcast's preview with its send button, or what became of it."""
        c, m = self._c, notice.model
        back = self._back()
        if notice.sent:
            return Reply(c.t("models.notice_sent", count=notice.people), choices=((back,),))
        if notice.repeat:
            return Reply(c.t("models.notice_repeat"), choices=((back,),))
        if not notice.people:
            return Reply(c.t("models.notice_nobody"), choices=((back,),))
        text = c.t("models.notice_preview", count=notice.people, notice=Safe(self.notice_text(m)))
        send = Choice(c.plain("models.notice_send"), _press(ModelsCode.NOTICE_SEND, m))
        return Reply(text, choices=((send,), (back,)))

    def refused(self, person: Person) -> Reply:
        """Not (or no longer) for this person: as any forged press."""
        return self._p.simple("models.gone", person)
