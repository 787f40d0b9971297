"""The sandbox's sample organisation comes with one published exemplary model."""

from __future__ import annotations

from pathlib import Path

from bot.domain.audit import AuditAction
from bot.domain.exemplars import ModelStatus
from storage.store import Store
from tests.sandbox.conftest import running


async def test_a_new_sandbox_has_a_published_model(tmp_path: Path) -> None:
    """Trần Thị Bình's model, of her cell, nominated by its secretary and approved by Hoa."""
    database = tmp_path / "sandbox.db"
    async with running(database):
        pass
    store = await Store.open(f"sqlite+aiosqlite:///{database}")
    try:
        [model] = await store.models.listed(ModelStatus.APPROVED)
        entries = await store.audit.entries(50)
    finally:
        await store.close()
    assert model.who == "Trần Thị Bình" and model.person_id is not None
    assert model.unit_path.endswith("Chi bộ thôn Lạc Trị")
    assert model.nominated_by == "Nguyễn Văn An" and model.approved_by == "Hồ Thị Hoa"
    actions = {e.action for e in entries}
    assert {AuditAction.MODEL_NOMINATE, AuditAction.MODEL_APPROVE} <= actions
