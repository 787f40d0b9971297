"""Zalo as a channel port: plain texts of at most 2000 characters, no buttons, no documents.

A reply's choices become numbered lines (``without_buttons``; the typed number or label is read
back by ``typed_press``), its Telegram HTML becomes plain text, a long text is sent in numbered
parts cut at line breaks, a picture is sent by URL and a document as a download link; both URLs
come from the injected ``Links`` (our own HTTPS server: random, per person, expiring). The
persistent menu and the share-my-number button have no Zalo form and are left out.
"""

from __future__ import annotations

import html
import logging
import re
from collections.abc import Callable
from typing import Protocol

from bot.domain.models import Channel
from bot.domain.telegram_html import EntityError, parse_html
from bot.locales import Catalog
from bot.services.channels import (
    Capabilities,
    ChannelError,
    Formatting,
    Sent,
    TextUnit,
    without_buttons,
)
from bot.services.ports import Clock, OfferStore
from bot.services.replies import Attachment, Choice, Reply
from handlers.zalo.client import ZaloClient

ZALO = Capabilities(
    max_text=2000,  # "1 to 2000 characters" (ZALO.md); counted as code points: a guess, see unit
    unit=TextUnit.CHARACTERS,
    buttons=False,
    documents=False,
    contact_sharing=False,
    formatting=Formatting.PLAIN,
)
# Zalo's chat ids are strings of hex digits ("6ede9afa66b88fe6d6a9"); letters and digits allowed.
CHAT_ID = re.compile(r"[0-9A-Za-z]{1,64}")
_LINK = re.compile(r"""<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>(.*?)</a>""", re.S | re.I)
_TAG = re.compile(r"<[^<>]*>")

log = logging.getLogger(__name__)
Length = Callable[[str], int]
Frame = Callable[[str, int, int], str]  # (part, its number, how many) -> the text sent


class Offers(Protocol):
    """Where the choices last shown in a chat are kept (``OfferStore`` of one channel, at the
    clock's time)."""

    async def remember(self, chat_id: str, choices: list[Choice]) -> None:
        """Keep ``choices`` as the ones last shown in ``chat_id``."""
        ...


