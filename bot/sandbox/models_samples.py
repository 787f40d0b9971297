"""The sandbox's sample organisation's published exemplary model (data:
``bot/samples/models_2022.toml``): nominated by a secretary and approved by the admin, through
the same service as in the chat, so the audit shows both."""

from __future__ import annotations

import tomllib
from importlib import resources

from bot.domain.exemplars import ModelStatus
from bot.domain.pending import ModelDraft
from bot.services.audit import AuditService
from bot.services.models import ModelsService


async def seed_models(models: ModelsService, audit: AuditService) -> int:
    """Add and approve the sample models (to a sandbox that has none); how many were added."""
    if await models.published_count():
        return 0
    text = resources.files("bot.samples").joinpath("models_2022.toml").read_text("utf-8")
    added = 0
    for entry in tomllib.loads(text)["model"]:
        by = await audit.person(str(entry["nominated_by"]))
        admin = await audit.person(str(entry["approved_by"]))
        if by is None or admin is None:
            continue
        lines = "\n".join(str(entry[key]) for key in ("who", "deed", "result"))
        model = await models.typed(by, ModelDraft(0), lines)
        if model is None or model.status is not ModelStatus.PENDING:
            continue
        if await models.approve(admin, model.id) is not None:
            added += 1
    return added
