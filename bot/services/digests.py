"""Secretaries' digests and the on-demand progress report: counts and names per unit.

The data is a ``DigestData`` (it travels in the outbox); bot/services/notices.py renders it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Protocol

from bot.domain.audit import AuditAction
from bot.domain.collation import path_key, vi_key
from bot.domain.digest import (
    Names,
    Standing,
    Tally,
    UnitNode,
    recipients,
    submitted_by_unit,
    subtrees,
    tally_units,
    waiting_for,
)
from bot.domain.exemplars import ModelStatus
from bot.domain.meetings import (
    MIN_THEMATIC_PER_YEAR,
    CellFlags,
    Meeting,
    MeetingKind,
    MeetingStatus,
    cell_flags,
    held_of,
    quarters_without_thematic,
    thematic_count,
)
from bot.domain.models import Category, Person, Role
from bot.domain.payloads import DigestData, DigestMeeting
from bot.domain.payloads import Names as DigestNames
from bot.domain.plans import Campaign, queue_of
from bot.services.audit import AuditService
from bot.services.ports import (
    Clock,
    DirectoryStore,
    MeetingStore,
    OutboxStore,
    PlanStore,
    ScheduleStore,
)


def local_text(moment: datetime, tz: tzinfo) -> str:
    """dd/mm/yyyy HH:MM in local time."""
    return moment.astimezone(tz).strftime("%d/%m/%Y %H:%M")


class StudyCounts(Protocol):
    """The study library's count for the district report (issue 18)."""

    async def studied_all(self, year: int | None = None) -> dict[str, tuple[int, int]]: ...


class ModelCounts(Protocol):
    """The exemplary models' count for the district report (issue 18 §2)."""

    async def counts(self, year: int) -> dict[str, dict[ModelStatus, int]]: ...


