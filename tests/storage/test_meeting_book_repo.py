"""Meeting records and drafts on SQLite and PostgreSQL: recorded once their time has come, only
for their own unit; the roster, the last places and the linked secretaries of a unit."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from bot.domain.meetings import MeetingKind, MeetingRecord, Outcome
from bot.domain.models import Channel
from storage.meeting_book_repo import MeetingBookRepository
from storage.store import Store
from tests.storage.test_repositories import NOW, records


async def test_records_drafts_roster_places_and_secretaries(any_store: Store) -> None:
    """A record lands only on a begun meeting of its own unit; drafts are replaced per person."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    an = await any_store.roster.person_by_code("DV001")
    binh = await any_store.roster.person_by_code("DV002")
    duc = await any_store.roster.person_by_code("DV004")
    assert an is not None and binh is not None and duc is not None
    await any_store.accounts.link(Channel.TELEGRAM, "1", "1", an.id, method="contact", now=NOW)
    book = MeetingBookRepository(any_store.database)
    starts = NOW + timedelta(days=1)

    async def schedule(place: str, at: datetime) -> int:
        def work(unit):  # type: ignore[no-untyped-def]
            return unit.add_meeting(
                unit_id=an.unit_id,
                kind=MeetingKind.THEMATIC,
                starts_at=at,
                place=place,
                topic="Chuyên đề",
                by=an.id,
                now=NOW,
            )

        meeting = await any_store.units.run(work)
        return int(meeting.id)

    first = await schedule("Hội trường", starts)
    await schedule("Nhà văn hóa", starts + timedelta(days=30))
    await schedule("Hội trường", starts + timedelta(days=60))
    assert await book.places(an.unit_id, 4) == ["Hội trường", "Nhà văn hóa"]

    held = MeetingRecord(
        Outcome.HELD,
        held_on=date(2022, 3, 26),
        present=2,
        absent=1,
        absent_ids=(binh.id,),
        summary="Nội dung",
        conclusion="Kết luận",
        minutes_file="telegram:p1",
        recorded_by=an.id,
    )
    assert await book.record(first, an.unit_id, held, NOW) is None  # not begun yet
    later = starts + timedelta(hours=3)
    assert await book.awaiting(NOW, later) != []
    assert await book.record(first, duc.unit_id, held, later) is None  # another unit's
    saved = await book.record(first, an.unit_id, held, later)
    assert saved is not None and saved.record is not None
    assert saved.record.absent_ids == (binh.id,) and saved.record.held_on == date(2022, 3, 26)
    assert saved.record.recorded_at == later and saved.record.minutes_file == "telegram:p1"
    assert [m.id for m in await book.awaiting(NOW, later)] == []

    afterwards = await book.add_recorded(
        unit_id=an.unit_id,
        kind=MeetingKind.BRIEFING,
        starts_at=datetime(2022, 3, 20, tzinfo=UTC),
        place="",
        topic="Chuyên đề",
        by=an.id,
        record=MeetingRecord(Outcome.HELD, held_on=date(2022, 3, 20), present=18, absent=2),
        now=later,
    )
    assert afterwards.record is not None and afterwards.record.present == 18

    await book.set_draft(an.id, '{"day": "2022-04-10"}', NOW)
    await book.set_draft(an.id, '{"day": "2022-04-11"}', NOW)
    assert await book.draft(an.id) == '{"day": "2022-04-11"}'
    await book.set_draft(an.id, None, NOW)
    assert await book.draft(an.id) is None

    roster = await book.roster(an.unit_id)
    assert [name for _, name in roster] == ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"]
    assert duc.id not in dict(roster)  # Chi bộ thôn 2
    assert await book.secretaries([an.unit_id, duc.unit_id]) == {an.unit_id: [an.id]}
