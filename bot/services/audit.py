"""Recording who did what, reading it back, and erasing a person on request."""

from __future__ import annotations

from bot.domain.audit import AuditAction, AuditEntry, forgotten_detail
from bot.domain.models import Person
from bot.services.ports import AuditStore, Clock, PlanStore, RosterStore, UnitOfWork

COMMAND_LINE = "command line"


def _actor(actor: Person | None) -> str:
    return f"{actor.full_name} ({actor.code})" if actor else COMMAND_LINE


class AuditService:
    """The audit log, behind one small interface."""

    def __init__(
        self, store: AuditStore, roster: RosterStore, plans: PlanStore, clock: Clock
    ) -> None:
        self._store = store
        self._roster = roster
        self._plans = plans
        self._clock = clock

    async def record(
        self, actor: Person | None, action: AuditAction, target: str, detail: str = ""
    ) -> None:
        """Note that ``actor`` (None: the command line) did ``action`` to ``target``."""
        await self._store.record(
            actor_id=actor.id if actor else None,
            actor=_actor(actor),
            action=action,
            target=target,
            detail=detail,
            now=self._clock.now(),
        )

    def note(
        self,
        unit: UnitOfWork,
        actor: Person | None,
        action: AuditAction,
        target: str,
        detail: str = "",
    ) -> None:
        """Write the entry in ``unit``, the transaction of the change it records."""
        unit.audit(
            actor_id=actor.id if actor else None,
            actor=_actor(actor),
            action=action,
            target=target,
            detail=detail,
            now=self._clock.now(),
        )

    async def entries(self, limit: int = 50) -> list[AuditEntry]:
        """The latest entries, in order."""
        return await self._store.entries(limit)

    async def person(self, code: str) -> Person | None:
        """The person with roster code ``code`` (as typed, or in capitals)."""
        code = code.strip()
        return await self._roster.person_by_code(code) or await self._roster.person_by_code(
            code.upper()
        )

    async def forget(self, code: str) -> str | None:
        """Erase the person with roster code ``code`` and all that is theirs.

        Kept: one anonymous audit line (unit, category, whether exempt, plan status), so counts
        can still be explained, and (in the same transaction) their standing per campaign
        without their name, which the report and the digests still count. Returns the unit
        path, or None when there is no such person.
        """
        person = await self.person(code)
        if person is None:
            return None
        _, plan = await self._plans.current(person.id)
        detail = forgotten_detail(
            person.category.value, person.is_exempt, plan.status.value if plan else None
        )
        entry: dict[str, object] = {
            "actor_id": None,
            "actor": COMMAND_LINE,
            "action": AuditAction.FORGET.value,
            "target": person.unit_path,
            "detail": detail,
        }
        if not await self._store.forget(person.id, entry, self._clock.now()):
            return None
        return person.unit_path