class ChatOffers:
    """``Offers`` on the store: the choices of a Zalo chat at the clock's time."""

    def __init__(self, store: OfferStore, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def remember(self, chat_id: str, choices: list[Choice]) -> None:
        """Keep ``choices`` as the ones last shown in ``chat_id``."""
        await self._store.offer(Channel.ZALO, chat_id, choices, self._clock.now())


class Links(Protocol):
    """Where a file is published for one person to download."""

    async def link(self, chat_id: str, attachment: Attachment) -> str:
        """A URL at which the person in ``chat_id`` can fetch ``attachment``."""
        ...


def plain_text(text: str) -> str:
    """Telegram HTML as plain text: tags stripped, entities decoded, a link's URL kept."""

    def link(match: re.Match[str]) -> str:
        href, label = match.group(2), match.group(3)
        return label if _TAG.sub("", label) == href else f"{label} ({href})"

    text = _LINK.sub(link, text)
    try:
        return parse_html(text)
    except EntityError:  # not Telegram's HTML after all: strip what looks like tags
        return html.unescape(_TAG.sub("", text))


def _hard_cut(word: str, budget: int, length: Length) -> list[str]:
    """A word longer than a whole message, in pieces (the only cut inside a word)."""
    pieces: list[str] = []
    current = ""
    for char in word:
        if current and length(current + char) > budget:
            pieces.append(current)
            current = ""
        current += char
    return [*pieces, current] if current else pieces


def _segments(line: str, budget: int, length: Length) -> list[str]:
    """``line`` in pieces of at most ``budget``, cut at spaces."""
    if length(line) <= budget:
        return [line]
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        candidate = f"{current} {word}" if current else word
        if length(candidate) <= budget:
            current = candidate
            continue
        if current:
            pieces.append(current)
        if length(word) <= budget:
            current = word
        else:
            *whole, current = _hard_cut(word, budget, length) or [""]
            pieces.extend(whole)
    if current:
        pieces.append(current)
    return pieces


def _pieces(text: str, budget: int, length: Length) -> list[str]:
    """``text`` in pieces of at most ``budget``, cut at line breaks (else at spaces)."""
    pieces: list[str] = []
    current: str | None = None
    for line in text.split("\n"):
        for segment in _segments(line, budget, length):
            candidate = segment if current is None else f"{current}\n{segment}"
            if length(candidate) <= budget:
                current = candidate
            else:
                if current is not None:
                    pieces.append(current)
                current = segment
    if current is not None:
        pieces.append(current)
    return [piece.strip("\n") for piece in pieces if piece.strip()]


def split_text(text: str, limit: int, length: Length, frame: Frame) -> list[str]:
    """``text`` as messages of at most ``limit``; several are each framed with their number."""
    text = text.strip()
    if not text:
        return []
    if length(text) <= limit:
        return [text]
    total = 2
    while True:  # the frame's size depends on how many parts there are
        budget = limit - length(frame("", total, total))
        if budget < 1:
            raise ValueError(f"the part frame leaves no room in {limit} characters")
        pieces = _pieces(text, budget, length)
        if len(pieces) <= total:
            return [frame(piece, n, len(pieces)) for n, piece in enumerate(pieces, start=1)]
        total = len(pieces)


WORDINGS = "zalo.wording."  # [zalo.wording.<name>] telegram = "…", zalo = "…"
COMMAND_WORDS = "zalo.command."  # [zalo.command] <command> = the word typed on Zalo


def wordings(catalog: Catalog) -> list[tuple[str, str]]:
    """The catalog's (Telegram phrase, Zalo phrase) pairs, the longest phrase first (so
    "bấm một nút bên dưới (hoặc …)" is taken before "bấm một nút bên dưới")."""
    names = {
        key.removeprefix(WORDINGS).rpartition(".")[0]
        for key in sorted(catalog.keys())
        if key.startswith(WORDINGS)
    }
    pairs = [
        (catalog.plain(f"{WORDINGS}{name}.telegram"), catalog.plain(f"{WORDINGS}{name}.zalo"))
        for name in names
        if name and catalog.has(f"{WORDINGS}{name}.telegram")
    ]
    return sorted(pairs, key=lambda pair: (-len(pair[0]), pair[0]))


def _case_of(found: str, replacement: str) -> str:
    """``replacement`` starting upper case when ``found`` did."""
    if found[:1].isupper():
        return replacement[:1].upper() + replacement[1:]
    return replacement[:1].lower() + replacement[1:]


def _same_case_sub(old: str, new: str, text: str) -> str:
    """``text`` with ``old`` (its first letter in either case) replaced by ``new`` in the case
    of what was found."""
    first = re.escape(old[:1].lower()) + re.escape(old[:1].upper())
    pattern = f"[{first}]{re.escape(old[1:])}"
    return re.sub(pattern, lambda m: _case_of(m.group(0), new), text)


class ZaloChannel:
    """Delivers replies through a ``ZaloClient``."""

    def __init__(
        self,
        client: ZaloClient,
        links: Links,
        catalog: Catalog,
        capabilities: Capabilities = ZALO,
        offers: Offers | None = None,
    ) -> None:
        self._client = client
        self._links = links
        self._catalog = catalog
        self._capabilities = capabilities
        self._offers = offers
        self._wordings = wordings(catalog)
        self._menu_words = [
            (catalog.plain(f"menu.{key.removeprefix(COMMAND_WORDS)}"), catalog.plain(key))
            for key in sorted(catalog.keys())
            if key.startswith(COMMAND_WORDS)
        ]

    @property
    def channel(self) -> Channel:
        """Zalo."""
        return Channel.ZALO

    @property
    def capabilities(self) -> Capabilities:
        """Plain text, 2000 characters a message; no buttons, documents or contact sharing."""
        return self._capabilities

    def addressable(self, chat_id: str) -> bool:
        """Zalo's chat ids are non-empty strings of letters and digits."""
        return CHAT_ID.fullmatch(chat_id) is not None

    def split(self, text: str) -> list[str]:
        """``text`` as the messages it takes, numbered "(1/2)" when there are several."""
        caps = self._capabilities

        def frame(part: str, index: int, total: int) -> str:
            return self._catalog.plain("zalo.part", text=part, index=index, total=total)

        return split_text(text, caps.max_text, caps.length, frame)

    def reworded(self, text: str) -> str:
        """``text`` as said where there is nothing to press: the catalog's Zalo wordings of
        whole phrases first ("bấm một nút bên dưới" -> "gõ số thứ tự của một mục bên dưới"),
        a menu button named becomes its word to type ("bấm «📝 Kế hoạch của tôi»" -> "gõ «kế
        hoạch»": Zalo has no menu), and any other "bấm «✅ Xong»" -> "chọn «✅ Xong»" (the
        choices are numbered lines, chosen by typing)."""
        for old, new in self._wordings:
            text = _same_case_sub(old, new, text)
        press, choose = self._catalog.plain("zalo.press"), self._catalog.plain("zalo.choose")
        for label, word in self._menu_words:
            typed = self._catalog.plain("zalo.typed.word", word=word)
            for verb in (press, choose):
                text = _same_case_sub(f"{verb} «{label}»", typed, text)
        pattern = rf"\b[{press[:1].upper()}{press[:1]}]{re.escape(press[1:])}\b"
        return re.sub(pattern, lambda m: _case_of(m.group(0), choose), text)

    async def text_of(self, chat_id: str, reply: Reply) -> str:
        """The plain text ``reply`` becomes: its choices numbered, its document a link."""
        text = self.reworded(plain_text(without_buttons(reply).text).strip())
        if reply.document is not None:
            url = await self._links.link(chat_id, reply.document)
            line = self._catalog.plain("zalo.document", name=reply.document.filename, url=url)
            if reply.document.caption:  # what the file is, above its link
                line = f"{plain_text(reply.document.caption).strip()}\n{line}"
            text = f"{text}\n\n{line}" if text else line
        return text

    async def deliver(self, chat_id: str, reply: Reply) -> list[Sent]:
        """Send ``reply`` to ``chat_id``: a picture first (the text as its caption when it fits),
        then the text in as many messages as it takes.

        A reply that still has its choices (the outbox's: a reminder's "📝 Làm tiếp"; a turn
        of the conversation numbers and remembers its own) has them remembered for the chat
        first, so the number typed next is that press and not one of an older screen."""
        if reply.choices and self._offers is not None:
            await self._offers.remember(chat_id, [c for row in reply.choices for c in row])
        text = await self.text_of(chat_id, reply)
        sent: list[Sent] = []
        if reply.photo is not None:
            url = await self._links.link(chat_id, reply.photo)
            fits = bool(text) and self._capabilities.length(text) <= self._capabilities.max_text
            caption = text if fits else None
            sent.append(Sent(await self._client.send_photo(chat_id, url, caption)))
            if caption is not None:
                return sent
        for part in self.split(text):
            sent.append(Sent(await self._client.send_message(chat_id, part)))
        return sent

    async def typing(self, chat_id: str) -> None:
        """Show "typing..." while a reply is being prepared."""
        await self._client.send_chat_action(chat_id, "typing")

    async def working(self, chat_id: str) -> None:
        """ "typing…" while a document is made (Zalo has no "sending a file"); a refusal or a
        quota answer only loses the indicator, so it is logged, not raised."""
        try:
            await self.typing(chat_id)
        except ChannelError as error:
            log.info("zalo: no typing indicator for a chat: %s", type(error).__name__)
