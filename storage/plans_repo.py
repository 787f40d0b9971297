"""Campaigns, plans (with their conversation state) and plan history."""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Update, bindparam, func, insert, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError

from bot.domain.engine import Draft
from bot.domain.models import Category, Channel, Person
from bot.domain.pending import Pending, parse_pending
from bot.domain.plans import Campaign, Confirmation, DeskRow, Plan, PlanStatus
from bot.domain.schedule import Schedule
from storage.base import Repository, person_query, to_person
from storage.tables import (
    accounts,
    campaigns,
    form_versions,
    pending_inputs,
    people,
    plan_events,
    plans,
    units,
)

PEOPLE_CHUNK = 500  # person ids per query (SQLite's bound parameters stay well under its limit)


@dataclass(frozen=True, slots=True)
class PlanEvent:
    """One entry of a plan's history."""

    at: datetime
    actor_id: int | None
    kind: str
    detail: Mapping[str, Any]


def _dumps(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=64)
def _schedule(text: str) -> Schedule:
    return Schedule.model_validate_json(text or "{}")


def _campaign(row: Mapping[str, Any] | RowMapping) -> Campaign:
    forms = {Category(k): v for k, v in json.loads(row["forms"]).items()}
    return Campaign(
        id=row["id"],
        year=row["year"],
        title=row["title"],
        deadline=row["deadline"],
        place=row["place"],
        forms=forms,
        schedule=_schedule(row["schedule"]),
        opened_at=row["created_at"],
    )


def _plan(row: Mapping[str, Any] | RowMapping) -> Plan:
    draft = Draft(
        answers=json.loads(row["answers"]),
        position=row["position"],
        returning=bool(row["back_to_review"]),
        buffer=row["buffer"],
        paused=bool(row["paused"]),
        last_input=row["last_input"] or "",
        proxied=tuple(k for k in (row["proxy_keys"] or "").split(",") if k),
        proxy_by=row["proxy_by"],
    )
    return Plan(
        id=row["id"],
        person_id=row["person_id"],
        campaign_id=row["campaign_id"],
        form_id=row["form_id"],
        form_version=row["form_version"],
        status=PlanStatus(row["status"]),
        draft=draft,
        rev=row["rev"],
        late=bool(row["late"]),
        voluntary=bool(row["voluntary"]),
        return_comment=row["return_comment"],
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
    )


def _draft_values(draft: Draft) -> dict[str, Any]:
    return {
        "answers": _dumps(dict(draft.answers)),
        "position": draft.position,
        "back_to_review": draft.returning,
        "buffer": draft.buffer,
        "paused": draft.paused,
        "last_input": draft.last_input,
        "proxy_keys": ",".join(draft.proxied)[:400],
        "proxy_by": draft.proxy_by,
    }


# Built once: the hottest query (every message and button press) skips statement construction.
_VISIT = (
    person_query()
    .add_columns(
        *(column.label(f"c_{column.name}") for column in campaigns.c),
        *(column.label(f"plan_{column.name}") for column in plans.c),
        pending_inputs.c.purpose.label("pending_purpose"),
    )
    .join(accounts, accounts.c.person_id == people.c.id)
    .outerjoin(pending_inputs, pending_inputs.c.person_id == people.c.id)
    .outerjoin(campaigns, campaigns.c.active.is_(True))
    .outerjoin(plans, (plans.c.campaign_id == campaigns.c.id) & (plans.c.person_id == people.c.id))
    .where(accounts.c.channel == bindparam("channel"), accounts.c.user_id == bindparam("user_id"))
    .order_by(campaigns.c.id.desc())
    .limit(1)
)


# The columns a draft is stored in: derived from ``_draft_values`` so a new one cannot be left out
# of the prebuilt save below.
DRAFT_COLUMNS = tuple(_draft_values(Draft()))

# Built once: every typed answer and button press saves the draft with it. Built per save, the
# UPDATE cost more CPU than the rest of the update's work in this process (its construction and
# then its cache key, each time); bound parameters keep one statement and one compiled form.
_SAVE_DRAFT = (
    update(plans)
    .where(plans.c.id == bindparam("b_id"), plans.c.rev == bindparam("b_rev"))
    .values(
        rev=bindparam("b_next_rev"),
        updated_at=bindparam("b_now"),
        **{name: bindparam(f"b_{name}") for name in DRAFT_COLUMNS},
    )
    .returning(*plans.c)
)


