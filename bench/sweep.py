"""How long the sweeps take on a big organisation: a deadline wave, every unit's digest, and the
progress prompts.

    python -m bench.sweep [--people 100000] [--units 5000]

Builds a SQLite file with the roster (written straight into the tables: the import path has its
own checks and is not what is measured), opens the 2022 campaign, then runs the real
"enqueue what is due" sweep at these moments of the injected clock:
  1. Saturday 16/04/2022 08:00, when the T-14 deadline reminder is due (enqueue_s);
  2. Monday 18/04/2022 07:30, when every secretary's digest is due (digests_s);
  3. Thursday 30/06/2022 08:00, when everyone with a handed-in plan is asked about progress
     (progress_s; 10% of them were asked three days before, so the weekly limit is read);
  4. Friday 08/07/2022 08:00, three days before a thematic meeting in each of 10% of the cells
     (progress_meetings_s; a week and a minute after mid-year, so they are asked again).
Then the meeting flags (``meeting_flags``): every cell gets a year of meetings, some recorded as
held, some not, some awaiting their record; on 01/10/2022 (after Q3) the district report counts
the flagged cells (flags_report_s), every unit's digest carries its flags (flags_digests_s), and
the secretaries are asked to record the meetings awaiting it (record_asks_s).
The roster is built in a child process (``--build-here``: in this one), so ``peak_rss_mb`` is
the sweeps' own; ``setup_peak_rss_mb`` is the build's.
Each measured sweep also gives its CPU time (``*_cpu_s``, every thread of the process: the
database's too), which a busy machine does not inflate as it does the wall-clock time.
The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import resource
import sys
import tempfile
import time
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select, update

from bot.app import Services, build_services
from bot.config import Settings
from bot.domain.meetings import Meeting, cell_flags
from bot.services.clock import ManualClock
from bot.services.meeting_book import RecordAsks
from storage.meeting_book_repo import MeetingBookRepository
from storage.store import Store
from storage.tables import accounts, meetings, outbox, people, plans, units

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPENED = datetime(2022, 3, 25, 1, 0, tzinfo=UTC)


async def count_keys(store: Store, prefix: str, exclude: str = "") -> int:
    """Outbox rows whose key starts with ``prefix`` (and not with ``exclude``)."""
    query = select(outbox.c.id).where(outbox.c.key.startswith(prefix))
    if exclude:
        query = query.where(~outbox.c.key.startswith(exclude))
    async with store.engine.connect() as conn:
        return len((await conn.execute(query)).all())


def peak_rss_mb(who: int = resource.RUSAGE_SELF) -> float:
    """Peak resident memory of this process so far (RUSAGE_CHILDREN: of its largest child)."""
    kb = resource.getrusage(who).ru_maxrss
    return kb / 1024 if sys.platform != "darwin" else kb / 1024 / 1024


def _build_in_child(url: str, n_people: int, n_units: int, campaign_id: int) -> None:
    async def run() -> None:
        store = await Store.open(url, migrate=False)
        try:
            await build(store, n_people, n_units, campaign_id)
        finally:
            await store.close()

    asyncio.run(run())


def build_apart(url: str, n_people: int, n_units: int, campaign_id: int) -> None:
    """``build`` in a child process (spawned: nothing of this one's memory shared)."""
    child = multiprocessing.get_context("spawn").Process(
        target=_build_in_child, args=(url, n_people, n_units, campaign_id)
    )
    child.start()
    child.join()
    if child.exitcode != 0:
        raise RuntimeError(f"building the roster failed (exit status {child.exitcode})")


async def build(store: Store, n_people: int, n_units: int, campaign_id: int) -> None:
    """A district, its committees, their cells; people spread over the cells."""
    rng = random.Random(58)
    committees = max(1, n_units // 50)
    cells = n_units - committees - 1
    unit_rows = [dict(id=1, parent_id=None, name="Huyện", path="Huyện", path_key="h", depth=0)]
    for c in range(committees):
        uid = 2 + c
        name = f"Đảng bộ {c}"
        unit_rows.append(
            dict(id=uid, parent_id=1, name=name, path=f"Huyện / {name}", path_key=f"h/{c}", depth=1)
        )
    cell_ids = []
    for k in range(cells):
        uid = 2 + committees + k
        parent = 2 + k % committees
        name = f"Chi bộ {k}"
        unit_rows.append(
            dict(
                id=uid,
                parent_id=parent,
                name=name,
                path=f"Huyện / Đảng bộ {parent - 2} / {name}",
                path_key=f"h/{parent - 2}/{k}",
                depth=2,
            )
        )
        cell_ids.append(uid)
    person_rows, account_rows, plan_rows = [], [], []
    secretaries = set()
    for pid in range(1, n_people + 1):
        unit_id = cell_ids[pid % len(cell_ids)]
        roles = ""
        if unit_id not in secretaries:
            secretaries.add(unit_id)
            roles = "secretary"
        person_rows.append(
            dict(
                id=pid,
                code=f"P{pid:06}",
                full_name=f"Nguyễn Văn {pid}",
                birth_date=date(1980, 1, 1),
                phone=None,
                category="party_member",
                exemption="none" if rng.random() > 0.08 else "retired",
                unit_id=unit_id,
                party_position="",
                gov_position="",
                union_position="",
                roles=roles,
                active=True,
                created_at=OPENED,
                updated_at=OPENED,
                notify_channel=None,
            )
        )
        if rng.random() < 0.7 or roles:
            person_rows[-1]["notify_channel"] = "telegram"  # where their messages go
            account_rows.append(
                dict(
                    channel="telegram",
                    user_id=str(pid),
                    chat_id=str(pid),
                    person_id=pid,
                    method="contact",
                    linked_at=OPENED,
                )
            )
        roll = rng.random()
        if roll < 0.4:
            status = "submitted" if roll < 0.3 else "draft"
            plan_rows.append(
                dict(
                    person_id=pid,
                    campaign_id=campaign_id,
                    form_id="mau_01",
                    form_version=1,
                    status=status,
                    answers="{}",
                    position="review",
                    back_to_review=False,
                    buffer="",
                    paused=False,
                    rev=1,
                    late=False,
                    voluntary=False,
                    return_comment="",
                    created_at=OPENED,
                    updated_at=OPENED,
                    submitted_at=OPENED if status == "submitted" else None,
                )
            )
    async with store.engine.begin() as conn:
        for table, rows in ((units, unit_rows), (people, person_rows), (accounts, account_rows)):
            for start in range(0, len(rows), 10_000):
                await conn.execute(insert(table), rows[start : start + 10_000])
        for start in range(0, len(plan_rows), 10_000):
            await conn.execute(insert(plans), plan_rows[start : start + 10_000])
        # Messages go to a person's chosen channel (0014): without it nobody is reachable.
        linked = select(accounts.c.person_id).scalar_subquery()
        await conn.execute(
            update(people).where(people.c.id.in_(linked)).values(notify_channel="telegram")
        )


def meeting_rows(cell_ids: list[int]) -> list[dict[str, object]]:
    """A year of meetings per cell: a quán triệt (held by most), two thematic meetings (held by
    some), and for some a thematic meeting of late September still awaiting its record."""
    rng = random.Random(17)
    rows: list[dict[str, object]] = []

    def row(unit_id: int, kind: str, day: date, held: bool | None) -> dict[str, object]:
        starts = datetime.combine(day, datetime.min.time(), VN).replace(hour=8)
        recorded = held is not None
        return dict(
            unit_id=unit_id,
            kind=kind,
            starts_at=starts,
            place="Hội trường",
            topic="Chuyên đề 2022",
            status="scheduled",
            version=1,
            created_by=None,
            created_at=OPENED,
            updated_at=OPENED,
            outcome=("held" if held else "not_held") if recorded else None,
            held_on=day if held else None,
            present=20 if held else None,
            absent=2 if held else None,
            absent_ids="[]" if recorded else None,
            reason="" if held or not recorded else "Mưa bão",
            summary="Nội dung" if held else None,
            conclusion="Kết luận" if held else None,
            minutes_file="",
            recorded_by=None,
            recorded_at=starts if recorded else None,
        )

    for uid in cell_ids:
        rows.append(row(uid, "quan_triet", date(2022, 4, 10), rng.random() < 0.85))
        rows.append(row(uid, "chuyen_de", date(2022, 5, 15), rng.random() < 0.7))
        rows.append(row(uid, "chuyen_de", date(2022, 8, 15), rng.random() < 0.5))
        rows.append(row(uid, "dinh_ky", date(2022, 9, 5), True))
        if rng.random() < 0.3:
            rows.append(row(uid, "chuyen_de", date(2022, 9, 25), None))
    return rows


async def meeting_flags(
    store: Store, services: Services, clock: ManualClock
) -> dict[str, float | int]:
    """The meeting flags on 01/10/2022: the district report, every digest, the record asks."""
    async with store.engine.connect() as conn:
        cell_ids = [
            row.id for row in await conn.execute(select(units.c.id).where(units.c.depth == 2))
        ]
    rows = meeting_rows(cell_ids)
    async with store.engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            await conn.execute(insert(meetings), rows[start : start + 10_000])
    clock.set(datetime(2022, 10, 1, 9, 0, tzinfo=VN))

    started, cpu = time.perf_counter(), time.process_time()
    report = await services.digests.district()
    flags_report_s, flags_report_cpu = time.perf_counter() - started, time.process_time() - cpu
    assert report is not None

    campaign = await services.plans.campaign()
    assert campaign is not None
    standings = await store.schedule.standings(campaign.id)
    started, cpu = time.perf_counter(), time.process_time()
    digests = await services.digests.digests(campaign, standings, clock.now())
    flags_digests_s, flags_digests_cpu = time.perf_counter() - started, time.process_time() - cpu
    flagged = sum(1 for data, _ in digests.values() if data.no_briefing or data.thematic_flag)

    asks = RecordAsks(MeetingBookRepository(store.database), VN)
    started = time.perf_counter()
    batch = await asks.batch(clock.now(), campaign.schedule)
    messages = [m for o in batch.occasions for m in await batch.messages(o)]
    record_asks_s = time.perf_counter() - started

    # The flags alone: the year's meetings read, then every cell's flags (the rest of the
    # report and the digests is the plans' tally, measured above).
    started = time.perf_counter()
    year = await store.meetings.between(
        datetime(2022, 1, 1, tzinfo=VN), datetime(2023, 1, 1, tzinfo=VN)
    )
    by_unit: dict[int, list[Meeting]] = {}
    for meeting in year:
        by_unit.setdefault(meeting.unit_id, []).append(meeting)
    today = clock.now().astimezone(VN).date()
    flags = [
        cell_flags(by_unit.get(uid, []), 2022, campaign.deadline, today, VN) for uid in cell_ids
    ]
    flags_s = time.perf_counter() - started
    assert sum(f.no_briefing for f in flags) == report.total.cells_no_briefing
    return {
        "meetings": len(rows),
        "flags_s": round(flags_s, 2),
        "flags_report_s": round(flags_report_s, 2),
        "flags_report_cpu_s": round(flags_report_cpu, 2),
        "cells_no_briefing": report.total.cells_no_briefing,
        "cells_thematic_short": report.total.cells_thematic_short,
        "flags_digests_s": round(flags_digests_s, 2),
        "flags_digests_cpu_s": round(flags_digests_cpu, 2),
        "digests_flagged": flagged,
        "record_asks": len(messages),
        "record_asks_s": round(record_asks_s, 2),
    }


async def progress_setup(store: Store, n_people: int, n_units: int) -> None:
    """A progress prompt sent three days before mid-year to every tenth person (the weekly
    limit has rows to read), and a thematic meeting on 11/07/2022 in every tenth cell."""
    asked = datetime(2022, 6, 27, 1, 0, tzinfo=UTC)
    rows = [
        dict(
            key=f"progress:meeting:0:v1:person:{pid}",
            person_id=pid,
            channel="telegram",
            payload="{}",
            status="sent",
            priority=1,
            attempts=1,
            not_before=asked,
            error="",
            created_at=asked,
            sent_at=asked,
            parts_sent=1,
        )
        for pid in range(1, n_people + 1, 10)
    ]
    committees = max(1, n_units // 50)
    first_cell, cells = 2 + committees, n_units - committees - 1
    starts = datetime(2022, 7, 11, 7, 0, tzinfo=UTC)  # 14:00 local: the 72-hour reminder is later
    meeting_rows = [
        dict(
            unit_id=first_cell + k,
            kind="chuyen_de",
            starts_at=starts,
            place="Hội trường",
            topic="Chuyên đề",
            status="scheduled",
            version=1,
            created_by=None,
            created_at=OPENED,
            updated_at=OPENED,
        )
        for k in range(0, cells, 10)
    ]
    async with store.engine.begin() as conn:
        for start in range(0, len(rows), 10_000):
            await conn.execute(insert(outbox), rows[start : start + 10_000])
        await conn.execute(insert(meetings), meeting_rows)


async def main(n_people: int, n_units: int, apart: bool = True) -> dict[str, float | int]:
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'sweep.db'}"
        store = await Store.open(url)
        try:
            clock = ManualClock(OPENED)
            settings = Settings(_env_file=None, database_url=url)
            services = build_services(settings, store, clock)
            await services.plans.register_forms()
            campaign = await services.plans.set_campaign(
                year=2022, title="Chuyên đề 2022", deadline=date(2022, 4, 30), place="Tuy Phong"
            )
            started = time.perf_counter()
            if apart:  # the roster's rows are built in memory: in a process of their own, so
                # the peak RSS below is the sweeps' (the bot's), not the test data's
                await asyncio.to_thread(build_apart, url, n_people, n_units, campaign.id)
            else:
                await build(store, n_people, n_units, campaign.id)
            setup_s = time.perf_counter() - started
            setup_rss = peak_rss_mb(resource.RUSAGE_CHILDREN if apart else resource.RUSAGE_SELF)

            # The baseline: one read of everyone's standing, the least any sweep has to do.
            started = time.perf_counter()
            await store.schedule.standings(campaign.id)
            read_s = time.perf_counter() - started

            # Monday 11/04's digest first (not measured): else, still within its week, it would
            # go out late with the T-14 wave and be counted in it.
            clock.set(datetime(2022, 4, 11, 7, 30, tzinfo=VN))
            await services.reminders.enqueue_due()
            clock.set(datetime(2022, 4, 16, 8, 0, tzinfo=VN))
            started, cpu = time.perf_counter(), time.process_time()
            wave = await services.reminders.enqueue_due()
            enqueue_s, enqueue_cpu = time.perf_counter() - started, time.process_time() - cpu
            assert wave.sent == ["deadline:2022:T-14"], wave.sent

            clock.set(datetime(2022, 4, 18, 7, 30, tzinfo=VN))
            started, cpu = time.perf_counter(), time.process_time()
            digest = await services.reminders.enqueue_due()
            digests_s, digests_cpu = time.perf_counter() - started, time.process_time() - cpu
            assert digest.sent == ["digest:2022:2022-04-18"], digest.sent

            await progress_setup(store, n_people, n_units)
            # What fell due since 18/04 (late reminders, digests) first, not measured.
            clock.set(datetime(2022, 6, 30, 7, 0, tzinfo=VN))
            await services.reminders.enqueue_due()
            clock.set(datetime(2022, 6, 30, 8, 0, tzinfo=VN))
            started, cpu = time.perf_counter(), time.process_time()
            midyear = await services.reminders.enqueue_due()
            progress_s, progress_cpu = time.perf_counter() - started, time.process_time() - cpu
            assert "progress:midyear:2022" in midyear.sent, midyear.sent
            prompts = await count_keys(store, "progress:midyear:")

            clock.set(datetime(2022, 7, 8, 7, 0, tzinfo=VN))
            await services.reminders.enqueue_due()
            clock.set(datetime(2022, 7, 8, 8, 0, tzinfo=VN))
            started, cpu = time.perf_counter(), time.process_time()
            before = await services.reminders.enqueue_due()
            meetings_s, meetings_cpu = time.perf_counter() - started, time.process_time() - cpu
            held = [k for k in before.sent if k.startswith("progress:meeting:")]
            assert len(held) == len(range(0, n_units - max(1, n_units // 50) - 1, 10)), held[:3]
            meeting_prompts = await count_keys(
                store, "progress:meeting:", exclude="progress:meeting:0:"
            )

            async with store.engine.connect() as conn:
                rows = len((await conn.execute(select(outbox.c.id))).all())
            flags = await meeting_flags(store, services, clock)
            return {
                "people": n_people,
                "units": n_units,
                "setup_s": round(setup_s, 2),
                "reminders": wave.messages,
                "enqueue_s": round(enqueue_s, 2),
                "enqueue_cpu_s": round(enqueue_cpu, 2),
                "read_all_s": round(read_s, 2),
                "enqueue_ratio_to_read": round(enqueue_s / read_s, 2) if read_s else 0.0,
                "digests": digest.messages,
                "digests_s": round(digests_s, 2),
                "digests_cpu_s": round(digests_cpu, 2),
                "progress_prompts": prompts,
                "progress_s": round(progress_s, 2),
                "progress_cpu_s": round(progress_cpu, 2),
                "meeting_occasions": len(held),
                "meeting_prompts": meeting_prompts,
                "progress_meetings_s": round(meetings_s, 2),
                "progress_meetings_cpu_s": round(meetings_cpu, 2),
                "outbox_rows": rows,
                **flags,
                "setup_peak_rss_mb": round(setup_rss, 1),
                "peak_rss_mb": round(peak_rss_mb(), 1),
            }
        finally:
            await store.close()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=5_000)
    parser.add_argument(
        "--build-here",
        action="store_true",
        help="build the roster in this process (its peak RSS then includes the test data)",
    )
    args = parser.parse_args()
    figures = asyncio.run(main(args.people, args.units, apart=not args.build_here))
    print(
        f"{figures['reminders']} reminders queued in {figures['enqueue_s']} s; "
        f"{figures['digests']} digests in {figures['digests_s']} s; "
        f"meeting flags {figures['flags_s']} s (report {figures['flags_report_s']} s, "
        f"digests {figures['flags_digests_s']} s), asks {figures['record_asks_s']} s; "
        f"{figures['progress_prompts']} progress prompts in {figures['progress_s']} s; "
        f"{figures['meeting_occasions']} meetings' prompts in {figures['progress_meetings_s']} s; "
        f"peak RSS {figures['peak_rss_mb']} MB"
    )
    print(json.dumps(figures))
