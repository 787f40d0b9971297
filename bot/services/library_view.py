"""The study library as replies: the list by kind and page, a material, who has studied."""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.callbacks import LibraryCode, LibraryPress
from bot.domain.library import PAGE_SIZE, Audience, Material, MaterialKind
from bot.domain.models import Person
from bot.locales import Catalog, Safe
from bot.services.library import Added, Follow, LibraryPage, Notice, Opened, UploadAudience
from bot.services.replies import TEXT_BUDGET, Choice, Presenter, Reply, fit_lines

LABEL_CHARS = 48  # a material's title on its button


def list_press(kind: MaterialKind | None, page: int) -> str:
    """The callback data of a page of the list."""
    return LibraryPress(LibraryCode.LIST, f"{kind.value if kind else ''}.{page}").pack()


def error_text(catalog: Catalog, code: str, detail: str) -> str:
    """The plain sentence of a refused library input (``library.error.<code>``)."""
    key = f"library_upload.error.{code}"  # the codes of the chat upload's audience
    if not catalog.has(key):
        key = f"library.error.{code}"
    return catalog.plain(key, **({"detail": detail} if "detail" in catalog.params(key) else {}))


def _short(text: str) -> str:
    return text if len(text) <= LABEL_CHARS else text[: LABEL_CHARS - 1].rstrip() + "…"