# Built once, like the two above: asked for when a form starts, at the review, and for last
# year's answers; built per call, each paid for its construction and its cache key.
_ACTIVE = (
    select(campaigns).where(campaigns.c.active.is_(True)).order_by(campaigns.c.id.desc()).limit(1)
)
_CURRENT = (
    select(campaigns, *(column.label(f"plan_{column.name}") for column in plans.c))
    .outerjoin(
        plans,
        (plans.c.campaign_id == campaigns.c.id) & (plans.c.person_id == bindparam("b_person")),
    )
    .where(campaigns.c.active.is_(True))
    .order_by(campaigns.c.id.desc())
    .limit(1)
)
_OF_YEAR = select(campaigns).where(campaigns.c.year == bindparam("b_year"))
_PLAN_OF = select(plans).where(
    plans.c.person_id == bindparam("b_person"), plans.c.campaign_id == bindparam("b_campaign")
)
# A new plan and its row in one statement (the columns the database fills in come back too).
_CREATE = (
    insert(plans)
    .values(
        person_id=bindparam("b_person"),
        campaign_id=bindparam("b_campaign"),
        form_id=bindparam("b_form"),
        form_version=bindparam("b_version"),
        status=PlanStatus.DRAFT.value,
        rev=1,
        late=False,
        voluntary=bindparam("b_voluntary"),
        return_comment="",
        created_at=bindparam("b_now"),
        updated_at=bindparam("b_now"),
        **{name: bindparam(f"b_{name}") for name in DRAFT_COLUMNS},
    )
    .returning(*plans.c)
)
# The names a visit's and a current plan's row carry a campaign's and a plan's columns under.
_CAMPAIGN_KEYS = tuple((column.name, f"c_{column.name}") for column in campaigns.c)
_PLAN_KEYS = tuple((column.name, f"plan_{column.name}") for column in plans.c)


def _update_statement(plan: Plan, now: datetime, values: dict[str, Any]) -> Update:
    """Change the plan only if it is still at ``plan.rev`` (optimistic), returning the new row."""
    return (
        update(plans)
        .where(plans.c.id == plan.id, plans.c.rev == plan.rev)
        .values(rev=plan.rev + 1, updated_at=now, **values)
        .returning(*plans.c)
    )


