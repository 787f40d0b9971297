"""Repositories on SQLite and PostgreSQL: roster import, links, invites, counts."""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Connection

from bot.domain.models import Channel, Role
from bot.domain.roster import RosterRecord, parse_roster
from bot.services.ports import LinkConflict
from storage.store import Store
from storage.tables import metadata
from tests.conftest import ROSTER

NOW = datetime(2022, 3, 25, 8, 0, tzinfo=UTC)


def records(table: str = ROSTER) -> tuple[RosterRecord, ...]:
    rows = list(enumerate(csv.reader(io.StringIO(table.strip())), start=1))
    parsed = parse_roster(rows, date(2026, 1, 1))
    assert parsed.ok, parsed.errors
    return parsed.records


async def test_migrations_create_exactly_the_tables_the_code_uses(any_store: Store) -> None:
    """The Alembic head and storage/tables.py agree (no drift between them)."""

    def diff(connection: Connection) -> list[object]:
        return list(compare_metadata(MigrationContext.configure(connection), metadata))

    assert await any_store.database.read(diff) == []


async def test_import_then_reimport_updates_by_code_without_duplicates(any_store: Store) -> None:
    """A second import of an edited file updates rows in place and adds only new codes."""
    first = await any_store.roster.import_roster(
        records(), remove_missing=False, dry_run=False, now=NOW
    )
    assert (first.added, first.updated, first.unchanged, first.units_created) == (6, 0, 0, 5)

    edited = (
        ROSTER.replace("Trần Thị Bình", "Trần Thị Bình An").replace(
            "Chi bộ thôn 2,,", "chi  bộ THÔN 2,,"
        )
        + "DV005,Người Mới,,,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 3,,\n"
    )
    second = await any_store.roster.import_roster(
        records(edited), remove_missing=False, dry_run=False, now=NOW
    )
    assert (second.added, second.updated, second.unchanged, second.units_created) == (1, 1, 5, 1)

    people = await any_store.roster.list_people()
    assert len(people) == 7
    assert len({p.code for p in people}) == 7
    binh = await any_store.roster.person_by_code("DV002")
    assert binh is not None and binh.full_name == "Trần Thị Bình An"
    duc = await any_store.roster.person_by_code("DV004")
    assert duc is not None and duc.unit_path == "Đảng bộ xã Phú Lạc / Chi bộ thôn 2"


async def test_dry_run_writes_nothing_and_missing_people_are_only_removed_on_request(
    any_store: Store,
) -> None:
    """A dry run reports but rolls back; people absent from a file stay unless asked."""
    dry = await any_store.roster.import_roster(
        records(), remove_missing=False, dry_run=True, now=NOW
    )
    assert dry.added == 6 and await any_store.roster.count_people() == 0

    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    smaller = "\n".join(ROSTER.strip().splitlines()[:3])
    kept = await any_store.roster.import_roster(
        records(smaller), remove_missing=False, dry_run=False, now=NOW
    )
    assert (kept.missing, kept.removed) == (4, 0) and await any_store.roster.count_people() == 6
    removed = await any_store.roster.import_roster(
        records(smaller), remove_missing=True, dry_run=False, now=NOW
    )
    assert (removed.missing, removed.removed) == (
        4,
        4,
    ) and await any_store.roster.count_people() == 2
    back = await any_store.roster.import_roster(
        records(), remove_missing=False, dry_run=False, now=NOW
    )
    assert back.updated == 4 and await any_store.roster.count_people() == 6


