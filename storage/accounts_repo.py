"""Chat accounts, invite codes and failed sign-in attempts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, delete, func, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.exc import IntegrityError

from bot.domain.directory import InviteRow
from bot.domain.models import Channel, Invite, Person
from bot.services.ports import LinkConflict
from storage.base import Repository, person_query, to_person
from storage.tables import accounts, invites, people, signin_failures, units


class AccountRepository(Repository):
    """Who is linked on which channel, and the codes that link them."""

    async def person_for_account(self, channel: Channel, user_id: str) -> Person | None:
        """The person linked to this chat account, if any."""
        query = (
            person_query()
            .join(accounts, accounts.c.person_id == people.c.id)
            .where(accounts.c.channel == channel.value, accounts.c.user_id == user_id)
        )
        rows = await self._fetch(query)
        return to_person(rows[0]) if rows else None

    async def people_by_phone(self, phone: str) -> list[Person]:
        """Everyone whose roster phone is ``phone`` (normalised), active or not."""
        rows = await self._fetch(person_query().where(people.c.phone == phone))
        return [to_person(row) for row in rows]

    async def person(self, person_id: int) -> Person | None:
        """The person with this id."""
        rows = await self._fetch(person_query().where(people.c.id == person_id))
        return to_person(rows[0]) if rows else None

    async def chat_of(self, channel: Channel, person_id: int) -> str | None:
        """The chat id to reach ``person_id`` on ``channel``."""
        query = select(accounts.c.chat_id).where(
            accounts.c.channel == channel.value, accounts.c.person_id == person_id
        )
        rows = await self._fetch(query)
        return rows[0]["chat_id"] if rows else None

    async def mark_reachable(self, channel: Channel, user_id: str) -> None:
        """The account wrote to the bot again: it is no longer blocked."""
        await self._write_one(
            update(accounts)
            .where(
                accounts.c.channel == channel.value,
                accounts.c.user_id == user_id,
                accounts.c.blocked_at.is_not(None),
            )
            .values(blocked_at=None)
        )

    async def invite(self, code: str) -> Invite | None:
        """The invite with this canonical code."""
        rows = await self._fetch(select(invites).where(invites.c.code == code))
        if not rows:
            return None
        row = rows[0]
        return Invite(code=row["code"], person_id=row["person_id"], used=row["used_at"] is not None)

    async def link(
        self,
        channel: Channel,
        user_id: str,
        chat_id: str,
        person_id: int,
        *,
        method: str,
        now: datetime,
        invite_code: str | None = None,
    ) -> str | None:
        """Link the account to the person; return the chat id of the account it replaced, if any.

        Raises LinkConflict, linking nothing, when the invite was spent or the account or person
        was linked by a concurrent transaction. Every unused invite of the person is spent: a
        code handed out earlier cannot take over later.
        """
        try:

            def work(conn: Connection) -> str | None:
                if invite_code is not None:
                    spent = conn.execute(
                        update(invites)
                        .where(invites.c.code == invite_code, invites.c.used_at.is_(None))
                        .values(used_at=now, used_by=user_id)
                    )
                    if spent.rowcount != 1:
                        raise LinkConflict(invite_code)
                conn.execute(
                    update(invites)
                    .where(invites.c.person_id == person_id, invites.c.used_at.is_(None))
                    .values(used_at=now, used_by="")
                )
                previous = conn.execute(
                    select(accounts.c.chat_id).where(
                        accounts.c.channel == channel.value,
                        accounts.c.person_id == person_id,
                        accounts.c.user_id != user_id,
                    )
                ).scalar_one_or_none()
                conn.execute(
                    delete(accounts).where(
                        accounts.c.channel == channel.value,
                        (accounts.c.person_id == person_id) | (accounts.c.user_id == user_id),
                    )
                )
                conn.execute(
                    insert(accounts).values(
                        channel=channel.value,
                        user_id=user_id,
                        chat_id=chat_id,
                        person_id=person_id,
                        method=method,
                        linked_at=now,
                    )
                )
                conn.execute(  # the channel just linked is where they are now
                    update(people)
                    .where(people.c.id == person_id)
                    .values(notify_channel=channel.value)
                )
                return previous

            return await self._db.write(work)
        except IntegrityError as exc:
            raise LinkConflict(str(person_id)) from exc

    async def record_failure(self, channel: Channel, user_id: str, now: datetime) -> None:
        """Remember one wrong invite code typed by this account."""

        await self._write_one(
            insert(signin_failures).values(channel=channel.value, user_id=user_id, at=now)
        )

    async def count_failures(self, channel: Channel, user_id: str, since: datetime) -> int:
        """Wrong codes typed by this account since ``since``."""
        query = select(func.count().label("n")).where(
            signin_failures.c.channel == channel.value,
            signin_failures.c.user_id == user_id,
            signin_failures.c.at >= since,
        )
        return int((await self._fetch(query))[0]["n"])

    async def issue_invites(self, codes: dict[int, str], now: datetime) -> None:
        """Store one new code per person id, spending the person's older unused codes."""
        if not codes:
            return

        def work(conn: Connection) -> None:
            ids = list(codes)
            for start in range(0, len(ids), 500):
                conn.execute(
                    update(invites)
                    .where(
                        invites.c.person_id.in_(ids[start : start + 500]),
                        invites.c.used_at.is_(None),
                    )
                    .values(used_at=now, used_by="")
                )
            conn.execute(
                insert(invites),
                [
                    {"code": code, "person_id": pid, "created_at": now}
                    for pid, code in codes.items()
                ],
            )

        await self._db.write(work)

    async def people_needing_invites(self, unit_ids: Sequence[int] | None) -> list[Person]:
        """Active people with no linked account on any channel and no unused invite."""
        linked = select(accounts.c.person_id)
        pending = select(invites.c.person_id).where(invites.c.used_at.is_(None))
        query = person_query().where(
            people.c.active.is_(True), people.c.id.not_in(linked), people.c.id.not_in(pending)
        )
        if unit_ids is not None:
            query = query.where(people.c.unit_id.in_(unit_ids))
        return [to_person(row) for row in await self._fetch(query)]

    async def open_invites(self, unit_ids: Sequence[int] | None) -> list[InviteRow]:
        """Unused invites of active people, ordered by unit and name."""
        query = (
            select(
                invites.c.code, people.c.code.label("person_code"), people.c.full_name, units.c.path
            )
            .join(people, and_(people.c.id == invites.c.person_id, people.c.active.is_(True)))
            .join(units, units.c.id == people.c.unit_id)
            .where(invites.c.used_at.is_(None))
            .order_by(units.c.path, people.c.full_name)
        )
        if unit_ids is not None:
            query = query.where(people.c.unit_id.in_(unit_ids))
        return [
            InviteRow(
                code=r["code"],
                person_code=r["person_code"],
                full_name=r["full_name"],
                unit_path=r["path"],
            )
            for r in await self._fetch(query)
        ]

    async def reach(self, person_id: int) -> tuple[Channel | None, tuple[Channel, ...]]:
        """Where the person's messages go, and every channel they have linked."""
        linked = select(accounts.c.channel).where(accounts.c.person_id == person_id)
        chosen = select(people.c.notify_channel).where(people.c.id == person_id)
        channels = tuple(sorted(Channel(row["channel"]) for row in await self._fetch(linked)))
        rows = await self._fetch(chosen)
        notify = rows[0]["notify_channel"] if rows else None
        return (Channel(notify) if notify in set(Channel) else None), channels

    async def choose_channel(self, person_id: int, channel: Channel) -> bool:
        """Send the person's messages on ``channel``; False when they have no account there."""
        has = select(accounts.c.person_id).where(
            accounts.c.person_id == person_id, accounts.c.channel == channel.value
        )
        rows = await self._write_one(
            update(people)
            .where(people.c.id == person_id, has.exists())
            .values(notify_channel=channel.value)
            .returning(people.c.id)
        )
        return bool(rows)
