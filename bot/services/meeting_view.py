"""The meetings calendar as replies: the list, the request for details, the outcomes."""

from __future__ import annotations

from datetime import tzinfo

from bot.domain.callbacks import MeetingCode, MeetingPress
from bot.domain.meetings import Meeting, MeetingKind
from bot.locales import Catalog, Safe
from bot.services.meeting_book_view import list_buttons
from bot.services.meetings import (
    AskDetails,
    Cancelled,
    ConfirmCancel,
    MeetingGone,
    MeetingList,
    MeetingRefused,
    MeetingScreen,
    MeetingStopped,
    Saved,
)
from bot.services.notices import QUARTER_NAMES
from bot.services.replies import Choice, Presenter, Reply

MAX_MANAGED = 8  # meetings with edit/cancel buttons under the list


class MeetingPresenter:
    """Turns calendar outcomes into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: tzinfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def _when(self, meeting: Meeting) -> str:
        return meeting.starts_at.astimezone(self._tz).strftime("%d/%m/%Y %H:%M")

    def _kind(self, kind: MeetingKind) -> str:
        return self._c.plain(f"label.meeting.{kind.value}")

    def _line(self, meeting: Meeting) -> str:
        return self._c.t(
            "meeting.line",
            kind=self._kind(meeting.kind),
            when=self._when(meeting),
            place=meeting.place,
            topic=meeting.topic,
            unit=meeting.unit_path.rsplit(" / ", 1)[-1],
        )

    def _stop(self) -> tuple[tuple[Choice, ...], ...]:
        return (
            (Choice(self._c.plain("meeting.button.stop"), MeetingPress(MeetingCode.STOP).pack()),),
        )

    def render(self, screen: MeetingScreen) -> Reply:
        """The reply for ``screen``."""
        c, person = self._c, screen.person
        match screen:
            case MeetingList():
                return self._list(screen)
            case MeetingRefused():
                return self._p.simple("common.no_right", person)
            case MeetingGone():
                return self._p.simple("meeting.gone", person)
            case MeetingStopped():
                return self._p.simple("meeting.stopped", person)
            case AskDetails(kind=kind, meeting=meeting, error=error):
                parts = [c.t(f"meeting.invalid.{error}")] if error else []
                parts.append(c.t("meeting.ask", kind=self._kind(kind)))
                if meeting is not None:
                    current = f"{self._when(meeting)}; {meeting.place}; {meeting.topic}"
                    parts.append(c.t("meeting.current", current=current))
                return Reply(Safe("\n\n".join(parts)), choices=self._stop())
            case ConfirmCancel(meeting=meeting):
                confirm = Choice(
                    c.plain("meeting.button.confirm_cancel"),
                    MeetingPress(
                        MeetingCode.CONFIRM_CANCEL, f"{meeting.id}.{meeting.version}"
                    ).pack(),
                )
                text = c.t("meeting.confirm_cancel", **self._values(meeting))
                return Reply(text, choices=((confirm,), *self._stop()))
            case Cancelled(meeting=meeting, told=told):
                text = c.t("meeting.cancelled", told=told, **self._values(meeting))
                return self._p.with_menu(text, person)
            case Saved(meeting=meeting, told=told, changed=changed):
                key = "meeting.changed" if changed else "meeting.saved"
                return self._p.with_menu(c.t(key, told=told, **self._values(meeting)), person)

    def _values(self, meeting: Meeting) -> dict[str, str]:
        return {
            "kind": self._kind(meeting.kind),
            "when": self._when(meeting),
            "place": meeting.place,
        }

    def _list(self, screen: MeetingList) -> Reply:
        c = self._c
        lines: list[str] = [c.t("meeting.title")]
        lines += [self._line(m) for m in screen.meetings] or [c.t("meeting.none")]
        extra = list_buttons(self._c, self._tz, screen.to_record, screen.manage)
        if not screen.manage:
            return Reply(Safe("\n".join(lines)), choices=extra)
        if screen.quarters_without:
            quarters = ", ".join(QUARTER_NAMES[q - 1] for q in screen.quarters_without)
            lines.append(c.t("meeting.quarters_without", quarters=quarters))
        lines.append(c.t("meeting.manage_hint"))
        rows: list[tuple[Choice, ...]] = [
            tuple(
                Choice(
                    c.plain(f"meeting.button.new_{kind.value}"),
                    MeetingPress(MeetingCode.NEW, kind.value).pack(),
                )
                for kind in MeetingKind
            )
        ]
        own = [m for m in screen.meetings if m.unit_id == screen.person.unit_id]
        for meeting in own[:MAX_MANAGED]:
            day = meeting.starts_at.astimezone(self._tz).strftime("%d/%m")
            rows.append(
                (
                    Choice(
                        c.plain("meeting.button.edit", day=day),
                        MeetingPress(MeetingCode.EDIT, str(meeting.id)).pack(),
                    ),
                    Choice(
                        c.plain("meeting.button.cancel", day=day),
                        MeetingPress(MeetingCode.CANCEL, str(meeting.id)).pack(),
                    ),
                )
            )
        return Reply(Safe("\n".join(lines)), choices=(*rows, *extra))