class LibraryPresenter:
    """Turns the library's outcomes into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: tzinfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def kind(self, kind: MaterialKind) -> str:
        """The kind's name (``Chuyên đề năm`` …)."""
        if kind is MaterialKind.NEWS:  # issue 18 §3: its words are in the [news] section
            return self._c.plain("news.kind")
        return self._c.plain(f"library.kind.{kind.value}")

    def audience(self, material: Material) -> str:
        """Who the material is for, in words."""
        if material.audience is Audience.UNIT:
            return self._c.plain("library.audience.unit", unit=material.unit_path)
        return self._c.plain(f"library.audience.{material.audience.value}")

    def page(self, page: LibraryPage) -> Reply:
        """The list: one button per material, the kinds, the pages."""
        c, viewer = self._c, page.viewer
        if not page.items and page.kind is None and not page.manage:
            return self._p.with_menu(
                c.t("library.empty", **self._p.you(viewer, "library.empty")), viewer
            )
        which = self.kind(page.kind) if page.kind else c.plain("library.all_kinds")
        lines = [c.t("library.title", which=which, page=page.page + 1, pages=page.pages)]
        if not page.items:
            lines.append(c.t("library.none_of_kind"))
        start = page.page * PAGE_SIZE
        for index, material in enumerate(page.items, start=start + 1):
            mark = c.plain("library.mark_done") if material.id in page.studied else ""
            lines.append(
                c.t(
                    "library.line",
                    number=index,
                    title=material.title,
                    kind=self.kind(material.kind),
                    year=material.year,
                    mark=mark,
                )
            )
        lines.append(c.t("library.hint"))
        rows: list[tuple[Choice, ...]] = []
        for material in page.items:
            done = material.id in page.studied
            label = c.plain(
                "library.open_button_done" if done else "library.open_button",
                title=_short(material.title),
            )
            rows.append((Choice(label, LibraryPress(LibraryCode.OPEN, str(material.id)).pack()),))
        nav: list[Choice] = []
        if page.page > 0:
            nav.append(Choice(c.plain("library.previous"), list_press(page.kind, page.page - 1)))
        if page.page + 1 < page.pages:
            nav.append(Choice(c.plain("library.next"), list_press(page.kind, page.page + 1)))
        if nav:
            rows.append(tuple(nav))
        kinds = [
            Choice(c.plain("library.kind_button", kind=self.kind(k), count=n), list_press(k, 0))
            for k, n in page.by_kind.items()
            if n and k is not page.kind
        ]
        if page.kind is not None:
            kinds.insert(0, Choice(c.plain("library.all_button"), list_press(None, 0)))
        rows.extend(tuple(kinds[i : i + 2]) for i in range(0, len(kinds), 2))
        if page.follow:
            follow = LibraryPress(LibraryCode.FOLLOW).pack()
            rows.append((Choice(c.plain("library.follow_button"), follow),))
        if page.manage:
            adding = LibraryPress(LibraryCode.ADD).pack()
            rows.append((Choice(c.plain("library.add_button"), adding),))
        return Reply(Safe("\n".join(lines)), choices=tuple(rows))

    def file(self, opened: Opened) -> Reply | None:
        """The material's file with its title as caption (None for a link)."""
        if opened.attachment is None:
            return None
        return Reply(
            self._c.t("library.file_caption", title=opened.material.title),
            document=opened.attachment,
        )

    def card(self, opened: Opened) -> Reply:
        """What the material is, its link, and the "Đã học" button while not marked."""
        c, m = self._c, opened.material
        parts = [
            c.t(
                "library.card",
                title=m.title,
                kind=self.kind(m.kind),
                year=m.year,
                audience=self.audience(m),
                added=m.added_at.astimezone(self._tz).strftime("%d/%m/%Y"),
            )
        ]
        if m.summary:  # a bản tin's is its broadcast's whole text
            key = "news.body" if m.kind is MaterialKind.NEWS else "library.summary"
            parts.append(c.t(key, summary=m.summary))
        if m.url:
            parts.append(c.t("library.link", url=m.url))
        if opened.unavailable:
            parts.append(c.t("library_upload.only_telegram"))
        you = self._p.you(opened.viewer, "library.studied_yes")
        parts.append(
            c.t("library.studied_yes", **you) if opened.studied else c.t("library.studied_no")
        )
        rows: list[tuple[Choice, ...]] = []
        if not opened.studied:
            done = LibraryPress(LibraryCode.STUDIED, str(m.id)).pack()
            rows.append((Choice(c.plain("library.studied_button"), done),))
        rows.append((Choice(c.plain("library.back_button"), list_press(None, 0)),))
        return Reply(Safe("\n".join(parts)), choices=tuple(rows))

    def marked(self, opened: Opened) -> Reply:
        """The mark is noted."""
        you = self._p.you(opened.viewer, "library.marked")
        text = self._c.t("library.marked", title=opened.material.title, **you)
        back = Choice(self._c.plain("library.back_button"), list_press(None, 0))
        return Reply(text, choices=((back,),))

    def ask_upload(self, chosen: UploadAudience) -> Reply:
        """How to send a material from the chat, who it will be for, and the other choices of
        audience (everyone, the party members, a unit of the admin's scope)."""
        c, upload = self._c, chosen.upload
        if upload.unit_id:
            audience = c.plain("library.audience.unit", unit=chosen.unit_path)
        else:
            audience = c.plain(f"library.audience.{'party' if upload.party else 'all'}")
        text = Safe(f"{c.t('library.add_ask')}\n{c.t('library_upload.for', audience=audience)}")
        options = [("all", c.plain("library_upload.everyone"))]
        options.append(("party", c.plain("library_upload.party")))
        options.extend(
            (f"u.{n.id}", c.plain("library_upload.unit", unit=_short(n.path.rsplit(" / ", 1)[-1])))
            for n in chosen.units
        )
        current = f"u.{upload.unit_id}" if upload.unit_id else "party" if upload.party else "all"
        buttons = [
            Choice(
                c.plain("library_upload.chosen", label=label) if arg == current else label,
                LibraryPress(LibraryCode.AUDIENCE, arg).pack(),
            )
            for arg, label in options
        ]
        rows = tuple(tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2))
        return Reply(text, choices=rows)

    def added(self, person: Person, added: Added) -> Reply:
        """The material is in the library (with who it is for, and a file Telegram alone holds
        said so); the admin may notify its audience."""
        material = added.material
        parts = [
            self._c.t(
                "library.added",
                title=material.title,
                kind=self.kind(material.kind),
                year=material.year,
            ),
            self._c.t("library_upload.for", audience=self.audience(material)),
        ]
        if added.kept:
            parts.append(self._c.t(f"library_upload.kept_{added.kept}"))
        notice = LibraryPress(LibraryCode.NOTICE, str(material.id)).pack()
        back = Choice(self._c.plain("library.back_button"), list_press(None, 0))
        return Reply(
            Safe("\n".join(parts)),
            choices=((Choice(self._c.plain("library.notice_button"), notice),), (back,)),
        )

    def notice_text(self, material: Material) -> str:
        """The notice of a new material, as the broadcast's Telegram HTML."""
        return self._c.t(
            "library.notice",
            title=material.title,
            kind=self.kind(material.kind),
            button=self._c.plain("menu.tailieu"),
        )

    def notice(self, person: Person, notice: Notice) -> Reply:
        """The notice's preview with its send button, or what became of it."""
        m, c = notice.material, self._c
        back = Choice(c.plain("library.back_button"), list_press(None, 0))
        if notice.sent:
            text = c.t("library.notice_sent", title=m.title, count=notice.people)
            return Reply(text, choices=((back,),))
        if notice.repeat:
            return Reply(c.t("library.notice_repeat"), choices=((back,),))
        if not notice.people:
            return Reply(c.t("library.notice_nobody"), choices=((back,),))
        text = c.t(
            "library.notice_preview",
            count=notice.people,
            audience=self.audience(m),
            notice=Safe(self.notice_text(m)),
        )
        send = LibraryPress(LibraryCode.NOTICE_SEND, str(m.id)).pack()
        rows = ((Choice(c.plain("library.notice_send"), send),), (back,))
        return Reply(text, choices=rows)

    def add_refused(self, person: Person, code: str, detail: str) -> Reply:
        """What was wrong with the upload; the admin may send again (or /huy)."""
        reason = error_text(self._c, code, detail)
        return Reply(self._c.t("library.add_again", reason=reason))

    def refused(self, person: Person) -> Reply:
        """A material that is not (or no longer) for this person: as any forged press."""
        return self._p.simple("library.gone", person)

    def follow(self, follow: Follow) -> Reply:
        """Per required material, how many have studied it and who has not yet."""
        c = self._c
        if not follow.rows:
            return self._p.with_menu(
                c.t("library.follow_none", unit=follow.unit_path), follow.viewer
            )
        lines = [c.t("library.follow_title", unit=follow.unit_path)]
        for row in follow.rows:
            total = len(row.done) + len(row.missing)
            lines.append(
                c.t(
                    "library.follow_line",
                    title=row.material.title,
                    done=len(row.done),
                    total=total,
                )
            )
            if row.missing:
                lines.append(c.t("library.follow_missing", names=", ".join(row.missing)))
        kept = fit_lines(
            lines, TEXT_BUDGET - 200, c.t("library.follow_more", count=Safe("{count}"))
        )
        back = Choice(c.plain("library.back_button"), list_press(None, 0))
        return Reply(Safe("\n".join(kept)), choices=((back,),))
