"""The organisation tree, unit listings, roster counts and small key-value settings."""

from __future__ import annotations

from sqlalchemy import ColumnElement, bindparam, case, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection

from bot.domain.directory import Member, RosterStats
from bot.domain.models import Category, Exemption, Person, Role, Unit
from bot.domain.roster import MAX_UNIT_DEPTH, unit_key
from storage.base import Repository, person_query, to_person
from storage.tables import accounts, people, settings_kv, units

# Built once: a hand-in walks up the tree with these, a statement per level.
_PARENT = select(units.c.parent_id).where(units.c.id == bindparam("b_unit"))
_HOLDERS = person_query().where(
    people.c.unit_id == bindparam("b_unit"),
    people.c.active.is_(True),
    people.c.roles.contains(bindparam("b_role")),
)


class DirectoryRepository(Repository):
    """Units and the people in them."""

    async def unit_by_path(self, path: tuple[str, ...]) -> Unit | None:
        """The unit at ``path`` (matched ignoring case, diacritics and spacing)."""
        query = select(units).where(units.c.path_key == unit_key(path))
        rows = await self._fetch(query)
        if not rows:
            return None
        row = rows[0]
        return Unit(id=row["id"], parent_id=row["parent_id"], name=row["name"], path=row["path"])

    async def subtree(self, unit_id: int) -> list[int]:
        """Ids of the unit and every unit below it."""
        tree = select(units.c.id).where(units.c.id == unit_id).cte("tree", recursive=True)
        tree = tree.union_all(select(units.c.id).join(tree, units.c.parent_id == tree.c.id))
        return [row["id"] for row in await self._fetch(select(tree.c.id))]

    async def ancestors(self, unit_id: int) -> list[int]:
        """Ids of the units above ``unit_id``, nearest first."""

        def work(conn: Connection) -> list[int]:
            found: list[int] = []
            current: int | None = unit_id
            for _ in range(MAX_UNIT_DEPTH + 1):
                current = conn.execute(_PARENT, {"b_unit": current}).scalar_one_or_none()
                if current is None:
                    break
                found.append(current)
            return found

        return await self._db.read(work)

    async def holders(self, unit_id: int, role: Role) -> list[Person]:
        """Active holders of ``role`` in the nearest unit (``unit_id`` or above) that has any."""

        def work(conn: Connection) -> list[Person]:
            current: int | None = unit_id
            for _ in range(MAX_UNIT_DEPTH + 1):
                if current is None:
                    break
                query = conn.execute(_HOLDERS, {"b_unit": current, "b_role": role.value})
                found = [to_person(row) for row in query.mappings()]
                found = [p for p in found if p.has(role)]
                if found:
                    return found
                current = conn.execute(_PARENT, {"b_unit": current}).scalar_one_or_none()
            return []

        return await self._db.read(work)

    async def all_holders(self, role: Role) -> list[Person]:
        """Active holders of ``role`` in any unit (the admins, when no one nearer confirms)."""
        query = person_query().where(people.c.active.is_(True), people.c.roles.contains(role.value))
        found = [to_person(row) for row in await self._fetch(query)]
        return sorted((p for p in found if p.has(role)), key=lambda p: p.id)

    async def members(self, unit_ids: list[int]) -> list[Member]:
        """Active people of these units, with whether each has linked an account."""
        linked = select(accounts.c.person_id).where(accounts.c.person_id == people.c.id).exists()
        query = (
            person_query()
            .add_columns(linked.label("linked"))
            .where(people.c.active.is_(True), people.c.unit_id.in_(unit_ids))
            .order_by(units.c.path, people.c.full_name)
        )
        rows = await self._fetch(query)
        return [Member(person=to_person(row), linked=bool(row["linked"])) for row in rows]

    async def stats(self) -> RosterStats:
        """Counts over the whole roster."""
        active = people.c.active.is_(True)

        def count_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
            return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

        linked = select(func.count(func.distinct(accounts.c.person_id))).join(
            people, (people.c.id == accounts.c.person_id) & active
        )
        query = select(
            count_if(active).label("people"),
            count_if(~active).label("inactive"),
            count_if(active & (people.c.category == Category.PARTY_MEMBER.value)).label("party"),
            count_if(active & (people.c.category == Category.STAFF.value)).label("staff"),
            count_if(active & (people.c.category == Category.UNION_MEMBER.value)).label("union"),
            count_if(active & (people.c.category == Category.INDIVIDUAL.value)).label("individual"),
            count_if(active & (people.c.exemption != Exemption.NONE.value)).label("exempt"),
        ).select_from(people)

        def work(conn: Connection) -> RosterStats:
            row = conn.execute(query).mappings().one()
            unit_count = conn.execute(select(func.count()).select_from(units)).scalar_one()
            linked_count = conn.execute(linked).scalar_one()
            return RosterStats(
                units=int(unit_count),
                linked=int(linked_count),
                **{key: int(value) for key, value in row.items()},
            )

        return await self._db.read(work)

    async def get_setting(self, key: str) -> str | None:
        """A stored setting such as the bot's username."""
        rows = await self._fetch(select(settings_kv.c.value).where(settings_kv.c.key == key))
        return rows[0]["value"] if rows else None

    async def set_setting(self, key: str, value: str) -> None:
        """Store a setting, replacing the old value."""

        insert = pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert
        statement = insert(settings_kv).values(key=key, value=value)
        statement = statement.on_conflict_do_update(index_elements=["key"], set_={"value": value})
        await self._write_one(statement)
