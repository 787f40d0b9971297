"""Proactive messages as replies: outbox payloads, digests and the meetings list.

An outbox payload (one of the kinds of ``bot.domain.payloads``) says what to show, not how: a
catalog template with its values (plus catalog keys for labels and buttons), a digest's numbers
and names, or a broadcast's text. Rendering happens when it is sent,
so one payload serves every channel, and a payload with a ``countdown`` (the deadline or the
meeting's start) says how much time is left at that moment, not when it was queued.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from bot.domain.address import NEUTRAL_LABELS
from bot.domain.payloads import (
    Broadcast,
    Button,
    DeadlineReminder,
    Digest,
    DigestData,
    MeetingReminder,
    Names,
    Payload,
)
from bot.domain.schedule import days_of_hours, days_until, hours_until
from bot.domain.telegram_html import utf16_len, utf16_prefix
from bot.locales import Catalog, Safe
from bot.services.replies import TEXT_BUDGET, Choice, Reply

QUARTER_NAMES = ("I", "II", "III", "IV")


def split_parts(lines: Sequence[str], budget: int = TEXT_BUDGET) -> list[str]:
    """Join lines into as few texts as fit ``budget``; a too-long line breaks after a comma.

    Sizes are UTF-16 code units, as Telegram counts them (an emoji is two).
    """
    pieces: list[str] = []
    for line in lines:
        while utf16_len(line) > budget:
            head = utf16_prefix(line, budget)
            cut = head.rfind(", ")
            cut = cut + 1 if cut > 0 else len(head)
            pieces.append(line[:cut])
            line = line[cut:].lstrip()
        pieces.append(line)
    parts: list[str] = []
    current: list[str] = []
    used = -1  # code units of "\n".join(current)
    for piece in pieces:
        size = utf16_len(piece)
        if current and used + 1 + size > budget:  # +1: the line break before it
            parts.append("\n".join(current))
            current, used = [], -1
        current.append(piece)
        used += 1 + size
    if current:
        parts.append("\n".join(current))
    return parts


class Notices:
    """Renders outbox payloads and digests with the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self._c = catalog

    def render(self, payload: Payload, now: datetime | None = None) -> list[Reply]:
        """The messages of one outbox payload, in order; CatalogError if the catalog refuses it.

        ``now`` is the moment of sending in local time: the time left is counted from it (without
        it, or for a payload of an older version without a countdown, as it was queued).
        """
        if isinstance(payload, Digest):
            return self.digest(payload.digest, now)
        if isinstance(payload, Broadcast):  # checked as Telegram HTML when written
            return [Reply(Safe(payload.html), choices=self._buttons(payload.buttons))]
        template, values = payload.template, dict(payload.params)
        if isinstance(payload, DeadlineReminder | MeetingReminder) and now is not None:
            template = self._count_down(payload, values, now)
        labels: Mapping[str, str] = payload.labels
        if self._c.has(template):  # the form of address: only the words the template uses,
            wanted = self._c.params(template)  # neutral when written without the person's
            labels = {
                name: key
                for name, key in (NEUTRAL_LABELS | dict(labels)).items()
                if name in wanted or name not in NEUTRAL_LABELS
            }
        for name, key in labels.items():
            values[name] = self._c.plain(key)
        return [Reply(self._c.t(template, **values), choices=self._buttons(payload.buttons))]

    @staticmethod
    def _count_down(
        payload: DeadlineReminder | MeetingReminder, values: dict[str, Any], now: datetime
    ) -> str:
        """The template and the time left (set in ``values``) as of ``now``.

        A deadline: the days left; on the day itself the ``today`` template (without ``days``),
        after it the ``late`` one with the days since. A meeting: the hours left, or the days
        (the ``days`` template) from 24 hours.
        """
        template = payload.template
        if isinstance(payload, DeadlineReminder):
            countdown = payload.countdown
            days = days_until(countdown.deadline, now)
            values["days"] = abs(days)
            if days == 0:  # "today is the last day": no number of days in it
                values.pop("days")
                template = countdown.today
            elif days < 0:
                template = countdown.late
            return template
        hours = hours_until(payload.countdown.starts_at, now)
        values["left"] = hours
        if hours >= 24:
            values["left"] = days_of_hours(hours)
            template = payload.countdown.days
        return template

    def _buttons(self, buttons: Sequence[Button]) -> tuple[tuple[Choice, ...], ...]:
        row = tuple(Choice(self._c.plain(button.label), button.data) for button in buttons)
        return (row,) if row else ()

    # ------------------------------------------------------------------ digest
    def _names(self, key: str, names: Names) -> list[str]:
        if not names.count:
            return []
        more = names.count - len(names.names)
        listed = ", ".join(self._c.t("digest.name", name=n) for n in names.names)
        if more > 0:
            listed += self._c.t("digest.more", count=more)
        return [self._c.t(key, count=names.count, names=Safe(listed))]

    def digest(self, data: DigestData, now: datetime | None = None) -> list[Reply]:
        """A secretary's digest, split into parts that each fit one message; the days left are
        counted from ``now`` (local time) when given."""
        c = self._c
        days_left = data.days_left
        if data.deadline_on is not None and now is not None:
            days_left = days_until(data.deadline_on, now)
        if days_left > 0:
            due = c.t("digest.days_left", deadline=data.deadline, days=days_left)
        elif days_left == 0:
            due = c.t("digest.due_today", deadline=data.deadline)
        else:
            due = c.t("digest.overdue", deadline=data.deadline)
        lines: list[str] = [
            c.t(
                "years.digest.title" if data.year else "digest.title",
                unit=data.unit or c.plain("digest.everyone"),
                day=data.day,
                **({"year": data.year} if data.year else {}),
            ),
            due,
            c.t(
                "digest.counts",
                required=data.required,
                submitted=data.submitted,
                confirmed=data.confirmed,
                returned=data.returned.count,
            ),
            c.t(
                "digest.reach",
                exempt=data.exempt,
                not_linked=data.not_linked,
                unreachable=data.unreachable.count,
            ),
        ]
        lines += self._names("digest.missing", data.missing)
        lines += self._names("digest.waiting", data.waiting)
        lines += self._names("digest.returned", data.returned)
        lines += self._names("digest.unreachable", data.unreachable)
        if data.unit is not None:
            lines += self.meeting_lines(data)
        box = data.outbox
        if box is not None:
            lines.append(
                c.t(
                    "digest.outbox",
                    queued=box.get("queued", 0) + box.get("sending", 0),
                    sent=box.get("sent", 0),
                    failed=box.get("failed", 0),
                    expired=box.get("expired", 0),
                )
            )
        if not (data.missing.count or data.returned.count):
            lines.append(c.t("digest.all_done"))
        texts = split_parts(lines)
        if len(texts) > 1:
            texts = [
                f"{text}\n{c.t('digest.part', part=i, parts=len(texts))}"
                for i, text in enumerate(texts, start=1)
            ]
        return [Reply(Safe(text)) for text in texts]

    def meeting_lines(self, data: DigestData) -> list[str]:
        """The next meeting and the thematic-meeting flags of a digest."""
        c = self._c
        lines: list[str] = []
        meeting = data.meeting
        if meeting is not None:
            lines.append(
                c.t(
                    "digest.next_meeting",
                    kind=c.plain(f"label.meeting.{meeting.kind}"),
                    when=meeting.when,
                    place=meeting.place,
                    topic=meeting.topic,
                )
            )
        else:
            lines.append(c.t("digest.no_meeting"))
        gaps = [QUARTER_NAMES[q - 1] for q in data.quarters_without if 1 <= q <= 4]
        if gaps:
            lines.append(c.t("digest.quarters_without", quarters=", ".join(gaps)))
        if data.thematic < data.thematic_min:
            lines.append(
                c.t("digest.thematic_short", count=data.thematic, minimum=data.thematic_min)
            )
        lines += self.meeting_flags(data)
        return lines

    def meeting_flags(self, data: DigestData) -> list[str]:
        """The flags of a cell: no quán triệt by the deadline, too few thematic meetings."""
        c = self._c
        lines: list[str] = []
        if data.no_briefing:
            lines.append(c.t("meet.flag.no_briefing", deadline=data.deadline))
        if data.thematic_flag in (3, 4):
            lines.append(
                c.t(
                    f"meet.flag.thematic_q{data.thematic_flag}",
                    count=data.thematic,
                    minimum=data.thematic_min,
                )
            )
        return lines
