"""The inbox on SQLite and PostgreSQL: recorded once, handed out in seq order, held at a gap."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine, event

from bot.domain.inbox import MAX_ATTEMPTS, QUIET_RESET, REORDER_HOLD, InboxStatus, advance
from bot.services.audit import AuditService
from bot.services.clock import ManualClock
from bot.services.downloads import DownloadService
from bot.services.housekeeping import SEEN_KEEP, Housekeeping
from storage.store import Store

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
TG = "telegram"


async def put(store: Store, seq: int, lane: str = "t:1", at: datetime = NOW) -> bool:
    """Record Telegram update ``seq`` for ``lane``, as the webhook does."""
    return await store.inbox.record(TG, str(seq), lane, seq, f'{{"update_id": {seq}}}', at)


async def seqs(store: Store, lane: str, now: datetime = NOW) -> list[int]:
    """The seqs of the lane's rows that may be handled at ``now``."""
    return [row.seq for row in (await store.inbox.ready(lane, now)).rows]


async def test_a_redelivered_update_is_recorded_once(any_store: Store) -> None:
    """Each update_id delivered three times at once is new for exactly one of the deliveries."""
    answers = await asyncio.gather(*(put(any_store, seq) for seq in range(1, 21) for _ in "abc"))
    assert sum(answers) == 20
    assert await put(any_store, 5) is False  # later, alone: still a redelivery
    assert (await any_store.inbox.counts()) == {"todo": 20}


async def test_rows_come_back_in_seq_order_whatever_order_they_arrived_in(
    any_store: Store,
) -> None:
    """Recorded 3, 1, 4, 2 (a burst delivered out of order): handed out 1, 2, 3, 4."""
    for seq in (3, 1, 4, 2):
        await put(any_store, seq, at=NOW - REORDER_HOLD)  # the first one ever waited its hold
    assert await seqs(any_store, "t:1") == [1, 2, 3, 4]


async def test_rows_above_a_gap_wait_until_it_fills_or_is_old_enough(any_store: Store) -> None:
    """With 10 missing, 11 waits; 10 arriving frees both; a gap older than the hold is given up."""
    await put(any_store, 9, at=NOW - REORDER_HOLD)
    assert await seqs(any_store, "t:1") == [9]
    await put(any_store, 11, lane="t:2")
    held = await any_store.inbox.ready("t:2", NOW + timedelta(seconds=0.5))
    assert held.rows == () and held.wait == (REORDER_HOLD - timedelta(seconds=0.5)).total_seconds()
    await put(any_store, 10, lane="t:1")
    assert await seqs(any_store, "t:2") == [11] and await seqs(any_store, "t:1") == [9, 10]
    await put(any_store, 13, lane="t:2")  # 12 never comes
    assert await seqs(any_store, "t:2", NOW + REORDER_HOLD / 2) == [11]
    assert await seqs(any_store, "t:2", NOW + REORDER_HOLD) == [11, 13]


async def test_the_very_first_update_waits_for_an_earlier_one(any_store: Store) -> None:
    """No mark yet: the first row recorded waits its hold (update 41 may still be on its way)."""
    await put(any_store, 42)
    first = await any_store.inbox.ready("t:1", NOW)
    assert first.rows == () and first.wait == REORDER_HOLD.total_seconds()
    await put(any_store, 41)
    assert await seqs(any_store, "t:1", NOW + REORDER_HOLD) == [41, 42]


async def test_a_late_row_below_the_mark_is_still_handed_out(any_store: Store) -> None:
    """A row arriving after its gap was given up is handled anyway, not lost."""
    await put(any_store, 1, at=NOW - REORDER_HOLD)
    await put(any_store, 3, at=NOW - REORDER_HOLD)
    assert await seqs(any_store, "t:1") == [1, 3]
    await put(any_store, 2, lane="t:9")
    assert await seqs(any_store, "t:9") == [2]


async def test_an_unordered_channel_is_never_held(any_store: Store) -> None:
    """Zalo's seq is not its own numbering: its rows are handed out at once, by seq."""
    for seq in (7, 3):
        await any_store.inbox.record("zalo", f"e{seq}", "z:a", seq, "{}", NOW)
    ready = await any_store.inbox.ready("z:a", NOW)
    assert [row.seq for row in ready.rows] == [3, 7] and ready.wait is None


