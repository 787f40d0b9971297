"""Proactive messages as replies: outbox payloads, digests and the meetings list.

An outbox payload says what to show, not how: a catalog template with its values (plus catalog
keys for labels and buttons), or a digest's numbers and names. Rendering happens when it is sent,
so one payload serves every channel.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.domain.callbacks import MAX_BYTES
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

    def render(self, payload: Mapping[str, Any]) -> list[Reply]:
        """The messages of one outbox payload, in order; CatalogError if it is malformed."""
        digest = payload.get("digest")
        if isinstance(digest, dict):
            return self.digest(digest)
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
        for name, key in labels.items():
            values[name] = self._c.plain(str(key))
        return [Reply(self._c.t(template, **values), choices=self._buttons(buttons))]

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

    def digest(self, data: Mapping[str, Any]) -> list[Reply]:
        """A secretary's digest, split into parts that each fit one message."""
        c = self._c
        days_left = int(data.get("days_left", 0))
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
