"""The step-by-step meeting screens as replies: scheduling, recording, the past meetings."""

from __future__ import annotations

from datetime import date, tzinfo

from bot.domain.callbacks import MeetingCode, MeetingPress
from bot.domain.meeting_steps import PlanDraft
from bot.domain.meetings import Meeting, MeetingKind, Outcome, held_day
from bot.locales import Catalog, Safe
from bot.services.meeting_book import (
    BookGone,
    BookRefused,
    BookScreen,
    PastMeetings,
    Recorded,
    RecordStep,
    compact_day,
)
from bot.services.meeting_steps import PlanStep
from bot.services.replies import Choice, Presenter, Reply

ROSTER_BUTTONS = 60  # a larger unit types the numbers present / absent
PAST_TEXT = 300  # characters of a content or conclusion in the list of past meetings
WEEKDAYS = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")
PLAN_STEPS = ("day", "time", "place", "topic", "preview")

Rows = tuple[tuple[Choice, ...], ...]


def _rows(choices: list[Choice], width: int) -> list[tuple[Choice, ...]]:
    return [tuple(choices[i : i + width]) for i in range(0, len(choices), width)]


def _short(text: str) -> str:
    return text if len(text) <= PAST_TEXT else text[: PAST_TEXT - 1] + "…"


class MeetingBookPresenter:
    """Turns the step-by-step screens into replies."""

    def __init__(self, catalog: Catalog, presenter: Presenter, tz: tzinfo) -> None:
        self._c = catalog
        self._p = presenter
        self._tz = tz

    def _kind(self, kind: MeetingKind) -> str:
        return self._c.plain(f"label.meeting.{kind.value}")

    def _press(self, code: MeetingCode, arg: str = "") -> str:
        return MeetingPress(code, arg).pack()

    def _stop(self) -> tuple[Choice, ...]:
        return (Choice(self._c.plain("meeting.button.stop"), self._press(MeetingCode.STOP)),)

    def _day_label(self, day: date) -> str:
        return f"{WEEKDAYS[day.weekday()]} {day.strftime('%d/%m')}"

    def _reply(self, parts: list[str], rows: list[tuple[Choice, ...]], folded: Safe) -> Reply:
        return Reply(Safe("\n\n".join(parts)), choices=(*rows, self._stop()), folded=folded)

    def _error(self, error: str) -> list[str]:
        return [self._c.t(f"meet.error.{error}")] if error else []

    # Scheduling

    def plan(self, screen: PlanStep) -> Reply:
        """One step of scheduling a meeting."""
        c, draft = self._c, screen.draft
        step = draft.step()
        head = c.t(
            "meet.plan.head",
            kind=self._kind(screen.kind),
            step=PLAN_STEPS.index(step) + 1,
            steps=len(PLAN_STEPS),
        )
        parts = [*self._error(screen.error), head]
        rows: list[tuple[Choice, ...]] = []
        if step == "day":
            parts.append(c.t("meet.plan.day"))
            days = [
                Choice(self._day_label(d), self._press(MeetingCode.DAY, compact_day(d)))
                for d in screen.days
            ]
            rows = _rows(days, 3)
        elif step == "time":
            parts.append(c.t("meet.plan.time", day=self._date(draft)))
            times = [
                Choice(t.strftime("%H:%M"), self._press(MeetingCode.TIME, t.strftime("%H%M")))
                for t in screen.times
            ]
            rows = _rows(times, 3)
        elif step == "place":
            parts.append(c.t("meet.plan.place" if draft.places else "meet.plan.place_new"))
            rows = [
                (Choice(place[:60], self._press(MeetingCode.PLACE, str(i))),)
                for i, place in enumerate(draft.places)
            ]
        elif step == "topic":
            parts.append(c.t("meet.plan.topic", topic=screen.default_topic))
            if screen.default_topic:
                rows = [
                    (Choice(c.plain("meet.button.year_topic"), self._press(MeetingCode.TOPIC)),)
                ]
        else:
            parts.append(self._plan_preview(screen.kind, draft))
            rows = [(Choice(c.plain("meet.button.save_plan"), self._press(MeetingCode.SAVE)),)]
        folded = c.t(
            "tidy3.plan_folded",
            step=PLAN_STEPS.index(step) + 1,
            steps=len(PLAN_STEPS),
            label=c.plain(f"tidy3.plan_{step}"),
        )
        return self._reply(parts, rows, folded)

    def _date(self, draft: PlanDraft) -> str:
        return draft.day.strftime("%d/%m/%Y") if draft.day else ""

    def _plan_preview(self, kind: MeetingKind, draft: PlanDraft) -> str:
        when = f"{self._date(draft)} {draft.at.strftime('%H:%M') if draft.at else ''}"
        return self._c.t(
            "meet.plan.preview",
            kind=self._kind(kind),
            when=when.strip(),
            place=draft.place or "",
            topic=draft.topic or "",
        )

    # Recording

    def book(self, screen: BookScreen) -> Reply:
        """A screen of recording, or the past meetings."""
        person = screen.person
        match screen:
            case BookRefused():
                return self._p.simple("common.no_right", person)
            case BookGone():
                return self._p.simple("meet.gone", person)
            case Recorded(meeting=meeting):
                return self._p.with_menu(self._recorded(meeting), person)
            case PastMeetings():
                return self._past(screen)
            case RecordStep():
                return self._record(screen)

    def _about(self, screen: RecordStep) -> str:
        meeting = screen.meeting
        if meeting is None:
            kind = screen.draft.kind
            return self._c.t("meet.rec.head_new", kind=self._kind(kind) if kind else "")
        head = self._c.t(
            "meet.rec.head",
            kind=self._kind(meeting.kind),
            when=meeting.starts_at.astimezone(self._tz).strftime("%d/%m/%Y %H:%M"),
            place=meeting.place,
        )
        if meeting.record is not None:  # a correction
            return f"{head}\n{self._c.t('meet.rec.again')}"
        return head

    def _record(self, screen: RecordStep) -> Reply:
        c, draft = self._c, screen.draft
        step = draft.step()
        parts = [*self._error(screen.error), self._about(screen)]
        rows: list[tuple[Choice, ...]] = []
        if step == "kind":
            parts.append(c.t("meet.rec.kind"))
            rows = [
                (Choice(self._kind(k).capitalize(), self._press(MeetingCode.RECORD_KIND, k.value)),)
                for k in MeetingKind
            ]
        elif step == "outcome":
            parts.append(c.t("meet.rec.outcome"))
            rows = [
                (
                    Choice(c.plain("meet.button.held"), self._press(MeetingCode.OUTCOME, "held")),
                    Choice(
                        c.plain("meet.button.not_held"),
                        self._press(MeetingCode.OUTCOME, "not_held"),
                    ),
                )
            ]
        elif step == "reason":
            parts.append(c.t("meet.rec.reason"))
        elif step == "day":
            parts.append(c.t("meet.rec.day"))
            rows = _rows(self._held_days(screen), 3)
        elif step == "attendance":
            parts.append(self._attendance(screen))
            rows = self._roster_rows(screen)
        elif step == "summary":
            parts.append(c.t("meet.rec.summary"))
        elif step == "conclusion":
            parts.append(c.t("meet.rec.conclusion"))
        elif step == "photo":
            parts.append(c.t("meet.rec.photo"))
            rows = [(Choice(c.plain("meet.button.no_photo"), self._press(MeetingCode.NO_PHOTO)),)]
        else:
            parts.append(self._record_preview(screen))
            rows = [
                (Choice(c.plain("meet.button.save_record"), self._press(MeetingCode.RECORD_SAVE)),)
            ]
        return self._reply(
            parts, rows, c.t("tidy3.record_folded", label=c.plain(f"tidy3.record_{step}"))
        )

    def _held_days(self, screen: RecordStep) -> list[Choice]:
        today = screen.today
        days: list[date] = []
        if screen.meeting is not None:
            days.append(screen.meeting.starts_at.astimezone(self._tz).date())
        if today is not None:
            days += [today, date.fromordinal(today.toordinal() - 1)]
        seen: list[date] = []
        for day in days:
            if day not in seen and (today is None or day <= today):
                seen.append(day)
        return [
            Choice(self._day_label(d), self._press(MeetingCode.RECORD_DAY, compact_day(d)))
            for d in seen
        ]

    def _absent_names(self, screen: RecordStep) -> str:
        names = [name for pid, name in screen.roster if pid in set(screen.draft.absent_ids)]
        return ", ".join(names) if names else self._c.plain("meet.rec.nobody")

    def _attendance(self, screen: RecordStep) -> str:
        if len(screen.roster) > ROSTER_BUTTONS:
            return self._c.t("meet.rec.attendance_typed")
        return self._c.t(
            "meet.rec.attendance",
            members=len(screen.roster),
            absent=self._absent_names(screen),
        )

    def _roster_rows(self, screen: RecordStep) -> list[tuple[Choice, ...]]:
        if len(screen.roster) > ROSTER_BUTTONS:
            return []
        absent = set(screen.draft.absent_ids)
        marks = [
            Choice(
                self._c.plain(
                    "meet.button.absent" if pid in absent else "meet.button.present", name=name
                ),
                self._press(MeetingCode.ABSENT, str(pid)),
            )
            for pid, name in screen.roster
        ]
        done = Choice(
            self._c.plain("meet.button.attendance_done"), self._press(MeetingCode.ATTENDANCE_DONE)
        )
        return [*_rows(marks, 2), (done,)]

    def _record_preview(self, screen: RecordStep) -> str:
        c, draft = self._c, screen.draft
        lines = [c.t("meet.rec.preview")]
        if draft.outcome is Outcome.NOT_HELD:
            lines.append(c.t("meet.rec.line_not_held", reason=draft.reason or ""))
            return "\n".join(lines)
        lines.append(
            c.t(
                "meet.rec.line_held",
                day=draft.held_on.strftime("%d/%m/%Y") if draft.held_on else "",
                present=draft.present if draft.present is not None else 0,
                absent=draft.absent if draft.absent is not None else 0,
            )
        )
        if draft.absent_ids:
            lines.append(c.t("meet.rec.line_absent", names=self._absent_names(screen)))
        lines.append(c.t("meet.rec.line_summary", text=draft.summary or ""))
        lines.append(c.t("meet.rec.line_conclusion", text=draft.conclusion or ""))
        lines.append(c.t("meet.rec.line_photo" if draft.photo else "meet.rec.line_no_photo"))
        return "\n".join(lines)

    def _recorded(self, meeting: Meeting) -> Safe:
        record = meeting.record
        day = held_day(meeting, self._tz).strftime("%d/%m/%Y")
        key = (
            "meet.recorded_held"
            if record is not None and record.outcome is Outcome.HELD
            else "meet.recorded_not_held"
        )
        return self._c.t(key, kind=self._kind(meeting.kind), day=day)

    # What members read

    def _past(self, screen: PastMeetings) -> Reply:
        c = self._c
        lines = [c.t("meet.past.title", unit=screen.person.unit_path.rsplit(" / ", 1)[-1])]
        if not screen.meetings:
            lines.append(c.t("meet.past.none"))
        for meeting in screen.meetings:
            record = meeting.record
            if record is None:
                continue
            day = held_day(meeting, self._tz).strftime("%d/%m/%Y")
            kind = self._kind(meeting.kind)
            if record.outcome is Outcome.NOT_HELD:
                lines.append(
                    c.t("meet.past.not_held", kind=kind, day=day, reason=_short(record.reason))
                )
                continue
            lines.append(
                c.t(
                    "meet.past.held",
                    kind=kind,
                    day=day,
                    present=record.present if record.present is not None else 0,
                    absent=record.absent if record.absent is not None else 0,
                    summary=_short(record.summary),
                    conclusion=_short(record.conclusion),
                )
            )
        return self._p.with_menu(Safe("\n\n".join(lines)), screen.person)


def list_buttons(
    catalog: Catalog, tz: tzinfo, to_record: tuple[Meeting, ...], manage: bool
) -> Rows:
    """The calendar's buttons for recording (a secretary) and the past meetings (everyone)."""
    rows: list[tuple[Choice, ...]] = []
    if manage:
        for meeting in to_record:
            day = meeting.starts_at.astimezone(tz).strftime("%d/%m")
            rows.append(
                (
                    Choice(
                        catalog.plain("meet.button.record_day", day=day),
                        MeetingPress(MeetingCode.RECORD, str(meeting.id)).pack(),
                    ),
                )
            )
        rows.append(
            (
                Choice(
                    catalog.plain("meet.button.record_new"),
                    MeetingPress(MeetingCode.RECORD_NEW).pack(),
                ),
            )
        )
    rows.append((Choice(catalog.plain("meet.button.past"), MeetingPress(MeetingCode.PAST).pack()),))
    return tuple(rows)
