"""One-time link codes: a person's second channel signs in with a code made on the first."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.engine import Connection

from storage.base import Repository
from storage.tables import link_codes


class LinkCodeRepository(Repository):
    """One live code per person at most; spent once, dead after its time."""

    async def issue(self, person_id: int, code: str, now: datetime, expires_at: datetime) -> None:
        """Store ``code`` for ``person_id`` (their earlier codes stop working)."""

        def work(conn: Connection) -> None:
            conn.execute(delete(link_codes).where(link_codes.c.person_id == person_id))
            conn.execute(
                insert(link_codes).values(
                    code=code, person_id=person_id, created_at=now, expires_at=expires_at
                )
            )

        await self._db.write(work)

    async def owner(self, code: str, now: datetime) -> int | None:
        """The person a live, unspent ``code`` was made for."""
        query = select(link_codes.c.person_id).where(
            link_codes.c.code == code,
            link_codes.c.used_at.is_(None),
            link_codes.c.expires_at > now,
        )
        rows = await self._fetch(query)
        return rows[0]["person_id"] if rows else None

    async def spend(self, code: str, now: datetime) -> bool:
        """Spend a live ``code``; False when it was spent meanwhile or has expired."""
        rows = await self._write_one(
            update(link_codes)
            .where(
                link_codes.c.code == code,
                link_codes.c.used_at.is_(None),
                link_codes.c.expires_at > now,
            )
            .values(used_at=now)
            .returning(link_codes.c.person_id)
        )
        return bool(rows)
