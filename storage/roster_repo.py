"""The roster: import in one transaction (units created as needed), export, lookups."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, func, insert, select, update
from sqlalchemy.engine import Connection

from bot.domain.models import Person
from bot.domain.roster import ImportSummary, RosterRecord, unit_key
from storage.base import Repository, person_query, roles_to_text, to_person
from storage.tables import people, units

_CHUNK = 500  # ids per IN (...) so no engine's parameter limit is reached
_BATCH = 2_000  # rows per executemany: the parameters of a 200,000-person roster are not all
# held at once (SQLAlchemy copies them as it binds)
_COMPARED = (
    "full_name",
    "birth_date",
    "phone",
    "category",
    "exemption",
    "unit_id",
    "party_position",
    "gov_position",
    "union_position",
    "workplace",
    "roles",
    "active",
)


class _DryRun(Exception):
    """Raised inside a dry-run import to roll its transaction back."""

    def __init__(self, summary: ImportSummary) -> None:
        super().__init__("dry run")
        self.summary = summary


def _ensure_units(conn: Connection, paths: set[tuple[str, ...]]) -> tuple[dict[str, int], int]:
    """Return unit ids by key for every prefix of ``paths``, creating the missing ones."""
    known = {row.path_key: row.id for row in conn.execute(select(units.c.path_key, units.c.id))}
    wanted: dict[str, tuple[str, ...]] = {}
    for path in paths:
        for depth in range(1, len(path) + 1):
            prefix = path[:depth]
            wanted.setdefault(unit_key(prefix), prefix)
    created = 0
    for key, path in sorted(wanted.items(), key=lambda item: len(item[1])):
        if key in known:
            continue
        parent = known[unit_key(path[:-1])] if len(path) > 1 else None
        result = conn.execute(
            insert(units)
            .values(
                parent_id=parent,
                name=path[-1],
                path=" / ".join(path),
                path_key=key,
                depth=len(path),
            )
            .returning(units.c.id)
        )
        known[key] = result.scalar_one()
        created += 1
    return known, created


def _import(
    conn: Connection, records: Sequence[RosterRecord], remove_missing: bool, now: datetime
) -> ImportSummary:
    unit_ids, units_created = _ensure_units(conn, {r.unit_path for r in records})
    read = select(people.c.id, people.c.code, *(people.c[name] for name in _COMPARED))
    existing = {row.code: row for row in conn.execute(read).mappings()}
    inserts: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    added = updated = unchanged = 0
    insert_people = insert(people)
    update_people = update(people).where(people.c.id == bindparam("b_id"))
    for record in records:
        values: dict[str, Any] = {
            "full_name": record.full_name,
            "birth_date": record.birth_date,
            "phone": record.phone,
            "category": record.category.value,
            "exemption": record.exemption.value,
            "unit_id": unit_ids[unit_key(record.unit_path)],
            "party_position": record.party_position,
            "gov_position": record.gov_position,
            "union_position": record.union_position,
            "workplace": record.workplace,
            "roles": roles_to_text(record.roles),
            "active": True,
        }
        old = existing.get(record.code)
        if old is None:
            inserts.append({"code": record.code, "created_at": now, "updated_at": now, **values})
        elif any(old[name] != values[name] for name in _COMPARED):
            updates.append({"b_id": old["id"], "updated_at": now, **values})
        else:
            unchanged += 1
        if len(inserts) >= _BATCH:
            conn.execute(insert_people, inserts)
            added, inserts = added + len(inserts), []
        if len(updates) >= _BATCH:
            conn.execute(update_people, updates)
            updated, updates = updated + len(updates), []
    if inserts:
        conn.execute(insert_people, inserts)
    if updates:
        conn.execute(update_people, updates)
    added, updated = added + len(inserts), updated + len(updates)
    in_file = {record.code for record in records}
    absent = sorted(
        (row for code, row in existing.items() if code not in in_file and row["active"]),
        key=lambda row: (row["full_name"], row["code"]),
    )
    missing = [row["id"] for row in absent]
    if remove_missing:
        for start in range(0, len(missing), _CHUNK):
            chunk = missing[start : start + _CHUNK]
            conn.execute(
                update(people).where(people.c.id.in_(chunk)).values(active=False, updated_at=now)
            )
    return ImportSummary(
        added=added,
        updated=updated,
        unchanged=unchanged,
        units_created=units_created,
        missing=len(missing),
        removed=len(missing) if remove_missing else 0,
        missing_names=tuple(f"{row['full_name']} ({row['code']})" for row in absent),
    )


class RosterRepository(Repository):
    """Roster import and export."""

    async def import_roster(
        self,
        records: Sequence[RosterRecord],
        *,
        remove_missing: bool,
        dry_run: bool,
        now: datetime,
    ) -> ImportSummary:
        """Add or update every record by code in one transaction (rolled back on a dry run)."""
        try:

            def work(conn: Connection) -> ImportSummary:
                summary = _import(conn, records, remove_missing, now)
                if dry_run:
                    raise _DryRun(summary)
                return summary

            return await self._db.write(work)
        except _DryRun as rolled_back:
            return rolled_back.summary

    async def list_people(self, *, active_only: bool = True) -> list[Person]:
        """Everyone on the roster, ordered by unit then code."""
        query = person_query().order_by(units.c.path, people.c.code)
        if active_only:
            query = query.where(people.c.active.is_(True))
        return [to_person(row) for row in await self._fetch(query)]

    async def count_people(self) -> int:
        """How many active people are on the roster."""
        query = select(func.count().label("n")).select_from(people).where(people.c.active.is_(True))
        return int((await self._fetch(query))[0]["n"])

    async def person_by_code(self, code: str) -> Person | None:
        """The person with ``code``, active or not."""
        rows = await self._fetch(person_query().where(people.c.code == code))
        return to_person(rows[0]) if rows else None
