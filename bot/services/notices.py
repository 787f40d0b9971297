"""Proactive messages as replies: outbox payloads, digests and the meetings list.

An outbox payload says what to show, not how: a catalog template with its values (plus catalog
keys for labels and buttons), or a digest's numbers and names. Rendering happens when it is sent,
so one payload serves every channel, and a payload with a ``countdown`` (the deadline or the
meeting's start) says how much time is left at that moment, not when it was queued.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

from bot.domain.address import NEUTRAL_LABELS
from bot.domain.callbacks import MAX_BYTES
from bot.domain.schedule import days_of_hours, days_until, hours_until
from bot.domain.telegram_html import utf16_len, utf16_prefix
from bot.locales import Catalog, CatalogError, Safe
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

    def render(self, payload: Mapping[str, Any], now: datetime | None = None) -> list[Reply]:
        """The messages of one outbox payload, in order; CatalogError if it is malformed.

        ``now`` is the moment of sending in local time: the time left is counted from it (without
        it, or for a payload of an older version without a countdown, as it was queued).
        """
        digest = payload.get("digest")
        if isinstance(digest, dict):
            return self.digest(digest, now)
        announcement = payload.get("html")
        if isinstance(announcement, str):  # a broadcast, checked as Telegram HTML when written
            return [Reply(Safe(announcement))]
        template, params = payload.get("template"), payload.get("params", {})
        labels, buttons = payload.get("labels", {}), payload.get("buttons", [])
        if (
            not isinstance(template, str)
            or not isinstance(params, dict)
            or not isinstance(labels, dict)
            or not isinstance(buttons, list)
            or not template.startswith("notify.")
        ):
            raise CatalogError(f"malformed outbox payload: {str(payload)[:80]}")
        values = dict(params)
        countdown = payload.get("countdown")
        if isinstance(countdown, dict) and now is not None:
            template = self._count_down(template, values, countdown, now)
        if self._c.has(template):  # the form of address: only the words the template uses,
            wanted = self._c.params(template)  # neutral when written without the person's
            labels = {
                name: key
                for name, key in (NEUTRAL_LABELS | labels).items()
                if name in wanted or name not in NEUTRAL_LABELS
            }
        for name, key in labels.items():
            values[name] = self._c.plain(str(key))
        return [Reply(self._c.t(template, **values), choices=self._buttons(buttons))]

    @staticmethod
    def _count_down(
        template: str, values: dict[str, Any], countdown: Mapping[str, Any], now: datetime
    ) -> str:
        """The template and the time left (set in ``values``) as of ``now``.

        ``{"deadline": "2022-04-30", "today": T, "late": T}``: days left; on the day itself the
        ``today`` template (without ``days``), after it the ``late`` one with the days since.
        ``{"starts_at": ISO, "days": T}``: hours left, or days (the ``days`` template) from 24 h.
        """
        try:
            if "deadline" in countdown:
                days = days_until(date.fromisoformat(str(countdown["deadline"])), now)
                values["days"] = abs(days)
                if days == 0:  # "today is the last day": no number of days in it
                    values.pop("days")
                    template = str(countdown.get("today", template))
                elif days < 0:
                    template = str(countdown.get("late", template))
            elif "starts_at" in countdown:
                hours = hours_until(datetime.fromisoformat(str(countdown["starts_at"])), now)
                values["left"] = hours
                if hours >= 24:
                    values["left"] = days_of_hours(hours)
                    template = str(countdown.get("days", template))
        except (ValueError, TypeError) as error:
            raise CatalogError(f"malformed countdown: {error}") from error
        if not template.startswith("notify."):
            raise CatalogError(f"malformed countdown template: {template[:40]}")
        return template

    def _buttons(self, buttons: list[Any]) -> tuple[tuple[Choice, ...], ...]:
        row = []
        for button in buttons:
            if not isinstance(button, dict):
                raise CatalogError("malformed outbox button")
            data = str(button.get("data", ""))
            if not data or len(data.encode("utf-8")) > MAX_BYTES:
                raise CatalogError("outbox button without usable callback data")
            row.append(Choice(self._c.plain(str(button.get("label", ""))), data))
        return (tuple(row),) if row else ()

    # ------------------------------------------------------------------ digest
    def _names(self, key: str, names: Mapping[str, Any]) -> list[str]:
        count = int(names.get("count", 0))
        shown = [str(n) for n in names.get("names", [])]
        if not count:
            return []
        more = count - len(shown)
        listed = ", ".join(self._c.t("digest.name", name=n) for n in shown)
        if more > 0:
            listed += self._c.t("digest.more", count=more)
        return [self._c.t(key, count=count, names=Safe(listed))]

    def digest(self, data: Mapping[str, Any], now: datetime | None = None) -> list[Reply]:
        """A secretary's digest, split into parts that each fit one message; the days left are
        counted from ``now`` (local time) when given."""
        c = self._c
        days_left = int(data.get("days_left", 0))
        deadline_on = data.get("deadline_on")
        if isinstance(deadline_on, str) and now is not None:
            try:
                days_left = days_until(date.fromisoformat(deadline_on), now)
            except ValueError as error:
                raise CatalogError(f"malformed digest deadline: {error}") from error
        if days_left > 0:
            due = c.t("digest.days_left", deadline=data["deadline"], days=days_left)
        elif days_left == 0:
            due = c.t("digest.due_today", deadline=data["deadline"])
        else:
            due = c.t("digest.overdue", deadline=data["deadline"])
        unreachable = data.get("unreachable", {})
        lines: list[str] = [
            c.t(
                "digest.title", unit=data.get("unit") or c.plain("digest.everyone"), day=data["day"]
            ),
            due,
            c.t(
                "digest.counts",
                required=data["required"],
                submitted=data["submitted"],
                confirmed=data["confirmed"],
                returned=data.get("returned", {}).get("count", 0),
            ),
            c.t(
                "digest.reach",
                exempt=data["exempt"],
                not_linked=data["not_linked"],
                unreachable=unreachable.get("count", 0),
            ),
        ]
        lines += self._names("digest.missing", data.get("missing", {}))
        lines += self._names("digest.waiting", data.get("waiting", {}))
        lines += self._names("digest.returned", data.get("returned", {}))
        lines += self._names("digest.unreachable", unreachable)
        if data.get("unit") is not None:
            lines += self.meeting_lines(data)
        box = data.get("outbox")
        if isinstance(box, dict):
            lines.append(
                c.t(
                    "digest.outbox",
                    queued=box.get("queued", 0) + box.get("sending", 0),
                    sent=box.get("sent", 0),
                    failed=box.get("failed", 0),
                    expired=box.get("expired", 0),
                )
            )
        if not any(data.get(k, {}).get("count", 0) for k in ("missing", "returned")):
            lines.append(c.t("digest.all_done"))
        texts = split_parts(lines)
        if len(texts) > 1:
            texts = [
                f"{text}\n{c.t('digest.part', part=i, parts=len(texts))}"
                for i, text in enumerate(texts, start=1)
            ]
        return [Reply(Safe(text)) for text in texts]

    def meeting_lines(self, data: Mapping[str, Any]) -> list[str]:
        """The next meeting and the thematic-meeting flags of a digest."""
        c = self._c
        lines: list[str] = []
        meeting = data.get("meeting")
        if isinstance(meeting, dict):
            lines.append(
                c.t(
                    "digest.next_meeting",
                    kind=c.plain(f"label.meeting.{meeting['kind']}"),
                    when=meeting["when"],
                    place=meeting["place"],
                    topic=meeting["topic"],
                )
            )
        else:
            lines.append(c.t("digest.no_meeting"))
        gaps = [QUARTER_NAMES[q - 1] for q in data.get("quarters_without", []) if 1 <= q <= 4]
        if gaps:
            lines.append(c.t("digest.quarters_without", quarters=", ".join(gaps)))
        thematic = int(data.get("thematic", 0))
        if thematic < int(data.get("thematic_min", 2)):
            lines.append(
                c.t("digest.thematic_short", count=thematic, minimum=data.get("thematic_min", 2))
            )
        return lines