async def test_take_counts_attempts_and_a_finished_row_is_not_taken(any_store: Store) -> None:
    """Each take counts one attempt; once done, the row is neither taken nor handed out."""
    await put(any_store, 1, at=NOW - REORDER_HOLD)
    (row,) = (await any_store.inbox.ready("t:1", NOW)).rows
    assert [await any_store.inbox.take(row.id) for _ in range(MAX_ATTEMPTS)] == [1, 2, 3]
    await any_store.inbox.finish(row.id, InboxStatus.DONE, NOW)
    assert await any_store.inbox.take(row.id) is None
    assert await seqs(any_store, "t:1") == []
    assert await any_store.inbox.counts() == {"done": 1}


async def test_lanes_with_todo_are_those_with_rows_left(any_store: Store) -> None:
    """A lane whose rows are all finished is not listed; the limit is kept."""
    for seq, lane in ((1, "t:a"), (2, "t:b"), (3, "t:b"), (4, "t:c")):
        await put(any_store, seq, lane=lane, at=NOW - REORDER_HOLD)
    (row,) = (await any_store.inbox.ready("t:a", NOW)).rows
    await any_store.inbox.finish(row.id, InboxStatus.DONE, NOW)
    assert await any_store.inbox.lanes_with_todo(10) == ["t:b", "t:c"]
    assert len(await any_store.inbox.lanes_with_todo(1)) == 1


async def test_tidy_forgets_rows_handled_long_ago_only(any_store: Store) -> None:
    """Housekeeping drops done rows older than SEEN_KEEP; a todo row of that age stays."""
    clock = ManualClock(NOW)
    old = NOW - REORDER_HOLD
    for seq in (1, 2, 3):
        await put(any_store, seq, at=old)
    rows = (await any_store.inbox.ready("t:1", NOW)).rows
    await any_store.inbox.finish(rows[0].id, InboxStatus.DONE, NOW)
    await any_store.inbox.finish(rows[1].id, InboxStatus.DONE, NOW + SEEN_KEEP)
    audit = AuditService(any_store.audit, any_store.roster, any_store.plans, clock)
    downloads = DownloadService(any_store.links, any_store.accounts, audit, timedelta(days=7))
    clock.set(NOW + SEEN_KEEP + timedelta(minutes=1))
    await Housekeeping(downloads, clock, any_store.inbox).tidy()
    assert await any_store.inbox.counts() == {"done": 1, "todo": 1}
    assert await put(any_store, 2) is False  # kept: still recognised as a redelivery
    assert await put(any_store, 1) is True  # forgotten


def test_the_mark_moves_over_what_follows_on_and_over_old_gaps_only() -> None:
    """The pure rule: contiguous seqs pass, a young gap stops with the time it still holds."""
    hold = timedelta(seconds=2)
    young, old = NOW - timedelta(seconds=0.5), NOW - timedelta(seconds=5)
    assert advance(4, [(5, young), (6, young), (8, young)], NOW, hold).seq == 6
    assert advance(4, [(5, young), (6, young), (8, young)], NOW, hold).wait == 1.5
    assert advance(4, [(6, old), (7, young), (9, old)], NOW, hold).seq == 9
    assert advance(None, [(6, young)], NOW, hold).seq is None
    assert advance(4, [], NOW, hold).wait is None


async def test_a_mark_quiet_for_a_day_starts_afresh_below_itself(any_store: Store) -> None:
    """After a long silence Telegram may number on from a random, lower id: those updates are
    held and ordered again instead of being taken as late ones."""
    await put(any_store, 500, at=NOW - REORDER_HOLD)
    assert await seqs(any_store, "t:1") == [500]
    later = NOW + QUIET_RESET
    await put(any_store, 8, lane="t:2", at=later)
    await put(any_store, 10, lane="t:2", at=later)
    held = await any_store.inbox.ready("t:2", later)
    assert held.rows == () and held.wait == REORDER_HOLD.total_seconds()
    await put(any_store, 9, lane="t:3", at=later)
    assert await seqs(any_store, "t:2", later + REORDER_HOLD) == [8, 10]
    await put(any_store, 11, lane="t:2", at=later + REORDER_HOLD)
    assert await seqs(any_store, "t:2", later + REORDER_HOLD) == [8, 10, 11]


