"""Files published as download links: stored under the SHA-256 of their token, never the token."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update

from bot.domain.models import Channel
from bot.services.downloads import Download
from bot.services.replies import Attachment
from storage.base import Repository
from storage.tables import accounts, download_links


class LinkRepository(Repository):
    """One row per link: whose it is, the file, until when it works."""

    async def publish(
        self,
        token_hash: str,
        person_id: int,
        attachment: Attachment,
        *,
        now: datetime,
        expires_at: datetime,
    ) -> None:
        """Store ``attachment`` for ``person_id`` under ``token_hash`` until ``expires_at``."""
        await self._write_one(
            insert(download_links).values(
                token_hash=token_hash,
                person_id=person_id,
                filename=attachment.filename[:255],
                content=attachment.content,
                created_at=now,
                expires_at=expires_at,
                revoked_at=None,
                used_count=0,
            )
        )

    async def use(self, token_hash: str, now: datetime) -> Download | None:
        """The file under ``token_hash`` if it still works (counted as used), else None."""
        rows = await self._write_one(
            update(download_links)
            .where(
                download_links.c.token_hash == token_hash,
                download_links.c.expires_at > now,
                download_links.c.revoked_at.is_(None),
            )
            .values(used_count=download_links.c.used_count + 1)
            .returning(
                download_links.c.person_id, download_links.c.filename, download_links.c.content
            )
        )
        if not rows:
            return None
        row = rows[0]
        return Download(row["person_id"], Attachment(row["filename"], bytes(row["content"])))

    async def revoke_for(self, person_id: int, now: datetime) -> int:
        """Stop every working link of ``person_id`` (it expires now: the next purge deletes it);
        how many there were."""
        rows = await self._write_one(
            update(download_links)
            .where(
                download_links.c.person_id == person_id,
                download_links.c.revoked_at.is_(None),
                download_links.c.expires_at > now,
            )
            .values(revoked_at=now, expires_at=now)
            .returning(download_links.c.token_hash)
        )
        return len(rows)

    async def purge(self, now: datetime) -> int:
        """Delete the links (and their files) that expired or were revoked; how many."""
        rows = await self._write_one(
            delete(download_links)
            .where(download_links.c.expires_at <= now)
            .returning(download_links.c.token_hash)
        )
        return len(rows)

    async def person_for_chat(self, channel: Channel, chat_id: str) -> int | None:
        """The person whose account on ``channel`` has the chat ``chat_id`` (None: nobody, or
        more than one)."""
        query = (
            select(accounts.c.person_id)
            .where(accounts.c.channel == channel.value, accounts.c.chat_id == chat_id)
            .limit(2)
        )
        rows = await self._fetch(query)
        return rows[0]["person_id"] if len(rows) == 1 else None