class PlanRepository(Repository):
    """Plans and campaigns."""

    async def active_campaign(self) -> Campaign | None:
        """The campaign now open, if any."""
        rows = await self._fetch(_ACTIVE)
        return _campaign(rows[0]) if rows else None

    async def set_campaign(
        self,
        *,
        year: int,
        title: str,
        deadline: date,
        place: str,
        forms: Mapping[Category, str],
        now: datetime,
        schedule: Schedule | None = None,
    ) -> Campaign:
        """Create or update the campaign of ``year`` and make it the only active one.

        Without ``schedule`` a new campaign gets the default reminder rules and an existing one
        keeps its own.
        """
        values: dict[str, Any] = {
            "title": title,
            "deadline": deadline,
            "place": place,
            "forms": _dumps({k.value: v for k, v in forms.items()}),
            "active": True,
        }
        if schedule is not None:
            values["schedule"] = schedule.model_dump_json()

        def work(conn: Connection) -> Campaign:
            conn.execute(update(campaigns).values(active=False))
            existing = conn.execute(
                select(campaigns.c.id).where(campaigns.c.year == year)
            ).scalar_one_or_none()
            if existing is None:
                values.setdefault("schedule", Schedule().model_dump_json())
                conn.execute(insert(campaigns).values(year=year, created_at=now, **values))
            else:
                conn.execute(update(campaigns).where(campaigns.c.id == existing).values(**values))
            query = select(campaigns).where(campaigns.c.year == year)
            return _campaign(conn.execute(query).mappings().one())

        return await self._db.write(work)

    async def current(self, person_id: int) -> tuple[Campaign | None, Plan | None]:
        """The active campaign and the person's plan in it, in one query."""
        rows = await self._fetch(_CURRENT, {"b_person": person_id})
        if not rows:
            return None, None
        row = rows[0]
        campaign = _campaign(row)
        if row["plan_id"] is None:
            return campaign, None
        return campaign, _plan({name: row[key] for name, key in _PLAN_KEYS})

    async def visit(
        self, channel: Channel, user_id: str
    ) -> tuple[Person | None, Pending | None, Campaign | None, Plan | None]:
        """The person linked to this account, what they are typing, the active campaign and
        their plan, in one query."""
        rows = await self._fetch(_VISIT, {"channel": channel.value, "user_id": user_id})
        if not rows:
            return None, None, None, None
        row = rows[0]
        person, pending = to_person(row), parse_pending(row["pending_purpose"])
        if row["c_id"] is None:
            return person, pending, None, None
        campaign = _campaign({name: row[key] for name, key in _CAMPAIGN_KEYS})
        if row["plan_id"] is None:
            return person, pending, campaign, None
        plan = _plan({name: row[key] for name, key in _PLAN_KEYS})
        return person, pending, campaign, plan

    async def register_forms(
        self, definitions: Mapping[tuple[str, int], str], now: datetime
    ) -> list[str]:
        """Keep every form version ever used; return ids whose stored version has other content."""

        def work(conn: Connection) -> list[str]:
            stored = {
                (row.form_id, row.version): row.definition
                for row in conn.execute(select(form_versions))
            }
            conflicts = [
                f"{fid} v{ver}"
                for (fid, ver), text in definitions.items()
                if stored.get((fid, ver), text) != text
            ]
            new = [
                {"form_id": fid, "version": ver, "definition": text, "created_at": now}
                for (fid, ver), text in definitions.items()
                if (fid, ver) not in stored
            ]
            if new and not conflicts:
                conn.execute(insert(form_versions), new)
            return conflicts

        return await self._db.write(work)

    async def form_versions(self) -> dict[tuple[str, int], str]:
        """Every stored form version's definition."""
        rows = await self._fetch(select(form_versions))
        return {(row["form_id"], row["version"]): row["definition"] for row in rows}

    async def campaign_of_year(self, year: int) -> Campaign | None:
        """The campaign of ``year``, open or closed."""
        rows = await self._fetch(_OF_YEAR, {"b_year": year})
        return _campaign(rows[0]) if rows else None

    async def campaign_years(self) -> list[int]:
        """The years that had a campaign, open or closed, oldest first."""
        query = select(campaigns.c.year).order_by(campaigns.c.year)
        return [int(row["year"]) for row in await self._fetch(query)]

    async def campaign_by_id(self, campaign_id: int) -> Campaign | None:
        """A campaign, active or not."""
        rows = await self._fetch(select(campaigns).where(campaigns.c.id == campaign_id))
        return _campaign(rows[0]) if rows else None

    async def plan_of(self, person_id: int, campaign_id: int) -> Plan | None:
        """The person's plan in the campaign, if they started one."""
        rows = await self._fetch(_PLAN_OF, {"b_person": person_id, "b_campaign": campaign_id})
        return _plan(rows[0]) if rows else None

    async def plans_of(self, person_ids: Sequence[int], campaign_id: int) -> dict[int, Plan]:
        """The plans of these people in the campaign, by person (one query per 500 people)."""
        found: dict[int, Plan] = {}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), PEOPLE_CHUNK):
            query = select(plans).where(
                plans.c.campaign_id == campaign_id,
                plans.c.person_id.in_(ids[start : start + PEOPLE_CHUNK]),
            )
            for row in await self._fetch(query):
                found[row["person_id"]] = _plan(row)
        return found

    async def create_plan(
        self,
        *,
        person_id: int,
        campaign_id: int,
        form_id: str,
        form_version: int,
        draft: Draft,
        voluntary: bool,
        now: datetime,
    ) -> Plan:
        """Start a plan; when one exists already (a parallel start), return that one."""
        parameters = {f"b_{name}": value for name, value in _draft_values(draft).items()}
        parameters |= {
            "b_person": person_id,
            "b_campaign": campaign_id,
            "b_form": form_id,
            "b_version": form_version,
            "b_voluntary": voluntary,
            "b_now": now,
        }
        with contextlib.suppress(IntegrityError):  # a parallel start won: theirs is returned
            rows = await self._write_one(_CREATE, parameters)
            return _plan(rows[0])
        plan = await self.plan_of(person_id, campaign_id)
        if plan is None:
            raise LookupError(f"plan of person {person_id} vanished")
        return plan

    async def save_draft(self, plan: Plan, draft: Draft, now: datetime) -> Plan | None:
        """Store the new draft state if nobody changed the plan since ``plan.rev``."""
        parameters = {f"b_{name}": value for name, value in _draft_values(draft).items()}
        parameters |= {"b_id": plan.id, "b_rev": plan.rev, "b_next_rev": plan.rev + 1, "b_now": now}
        rows = await self._write_one(_SAVE_DRAFT, parameters)
        return _plan(rows[0]) if rows else None

    async def plan(self, plan_id: int) -> Plan | None:
        """A plan by id."""
        rows = await self._fetch(select(plans).where(plans.c.id == plan_id))
        return _plan(rows[0]) if rows else None

    async def last_inputs(self) -> list[str]:
        """Every plan's last typed message taken ("chat:message"), where there is one."""
        query = select(plans.c.last_input).where(plans.c.last_input != "")
        return [str(row["last_input"]) for row in await self._fetch(query)]

    async def desk(
        self,
        campaign_id: int,
        unit_ids: Sequence[int] | None,
        status: PlanStatus,
        offset: int,
        limit: int,
        categories: Collection[Category] | None = None,
        besides: int | None = None,
    ) -> tuple[list[DeskRow], dict[PlanStatus, int]]:
        """Plans of these units (None: all) and people of these categories (None: all) but
        person ``besides``, in ``status``, oldest hand-in first, and the same plans' counts."""
        scope = [plans.c.campaign_id == campaign_id, people.c.active.is_(True)]
        if besides is not None:
            scope.append(plans.c.person_id != besides)
        if unit_ids is not None:
            scope.append(people.c.unit_id.in_(list(unit_ids)))
        if categories is not None:
            scope.append(people.c.category.in_([c.value for c in categories]))
        listing = (
            select(
                plans.c.id,
                plans.c.person_id,
                people.c.full_name,
                units.c.path,
                plans.c.status,
                plans.c.late,
                plans.c.rev,
            )
            .join(people, people.c.id == plans.c.person_id)
            .join(units, units.c.id == people.c.unit_id)
            .where(*scope, plans.c.status == status.value)
            .order_by(plans.c.submitted_at, plans.c.id)
            .offset(offset)
            .limit(limit)
        )
        counts = (
            select(plans.c.status, func.count())
            .join(people, people.c.id == plans.c.person_id)
            .where(*scope)
            .group_by(plans.c.status)
        )

        def work(conn: Connection) -> tuple[list[DeskRow], dict[PlanStatus, int]]:
            rows = [
                DeskRow(r.id, r.person_id, r.full_name, r.path, PlanStatus(r.status), r.late, r.rev)
                for r in conn.execute(listing)
            ]
            found = {PlanStatus(s): int(n) for s, n in conn.execute(counts)}
            return rows, found

        return await self._db.read(work)

    async def last_submission(self, plan_id: int) -> Mapping[str, Any]:
        """The answers as they were last handed in ({} before the first submission)."""
        query = (
            select(plan_events.c.detail)
            .where(
                plan_events.c.plan_id == plan_id,
                plan_events.c.kind.in_(("submitted", "resubmitted")),
            )
            .order_by(plan_events.c.id.desc())
            .limit(1)
        )
        rows = await self._fetch(query)
        if not rows:
            return {}
        detail = rows[0]["detail"]
        answers = json.loads(detail).get("answers", {})
        return answers if isinstance(answers, dict) else {}

    async def confirmation(self, plan_id: int) -> Confirmation | None:
        """Who confirmed the plan last and when (the name is "" once that person is erased)."""
        query = (
            select(plan_events.c.at, people.c.full_name)
            .select_from(plan_events.outerjoin(people, people.c.id == plan_events.c.actor_id))
            .where(plan_events.c.plan_id == plan_id, plan_events.c.kind == "confirmed")
            .order_by(plan_events.c.id.desc())
            .limit(1)
        )
        rows = await self._fetch(query)
        return Confirmation(rows[0]["full_name"] or "", rows[0]["at"]) if rows else None

    async def events(self, plan_id: int) -> list[PlanEvent]:
        """The plan's history, oldest first."""
        query = (
            select(plan_events).where(plan_events.c.plan_id == plan_id).order_by(plan_events.c.id)
        )
        rows = await self._fetch(query)
        return [PlanEvent(r["at"], r["actor_id"], r["kind"], json.loads(r["detail"])) for r in rows]


def change_status(
    conn: Connection,
    plan: Plan,
    *,
    status: PlanStatus,
    draft: Draft,
    now: datetime,
    actor_id: int | None,
    event: str,
    detail: Mapping[str, Any],
    late: bool | None = None,
    comment: str | None = None,
) -> Plan | None:
    """Move the plan to ``status`` and record the event; None if it changed since ``plan.rev``."""
    values: dict[str, Any] = {"status": status.value, **_draft_values(draft)}
    if late is not None:
        values["late"] = late
    if comment is not None:
        values["return_comment"] = comment
    if status is PlanStatus.SUBMITTED:
        values["submitted_at"] = now
    row = conn.execute(_update_statement(plan, now, values)).mappings().first()
    if row is None:
        return None
    conn.execute(
        insert(plan_events).values(
            plan_id=plan.id, at=now, actor_id=actor_id, kind=event, detail=_dumps(dict(detail))
        )
    )
    return _plan(row)