async def test_forgetting_a_person_takes_their_updates_and_screens_and_their_name_elsewhere(
    any_store: Store,
) -> None:
    """Their lane's rows (texts, the phone they shared) and their chat's screen go; another
    chat's screen and handled update naming them lose the name; other rows stay."""
    from bot.domain.models import Channel
    from bot.domain.screens import ShownScreen
    from tests.storage.test_library_repo import records

    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    people = {p.code: p for p in await any_store.roster.list_people()}
    hoa = people["QT001"]
    name = hoa.full_name
    await any_store.accounts.link(Channel.TELEGRAM, "501", "501", hoa.id, method="contact", now=NOW)
    body = f'{{"update_id": 1, "text": "0987654321 {name}"}}'
    await any_store.inbox.record(TG, "1", "t:501", 1, body, NOW)
    await any_store.inbox.record(TG, "2", "t:777", 2, f'{{"update_id": 2, "text": "{name}"}}', NOW)
    await any_store.inbox.record(TG, "3", "t:777", 3, '{"update_id": 3, "text": "khác"}', NOW)
    for row in (await any_store.inbox.ready("t:777", NOW + timedelta(hours=1))).rows[:1]:
        await any_store.inbox.finish(row.id, InboxStatus.DONE, NOW)
    await any_store.screens.swap(Channel.TELEGRAM, "501", ShownScreen("9", "✓ Câu 2", NOW))
    await any_store.screens.swap(Channel.TELEGRAM, "777", ShownScreen("8", f"✓ {name}", NOW))
    entry = {"actor_id": None, "actor": "command line", "action": "forget", "target": "x"}
    assert await any_store.audit.forget(hoa.id, entry | {"detail": ""}, NOW)
    assert await any_store.screens.current(Channel.TELEGRAM, "501") is None
    kept = await any_store.screens.current(Channel.TELEGRAM, "777")
    assert kept is not None and kept.message_id == "8" and kept.folded == ""
    assert [row.seq for row in (await any_store.inbox.ready("t:501", NOW)).rows] == []
    assert await any_store.inbox.counts() == {"todo": 1}  # update 3: not theirs, not naming them


async def test_ready_may_take_the_first_row_and_a_finish_the_next(any_store: Store) -> None:
    """``ready(take=True)`` counts the first row's attempt in its own transaction, and
    ``finish(then=)`` the next row's; a row no longer todo is not taken."""
    for seq in (1, 2, 3):
        await put(any_store, seq, at=NOW - REORDER_HOLD)
    ready = await any_store.inbox.ready("t:1", NOW, take=True)
    first, second, third = ready.rows
    assert ready.taken == 1
    assert await any_store.inbox.finish(first.id, InboxStatus.DONE, NOW, then=second.id) == 1
    assert await any_store.inbox.finish(second.id, InboxStatus.DONE, NOW, then=first.id) is None
    assert await any_store.inbox.finish(third.id, InboxStatus.DEAD, NOW) is None
    found = {row.seq: row.attempts for row in await any_store.inbox.rows(["1", "2", "3"])}
    assert found == {1: 1, 2: 1, 3: 0}
    assert await any_store.inbox.counts() == {"done": 2, "dead": 1}
    assert (await any_store.inbox.ready("t:1", NOW, take=True)).taken is None


async def test_a_lane_below_the_mark_is_handed_out_without_moving_it(tmp_path: Path) -> None:
    """Once one lane's ready has moved the mark over another lane's rows, that lane's ready is
    one SELECT (its rows with the mark) and the take: no look above the mark, no write to it."""
    store = await Store.open(f"sqlite+aiosqlite:///{tmp_path / 'mark.db'}")
    statements: list[str] = []

    def note(conn: object, cursor: object, sql: str, *args: object) -> None:
        statements.append(sql.split(None, 1)[0].upper())

    try:
        for seq, lane in ((1, "t:a"), (2, "t:b")):
            await put(store, seq, lane=lane, at=NOW - REORDER_HOLD)
        assert await seqs(store, "t:a") == [1]  # the mark moved over 1 and 2
        event.listen(Engine, "before_cursor_execute", note)
        ready = await store.inbox.ready("t:b", NOW, take=True)
        assert [row.seq for row in ready.rows] == [2] and ready.taken == 1
        assert statements == ["BEGIN", "SELECT", "UPDATE"]
    finally:
        event.remove(Engine, "before_cursor_execute", note)
        await store.close()


async def test_a_row_recorded_after_the_lane_was_read_is_not_jumped(any_store: Store) -> None:
    """On PostgreSQL the look above the mark may see a row of the lane committed after the
    lane's rows were read: the rows read after it wait for the next look (never out of order)."""
    for seq in (1, 2, 3):
        await put(any_store, seq, at=NOW - REORDER_HOLD)
    read_before = [row for row in (await any_store.inbox.ready("t:1", NOW)).rows if row.seq != 2]
    mark, _, late = await any_store.database.write(
        lambda connection: any_store.inbox._advance(connection, TG, None, read_before, NOW)
    )
    assert mark.seq == 3 and late == 2
    assert await seqs(any_store, "t:1") == [1, 2, 3]  # read again: all of them, in order