class DigestService:
    """Builds digests for the sweep and for /baocao."""

    def __init__(
        self,
        plans: PlanStore,
        store: ScheduleStore,
        meetings: MeetingStore,
        directory: DirectoryStore,
        outbox: OutboxStore,
        audit: AuditService,
        clock: Clock,
        tz: tzinfo,
        library: StudyCounts | None = None,
        models: ModelCounts | None = None,
    ) -> None:
        self._models = models
        self._library = library
        self._audit = audit
        self._plans = plans
        self._store = store
        self._meetings = meetings
        self._directory = directory
        self._outbox = outbox
        self._clock = clock
        self._tz = tz

    def _today(self, now: datetime) -> date:
        return now.astimezone(self._tz).date()

    def _opened(self, campaign: Campaign) -> date | None:
        """The local day the campaign was opened (thematic quarters count from there)."""
        return campaign.opened_at.astimezone(self._tz).date() if campaign.opened_at else None

    @staticmethod
    def may_see_district(person: Person) -> bool:
        """The district report is for admins (and the command line)."""
        return person.active and person.has(Role.ADMIN)

    async def district(
        self, actor: Person | None = None, year: int | None = None
    ) -> DistrictReport | None:
        """The roll-up by unit (``actor`` None: the command line) of the open campaign, or of
        ``year``'s; None without such a campaign.

        Raises PermissionError for a person who may not see it.
        """
        if actor is not None and not self.may_see_district(actor):
            raise PermissionError("the district report is for admins")
        if year is None:
            campaign = await self._plans.active_campaign()
        else:
            campaign = await self._plans.campaign_of_year(year)
        if campaign is None:
            return None
        await self._audit.record(actor, AuditAction.REPORT, "district", str(campaign.year))
        now = self._clock.now()
        units = await self._store.unit_nodes()
        standings = await self._store.standings(campaign.id)
        erased = await self._store.forgotten(campaign.id)
        tallies = tally_units(units, standings, forgotten=erased)
        with_members = {s.unit_id for s in standings if s.category is Category.PARTY_MEMBER}
        with_members |= {f.unit_id for f in erased if f.category is Category.PARTY_MEMBER}
        meetings = await self._year_meetings(campaign.year)
        below: dict[int, list[int]] = {}
        for unit in units:
            if unit.parent_id is not None:
                below.setdefault(unit.parent_id, []).append(unit.id)

        def subtree(unit_id: int) -> list[int]:
            found, todo = [], [unit_id]
            while todo:
                current = todo.pop()
                found.append(current)
                todo.extend(below.get(current, []))
            return found

        # "Held" is recorded as held (bot.domain.meetings.is_held), through cell_flags.
        today, year, deadline = self._today(now), campaign.year, campaign.deadline
        flags: dict[int, CellFlags] = {}

        def flags_of(uid: int) -> CellFlags:
            if uid not in flags:
                found = meetings.get(uid, [])
                flags[uid] = cell_flags(found, year, deadline, today, self._tz)
            return flags[uid]

        def briefed(uid: int) -> bool:
            return bool(held_of(meetings.get(uid, []), MeetingKind.BRIEFING, year, self._tz))

        # The year's materials only: an earlier year's reading never counts in this one's.
        library = self._library
        studied = await library.studied_all(campaign.year) if library is not None else {}

        def study(path: str) -> tuple[int, int]:
            found = [n for p, n in studied.items() if p == path or p.startswith(f"{path} / ")]
            return sum(d for d, _ in found), sum(n for _, n in found)

        nominated = await self._models.counts(year) if self._models is not None else {}

        def models(path: str) -> tuple[int, int, int]:
            """Nominations of the year in the unit and below: all, waiting (or returned for an
            edit), published."""
            found = [n for p, n in nominated.items() if p == path or p.startswith(f"{path} / ")]
            waiting = (ModelStatus.PENDING, ModelStatus.RETURNED)
            return (
                sum(sum(n.values()) for n in found),
                sum(n.get(status, 0) for n in found for status in waiting),
                sum(n.get(ModelStatus.APPROVED, 0) for n in found),
            )

        rows = []
        for unit in sorted(units, key=lambda u: path_key(u.path)):
            done, meant = study(unit.path)
            all_models, waiting, published = models(unit.path)
            cells = [
                uid
                for uid in subtree(unit.id)
                if uid not in below and (uid in with_members or uid in meetings)
            ]
            rows.append(
                ReportRow(
                    unit.path,
                    unit.depth,
                    tallies[unit.id],
                    cells=len(cells),
                    cells_thematic=sum(
                        flags_of(uid).thematic_held >= MIN_THEMATIC_PER_YEAR for uid in cells
                    ),
                    cells_briefed=sum(briefed(uid) for uid in cells),
                    cells_no_briefing=sum(flags_of(uid).no_briefing for uid in cells),
                    cells_thematic_short=sum(bool(flags_of(uid).thematic_short) for uid in cells),
                    studied_all=done,
                    study_people=meant,
                    models_nominated=all_models,
                    models_waiting=waiting,
                    models_published=published,
                )
            )
        total = Tally()
        for row in rows:
            if row.depth == 1:
                total.merge(row.tally)
        tops = [row for row in rows if row.depth == 1]
        summed = ReportRow(
            "",
            0,
            total,
            cells=sum(row.cells for row in tops),
            cells_thematic=sum(row.cells_thematic for row in tops),
            cells_briefed=sum(row.cells_briefed for row in tops),
            cells_no_briefing=sum(row.cells_no_briefing for row in tops),
            cells_thematic_short=sum(row.cells_thematic_short for row in tops),
            studied_all=sum(row.studied_all for row in tops),
            study_people=sum(row.study_people for row in tops),
            models_nominated=sum(row.models_nominated for row in tops),
            models_waiting=sum(row.models_waiting for row in tops),
            models_published=sum(row.models_published for row in tops),
        )
        return DistrictReport(campaign, self._today(now), rows, summed)

    async def past_year(self) -> int | None:
        """The year before the open campaign's, when that year had a campaign."""
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return None
        past = await self._plans.campaign_of_year(campaign.year - 1)
        return None if past is None else past.year

    async def report_for(self, person: Person) -> DigestData | None:
        """/baocao: the digest of the person's unit (an admin: of everyone), made now.

        None when there is no open campaign; the caller checks the right to ask first.
        """
        campaign = await self._plans.active_campaign()
        if campaign is None:
            return None
        leads = person.has(Role.SECRETARY) or person.has(Role.HEAD)
        await self._audit.record(
            person, AuditAction.REPORT, f"unit:{person.unit_id}" if leads else "all"
        )
        now = self._clock.now()
        meetings: list[Meeting] = []
        if person.has(Role.SECRETARY) or person.has(Role.HEAD):
            ids = await self._directory.subtree(person.unit_id)
            standings = await self._store.standings(campaign.id, ids)
            erased = await self._store.forgotten(campaign.id, ids)
            nodes = [n for n in await self._store.unit_nodes() if n.id in set(ids)]
            tally = tally_units(nodes, standings, {person.unit_id}, erased)[person.unit_id]
            meetings = (await self._year_meetings(campaign.year)).get(person.unit_id, [])
            data = self.digest_data(campaign, person.unit_path, tally, meetings, now)
            return self._yours(data, person.id, person.roles, ids, nodes, standings, person.unit_id)
        tally = Tally()
        standings = await self._store.standings(campaign.id)
        for standing in sorted(standings, key=lambda s: vi_key(s.full_name)):
            tally.count(standing, standing.full_name)
        for record in await self._store.forgotten(campaign.id):
            tally.count_forgotten(record)
        data = self.digest_data(campaign, None, tally, meetings, now)
        nodes = await self._store.unit_nodes()
        data = self._yours(data, person.id, person.roles, [], nodes, standings, None)
        # The admin also sees the delivery state.
        return data.model_copy(update={"outbox": await self._outbox.counts()})

    @staticmethod
    def _yours(
        data: DigestData,
        reviewer_id: int,
        roles: frozenset[Role],
        subtree: Sequence[int],
        within: Sequence[UnitNode],
        standings: Sequence[Standing] | Mapping[int, Sequence[Standing]],
        unit_id: int | None,
    ) -> DigestData:
        """``data`` with its "waiting" names made the reader's: exactly the plans their desk
        lists as waiting (never their own, which waits for the committee above)."""
        queue = queue_of(reviewer_id, roles, subtree)
        if queue is None:
            return data
        waiting = standings if isinstance(standings, Mapping) else submitted_by_unit(standings)
        names = waiting_for(queue, within, waiting, unit_id)
        return data.model_copy(
            update={"waiting": DigestNames(count=names.count, names=tuple(names.names))}
        )

    async def digests(
        self,
        campaign: Campaign,
        standings: Sequence[Standing],
        now: datetime,
        units: Sequence[UnitNode] | None = None,
    ) -> dict[int, tuple[DigestData, list[tuple[Standing, DigestData]]]]:
        """Every unit that has a secretary or head: its digest data, and who receives it with
        the copy each reads (whose "waiting" names are that reader's desk)."""
        to = recipients(standings)
        nodes = units if units is not None else await self._store.unit_nodes()
        erased = await self._store.forgotten(campaign.id)
        tallies = tally_units(nodes, standings, set(to), erased)
        meetings = await self._year_meetings(campaign.year)
        waiting = submitted_by_unit(standings)
        below = subtrees(nodes, set(to))
        found: dict[int, tuple[DigestData, list[tuple[Standing, DigestData]]]] = {}
        for unit in nodes:
            if unit.id not in to:
                continue
            data = self.digest_data(
                campaign, unit.path, tallies[unit.id], meetings.get(unit.id, []), now
            )
            within = below[unit.id]
            ids = [u.id for u in within]
            readers = [
                (r, self._yours(data, r.person_id, r.roles, ids, within, waiting, unit.id))
                for r in to[unit.id]
            ]
            found[unit.id] = (data, readers)
        return found

    async def _year_meetings(self, year: int) -> dict[int, list[Meeting]]:
        start = datetime(year, 1, 1, tzinfo=self._tz)
        end = datetime(year + 1, 1, 1, tzinfo=self._tz)
        by_unit: dict[int, list[Meeting]] = {}
        for meeting in await self._meetings.between(start, end):
            by_unit.setdefault(meeting.unit_id, []).append(meeting)
        return by_unit

    def digest_data(
        self,
        campaign: Campaign,
        unit: str | None,
        tally: Tally,
        meetings: Sequence[Meeting],
        now: datetime,
    ) -> DigestData:
        """What a digest shows (it travels in the outbox)."""
        today = self._today(now)
        upcoming = [
            m for m in meetings if m.status is MeetingStatus.SCHEDULED and m.starts_at > now
        ]
        nxt = min(upcoming, key=lambda m: m.starts_at) if upcoming else None
        flags = cell_flags(meetings, campaign.year, campaign.deadline, today, self._tz)

        def names(found: Names) -> DigestNames:
            return DigestNames(count=found.count, names=tuple(found.names))

        return DigestData(
            unit=unit,
            year=campaign.year,
            day=today.strftime("%d/%m/%Y"),
            deadline=campaign.deadline.strftime("%d/%m/%Y"),
            days_left=(campaign.deadline - today).days,  # as of ``now``; see deadline_on
            deadline_on=campaign.deadline,  # the renderer counts days at sending
            required=tally.required,
            submitted=tally.submitted,
            confirmed=tally.confirmed,
            exempt=tally.exempt,
            not_linked=tally.not_linked,
            missing=names(tally.missing),
            waiting=names(tally.waiting),
            returned=names(tally.returned),
            unreachable=names(tally.unreachable),
            meeting=None
            if nxt is None
            else DigestMeeting(
                kind=nxt.kind.value,
                when=local_text(nxt.starts_at, self._tz),
                place=nxt.place,
                topic=nxt.topic,
            ),
            thematic=thematic_count(meetings, campaign.year, self._tz),
            thematic_min=MIN_THEMATIC_PER_YEAR,
            quarters_without=tuple(
                quarters_without_thematic(
                    meetings, campaign.year, today, self._tz, self._opened(campaign)
                )
            ),
            no_briefing=flags.no_briefing,
            thematic_flag=flags.thematic_short,
        )


