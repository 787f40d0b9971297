"""The audit log records views, decisions, reports and broadcasts; forgetting erases a person."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness
from storage.tables import accounts, audit, outbox, people, plans
from tests.conftest import ROSTER
from tests.helpers import STUDY, cli_bot, fill_mau_01, run_cli, signed_in


@pytest.fixture
async def office(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """An returns Bình's plan after opening it, asks for the report; a broadcast goes out."""
    async with cli_bot(tmp_path, api, monkeypatch, ROSTER, "audit.db") as bot:
        an = await signed_in(bot, "An", "0912345678")
        binh = await signed_in(bot, "Bình", "0987654321")
        await fill_mau_01(binh, actions=1)
        await binh.press("📨 Gửi kế hoạch")
        await an.send("/duyet")
        await an.press("Xem: Trần Thị Bình")
        await an.press("↩️ Trả lại")  # "Chắc chắn?" first
        await an.press("Có")
        await an.send("Cần cụ thể hơn")
        await an.send("/baocao")
        yield bot


async def run_async(*argv: str) -> tuple[int, str]:
    return await asyncio.to_thread(run_cli, *argv)


async def test_audit_lists_who_did_what(office: Harness) -> None:
    """Viewing, returning, the report and a command-line broadcast are each one line."""
    await run_async("broadcast", "send", "--message", "Chào", "--to", "role:secretary", "--yes")
    status, out = await run_async("audit")
    assert status == 0
    lines = out.strip().splitlines()
    actions = [line.split("  ")[2] for line in lines]
    assert actions == ["xem kế hoạch", "trả lại kế hoạch", "xem báo cáo", "gửi thông báo"], out
    assert "Nguyễn Văn An (DV001)" in lines[0] and "kế hoạch số 1" in lines[0]
    assert "dòng lệnh" in lines[3] and "tới role:secretary: 1 người" in lines[3]


async def test_forget_erases_the_person_and_keeps_one_anonymous_line(office: Harness) -> None:
    """Without --yes nothing happens; with it the person, account, plan and messages are gone."""
    status, out = await run_async("person", "forget", "dv002")
    assert status == 0 and "--yes" in out and "Trần Thị Bình" in out

    async def count(table, column, value) -> int:  # type: ignore[no-untyped-def]
        async with office.store.engine.connect() as conn:
            query = select(func.count()).select_from(table).where(column == value)
            return int((await conn.execute(query)).scalar_one())

    assert await count(people, people.c.code, "DV002") == 1
    status, out = await run_async("person", "forget", "DV002", "--yes")
    assert status == 0 and "Chi bộ thôn 1" in out
    assert await count(people, people.c.code, "DV002") == 0
    assert await count(accounts, accounts.c.person_id, 2) == 0
    assert await count(plans, plans.c.person_id, 2) == 0
    assert await count(outbox, outbox.c.person_id, 2) == 0
    _, log = await run_async("audit")
    assert "Trần Thị Bình" not in log and "DV002" not in log
    assert "xóa dữ liệu một người" in log
    assert "đối tượng: Đảng viên; thuộc diện miễn: không; kế hoạch: được trả lại để sửa" in log
    # The secretary asks to be forgotten too: the lines they wrote stay, without their name.
    await run_async("person", "forget", "DV001", "--yes")
    _, log = await run_async("audit")
    assert "Nguyễn Văn An" not in log and log.count("  -  ") >= 3
    status, out = await run_async("person", "forget", "DV001", "--yes")
    assert status == 1 and "Không có ai" in out
    async with office.store.engine.connect() as conn:
        assert int((await conn.execute(select(func.count()).select_from(audit))).scalar_one()) >= 5


async def test_district_report_rolls_up_units_with_a_chart(office: Harness, tmp_path: Path) -> None:
    """The XLSX has every unit with the known numbers, the commune rolled up, and a bar chart."""
    from openpyxl import load_workbook

    status, out = await run_async("report", "--out", "bc.xlsx", "--chart", "bc.png")
    assert status == 0 and "bc.xlsx" in out and "bc.png" in out
    assert (tmp_path / "bc.png").read_bytes()[:4] == b"\x89PNG"
    book = load_workbook(tmp_path / "bc.xlsx")
    table = book.worksheets[0]
    header = [c.value for c in table[3]]  # under the title row and a blank row
    assert header[:4] == ["Đơn vị", "Phải nộp", "Đã nộp", "Đã xác nhận"]
    rows = {str(r[0]).strip(): r for r in table.iter_rows(min_row=4, values_only=True)}
    cell = rows["Chi bộ thôn 1"]
    assert cell[1:5] == (2, 0, 0, 1)  # An and Bình required; Bình's plan returned
    commune = rows["Đảng bộ xã Phú Lạc"]
    assert commune[1] == 4 and commune[6] == 1  # An, Bình, Đức, Em required; Cường exempt
    assert book.worksheets[1]._charts, "the completion chart"
    status, out = await run_async("report", "--out", "bc.csv")
    assert status == 2 and ".xlsx" in out


async def test_forget_leaves_nothing_in_other_messages_or_the_database_files(
    office: Harness, tmp_path: Path
) -> None:
    """The secretary's sent notice about the person goes, the queued digest keeps its counts but
    not the name, and neither name, phone nor answers remain in the .db and -wal files."""
    bot = office
    assert await bot.drain_outbox() >= 1  # An's "vừa gửi kế hoạch" notice about Bình: sent
    bot.clock.set(datetime(2022, 3, 28, 0, 31, tzinfo=UTC))  # Monday 07:31: the weekly digest
    await bot.sweep()
    async with bot.store.engine.connect() as conn:
        rows = (await conn.execute(select(outbox.c.status, outbox.c.payload))).all()
    naming = [(status, payload) for status, payload in rows if "Trần Thị Bình" in payload]
    assert {"sent", "queued"} <= {status for status, _ in naming}, rows
    async with bot.store.engine.connect() as conn:  # as SQLite does now and then by itself
        await conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    assert "Trần Thị Bình".encode() in (tmp_path / "audit.db").read_bytes()
    status, _ = await run_async("person", "forget", "DV002", "--yes")
    assert status == 0
    async with bot.store.engine.connect() as conn:
        payloads = [p for (p,) in (await conn.execute(select(outbox.c.payload))).all()]
    assert payloads and all("Trần Thị Bình" not in p for p in payloads)
    assert all("vừa gửi" not in p and "notify.submitted" not in p for p in payloads)
    digest = next(json.loads(p)["digest"] for p in payloads if '"digest"' in p)
    assert digest["returned"] == {"count": 1, "names": []}  # still counted, anonymously
    for suffix in ("", "-wal"):
        path = tmp_path / f"audit.db{suffix}"
        raw = path.read_bytes() if path.exists() else b""
        for secret in ("Trần Thị Bình", "0987654321", STUDY, "Cần cụ thể hơn"):
            assert secret.encode() not in raw, (suffix, secret)
