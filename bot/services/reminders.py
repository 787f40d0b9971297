"""The "enqueue what is due" sweep: deadline reminders, returned-plan reminders, digests, meetings.

Idempotent: every occasion is recorded (with its messages, in one transaction) the first time it
is handled, so running the sweep twice, after a restart, or from two processes at once sends
nothing twice. What fell due while the bot was down is sent if still useful, else skipped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from bot.domain.digest import (
    Standing,
)
from bot.domain.meetings import (
    Meeting,
    MeetingStatus,
)
from bot.domain.midyear import OPEN_BUTTON as MIDYEAR_BUTTON
from bot.domain.models import Category
from bot.domain.outbox import OutboxMessage, Priority
from bot.domain.payloads import (
    Button,
    DeadlineCountdown,
    DeadlineReminder,
    Digest,
    MeetingCountdown,
    MeetingReminder,
    Notice,
)
from bot.domain.plan_actions import FIX_BUTTON, RESUME_BUTTON
from bot.domain.plans import Campaign, PlanStatus
from bot.domain.progress import SERIES as PROGRESS
from bot.domain.progress import (
    UPDATE_BUTTON,
    address_labels_of,
    audience,
    campaign_occasions,
    meeting_horizon,
    meeting_occasion,
)
from bot.domain.schedule import (
    Occasion,
    Schedule,
    deadline_occasions,
    digest_occasions,
    late_occasions,
    meeting_occasions,
    pick_due,
    returned_occasion,
)
from bot.services.digests import DigestService, local_text
from bot.services.meeting_book import ASK_SERIES, AskBatch, RecordAsks, flagged
from bot.services.ports import (
    Clock,
    DirectoryStore,
    MeetingStore,
    OutboxStore,
    PlanStore,
    ScheduleStore,
    UnitOfWork,
    Units,
)
from bot.services.progress import ProgressAsked

# Deadline reminders by "plan returned?": the wording before the deadline and on the day itself.
BEFORE_DEADLINE = {
    False: ("notify.remind_deadline", "notify.remind_deadline_today"),
    True: ("notify.remind_deadline_returned", "notify.remind_deadline_returned_today"),
}
# After it, by (plan returned?, party member?): party members are addressed as "đồng chí".
AFTER_DEADLINE = {
    (False, True): "notify.remind_late",
    (True, True): "notify.remind_late_returned",
    (False, False): "notify.remind_late_neutral",
    (True, False): "notify.remind_late_returned_neutral",
}


@dataclass
class SweepReport:
    """What one sweep did."""

    sent: list[str] = field(default_factory=list)  # occasion keys handled now
    skipped: list[str] = field(default_factory=list)  # occasions dropped as stale or superseded
    expired: dict[str, str] = field(default_factory=dict)  # never sent, and why (quiet hours)
    messages: int = 0
    requeued: int = 0


def countdown_to_meeting(meeting: Meeting) -> MeetingCountdown:
    """The payload's ``countdown``: the hours (or days) left are counted when it is sent."""
    return MeetingCountdown(starts_at=meeting.starts_at, days="notify.meeting_soon_days")


def meeting_payload(meeting: Meeting, template: str, tz: tzinfo) -> Notice:
    """An outbox payload about ``meeting``."""
    return Notice(
        template=template,
        params={
            "unit": meeting.unit_path,
            "when": local_text(meeting.starts_at, tz),
            "place": meeting.place,
            "topic": meeting.topic,
        },
        labels={"kind": f"label.meeting.{meeting.kind.value}"},
    )


