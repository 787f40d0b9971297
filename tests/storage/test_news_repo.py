"""A bản tin (kind ``ban_tin``, a long text) and the district's "studied" marks, on every
engine (issue 18)."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.library import MAX_NEWS, Audience, MaterialKind, NewMaterial
from storage.store import Store
from tests.storage.test_repositories import records

NOW = datetime(2022, 4, 1, 3, 0, tzinfo=UTC)


async def test_news_is_stored_whole_and_marks_are_read_everywhere(any_store: Store) -> None:
    """The kind and a text of the broadcast's length read back; every active person and the
    marks of the asked materials come back, nothing of other materials."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    library = any_store.library
    text = "Bản tin " + "x" * (MAX_NEWS - 8)
    news = await library.add(
        NewMaterial("Bản tin", text, 2022, MaterialKind.NEWS, Audience.EVERYONE),
        by_id=None,
        by="command line",
        now=NOW,
    )
    other = await library.add(
        NewMaterial("Khác", "", 2022, MaterialKind.YEAR_TOPIC, Audience.EVERYONE),
        by_id=None,
        by="command line",
        now=NOW,
    )
    stored = await library.get(news.id)
    assert stored is not None and stored.kind is MaterialKind.NEWS and stored.summary == text
    people, _ = await library.studied_everywhere([])
    assert people and all(p.active for p in people)
    first, second = people[0].id, people[1].id
    await library.mark(news.id, first, NOW)
    await library.mark(other.id, second, NOW)
    _, marks = await library.studied_everywhere([news.id])
    assert marks == {news.id: {first}}