async def test_link_spends_invites_and_replaces_the_old_account(any_store: Store) -> None:
    """Linking spends every open invite of the person and moves the link off an old account."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    binh = await any_store.roster.person_by_code("DV002")
    assert binh is not None
    await any_store.accounts.issue_invites({binh.id: "AAAA-BBBB-CCCC"}, NOW)
    replaced = await any_store.accounts.link(
        Channel.TELEGRAM, "u1", "c1", binh.id, method="contact", now=NOW
    )
    assert replaced is None
    invite = await any_store.accounts.invite("AAAA-BBBB-CCCC")
    assert invite is not None and invite.used
    with pytest.raises(LinkConflict):
        await any_store.accounts.link(
            Channel.TELEGRAM,
            "u2",
            "c2",
            binh.id,
            method="invite",
            now=NOW,
            invite_code="AAAA-BBBB-CCCC",
        )
    replaced = await any_store.accounts.link(
        Channel.TELEGRAM, "u2", "c2", binh.id, method="contact", now=NOW
    )
    assert replaced == "c1"
    assert await any_store.accounts.person_for_account(Channel.TELEGRAM, "u1") is None
    linked = await any_store.accounts.person_for_account(Channel.TELEGRAM, "u2")
    assert linked is not None and linked.id == binh.id
    assert await any_store.accounts.chat_of(Channel.TELEGRAM, binh.id) == "c2"


async def test_one_invite_used_by_two_accounts_at_once_links_only_one(any_store: Store) -> None:
    """Two concurrent redemptions of one code: exactly one wins, the other gets a conflict."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    duc = await any_store.roster.person_by_code("DV004")
    assert duc is not None
    await any_store.accounts.issue_invites({duc.id: "DDDD-EEEE-FFFF"}, NOW)

    async def redeem(user: str) -> bool:
        try:
            await any_store.accounts.link(
                Channel.TELEGRAM,
                user,
                user,
                duc.id,
                method="invite",
                now=NOW,
                invite_code="DDDD-EEEE-FFFF",
            )
        except LinkConflict:
            return False
        return True

    results = await asyncio.gather(redeem("x1"), redeem("x2"))
    assert sorted(results) == [False, True]


