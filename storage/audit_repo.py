"""The audit log, and erasing a person on request."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import Insert, and_, delete, insert, select, text, update
from sqlalchemy.engine import Connection

from bot.domain.audit import AuditAction, AuditEntry
from bot.domain.digest import Forgotten
from bot.domain.inbox import LANE_PREFIXES, InboxStatus, lane_name
from bot.domain.models import Exemption
from bot.domain.outbox import scrub_names, scrub_payload
from bot.domain.plans import PlanStatus
from storage.base import Repository
from storage.tables import (
    accounts,
    audit,
    campaigns,
    chat_screens,
    exemplars,
    forgotten,
    inbox,
    library_items,
    outbox,
    people,
    plan_events,
    plans,
)


def _keep_counts(conn: Connection, person_id: int) -> None:
    """The person's standing in each campaign, without anything that names them, so the counts
    (required, handed in, confirmed, late, exempt) stay as they were."""
    found = conn.execute(
        select(people.c.unit_id, people.c.category, people.c.exemption).where(
            people.c.id == person_id
        )
    )
    unit_id, category, exemption = found.one()
    exempt = exemption != Exemption.NONE.value
    own = {
        campaign_id: (PlanStatus(status), bool(late))
        for campaign_id, status, late in conn.execute(
            select(plans.c.campaign_id, plans.c.status, plans.c.late).where(
                plans.c.person_id == person_id
            )
        )
    }
    rows = []
    for campaign_id in conn.execute(select(campaigns.c.id)).scalars():
        status, late = own.get(campaign_id, (None, False))
        if Forgotten.kept(exempt, status):
            rows.append(
                {
                    "campaign_id": campaign_id,
                    "unit_id": unit_id,
                    "category": category,
                    "exempt": exempt,
                    "status": status.value if status else None,
                    "late": late,
                }
            )
    if rows:
        conn.execute(insert(forgotten), rows)


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _scrub_others(conn: Connection, person_id: int, name: str) -> None:
    """Other people's messages (queued or sent) and plan histories that name the person: the
    name goes, or the whole message when it was only about them."""
    rows = conn.execute(
        select(outbox.c.id, outbox.c.payload).where(
            outbox.c.person_id != person_id, outbox.c.payload.contains(name, autoescape=True)
        )
    )
    for row_id, payload in rows.all():
        scrubbed = scrub_payload(json.loads(payload), name)
        if scrubbed is None:
            conn.execute(delete(outbox).where(outbox.c.id == row_id))
        else:
            conn.execute(
                update(outbox).where(outbox.c.id == row_id).values(payload=_dumps(scrubbed))
            )
    events = conn.execute(
        select(plan_events.c.id, plan_events.c.detail).where(
            plan_events.c.detail.contains(name, autoescape=True)
        )
    )
    for event_id, detail in events.all():
        conn.execute(
            update(plan_events)
            .where(plan_events.c.id == event_id)
            .values(detail=_dumps(scrub_names(json.loads(detail), name)))
        )


def _scrub_chats(conn: Connection, person_id: int, name: str) -> None:
    """What the chats keep of the person: the updates they sent (their inbox lanes: texts,
    the shared phone number), their chats' remembered screens, and any other chat's remembered
    screen or handled update that names them (a secretary's screen folded to their name)."""
    for channel, user_id, chat_id in conn.execute(
        select(accounts.c.channel, accounts.c.user_id, accounts.c.chat_id).where(
            accounts.c.person_id == person_id
        )
    ).all():
        if str(channel) in LANE_PREFIXES:
            conn.execute(delete(inbox).where(inbox.c.lane == lane_name(str(channel), user_id)))
        conn.execute(
            delete(chat_screens).where(
                and_(chat_screens.c.channel == channel, chat_screens.c.chat_id == chat_id)
            )
        )
    for column in ("folded", "before_folded"):  # such a screen keeps its text, loses its buttons
        conn.execute(
            update(chat_screens)
            .where(chat_screens.c[column].contains(name, autoescape=True))
            .values({column: ""})
        )
    conn.execute(  # a handled update only guards against a redelivery: it may go
        delete(inbox).where(
            and_(
                inbox.c.status != InboxStatus.TODO.value,
                inbox.c.body.contains(name, autoescape=True),
            )
        )
    )


def _entry(
    actor_id: int | None, actor: str, action: AuditAction, target: str, detail: str, now: datetime
) -> Insert:
    return insert(audit).values(
        at=now,
        actor_id=actor_id,
        actor=actor[:160],
        action=action.value,
        target=target[:200],
        detail=detail[:2000],
    )


def record(
    conn: Connection,
    *,
    actor_id: int | None,
    actor: str,
    action: AuditAction,
    target: str,
    detail: str,
    now: datetime,
) -> None:
    """Add one entry (in a unit of work)."""
    conn.execute(_entry(actor_id, actor, action, target, detail, now))


class AuditRepository(Repository):
    """Append to the audit log and read it back."""

    async def record(
        self,
        *,
        actor_id: int | None,
        actor: str,
        action: AuditAction,
        target: str,
        detail: str,
        now: datetime,
    ) -> None:
        """Add one entry."""
        entry = _entry(actor_id, actor, action, target, detail, now)
        await self._write_one(entry)

    async def entries(self, limit: int) -> list[AuditEntry]:
        """The latest entries, oldest of them first."""
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        rows = await self._fetch(query)
        return [
            AuditEntry(
                r["at"],
                r["actor_id"],
                r["actor"],
                AuditAction(r["action"]),
                r["target"],
                r["detail"],
            )
            for r in reversed(rows)
        ]

    async def forget(self, person_id: int, entry: dict[str, object], now: datetime) -> bool:
        """Delete the person and everything that is theirs (accounts, invites, plans, outbox,
        the updates they sent and their chats' screens), scrub their name from other people's
        messages, plan histories and remembered screens, keep their standing
        in each campaign without their name (``forgotten``: the counts stay true) and record the
        anonymous ``entry``, in one transaction; False if already gone.

        On SQLite the freed pages are zeroed (``secure_delete``, set on every connection) and
        the write-ahead log is then checkpointed and truncated, so the name, phone and answers
        are gone from the database files at once, while the bot runs.
        """

        def work(conn: Connection) -> bool:
            found = conn.execute(select(people.c.full_name).where(people.c.id == person_id))
            name = found.scalar_one_or_none()
            if name is None:
                return False
            conn.execute(  # their name goes from the log too; the entries stay
                update(audit).where(audit.c.actor_id == person_id).values(actor="-")
            )
            _scrub_others(conn, person_id, str(name))
            _scrub_chats(conn, person_id, str(name))
            conn.execute(  # the materials they added stay, without their name
                update(library_items)
                .where(library_items.c.added_by_id == person_id)
                .values(added_by="-")
            )
            conn.execute(  # so do the models they nominated; a model of them goes with them
                update(exemplars)
                .where(exemplars.c.nominated_by_id == person_id)
                .values(nominated_by="-")
            )
            _keep_counts(conn, person_id)
            result = conn.execute(delete(people).where(people.c.id == person_id))
            if result.rowcount != 1:
                return False
            conn.execute(insert(audit).values(at=now, **entry))
            return True

        if not await self._db.write(work):
            return False
        if self._db.dialect.name == "sqlite":
            await self._write_one(text("PRAGMA wal_checkpoint(TRUNCATE)"))
        return True
