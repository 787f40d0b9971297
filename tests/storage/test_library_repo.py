"""The library's repository on every engine: materials, removal, and "đã học" marks."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.domain.library import Audience, MaterialKind, NewMaterial
from storage.store import Store
from tests.storage.test_repositories import records

NOW = datetime(2022, 4, 1, 3, 0, tzinfo=UTC)
CELL = "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"


async def test_materials_marks_and_removal(any_store: Store) -> None:
    """A file keeps its bytes and learns its id once; a second mark keeps the first; a
    removed material is gone from every read."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    library = any_store.library
    pdf = await library.add(
        NewMaterial(
            "Chuyên đề",
            "",
            2022,
            MaterialKind.YEAR_TOPIC,
            Audience.EVERYONE,
            file_name="a.pdf",
            data=b"%PDF-1",
        ),
        by_id=None,
        by="command line",
        now=NOW,
    )
    link = await library.add(
        NewMaterial(
            "Video",
            "Tóm tắt",
            2022,
            MaterialKind.REFERENCE,
            Audience.UNIT,
            CELL,
            url="https://a.vn",
        ),
        by_id=None,
        by="command line",
        now=NOW,
    )
    assert await library.content(pdf.id) == b"%PDF-1" and await library.content(link.id) is None
    await library.learn_file_id(pdf.id, "doc1")
    await library.learn_file_id(pdf.id, "doc2")
    found = await library.get(pdf.id)
    assert found is not None and found.file_id == "doc1"
    assert await library.unit_exists(CELL) and not await library.unit_exists("Không có")
    people = await any_store.roster.list_people()
    binh = next(p for p in people if p.code == "DV002")
    await library.mark(pdf.id, binh.id, NOW)
    await library.mark(pdf.id, binh.id, NOW)
    assert await library.studied_by(binh.id) == {pdf.id}
    assert await library.counts() == {pdf.id: 1}
    members, marks = await library.studied_in(CELL, [pdf.id, link.id])
    assert {m.code for m in members} == {"DV001", "DV002", "DV003"}
    assert marks == {pdf.id: {binh.id}, link.id: set()}
    assert await library.remove(pdf.id, NOW) and not await library.remove(pdf.id, NOW)
    assert await library.get(pdf.id) is None and await library.content(pdf.id) is None
    assert [m.id for m in await library.all()] == [link.id]


async def test_a_forgotten_person_leaves_no_name_on_their_materials_nor_marks(
    any_store: Store,
) -> None:
    """The material stays (without who added it); their "đã học" marks go with them."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    hoa = next(p for p in await any_store.roster.list_people() if p.code == "QT001")
    new = NewMaterial(
        "Tài liệu", "", 2022, MaterialKind.REFERENCE, Audience.EVERYONE, url="https://a.vn"
    )
    material = await any_store.library.add(new, by_id=hoa.id, by=hoa.full_name, now=NOW)
    await any_store.library.mark(material.id, hoa.id, NOW)
    entry = {
        "actor_id": None,
        "actor": "command line",
        "action": "forget",
        "target": "x",
        "detail": "",
    }
    assert await any_store.audit.forget(hoa.id, entry, NOW)
    kept = await any_store.library.get(material.id)
    assert kept is not None and kept.added_by == "-"
    assert await any_store.library.counts() == {}