async def test_failures_window_invites_scope_and_stats(any_store: Store) -> None:
    """Failed attempts are counted per window; invites and stats respect the unit scope."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    for minutes in (0, 30, 90):
        await any_store.accounts.record_failure(
            Channel.TELEGRAM, "u9", NOW - timedelta(minutes=minutes)
        )
    assert (
        await any_store.accounts.count_failures(Channel.TELEGRAM, "u9", NOW - timedelta(hours=1))
        == 2
    )

    cell = await any_store.directory.unit_by_path(("dang bo xa phu lac", "CHI BO THON 1"))
    assert cell is not None and cell.path == "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"
    commune = await any_store.directory.unit_by_path(("Đảng bộ xã Phú Lạc",))
    assert commune is not None
    assert len(await any_store.directory.subtree(commune.id)) == 4
    scope = await any_store.directory.subtree(cell.id)
    needing = await any_store.accounts.people_needing_invites(scope)
    assert sorted(p.code for p in needing) == ["DV001", "DV002", "DV003"]
    await any_store.accounts.issue_invites(
        {p.id: f"AAAA-AAAA-AAA{i + 2}" for i, p in enumerate(needing)}, NOW
    )
    assert await any_store.accounts.people_needing_invites(scope) == []
    assert len(await any_store.accounts.open_invites(scope)) == 3
    assert len(await any_store.accounts.open_invites(None)) == 3

    stats = await any_store.directory.stats()
    assert (stats.units, stats.people, stats.party, stats.staff, stats.exempt, stats.linked) == (
        5,
        6,
        5,
        1,
        1,
        0,
    )
    await any_store.directory.set_setting("bot_username", "a_bot")
    await any_store.directory.set_setting("bot_username", "b_bot")
    assert await any_store.directory.get_setting("bot_username") == "b_bot"


async def test_datetimes_come_back_aware_in_utc(any_store: Store) -> None:
    """What goes in as any aware time comes back as the same instant in UTC."""
    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    later = datetime(2022, 3, 25, 15, 0, tzinfo=UTC).astimezone(
        __import__("zoneinfo").ZoneInfo("Asia/Ho_Chi_Minh")
    )
    await any_store.accounts.record_failure(Channel.TELEGRAM, "tz", later)
    assert (
        await any_store.accounts.count_failures(
            Channel.TELEGRAM, "tz", datetime(2022, 3, 25, 14, 59, tzinfo=UTC)
        )
        == 1
    )
    assert (
        await any_store.accounts.count_failures(
            Channel.TELEGRAM, "tz", datetime(2022, 3, 25, 15, 1, tzinfo=UTC)
        )
        == 0
    )


async def test_visit_reads_person_campaign_and_plan_in_one_query(any_store: Store) -> None:
    """An unknown account, a person before any campaign (then typing a comment), then with a
    campaign and a plan."""
    from bot.domain import engine as e
    from bot.domain.models import Category
    from bot.domain.pending import ReturnComment

    await any_store.roster.import_roster(records(), remove_missing=False, dry_run=False, now=NOW)
    assert await any_store.plans.visit(Channel.TELEGRAM, "u1") == (None, None, None, None)
    binh = await any_store.roster.person_by_code("DV002")
    assert binh is not None
    await any_store.accounts.link(Channel.TELEGRAM, "u1", "c1", binh.id, method="contact", now=NOW)
    person, pending, campaign, plan = await any_store.plans.visit(Channel.TELEGRAM, "u1")
    assert person is not None and person.code == "DV002" and campaign is None and plan is None
    assert pending is None
    await any_store.schedule.set_pending(binh.id, ReturnComment(7, 2), NOW)
    _, pending, _, _ = await any_store.plans.visit(Channel.TELEGRAM, "u1")
    assert pending == ReturnComment(7, 2)  # what they are typing, in the same query
    await any_store.schedule.set_pending(binh.id, None, NOW)

    forms = {Category.PARTY_MEMBER: "mau_01"}
    old = await any_store.plans.set_campaign(
        year=2021, title="Cũ", deadline=date(2021, 4, 30), place="X", forms=forms, now=NOW
    )
    new = await any_store.plans.set_campaign(
        year=2022, title="Mới", deadline=date(2022, 4, 30), place="X", forms=forms, now=NOW
    )
    await any_store.plans.create_plan(
        person_id=binh.id,
        campaign_id=old.id,
        form_id="mau_01",
        form_version=1,
        draft=e.Draft(answers={"study": "năm cũ"}),
        voluntary=False,
        now=NOW,
    )
    _, _, campaign, plan = await any_store.plans.visit(Channel.TELEGRAM, "u1")
    assert campaign == new and plan is None  # last year's plan is not this year's
    created = await any_store.plans.create_plan(
        person_id=binh.id,
        campaign_id=new.id,
        form_id="mau_01",
        form_version=1,
        draft=e.Draft(answers={"study": "năm mới"}),
        voluntary=False,
        now=NOW,
    )
    _, _, campaign, plan = await any_store.plans.visit(Channel.TELEGRAM, "u1")
    assert plan == created and plan is not None and plan.draft.answers == {"study": "năm mới"}
    saved = await any_store.plans.save_draft(created, e.Draft(answers={"study": "sửa"}), NOW)
    assert saved is not None and saved.rev == created.rev + 1
    assert await any_store.plans.save_draft(created, e.Draft(answers={"study": "cũ"}), NOW) is None


async def test_all_holders_of_a_role_in_any_unit_active_only(any_store: Store) -> None:
    """The admins wherever they sit (the fallback for a plan with no confirmer nearer)."""
    second = "\nQT002,Lê Thị Nga,,,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 2,,Quản trị"
    await any_store.roster.import_roster(
        records(ROSTER.strip() + second), remove_missing=False, dry_run=False, now=NOW
    )
    admins = await any_store.directory.all_holders(Role.ADMIN)
    assert [p.code for p in admins] == ["QT001", "QT002"]
    await any_store.roster.import_roster(records(), remove_missing=True, dry_run=False, now=NOW)
    assert [p.code for p in await any_store.directory.all_holders(Role.ADMIN)] == ["QT001"]
    assert [p.code for p in await any_store.directory.all_holders(Role.HEAD)] == ["CB001"]


async def test_offered_choices_are_kept_per_chat_and_replaced(any_store: Store) -> None:
    """The choices last shown in a chat come back in order; new ones replace them."""
    from bot.domain.choices import Choice

    first = [Choice("✅ Xong", "p:3:ok:"), Choice("⬅️ Quay lại", "p:3:bk:")]
    await any_store.offers.offer(Channel.ZALO, "z1", first, NOW)
    await any_store.offers.offer(Channel.ZALO, "z2", [Choice("Khác", "m:st:")], NOW)
    assert await any_store.offers.offered(Channel.ZALO, "z1") == first
    await any_store.offers.offer(Channel.ZALO, "z1", first[1:], NOW)
    assert await any_store.offers.offered(Channel.ZALO, "z1") == first[1:]
    assert await any_store.offers.offered(Channel.TELEGRAM, "z1") == []
    assert await any_store.offers.offered(Channel.ZALO, "z2") == [Choice("Khác", "m:st:")]
