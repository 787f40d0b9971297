"""Files as download links, for channels that cannot send documents (Zalo).

A link is ``<base>/d/<token>``: the token is random (256 bits), belongs to one person, expires
after LINK_DAYS and can be revoked. Only its SHA-256 is stored, so a copy of the database opens
no link. Each use is written to the audit log (the person and the file, never the token). An
unknown, expired or revoked token, or one whose person has left, finds nothing: the web server
answers 404 without saying which.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from bot.domain.audit import AuditAction
from bot.domain.models import Channel, Person
from bot.services.audit import AuditService
from bot.services.channels import Blocked
from bot.services.ports import Clock
from bot.services.replies import Attachment

TOKEN_BYTES = 32  # 256 bits; token_urlsafe writes them as 43 characters
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{43}")
LINK_PATH = "/d/"


@dataclass(frozen=True, slots=True)
class Download:
    """A file published for one person."""

    person_id: int
    attachment: Attachment


class NoPersonForChat(Blocked):
    """A link was asked for a chat no signed-in person owns: there is nobody to give it to."""


class LinkStore(Protocol):
    """Where published files are kept, under the hash of their token."""

    async def publish(
        self,
        token_hash: str,
        person_id: int,
        attachment: Attachment,
        *,
        now: datetime,
        expires_at: datetime,
    ) -> None: ...

    async def use(self, token_hash: str, now: datetime) -> Download | None: ...

    async def revoke_for(self, person_id: int, now: datetime) -> int: ...

    async def purge(self, now: datetime) -> int: ...


class ChatOwners(Protocol):
    """Who owns a chat on a channel."""

    async def person_for_chat(self, channel: Channel, chat_id: str) -> int | None: ...


class PersonLookup(Protocol):
    """People by id."""

    async def person(self, person_id: int) -> Person | None: ...


def well_shaped(token: str) -> bool:
    """True when ``token`` could be one ``publish`` made (checked before any database read)."""
    return TOKEN_SHAPE.fullmatch(token) is not None


def token_hash(token: str) -> str:
    """The hex SHA-256 a token is stored under."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


class DownloadService:
    """Publishes files for one person and hands them out by token."""

    def __init__(
        self, links: LinkStore, people: PersonLookup, audit: AuditService, lifetime: timedelta
    ) -> None:
        self._links = links
        self._people = people
        self._audit = audit
        self._lifetime = lifetime

    async def publish(self, person_id: int, attachment: Attachment, now: datetime) -> str:
        """Store ``attachment`` for ``person_id``; the new link's token (dropping dead links)."""
        await self._links.purge(now)
        token = secrets.token_urlsafe(TOKEN_BYTES)
        await self._links.publish(
            token_hash(token), person_id, attachment, now=now, expires_at=now + self._lifetime
        )
        return token

    async def fetch(self, token: str, now: datetime) -> Attachment | None:
        """The file behind ``token``, its use logged; None when unknown, expired, revoked or its
        person has left the roster."""
        if not well_shaped(token):
            return None
        found = await self._links.use(token_hash(token), now)
        if found is None:
            return None
        person = await self._people.person(found.person_id)
        if person is None or not person.active:
            return None
        name = found.attachment.filename
        await self._audit.record(person, AuditAction.DOWNLOAD, f"person:{person.id}", name)
        return found.attachment

    async def revoke_for(self, person_id: int, now: datetime) -> int:
        """Stop every link of ``person_id`` (e.g. when their account changes); how many."""
        return await self._links.revoke_for(person_id, now)

    async def purge(self, now: datetime) -> int:
        """Delete expired and revoked links with their files; how many."""
        return await self._links.purge(now)


class ChatLinks:
    """The ``Links`` a text-only channel takes: a file for a chat becomes its owner's link."""

    def __init__(
        self,
        downloads: DownloadService,
        owners: ChatOwners,
        base: str,
        clock: Clock,
        channel: Channel = Channel.ZALO,
    ) -> None:
        self._downloads = downloads
        self._owners = owners
        self._base = base.rstrip("/")
        self._clock = clock
        self._channel = channel

    async def link(self, chat_id: str, attachment: Attachment) -> str:
        """A URL at which the person in ``chat_id`` can fetch ``attachment``.

        Raises NoPersonForChat (a ``Blocked``: the caller treats it as an unreachable person)
        when nobody signed in owns the chat.
        """
        person_id = await self._owners.person_for_chat(self._channel, chat_id)
        if person_id is None:
            raise NoPersonForChat(f"no person owns {self._channel.value} chat {chat_id}")
        token = await self._downloads.publish(person_id, attachment, self._clock.now())
        return f"{self._base}{LINK_PATH}{token}"


def links_for(
    downloads: DownloadService,
    owners: ChatOwners,
    base: str,
    clock: Clock,
    channel: Channel = Channel.ZALO,
) -> ChatLinks:
    """The ``Links`` adapter of ``channel``: links start with ``base`` (PUBLIC_URL, or the web
    server's own address)."""
    return ChatLinks(downloads, owners, base, clock, channel)
