"""The broadcast composer as replies."""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.broadcast import BroadcastRow
from bot.domain.callbacks import BroadcastCode, BroadcastPress
from bot.domain.telegram_html import utf16_prefix
from bot.locales import Catalog, Safe
from bot.services.composer import AUDIENCES, ComposeScreen, ComposeStep
from bot.services.replies import Choice, Presenter, Reply

PREVIEW_CHARS = 600


class ComposerPresenter:
    """Turns composer outcomes into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: tzinfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def _within(self, unit: str) -> str:
        return "\n" + self._c.t("compose.within", unit=unit) if unit else ""

    def _audience(self, audience: str) -> str:
        return self._c.plain(f"compose.audience.{audience.replace(':', '_')}")

    def _stop(self) -> tuple[Choice, ...]:
        return (
            Choice(self._c.plain("compose.button.stop"), BroadcastPress(BroadcastCode.STOP).pack()),
        )

    def _progress(self, row: BroadcastRow) -> dict[str, object]:
        return {"id": row.id, "recipients": row.recipients, **row.progress()}

    def render(self, screen: ComposeScreen) -> Reply:
        """The reply for ``screen``."""
        c, person = self._c, screen.person
        step = screen.step
        if step is ComposeStep.NOT_ALLOWED:
            return self._p.simple("common.no_right", person)
        if step is ComposeStep.STOPPED:
            return self._p.simple("compose.stopped", person)
        if step is ComposeStep.ASK_TEXT:
            return Reply(c.t("compose.ask"), choices=(self._stop(),))
        if step is ComposeStep.INVALID:
            text = c.t(f"broadcast.error.{screen.error}", detail=screen.detail)
            return Reply(text, choices=(self._stop(),))
        if step is ComposeStep.CHOOSE:
            rows = tuple(
                (Choice(self._audience(a), BroadcastPress(BroadcastCode.AUDIENCE, a).pack()),)
                for a in AUDIENCES
            )
            unit = (
                Choice(c.plain("compose.button.unit"), BroadcastPress(BroadcastCode.UNITS).pack()),
            )
            text = Safe(c.t("compose.choose") + self._within(screen.unit))
            return Reply(text, choices=(*rows, unit, self._stop()))
        if step is ComposeStep.UNITS:
            everyone = Choice(
                c.plain("compose.button.everywhere"),
                BroadcastPress(BroadcastCode.IN_UNIT, "0").pack(),
            )
            units = tuple(
                (
                    Choice(
                        ("· " * (n.depth - 1) + n.path.rsplit(" / ", 1)[-1])[:60],
                        BroadcastPress(BroadcastCode.IN_UNIT, str(n.id)).pack(),
                    ),
                )
                for n in screen.units
            )
            return Reply(c.t("compose.units"), choices=((everyone,), *units, self._stop()))
        if step is ComposeStep.ASK_TIME:
            return Reply(c.t("compose.ask_time"), choices=(self._stop(),))
        if step is ComposeStep.PREVIEW:
            preview = screen.preview
            assert preview is not None
            shown = utf16_prefix(preview.text, PREVIEW_CHARS)
            text = c.t(
                "compose.preview",
                audience=self._audience(screen.audience),
                count=len(preview.people),
                not_linked=preview.not_linked,
                text=shown,
            )
            text = Safe(text + self._within(screen.unit))
            if screen.file is not None:
                text = Safe(
                    text
                    + "\n\n"
                    + c.t(f"compose.attached_{screen.file.kind.value}", name=screen.file.name)
                )
            go = Choice(
                c.plain("compose.button.send"),
                BroadcastPress(BroadcastCode.SEND, screen.audience).pack(),
            )
            if preview.repeat_of is not None:
                first = preview.repeat_of.astimezone(self._tz).strftime("%d/%m/%Y %H:%M")
                text = Safe(text + "\n\n" + c.t("compose.repeat", when=first))
                again = BroadcastPress(BroadcastCode.SEND_AGAIN, screen.audience).pack()
                go = Choice(c.plain("compose.button.send_again"), again)
            later = Choice(
                c.plain("compose.button.later"),
                BroadcastPress(BroadcastCode.LATER, screen.audience).pack(),
            )
            other = Choice(
                c.plain("compose.button.other"), BroadcastPress(BroadcastCode.AUDIENCE).pack()
            )
            return Reply(text, choices=((go, later), (other,), self._stop()))
        row = screen.broadcast
        assert row is not None
        buttons = (
            (
                Choice(
                    c.plain("compose.button.progress"),
                    BroadcastPress(BroadcastCode.PROGRESS, str(row.id)).pack(),
                ),
                Choice(
                    c.plain("compose.button.cancel"),
                    BroadcastPress(BroadcastCode.CANCEL, str(row.id)).pack(),
                ),
            ),
        )
        if step is ComposeStep.QUEUED:
            values = self._progress(row)
            del values["cancelled"], values["skipped"]
            text = c.t("compose.queued", **values)
            if screen.at is not None:
                when = screen.at.astimezone(self._tz).strftime("%H:%M %d/%m/%Y")
                text = Safe(text + "\n" + c.t("compose.scheduled", when=when))
            return Reply(text, choices=buttons)
        if step is ComposeStep.CANCELLED:
            return Reply(
                c.t("compose.cancelled", withdrawn=screen.withdrawn, **self._progress(row)),
                choices=buttons,
            )
        text = c.t("compose.progress", **self._progress(row))
        if screen.reasons:
            lines = [c.t("compose.reason", reason=r, count=n) for r, n in screen.reasons]
            text = Safe("\n".join([text, c.t("compose.reasons"), *lines]))
        return Reply(text, choices=buttons)
