"""An erased person's handed-in plan still counts, anonymously, in the report and the digests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Chat, Harness
from storage.tables import forgotten
from tests.cli.test_audit_cli import run_async
from tests.conftest import ROSTER
from tests.helpers import cli_bot, fill_mau_01, signed_in

# Chi bộ thôn 1: An (secretary), Bình and Gấm required, Cường exempt.
CELL_OF_THREE = (
    ROSTER.rstrip()
    + "\nDV006,Đặng Thị Gấm,10/10/1992,0911222333,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 1,,\n"
)


@pytest.fixture
async def confirmed(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[Harness, Chat]]:
    """Bình hands in her plan and An confirms it; yields the bot and An's chat."""
    async with cli_bot(tmp_path, api, monkeypatch, CELL_OF_THREE, "forget.db") as bot:
        an = await signed_in(bot, "An", "0912345678")
        binh = await signed_in(bot, "Bình", "0987654321")
        await fill_mau_01(binh, actions=1)
        await binh.press("📨 Gửi kế hoạch")
        await an.send("/duyet")
        await an.press("Xem: Trần Thị Bình")
        await an.press("✅ Xác nhận")
        yield bot, an


async def report_rows(tmp_path: Path) -> dict[str, tuple[object, ...]]:
    """The district report's rows by unit name: required, handed in, confirmed, returned,
    late, exempt, not signed in, unreachable."""
    status, out = await run_async("report", "--out", "bc.xlsx")
    assert status == 0, out
    table = load_workbook(tmp_path / "bc.xlsx").worksheets[0]
    return {str(r[0]).strip(): tuple(r[1:9]) for r in table.iter_rows(min_row=4, values_only=True)}


async def test_an_erased_persons_confirmed_plan_still_counts(
    confirmed: tuple[Harness, Chat], tmp_path: Path
) -> None:
    """After Bình is erased her cell still has 3 required, 1 handed in and confirmed, in the
    district report, the secretary's /baocao and Monday's digest; her name is nowhere."""
    bot, an = confirmed
    before = await report_rows(tmp_path)
    assert before["Chi bộ thôn 1"] == (3, 1, 1, 0, 0, 1, 2, 0)  # Cường, Gấm not signed in
    status, _ = await run_async("person", "forget", "DV002", "--yes")
    assert status == 0
    after = await report_rows(tmp_path)
    assert after["Chi bộ thôn 1"] == (3, 1, 1, 0, 0, 1, 2, 0)
    assert after["Đảng bộ xã Phú Lạc"] == before["Đảng bộ xã Phú Lạc"]
    [reply] = await an.send("/baocao")
    assert "Phải nộp: 3 · Đã nộp: 1 (đã xác nhận 1)" in reply.plain
    assert "Chưa nộp (2): Đặng Thị Gấm, Nguyễn Văn An" in reply.plain  # Đ after D, before N
    assert "Trần Thị Bình" not in reply.plain
    bot.clock.set(datetime(2022, 3, 28, 0, 31, tzinfo=UTC))  # Monday 07:31: the weekly digest
    await bot.sweep()
    await bot.drain_outbox()
    digest = next(m.plain for m in reversed(an.messages) if "Tiến độ" in m.plain)
    assert "Phải nộp: 3 · Đã nộp: 1 (đã xác nhận 1)" in digest and "Trần Thị Bình" not in digest
    async with bot.store.engine.connect() as conn:
        kept = [tuple(r) for r in (await conn.execute(select(forgotten))).all()]
    assert len(kept) == 1 and not any("Bình" in str(v) or "DV002" in str(v) for v in kept[0])
    for suffix in ("", "-wal"):
        path = tmp_path / f"forget.db{suffix}"
        raw = path.read_bytes() if path.exists() else b""
        for secret in ("Trần Thị Bình", "0987654321", "02/09/1988", "1988-09-02"):
            assert secret.encode() not in raw, (suffix, secret)
    # The rule README states: a roster file that still has her adds her as a new person (no
    # plan, nothing to link her to the erased one), and the anonymous record stays.
    await bot.load_roster(CELL_OF_THREE)
    again = await report_rows(tmp_path)
    assert again["Chi bộ thôn 1"][:3] == (4, 1, 1)
