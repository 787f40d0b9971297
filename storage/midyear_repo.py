"""Mid-year self-checks: one per person and campaign, changed only at the revision read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import RowMapping

from bot.domain.midyear import CheckStatus, MidyearCheck
from storage.base import Repository
from storage.tables import midyear_checks

CHUNK = 500


def _check(row: RowMapping) -> MidyearCheck:
    return MidyearCheck(
        id=row["id"],
        person_id=row["person_id"],
        campaign_id=row["campaign_id"],
        step=row["step"],
        answer=row["answer"],
        status=CheckStatus(row["status"]),
        rev=row["rev"],
        created_at=row["created_at"],
        updated_at=row["updated_at"],
        submitted_at=row["submitted_at"],
    )


class MidyearRepository(Repository):
    """The self-checks (two devices, one check: a write at an old revision changes nothing)."""

    async def of(self, person_id: int, campaign_id: int) -> MidyearCheck | None:
        """The person's self-check of the campaign, if begun."""
        query = select(midyear_checks).where(
            midyear_checks.c.person_id == person_id,
            midyear_checks.c.campaign_id == campaign_id,
        )
        rows = await self._fetch(query)
        return _check(rows[0]) if rows else None

    async def create(self, *, person_id: int, campaign_id: int, now: datetime) -> MidyearCheck:
        """Begin the self-check at its first step; one begun meanwhile is returned instead."""
        statement = (
            insert(midyear_checks)
            .values(
                person_id=person_id,
                campaign_id=campaign_id,
                step=0,
                answer="",
                status=CheckStatus.DRAFT.value,
                rev=1,
                created_at=now,
                updated_at=now,
            )
            .returning(*midyear_checks.c)
        )
        return await self._insert_or_found(
            statement, _check, lambda: self.of(person_id, campaign_id)
        )

    async def save(
        self,
        check: MidyearCheck,
        now: datetime,
        *,
        step: int | None = None,
        answer: str | None = None,
        status: CheckStatus | None = None,
    ) -> MidyearCheck | None:
        """Store the changes if the row is still at ``check.rev``; else None."""
        values: dict[str, Any] = {}
        if step is not None:
            values["step"] = step
        if answer is not None:
            values["answer"] = answer
        if status is not None:
            values["status"] = status.value
            if status is CheckStatus.SUBMITTED:
                values["submitted_at"] = now
        statement = (
            update(midyear_checks)
            .where(midyear_checks.c.id == check.id, midyear_checks.c.rev == check.rev)
            .values(rev=check.rev + 1, updated_at=now, **values)
            .returning(*midyear_checks.c)
        )
        rows = await self._write_one(statement)
        return _check(rows[0]) if rows else None

    async def of_people(
        self, person_ids: Sequence[int], campaign_id: int
    ) -> dict[int, MidyearCheck]:
        """The self-checks of these people for the campaign, by person."""
        found: dict[int, MidyearCheck] = {}
        ids = list(dict.fromkeys(person_ids))
        for start in range(0, len(ids), CHUNK):
            query = select(midyear_checks).where(
                midyear_checks.c.campaign_id == campaign_id,
                midyear_checks.c.person_id.in_(ids[start : start + CHUNK]),
            )
            for row in await self._fetch(query):
                found[row["person_id"]] = _check(row)
        return found
