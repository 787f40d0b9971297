"""Telegram's HTML parse mode, checked the way the Bot API does before it accepts a message.

Used by the fake Bot API (to refuse what Telegram refuses) and by broadcasts (to check an admin's
text before it is queued for thousands of people).
"""

from __future__ import annotations

import html
import re

_TAG = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^<>]*)?)\s*(/?)>")
_ENTITY = re.compile(r"&(lt|gt|amp|quot|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});")
_NEAR_ENTITY = re.compile(r"&[^\s;&<]{0,10};?")
_HREF = re.compile(r"""\bhref\s*=\s*(["'])(.*?)\1""", re.S)
_ALLOWED = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a"}
    | {"code", "pre", "blockquote", "tg-emoji"}
)


class EntityError(ValueError):
    """The text is not valid Telegram HTML; the message mirrors the Bot API's description.

    ``code`` names the problem for a person (a catalog message ``broadcast.error.html.<code>``)
    and ``near`` is the piece of the text it is about (a tag, an entity, a few characters).
    """

    def __init__(self, description: str, code: str, near: str) -> None:
        super().__init__(description)
        self.code = code
        self.near = near


def _fail(problem: str, text: str, pos: int, code: str, near: str = "") -> EntityError:
    offset = len(text[:pos].encode("utf-8"))
    near = near or text[pos : pos + 12]
    return EntityError(f"Can't parse entities: {problem} at byte offset {offset}", code, near)


def parse_html(text: str) -> str:
    """Return the plain text Telegram would show, or raise EntityError like the Bot API."""
    out: list[str] = []
    stack: list[str] = []
    pos = 0
    while pos < len(text):
        ch = text[pos]
        if ch == "<":
            match = _TAG.match(text, pos)
            if match is None:
                raise _fail("unexpected '<'", text, pos, "unexpected_lt")
            closing, name, attrs, _ = match.groups()
            name = name.lower()
            if name not in _ALLOWED:
                raise _fail(f'unsupported start tag "{name}"', text, pos, "unsupported_tag", name)
            if closing:
                if not stack or stack[-1] != name:
                    raise _fail(f'unmatched end tag "{name}"', text, pos, "unmatched_end_tag", name)
                stack.pop()
            elif name == "a" and not _HREF.search(attrs):
                raise _fail("a tag without href", text, pos, "no_href", match.group(0))
            elif name == "span" and "tg-spoiler" not in attrs:
                raise _fail('unsupported start tag "span"', text, pos, "bare_span", match.group(0))
            else:
                stack.append(name)
            pos = match.end()
        elif ch == "&":
            match = _ENTITY.match(text, pos)
            if match is None:
                near = _NEAR_ENTITY.match(text, pos)
                raise _fail(
                    "unsupported HTML entity",
                    text,
                    pos,
                    "unsupported_entity",
                    near.group(0) if near else "&",
                )
            out.append(html.unescape(match.group(0)))
            pos = match.end()
        else:
            out.append(ch)
            pos += 1
    if stack:
        description = f'Can\'t find end tag corresponding to start tag "{stack[-1]}"'
        raise EntityError(description, "unclosed_tag", stack[-1])
    return "".join(out)


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units): an emoji outside the BMP counts two."""
    return len(text.encode("utf-16-le")) // 2


def utf16_prefix(text: str, limit: int) -> str:
    """The longest start of ``text`` within ``limit`` UTF-16 code units (never half an emoji)."""
    if utf16_len(text) <= limit:
        return text
    used = 0
    for index, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > limit:
            return text[:index]
    return text
