"""The study library: what a material is, who may see it, and what an admin may add.

A material is a stored file (PDF, Word, a picture …) or a link (http/https only). Its audience is
everyone, the party members, or one unit with the units under it. Every outside value (a title,
a kind, a URL, a file's name and bytes) is checked here before anything is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import PurePath
from urllib.parse import urlsplit

from bot.domain.broadcast import Audience as BroadcastAudience
from bot.domain.broadcast import AudienceError
from bot.domain.models import Category, Person, Role
from bot.domain.text import fold

PAGE_SIZE = 8  # materials on one page of the list
MAX_TITLE = 200
MAX_SUMMARY = 1000
MAX_NEWS = 4096  # a bản tin keeps its broadcast's whole text as its summary
NEWS_TITLE = 80  # a bản tin's title: its first line, cut to this
MAX_URL = 2000
MAX_FILE_BYTES = 50 * 1024 * 1024  # the Bot API's upload limit for a document
MAX_NAME = 255

# What a stored file may be: its suffix, and the first bytes such a file starts with.
_ZIP = (b"PK\x03\x04",)
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # .doc, .xls, .ppt of old Office
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".pptx": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".ppt": _OLE,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}


class MaterialKind(StrEnum):
    """What a material is for (the order of the list's kinds)."""

    YEAR_TOPIC = "nam"  # chuyên đề năm
    TERM_TOPIC = "toan_khoa"  # chuyên đề toàn khóa
    DIRECTIVE = "chi_dao"  # văn bản chỉ đạo
    REFERENCE = "tham_khao"  # tài liệu tham khảo
    NEWS = "ban_tin"  # bản tin: a broadcast kept for who missed it (issue 18 §3)


class Audience(StrEnum):
    """Who a material is for."""

    EVERYONE = "all"
    PARTY = "party"  # party members only
    UNIT = "unit"  # one unit and the units under it


class LibraryError(ValueError):
    """An input the library refuses; ``code`` names the catalog message ``library.error.<code>``."""

    def __init__(self, code: str, detail: str = "") -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Material:
    """One study material (never its bytes)."""

    id: int
    title: str
    summary: str
    year: int
    kind: MaterialKind
    audience: Audience
    unit_path: str  # the unit of a UNIT audience, else ""
    file_name: str | None  # a stored file's name, or None for a link
    url: str | None  # a link's address, or None for a stored file
    file_id: str | None  # Telegram's id of the stored file once it was uploaded
    added_by: str  # who added it (a name, or the command line)
    added_at: datetime


@dataclass(frozen=True, slots=True)
class NewMaterial:
    """A material as checked, ready to store: a file (name and bytes) or a link."""

    title: str
    summary: str
    year: int
    kind: MaterialKind
    audience: Audience
    unit_path: str = ""
    file_name: str | None = None
    data: bytes | None = None
    url: str | None = None
    file_id: str | None = None  # a file sent in the chat: Telegram has it, the bot has no bytes


def _clean(value: str) -> str:
    return " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())


def check_title(value: str) -> str:
    """A title, tidied; LibraryError when empty or too long."""
    title = _clean(value)
    if not title:
        raise LibraryError("title_empty")
    if len(title) > MAX_TITLE:
        raise LibraryError("title_long", str(MAX_TITLE))
    return title


def check_summary(value: str) -> str:
    """A short summary (may be empty); LibraryError when too long."""
    summary = _clean(value)
    if len(summary) > MAX_SUMMARY:
        raise LibraryError("summary_long", str(MAX_SUMMARY))
    return summary


_KIND_WORDS = {
    "nam": MaterialKind.YEAR_TOPIC,
    "chuyen de nam": MaterialKind.YEAR_TOPIC,
    "toan khoa": MaterialKind.TERM_TOPIC,
    "chuyen de toan khoa": MaterialKind.TERM_TOPIC,
    "chi dao": MaterialKind.DIRECTIVE,
    "van ban chi dao": MaterialKind.DIRECTIVE,
    "tham khao": MaterialKind.REFERENCE,
    "tai lieu tham khao": MaterialKind.REFERENCE,
}


def kind_named(value: str) -> MaterialKind:
    """The kind ``value`` names (``nam``, ``toan-khoa``, ``văn bản chỉ đạo`` …)."""
    key = " ".join(fold(value).replace("-", " ").replace("_", " ").split())
    found = _KIND_WORDS.get(key)
    if found is None:
        raise LibraryError("bad_kind", value[:40])
    return found


def audience_named(value: str) -> tuple[Audience, str]:
    """The audience ``value`` names: ``all``/``tất cả``, ``party``/``đảng viên``, or
    ``unit:<path>`` (the path as in the roster); the unit's existence is checked by the caller."""
    head, sep, rest = value.partition(":")
    key = " ".join(fold(head).split())
    if sep and key in ("unit", "don vi"):
        path = " / ".join(part.strip() for part in rest.split("/") if part.strip())
        if not path:
            raise LibraryError("bad_audience", value[:60])
        return Audience.UNIT, path
    if not sep and key in ("all", "tat ca", "moi nguoi"):
        return Audience.EVERYONE, ""
    if not sep and key in ("party", "dang vien"):
        return Audience.PARTY, ""
    raise LibraryError("bad_audience", value[:60])


def check_url(value: str) -> str:
    """A link to an article or a video: http or https with a host, nothing else."""
    url = value.strip()
    if not url or len(url) > MAX_URL or any(not ch.isprintable() or ch.isspace() for ch in url):
        raise LibraryError("bad_url", url[:60])
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:
        raise LibraryError("bad_url", url[:60]) from None
    if parts.scheme.lower() not in ("http", "https") or not host:
        raise LibraryError("bad_url", url[:60])
    return url


def check_name(name: str) -> str:
    """A file's clean name, when its suffix is one the library takes (a file sent in the chat,
    whose bytes the bot does not hold)."""
    clean = _clean(PurePath(name.replace("\\", "/")).name)[:MAX_NAME] or "tai-lieu"
    if PurePath(clean).suffix.lower() not in SIGNATURES:
        raise LibraryError("bad_type", clean)
    return clean


def parse_caption(text: str) -> tuple[str, str, str]:
    """A chat upload's caption: the title on its first line, the kind on the second, the
    summary after (LibraryError when the title or the kind is missing)."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines:
        raise LibraryError("caption_missing")
    if len(lines) < 2:
        raise LibraryError("caption_kind")
    return lines[0], lines[1], " ".join(lines[2:])


def check_file(name: str, data: bytes) -> str:
    """A stored file's clean name; LibraryError when empty, too big, or not a document or
    picture (by its suffix and its first bytes: a renamed program is refused)."""
    clean = PurePath(name.replace("\\", "/")).name
    clean = _clean(clean)[:MAX_NAME] or "tai-lieu"
    suffix = PurePath(clean).suffix.lower()
    if suffix not in SIGNATURES:
        raise LibraryError("bad_type", clean)
    if not data:
        raise LibraryError("file_empty", clean)
    if len(data) > MAX_FILE_BYTES:
        raise LibraryError("file_too_big", clean)
    if not data.startswith(SIGNATURES[suffix]):
        raise LibraryError("bad_type", clean)
    return clean


def may_see(person: Person, material: Material) -> bool:
    """Whether ``material`` is for ``person`` (admins see every material)."""
    if not person.active:
        return False
    if person.has(Role.ADMIN) or material.audience is Audience.EVERYONE:
        return True
    if material.audience is Audience.PARTY:
        return person.category is Category.PARTY_MEMBER
    path = material.unit_path
    return person.unit_path == path or person.unit_path.startswith(f"{path} / ")


def meant_for(person: Person, material: Material) -> bool:
    """Whether ``material``'s audience takes in ``person`` (an admin's right to see every
    material aside: what the district report counts)."""
    if not person.active:
        return False
    if material.audience is Audience.EVERYONE:
        return True
    if material.audience is Audience.PARTY:
        return person.category is Category.PARTY_MEMBER
    path = material.unit_path
    return person.unit_path == path or person.unit_path.startswith(f"{path} / ")


def may_manage(person: Person) -> bool:
    """Whether ``person`` may add and remove materials (admins)."""
    return person.active and person.has(Role.ADMIN)


def may_follow(person: Person) -> bool:
    """Whether ``person`` may see who in their unit studied what (secretaries, heads)."""
    return person.active and (person.has(Role.SECRETARY) or person.has(Role.HEAD))


def ordered(materials: list[Material]) -> list[Material]:
    """Newest first (the same instant: the later id first)."""
    return sorted(materials, key=lambda m: (m.added_at, m.id), reverse=True)


def news_audience(audience: str, unit: str) -> tuple[Audience, str, bool]:
    """The library audience of a bản tin saved from a broadcast to ``audience`` within ``unit``
    ("" everyone): everyone, the party members, or the unit; ``False`` third when the
    broadcast's audience has no library equivalent (the bản tin is then for everyone in the
    unit, or everyone)."""
    try:  # the command line's words ("đảng viên", "tất cả" …) as the broadcast reads them
        chosen = BroadcastAudience.parse(audience)
        kind, value = chosen.kind, chosen.value
    except AudienceError:
        kind, value = "", ""
    if (kind, value) == ("category", Category.PARTY_MEMBER.value) and not unit:
        return Audience.PARTY, "", True
    mapped = kind == "all"
    if unit:
        return Audience.UNIT, unit, mapped
    return Audience.EVERYONE, "", mapped


def news_title(plain: str, fallback: str) -> str:
    """A bản tin's title: the first non-empty line of its text, cut at ``NEWS_TITLE``."""
    first = next((_clean(line) for line in plain.splitlines() if _clean(line)), "")
    if not first:
        return fallback
    return first if len(first) <= NEWS_TITLE else first[: NEWS_TITLE - 1].rstrip() + "…"
