"""The sandbox's sample organisation comes with a few study materials."""

from __future__ import annotations

from pathlib import Path

from bot.domain.library import Audience, check_file
from bot.sandbox.library_samples import sample_pdf
from storage.store import Store
from tests.sandbox.conftest import running


def test_the_sample_pdf_is_a_pdf_the_library_takes() -> None:
    """Its first bytes and its end are a PDF's."""
    data = sample_pdf("Tai lieu mau")
    assert check_file("mau.pdf", data) == "mau.pdf" and data.rstrip().endswith(b"%%EOF")


async def test_a_new_sandbox_has_sample_materials(tmp_path: Path) -> None:
    """A file for everyone, a link, and a directive for one cell."""
    database = tmp_path / "sandbox.db"
    async with running(database):
        pass
    store = await Store.open(f"sqlite+aiosqlite:///{database}")
    try:
        materials = await store.library.all()
    finally:
        await store.close()
    assert len(materials) == 3
    assert any(m.url for m in materials) and any(m.file_name for m in materials)
    assert any(m.audience is Audience.UNIT for m in materials)
