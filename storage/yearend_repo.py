"""Year-end review drafts: one per person and campaign, kept as the engine's draft (JSON)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping

from bot.domain.engine import Draft
from bot.domain.plans import Plan, PlanStatus
from storage.base import Repository
from storage.tables import year_reviews

CHUNK = 500


def _draft_json(draft: Draft) -> str:
    return json.dumps(
        {
            "answers": dict(draft.answers),
            "position": draft.position,
            "returning": draft.returning,
            "buffer": draft.buffer,
            "last_input": draft.last_input,
        },
        ensure_ascii=False,
    )


def _review(row: RowMapping) -> Plan:
    data: dict[str, Any] = json.loads(row["draft"])
    draft = Draft(
        answers=data.get("answers", {}),
        position=str(data.get("position", "")),
        returning=bool(data.get("returning", False)),
        buffer=str(data.get("buffer", "")),
        last_input=str(data.get("last_input", "")),
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
        late=False,
        voluntary=False,
        return_comment="",
        submitted_at=row["submitted_at"],
        updated_at=row["updated_at"],
    )


class YearReviewRepository(Repository):
    """The drafts, changed only at the revision they were read at (two devices, one draft)."""

    async def of(self, person_id: int, campaign_id: int) -> Plan | None:
        """The person's draft for the campaign, if begun."""
        query = select(year_reviews).where(
            year_reviews.c.person_id == person_id, year_reviews.c.campaign_id == campaign_id
        )
        rows = await self._fetch(query)
        return _review(rows[0]) if rows else None

    async def create(
        self,
        *,
        person_id: int,
        campaign_id: int,
        form_id: str,
        form_version: int,
        draft: Draft,
        now: datetime,
    ) -> Plan:
        """Begin the draft; when another device began it meanwhile, that one is returned."""
        statement = (
            insert(year_reviews)
            .values(
                person_id=person_id,
                campaign_id=campaign_id,
                form_id=form_id,
                form_version=form_version,
                status=PlanStatus.DRAFT.value,
                draft=_draft_json(draft),
                rev=1,
                created_at=now,
                updated_at=now,
            )
            .returning(*year_reviews.c)
        )
        return await self._insert_or_found(
            statement, _review, lambda: self.of(person_id, campaign_id)
        )

    async def save(
        self, review: Plan, draft: Draft, now: datetime, status: PlanStatus | None = None
    ) -> Plan | None:
        """Store ``draft`` (and ``status``) if the row is still at ``review.rev``; else None."""
        values: dict[str, Any] = {"draft": _draft_json(draft)}
        if status is not None:
            values["status"] = status.value
            if status is PlanStatus.SUBMITTED:
                values["submitted_at"] = now
        statement = (
            update(year_reviews)
            .where(year_reviews.c.id == review.id, year_reviews.c.rev == review.rev)
            .values(rev=review.rev + 1, updated_at=now, **values)
            .returning(*year_reviews.c)
        )
        rows = await self._write_one(statement)
        return _review(rows[0]) if rows else None

    async def of_people(self, person_ids: Sequence[int], campaign_id: int) -> dict[int, Plan]:
        """The drafts of these people for the campaign, by person."""
        found: dict[int, Plan] = {}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), CHUNK):
            query = select(year_reviews).where(
                year_reviews.c.campaign_id == campaign_id,
                year_reviews.c.person_id.in_(ids[start : start + CHUNK]),
            )
            for row in await self._fetch(query):
                found[row["person_id"]] = _review(row)
        return found
