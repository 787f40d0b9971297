"""The inbox: updates recorded when they arrive, before they are acknowledged, and handled after.

``record`` is a group commit (``storage/batch.py``): the webhook POSTs arriving together share one
``INSERT … ON CONFLICT DO NOTHING`` and each is answered once that transaction has committed, so
a 200 always means "stored"; a redelivered key is recorded once. ``ready`` gives a lane's todo
rows in seq order, up to the channel's mark when the channel numbers its updates (Telegram; see
``bot/domain/inbox.py``). The same statements on SQLite and PostgreSQL.

What a row costs (``python -m bench.inbox``): ``ready`` reads the lane's rows and the mark in one
SELECT; only when a row of the lane is above the mark does it look at the rows above it and move
the mark (one upsert, the last statement of its transaction, so the row lock on the mark is held
for the least time); with ``take`` it counts the first row's attempt in the same transaction,
and ``finish(then=)`` the next row's in the finish's. Finishes asked for together are one
``executemany``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from sqlalchemy import Executable, Update, bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Connection, RowMapping

from bot.domain.inbox import QUIET_RESET, REORDER_HOLD, InboxRow, InboxStatus, Mark, Ready, advance
from storage.base import Repository
from storage.batch import Batch
from storage.engine import Database
from storage.tables import inbox, inbox_marks

KEY_LENGTH = 200
LANE_LENGTH = 64
READY_LIMIT = 50  # rows of a lane handed out at once
ABOVE_LIMIT = 5000  # rows above the mark looked at in one go (a gap holds the rest anyway)
ORDERED = frozenset({"telegram"})  # channels whose seq is their own gap-free numbering

Recorded = tuple[str, str, str, int, str, datetime]  # channel, key, lane, seq, body, when
Finished = tuple[int, str, datetime, int | None]  # row id, status, when, row to take next
FINISHING = (
    update(inbox)
    .where(inbox.c.id == bindparam("b_id"))
    .values(
        status=bindparam("b_status"),
        handled_at=bindparam("b_at", type_=inbox.c.handled_at.type),
    )
)


class InboxRepository(Repository):
    """Rows of delivered updates: todo until handled, then done (or dead), kept a while."""

    def __init__(
        self,
        database: Database,
        hold: timedelta = REORDER_HOLD,
        ordered: frozenset[str] = ORDERED,
    ) -> None:
        super().__init__(database)
        self.hold = hold
        self._ordered = ordered
        self._records: Batch[Recorded, bool] = Batch(self._record_all)
        self._takes: Batch[int, int | None] = Batch(self._take_all)
        self._finishes: Batch[Finished, int | None] = Batch(self._finish_all)

    async def record(
        self, channel: str, key: str, lane: str, seq: int, body: str, now: datetime
    ) -> bool:
        """Store an update (todo) once it has committed; True the first time, False for a
        redelivery of the same ``key``."""
        item = (channel, key[:KEY_LENGTH], lane[:LANE_LENGTH], seq, body, now)
        return await self._records.submit(item)

    async def _record_all(self, items: list[Recorded]) -> list[bool]:
        rows = {(c, k): (lane, seq, body, now) for c, k, lane, seq, body, now in reversed(items)}
        insert = pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert
        values = [
            {
                "channel": c,
                "key": k,
                "lane": lane,
                "seq": seq,
                "body": body,
                "status": InboxStatus.TODO.value,
                "attempts": 0,
                "received_at": now,
            }
            # in key order: two replicas inserting the same keys take their locks alike
            for (c, k), (lane, seq, body, now) in sorted(rows.items())
        ]
        statement = (
            insert(inbox)
            .values(values)
            .on_conflict_do_nothing(index_elements=["channel", "key"])
            .returning(inbox.c.channel, inbox.c.key)
        )

        def work(connection: Connection) -> set[tuple[str, str]]:
            return {(row.channel, row.key) for row in connection.execute(statement)}

        new = await self._db.write_one(work)
        answers = []
        for channel, key, *_ in items:
            answers.append((channel, key) in new)
            new.discard((channel, key))  # the same key twice in one batch: recorded once
        return answers

    async def ready(
        self, lane: str, now: datetime, limit: int = READY_LIMIT, *, take: bool = False
    ) -> Ready:
        """The lane's todo rows that may be handled now, oldest seq first (advancing the mark
        of an ordered channel on the way); ``wait`` when later ones are held back by a gap.
        With ``take``, the first row is taken in the same transaction (``Ready.taken``)."""

        def work(connection: Connection) -> Ready:
            found = (
                connection.execute(
                    select(inbox, inbox_marks.c.seq.label("mark"), inbox_marks.c.moved_at)
                    .select_from(
                        inbox.outerjoin(inbox_marks, inbox_marks.c.channel == inbox.c.channel)
                    )
                    .where(inbox.c.lane == lane, inbox.c.status == InboxStatus.TODO.value)
                    .order_by(inbox.c.seq, inbox.c.id)  # id: Zalo seqs of a frozen test clock
                    .limit(limit + 1)
                )
                .mappings()
                .all()
            )
            rows = [_row(r) for r in found]
            more, rows = len(rows) > limit, rows[:limit]
            if not rows or rows[0].channel not in self._ordered:
                return self._taking(connection, Ready(tuple(rows), None, more), take)
            first = found[0]
            stored = None if first["mark"] is None else (int(first["mark"]), first["moved_at"])
            mark, moving, late = self._advance(connection, rows[0].channel, stored, rows, now)
            if mark.seq is None:
                return Ready((), mark.wait)
            ready = tuple(row for row in rows if row.seq <= mark.seq and row.seq < late)
            held = len(ready) < len(rows) or more
            found_ready = Ready(
                ready,
                mark.wait if held else None,
                (more and len(ready) == len(rows)) or late <= mark.seq,
            )
            found_ready = self._taking(connection, found_ready, take)
            if moving is not None:  # last: the mark's row is locked from here to the commit
                connection.execute(moving)
            return found_ready

        return await self._db.write(work)

    @staticmethod
    def _taking(connection: Connection, ready: Ready, take: bool) -> Ready:
        """``ready`` with its first row taken (one more attempt counted) when asked."""
        if not take or not ready.rows:
            return ready
        first = ready.rows[0]
        attempts = connection.execute(
            update(inbox)
            .where(inbox.c.id == first.id, inbox.c.status == InboxStatus.TODO.value)
            .values(attempts=inbox.c.attempts + 1)
            .returning(inbox.c.attempts)
        ).scalar()
        return replace(ready, taken=attempts)

    def _advance(
        self,
        connection: Connection,
        channel: str,
        stored: tuple[int, datetime] | None,
        rows: Sequence[InboxRow],
        now: datetime,
    ) -> tuple[Mark, Executable | None, float]:
        """Where the channel's mark (``stored``: its seq and when it moved) may go now, if the
        lane's last row of ``rows`` is above it, and the statement moving it there (None: it
        stays), and the seq of a row of the lane recorded after ``rows`` were read and below
        their last one (infinity: none): the rows from there on must wait for the next look.
        The mark never goes back, except that one quiet for ``QUIET_RESET`` starts afresh from
        the rows waiting."""
        quiet = stored is not None and now - stored[1] >= QUIET_RESET
        mark = None if stored is None or quiet else stored[0]
        last = rows[-1].seq
        if mark is not None and last <= mark:  # one snapshot: every row of the lane may go
            return Mark(mark, None), None, math.inf
        # Rows above the mark are all todo (only rows at or below it are handled); with no mark,
        # the todo rows alone, not the done ones kept for a while. On PostgreSQL this statement
        # sees rows committed since the lane's were read: one of the lane's among them, below
        # its last, must not be jumped by the rows read before it.
        query = select(inbox.c.seq, inbox.c.received_at, inbox.c.lane).where(
            inbox.c.channel == channel, inbox.c.status == InboxStatus.TODO.value
        )
        if mark is not None:
            query = query.where(inbox.c.seq > mark)
        above = connection.execute(query.order_by(inbox.c.seq).limit(ABOVE_LIMIT)).all()
        moved = advance(mark, ((row.seq, row.received_at) for row in above), now, self.hold)
        known = {row.seq for row in rows}
        late = min(
            (
                r.seq
                for r in above
                if r.lane == rows[0].lane and r.seq < last and r.seq not in known
            ),
            default=math.inf,
        )
        if moved.seq is None or moved.seq == mark:
            return moved, None, late
        insert = pg_insert if self._db.dialect.name == "postgresql" else sqlite_insert
        upsert = insert(inbox_marks).values(channel=channel, seq=moved.seq, moved_at=now)
        moving = upsert.on_conflict_do_update(
            index_elements=["channel"],
            set_={"seq": upsert.excluded.seq, "moved_at": upsert.excluded.moved_at},
            # never back: another replica may have moved it further meanwhile
            where=None if quiet else inbox_marks.c.seq < upsert.excluded.seq,
        )
        return moved, moving, late

    async def take(self, row_id: int) -> int | None:
        """Count one more attempt at a todo row; its attempts now, or None if it is no longer
        todo (handled meanwhile)."""
        return await self._takes.submit(row_id)

    async def _take_all(self, ids: list[int]) -> list[int | None]:
        statement = _taking(ids)

        def work(connection: Connection) -> dict[int, int]:
            return {row.id: row.attempts for row in connection.execute(statement)}

        taken = await self._db.write_one(work)
        return [taken.get(row_id) for row_id in ids]

    async def finish(
        self, row_id: int, status: InboxStatus, now: datetime, then: int | None = None
    ) -> int | None:
        """Mark a row done (handled) or dead (given up); with ``then``, take that row in the
        same transaction and answer as ``take`` does (else None)."""
        return await self._finishes.submit((row_id, status.value, now, then))

    async def _finish_all(self, items: list[Finished]) -> list[int | None]:
        finished = [
            {"b_id": row_id, "b_status": status, "b_at": now}
            for row_id, status, now, _ in sorted(items, key=lambda item: item[0])
        ]
        takes = [then for *_, then in items if then is not None]

        def work(connection: Connection) -> dict[int, int]:
            connection.execute(FINISHING, finished)  # one statement, executemany
            if not takes:
                return {}
            return {row.id: row.attempts for row in connection.execute(_taking(takes))}

        one = len(finished) == 1 and not takes  # on SQLite: no BEGIN/COMMIT around it
        taken = await (self._db.write_one if one else self._db.write)(work)
        return [None if then is None else taken.get(then) for *_, then in items]

    async def lanes_with_todo(self, limit: int) -> list[str]:
        """Lanes that have todo rows (up to ``limit``): a runner's sweep takes these up, e.g.
        after a crash, or after the replica that received them died."""
        rows = await self._fetch(
            select(inbox.c.lane)
            .where(inbox.c.status == InboxStatus.TODO.value)
            .group_by(inbox.c.lane)
            .order_by(inbox.c.lane)
            .limit(limit)
        )
        return [row["lane"] for row in rows]

    async def counts(self) -> dict[str, int]:
        """Rows by status (for tests and the operator)."""
        rows = await self._fetch(select(inbox.c.status, inbox.c.id))
        counts: dict[str, int] = {}
        for row in rows:
            counts[row["status"]] = counts.get(row["status"], 0) + 1
        return counts

    async def forget_before(self, cutoff: datetime) -> None:
        """Drop the rows handled (or given up) before ``cutoff``; todo rows stay."""
        await self._write_one(
            delete(inbox).where(
                inbox.c.status != InboxStatus.TODO.value, inbox.c.handled_at < cutoff
            )
        )

    async def rows(self, keys: Sequence[str], channel: str = "telegram") -> list[InboxRow]:
        """The rows of ``keys`` (tests, the operator)."""
        found = await self._fetch(
            select(inbox).where(inbox.c.channel == channel, inbox.c.key.in_(list(keys)))
        )
        return [_row(row) for row in found]


def _taking(ids: Sequence[int]) -> Update:
    """One more attempt counted at each of the todo rows ``ids`` (in id order: two replicas
    take their locks alike), returning the rows taken and their attempts."""
    return (
        update(inbox)
        .where(inbox.c.id.in_(sorted(set(ids))), inbox.c.status == InboxStatus.TODO.value)
        .values(attempts=inbox.c.attempts + 1)
        .returning(inbox.c.id, inbox.c.attempts)
    )


def _row(row: RowMapping) -> InboxRow:
    return InboxRow(
        id=row["id"],
        channel=row["channel"],
        key=row["key"],
        lane=row["lane"],
        seq=row["seq"],
        body=row["body"],
        attempts=row["attempts"],
        received_at=row["received_at"],
    )