class ReminderService:
    """Finds what is due and writes it to the outbox."""

    def __init__(
        self,
        plans: PlanStore,
        units: Units,
        store: ScheduleStore,
        meetings: MeetingStore,
        directory: DirectoryStore,
        outbox: OutboxStore,
        digests: DigestService,
        clock: Clock,
        tz: tzinfo,
        asks: RecordAsks | None = None,
        *,
        progress: ProgressAsked | None = None,
    ) -> None:
        self._asks = asks  # after a meeting's time: "record it" to its secretaries
        self._progress = progress
        self._digests = digests
        self._plans = plans
        self._units = units
        self._store = store
        self._meetings = meetings
        self._directory = directory
        self._outbox = outbox
        self._clock = clock
        self._tz = tz

    def _today(self, now: datetime) -> date:
        return now.astimezone(self._tz).date()

    async def enqueue_due(self) -> SweepReport:
        """Queue every message that is due now; safe to run at any time, any number of times."""
        now = self._clock.now()
        report = SweepReport(requeued=await self._outbox.requeue_stuck(now))
        campaign = await self._plans.active_campaign()
        occasions: list[Occasion] = []
        if campaign is not None:
            occasions += self._campaign_occasions(campaign)
            for plan in await self._store.returned_plans(campaign.id):
                occasions.append(
                    returned_occasion(
                        plan.plan_id, plan.rev, plan.returned_at, campaign.schedule, self._tz
                    )
                )
        schedule = campaign.schedule if campaign else Schedule()  # meetings go on all year
        horizon = max(schedule.meeting_hours, default=0)
        upcoming = await self._meetings.between(now, now + timedelta(hours=horizon + 24))
        meetings = {m.id: m for m in upcoming if m.status is MeetingStatus.SCHEDULED}
        for m in meetings.values():
            occasions += meeting_occasions(
                m.id, m.version, m.starts_at, m.updated_at, schedule, self._tz
            )
        asks = None
        if self._asks is not None:  # kept apart: bot/services/meeting_book.py
            asks = await self._asks.batch(now, schedule)
            occasions += asks.occasions
        asking: dict[int, Meeting] = {}
        if campaign is not None and self._progress is not None:
            occasions += campaign_occasions(campaign.year, campaign.schedule, self._tz)
            ahead = await self._meetings.between(now, now + meeting_horizon(campaign.schedule))
            for m in ahead:
                occasion = meeting_occasion(m, campaign.schedule, self._tz)
                if occasion is not None:
                    occasions.append(occasion)
                    asking[m.id] = m
        done: set[str] = set()
        for prefix in {o.key.split(":", 1)[0] + ":" for o in occasions}:
            done |= await self._store.done_occasions(prefix)
        pick = pick_due(occasions, done, now)
        for occasion in pick.skip:
            if await self._record(occasion.key, "skipped", [], now) is not None:
                report.skipped.append(occasion.key)
        for occasion in pick.expire:
            if await self._record(occasion.key, "expired", [], now) is not None:
                report.expired[occasion.key] = occasion.dropped
        context = _Lazy(self._store, campaign)
        for occasion in pick.send:
            if occasion.key.startswith(f"{PROGRESS}:") and campaign is not None:
                messages = await self._progress_prompts(occasion, campaign, asking, context, now)
            else:
                messages = await self._messages(occasion, campaign, meetings, context, now, asks)
            added = await self._record(occasion.key, "sent", messages, now)
            if added is not None:
                report.sent.append(occasion.key)
                report.messages += added
        return report

    async def _record(
        self, key: str, outcome: str, messages: Sequence[OutboxMessage], now: datetime
    ) -> int | None:
        """Mark the occasion handled and queue its messages, atomically; None if done already
        (two processes sweeping at once both try; the occasion's key lets only one through)."""

        def work(unit: UnitOfWork) -> int | None:
            if not unit.record_occasion(key, outcome, len(messages), now):
                return None
            return unit.enqueue(messages, now)

        return await self._units.run(work)

    def _campaign_occasions(self, campaign: Campaign) -> list[Occasion]:
        schedule = campaign.schedule
        opened = (
            campaign.opened_at.astimezone(self._tz).date()
            if campaign.opened_at
            else campaign.deadline
        )
        return (
            deadline_occasions(campaign.year, campaign.deadline, schedule, self._tz)
            + late_occasions(campaign.year, campaign.deadline, schedule, self._tz)
            + digest_occasions(campaign.year, opened, campaign.deadline, schedule, self._tz)
        )

    async def _messages(
        self,
        occasion: Occasion,
        campaign: Campaign | None,
        meetings: dict[int, Meeting],
        context: _Lazy,
        now: datetime,
        asks: AskBatch | None = None,
    ) -> list[OutboxMessage]:
        kind = occasion.key.split(":", 1)[0]
        if kind == ASK_SERIES and asks is not None:
            return await asks.messages(occasion)
        if kind == "meeting":
            meeting = meetings[int(occasion.key.split(":")[1])]
            return await self._meeting_reminders(occasion, meeting)
        if campaign is None:  # every other occasion is a campaign's: none without one
            return []
        if kind in ("deadline", "late"):
            return deadline_messages(occasion, campaign, await context.standings())
        if kind == "returned":
            plan_id = int(occasion.key.split(":")[1])
            return await self._returned_message(occasion, campaign, plan_id)
        digests = await self._digests.digests(campaign, await context.standings(), now)
        if occasion.day is not None and occasion.day > campaign.deadline:
            digests = {  # after the deadline: only to units where someone still owes a plan,
                unit_id: (data, people)  # or whose meetings are flagged (no quán triệt ...)
                for unit_id, (data, people) in digests.items()
                if data.missing.count or data.returned.count or flagged(data)
            }
        return [
            OutboxMessage(
                key=f"{occasion.key}:unit:{unit_id}:person:{person.person_id}",
                person_id=person.person_id,
                payload=Digest(digest=theirs),
                priority=Priority.WAVE,
                expires_at=occasion.stale,
            )
            for unit_id, (_, readers) in digests.items()
            for person, theirs in readers
        ]

    async def _meeting_reminders(self, occasion: Occasion, meeting: Meeting) -> list[OutboxMessage]:
        units = await self._directory.subtree(meeting.unit_id)
        audience = await self._meetings.audience(units)
        hours = occasion.hours_before
        template = "notify.meeting_soon_days" if hours >= 24 else "notify.meeting_soon_hours"
        about = meeting_payload(meeting, template, self._tz)
        payload = MeetingReminder(
            template=about.template,
            params={**about.params, "left": hours // 24 if hours >= 24 else hours},
            labels=about.labels,
            countdown=countdown_to_meeting(meeting),
        )
        return [
            OutboxMessage(
                key=f"{occasion.key}:person:{pid}",
                person_id=pid,
                payload=payload,
                priority=Priority.WAVE,
                expires_at=meeting.starts_at,
            )
            for pid in audience
        ]

    async def _progress_prompts(
        self,
        occasion: Occasion,
        campaign: Campaign,
        meetings: dict[int, Meeting],
        context: _Lazy,
        now: datetime,
    ) -> list[OutboxMessage]:
        """ "How are your actions going?" to those with a handed-in plan (of the meeting's cell
        and below, for a meeting's prompt), but not to anyone asked in the last days."""
        if self._progress is None:
            return []
        if context.recent is None:  # read once per sweep, then kept up to date here
            gap = timedelta(days=campaign.schedule.progress_gap_days)
            context.recent = await self._progress.recently_asked(now - gap)
        recent = context.recent
        kind = occasion.key.split(":")[1]
        candidates = await context.standings()
        params: dict[str, str | int] = {"year": campaign.year}
        if kind == "meeting":
            meeting = meetings.get(int(occasion.key.split(":")[2]))
            if meeting is None:
                return []
            by_unit = await context.by_unit()
            units = await self._directory.subtree(meeting.unit_id)
            candidates = [s for unit in units for s in by_unit.get(unit, ())]
            params |= {
                "when": meeting.starts_at.astimezone(self._tz).strftime("%d/%m/%Y"),
                "topic": meeting.topic,
            }
        elif kind == "review" and occasion.day is not None:
            params["day"] = occasion.day.strftime("%d/%m/%Y")
        template = f"notify.progress.{kind}"
        buttons: tuple[Button, ...] = (UPDATE_BUTTON,)
        if kind == "midyear" and campaign.schedule.midyear_check:  # and the self-check
            buttons = (UPDATE_BUTTON, MIDYEAR_BUTTON)
        payloads: dict[str, Notice] = {}  # one per form of address: encoded once per wave
        messages = []
        for person in audience(candidates, recent):
            labels = address_labels_of(person)
            payload = payloads.get(labels["you"])
            if payload is None:
                payload = payloads[labels["you"]] = Notice(
                    template=template, params=params, labels=labels, buttons=buttons
                )
            messages.append(
                OutboxMessage(
                    key=f"{occasion.key}:person:{person.person_id}",
                    person_id=person.person_id,
                    payload=payload,
                    priority=Priority.WAVE,
                    expires_at=occasion.stale,
                )
            )
        recent |= {m.person_id for m in messages}
        return messages

    async def _returned_message(
        self, occasion: Occasion, campaign: Campaign, plan_id: int
    ) -> list[OutboxMessage]:
        plan = await self._plans.plan(plan_id)
        if plan is None or plan.status is not PlanStatus.RETURNED:
            return []
        return [
            OutboxMessage(
                key=f"{occasion.key}:person:{plan.person_id}",
                person_id=plan.person_id,
                payload=Notice(
                    template="notify.remind_returned",
                    params={
                        "comment": plan.return_comment,
                        "deadline": campaign.deadline.strftime("%d/%m/%Y"),
                    },
                    buttons=(FIX_BUTTON,),
                ),
                priority=Priority.WAVE,
                expires_at=occasion.stale,
            )
        ]


class _Lazy:
    """Reads everyone's standing at most once per sweep, and only if an occasion needs it."""

    def __init__(self, store: ScheduleStore, campaign: Campaign | None) -> None:
        self._store = store
        self._campaign = campaign
        self._standings: list[Standing] | None = None
        self._by_unit: dict[int, list[Standing]] | None = None
        self.recent: set[int] | None = None  # asked about progress lately (this sweep too)

    async def standings(self) -> list[Standing]:
        if self._standings is None:
            campaign = self._campaign
            found = await self._store.standings(campaign.id) if campaign is not None else []
            self._standings = found
        return self._standings

    async def by_unit(self) -> dict[int, list[Standing]]:
        """Those with a handed-in plan, by unit (a meeting's prompt goes to its cell)."""
        if self._by_unit is None:
            self._by_unit = {}
            for standing in await self.standings():
                if standing.handed_in:
                    self._by_unit.setdefault(standing.unit_id, []).append(standing)
        return self._by_unit


def deadline_payload(
    campaign: Campaign, days_left: int, returned: bool, party: bool
) -> DeadlineReminder:
    """A deadline (or late) reminder; the renderer counts the days left when it is sent and
    picks the wording of that day: before the deadline, on it, or after it (``late``)."""
    before, today = BEFORE_DEADLINE[returned]
    late = AFTER_DEADLINE[returned, party]
    deadline = campaign.deadline.strftime("%d/%m/%Y")
    params: dict[str, str | int]
    if days_left > 0:
        template, params = before, {"days": days_left, "deadline": deadline}
    elif days_left == 0:
        template, params = today, {"deadline": deadline}
    else:
        template, params = late, {"days": -days_left, "deadline": deadline}
    return DeadlineReminder(
        template=template,
        params=params,
        buttons=(FIX_BUTTON if returned else RESUME_BUTTON,),
        countdown=DeadlineCountdown(deadline=campaign.deadline, today=today, late=late),
    )


def deadline_messages(
    occasion: Occasion, campaign: Campaign, standings: Sequence[Standing]
) -> list[OutboxMessage]:
    """One reminder per linked person who must write a plan and has not handed it in (before
    the deadline and, for a late occasion, after it)."""
    payloads: dict[tuple[bool, bool], DeadlineReminder] = {}  # shared by the wave: encoded once
    messages = []
    for person in standings:
        if not person.owes_plan or person.chat_id is None:
            continue
        kind = (person.status is PlanStatus.RETURNED, person.category is Category.PARTY_MEMBER)
        payload = payloads.get(kind)
        if payload is None:
            payload = payloads[kind] = deadline_payload(campaign, occasion.days_left, *kind)
        messages.append(
            OutboxMessage(
                key=f"{occasion.key}:person:{person.person_id}",
                person_id=person.person_id,
                payload=payload,
                priority=Priority.WAVE,
                expires_at=occasion.stale,
            )
        )
    return messages
