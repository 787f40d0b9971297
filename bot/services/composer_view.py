"""The broadcast composer as replies."""

from __future__ import annotations

from datetime import datetime, tzinfo

from bot.domain.broadcast import BroadcastRow
from bot.domain.callbacks import BroadcastCode, BroadcastPress
from bot.domain.library import Material
from bot.domain.telegram_html import utf16_prefix
from bot.locales import Catalog, Safe
from bot.services.composer import (
    AUDIENCES,
    AlreadySent,
    AskCancel,
    AskText,
    AskTime,
    ChooseAudience,
    ChooseItem,
    ChooseUnit,
    ComposeInvalid,
    ComposePreview,
    ComposeRefused,
    ComposeScreen,
    ComposeStopped,
    Progress,
    Queued,
    Withdrawn,
)
from bot.services.replies import Choice, Presenter, Reply

PREVIEW_CHARS = 600


class ComposerPresenter:
    """Turns composer outcomes into replies."""

    def __init__(
        self, catalog: Catalog, presenter: Presenter, tz: tzinfo, *, library: bool = False
    ) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz
        self.library = library  # the preview offers "bản tin" and "Đính kèm tài liệu"

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

    def _split(self, text: Safe, row: BroadcastRow) -> Safe:
        """``text`` and, under it, how many people each channel carries the broadcast to."""
        lines = [
            self._c.t(
                "compose.split.channel",
                channel=self._c.plain(f"me.channel.{channel.value}"),
                total=counts["total"],
                sent=counts["sent"],
                queued=counts["queued"],
                failed=counts["failed"],
            )
            for channel, counts in row.progress_by_channel().items()
        ]
        return Safe("\n".join([text, self._c.t("compose.split.title"), *lines])) if lines else text

    def render(self, screen: ComposeScreen) -> Reply:
        """The reply for ``screen``."""
        c, person = self._c, screen.person
        match screen:
            case ComposeRefused():
                return self._p.simple("common.no_right", person)
            case ComposeStopped():
                return self._p.simple("compose.stopped", person)
            case AskText():
                return Reply(c.t("compose.ask"), choices=(self._stop(),))
            case ComposeInvalid(error=error, detail=detail):
                key = error if error.startswith("news.") else f"broadcast.error.{error}"
                text = c.t(key, **({"detail": detail} if "detail" in c.params(key) else {}))
                if error == "news.item_gone":  # ``detail``: the audience, to send without it
                    return Reply(text, choices=(*self._gone(detail), self._stop()))
                return Reply(text, choices=(self._stop(),))
            case ChooseAudience(unit=unit):
                rows = tuple(
                    (Choice(self._audience(a), BroadcastPress(BroadcastCode.AUDIENCE, a).pack()),)
                    for a in AUDIENCES
                )
                within = Choice(
                    c.plain("compose.button.unit"), BroadcastPress(BroadcastCode.UNITS).pack()
                )
                text = Safe(c.t("compose.choose") + self._within(unit))
                return Reply(text, choices=(*rows, (within,), self._stop()))
            case ChooseUnit(units=nodes):
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
                    for n in nodes
                )
                return Reply(c.t("compose.units"), choices=((everyone,), *units, self._stop()))
            case AskTime():
                return Reply(c.t("compose.ask_time"), choices=(self._stop(),))
            case ComposePreview():
                return self._preview(screen)
            case ChooseItem():
                return self._items(screen)
            case Queued(broadcast=row, at=at):
                values = self._progress(row)
                del values["cancelled"], values["skipped"]
                text = self._split(c.t("compose.queued", **values), row)
                if at is not None:
                    when = at.astimezone(self._tz).strftime("%H:%M %d/%m/%Y")
                    text = Safe(text + "\n" + c.t("compose.scheduled", when=when))
                if screen.saved is not None:
                    text = Safe(text + "\n" + self._saved(screen))
                return Reply(text, choices=self._wave(row))
            case Withdrawn(broadcast=row, withdrawn=withdrawn):
                text = c.t("compose.cancelled", withdrawn=withdrawn, **self._progress(row))
                return Reply(self._split(text, row), choices=self._wave(row))
            case AlreadySent(broadcast=row):
                return Reply(self._sent(row), choices=self._wave(row))
            case AskCancel(broadcast=row):
                text = self._with("compose.tidy.ask_cancel", self._progress(row))
                yes = Choice(
                    c.plain("compose.tidy.yes"),
                    BroadcastPress(BroadcastCode.CONFIRM_CANCEL, str(row.id)).pack(),
                )
                no = Choice(  # "Không": how it stands, in the same message
                    c.plain("compose.tidy.no"),
                    BroadcastPress(BroadcastCode.PROGRESS, str(row.id)).pack(),
                )
                return Reply(text, choices=((yes, no),))
            case Progress(broadcast=row, reasons=reasons):
                text = self._split(c.t("compose.progress", **self._progress(row)), row)
                if reasons:
                    lines = [c.t("compose.reason", reason=r, count=n) for r, n in reasons]
                    text = Safe("\n".join([text, c.t("compose.reasons"), *lines]))
                return Reply(text, choices=self._wave(row))

    def _sent(self, row: BroadcastRow) -> Safe:
        """That the broadcast went out (or is set to go), when, and to how many people."""
        when = row.not_before.astimezone(self._tz).strftime("%d/%m/%Y %H:%M")
        key = "compose.tidy.scheduled" if row.not_before > row.created_at else "compose.tidy.sent"
        return self._with(key, {"when": when, **self._progress(row)})

    def _with(self, key: str, values: dict[str, object]) -> Safe:
        """``key`` filled with those of ``values`` it names."""
        names = self._c.params(key)
        return self._c.t(key, **{k: v for k, v in values.items() if k in names})

    def _preview(self, screen: ComposePreview) -> Reply:
        c, preview = self._c, screen.preview
        shown = utf16_prefix(preview.text, PREVIEW_CHARS)
        text = c.t(
            "compose.preview",
            audience=self._audience(screen.audience),
            count=len(preview.people),
            not_linked=preview.not_linked,
            text=shown,
        )
        text = Safe(text + self._within(screen.unit))
        if screen.changed:
            text = Safe(c.t("compose.changed") + "\n\n" + text)
        if screen.file is not None:
            text = Safe(
                text
                + "\n\n"
                + c.t(f"compose.attached_{screen.file.kind.value}", name=screen.file.name)
            )
        marked = f"{screen.audience}.{screen.mark}" if screen.mark else screen.audience
        go = Choice(
            c.plain("compose.button.send"),
            BroadcastPress(BroadcastCode.SEND, marked).pack(),
        )
        if preview.repeat_of is not None:
            first = preview.repeat_of.astimezone(self._tz).strftime("%d/%m/%Y %H:%M")
            text = Safe(text + "\n\n" + c.t("compose.repeat", when=first))
            again = BroadcastPress(BroadcastCode.SEND_AGAIN, marked).pack()
            go = Choice(c.plain("compose.button.send_again"), again)
        later = Choice(
            c.plain("compose.button.later"),
            BroadcastPress(BroadcastCode.LATER, screen.audience).pack(),
        )
        other = Choice(
            c.plain("compose.button.other"), BroadcastPress(BroadcastCode.AUDIENCE).pack()
        )
        if not self.library:
            return Reply(text, choices=((go, later), (other,), self._stop()))
        if screen.item is not None:
            text = Safe(text + "\n" + c.t("news.preview_linked", title=screen.item.title))
        if screen.news:
            text = Safe(text + "\n" + c.t("news.preview_saved"))
        news = Choice(
            c.plain("news.button.save_on" if screen.news else "news.button.save"),
            BroadcastPress(BroadcastCode.NEWS, screen.audience).pack(),
        )
        link = Choice(
            c.plain("news.button.link"), BroadcastPress(BroadcastCode.ITEMS, screen.audience).pack()
        )
        return Reply(text, choices=((go, later), (news,), (link,), (other,), self._stop()))

    def _gone(self, audience: str) -> tuple[tuple[Choice, ...], ...]:
        """Under "the linked material is gone": send without it, or link another."""
        c = self._c
        go = Choice(
            c.plain("compose.button.send"), BroadcastPress(BroadcastCode.SEND, audience).pack()
        )
        link = Choice(
            c.plain("news.button.link"), BroadcastPress(BroadcastCode.ITEMS, audience).pack()
        )
        return ((go,), (link,))

    def _items(self, screen: ChooseItem) -> Reply:
        """The library items a broadcast may link, one button each, and "no item"."""
        c = self._c
        text = c.t("news.items_none") if not screen.items else c.t("news.items")
        rows = tuple(
            (
                Choice(
                    ("✅ " if m.id == screen.chosen else "📄 ") + m.title[:48],
                    BroadcastPress(BroadcastCode.LINK, f"{m.id}.{screen.audience}").pack(),
                ),
            )
            for m in screen.items
        )
        none = Choice(
            c.plain("news.button.no_item"),
            BroadcastPress(BroadcastCode.LINK, f"0.{screen.audience}").pack(),
        )
        return Reply(text, choices=(*rows, (none,), self._stop()))

    def _saved(self, screen: Queued) -> str:
        """That the broadcast is kept as a bản tin (and for whom, when that is wider)."""
        saved = screen.saved
        if saved is None:
            return ""
        c = self._c
        lines = [c.t("news.saved", title=saved.material.title)]
        if saved.widened:
            lines.append(c.t("news.saved_widened"))
        if saved.dropped:
            lines.append(c.t("news.saved_no_file"))
        return "\n".join(lines)

    def linked_line(self, material: Material) -> str:
        """The line under a broadcast that points to a library item (its address, for a link)."""
        line = self._c.t("news.linked_line", title=material.title)
        if material.url is not None:
            line = Safe(line + "\n" + self._c.t("library.link", url=material.url))
        return line

    def news_title(self, at: datetime) -> str:
        """The title of a bản tin without text: "Bản tin dd/mm/yyyy"."""
        return self._c.plain("news.untitled", day=at.astimezone(self._tz).strftime("%d/%m/%Y"))

    def _wave(self, row: BroadcastRow) -> tuple[tuple[Choice, ...], ...]:
        """The buttons under a broadcast: how it stands, withdraw what is not sent."""
        c = self._c
        return (
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