@dataclass(frozen=True, slots=True)
class ReportRow:
    """One unit of the district report, its sub-units included."""

    unit_path: str
    depth: int
    tally: Tally
    cells: int = 0  # cells (units without sub-units, with party members) in it
    cells_thematic: int = 0  # cells that held at least MIN_THEMATIC_PER_YEAR thematic meetings
    cells_briefed: int = 0  # cells that held the quán triệt session
    cells_no_briefing: int = 0  # flagged: no quán triệt recorded as held by the deadline
    cells_thematic_short: int = 0  # flagged: Q3 (or Q4) ended with fewer than 2 thematic
    studied_all: int = 0  # people who marked every required library material meant for them
    study_people: int = 0  # people with at least one required library material meant for them
    models_nominated: int = 0  # exemplary models nominated this year (issue 18 §2), any status
    models_waiting: int = 0  # of those, waiting for the admin's review or returned for an edit
    models_published: int = 0  # of those, approved: published

    @property
    def rate(self) -> float:
        """Share of the required plans handed in (0-100)."""
        return 100.0 * self.tally.submitted / self.tally.required if self.tally.required else 0.0


@dataclass(frozen=True, slots=True)
class DistrictReport:
    """The district report of one campaign: a row per unit and the total of the top units."""

    campaign: Campaign
    made_on: date
    rows: list[ReportRow]
    total: ReportRow
