"""The district report: a title, a total row, and cells counted by the meetings they held."""

from __future__ import annotations

import asyncio
import io
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from bot.cli import main
from bot.domain.meetings import MeetingRecord, Outcome
from bot.sandbox.fake_api import FakeBotApi
from bot.sandbox.harness import Harness
from bot.services.ports import Clock
from storage.meeting_book_repo import MeetingBookRepository
from tests.conftest import ROSTER
from tests.helpers import cli_bot, cli_database, fill_mau_01, run_cli, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
AFTER = datetime(2022, 12, 1, 9, 0, tzinfo=VN)  # every meeting of the fixture has taken place


@pytest.fixture
async def district(
    tmp_path: Path, api: FakeBotApi, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Harness]:
    """An's cell holds the quán triệt and two thematic meetings; Bình hands in a plan."""
    async with cli_bot(tmp_path, api, monkeypatch, ROSTER, "report.db") as bot:
        an = await signed_in(bot, "An", "0912345678")
        binh = await signed_in(bot, "Bình", "0987654321")
        await fill_mau_01(binh, actions=1)
        await binh.press("📨 Gửi kế hoạch")
        for button, day in (
            ("➕ Quán triệt", "10/04/2022"),
            ("➕ Sinh hoạt chuyên đề", "15/04/2022"),
            ("➕ Sinh hoạt chuyên đề", "15/07/2022"),
        ):
            await an.send("/lichhop")
            await an.press(button)
            [saved] = await an.send(f"{day} 08:00; Hội trường")
            assert "Đã lên lịch" in saved.plain, saved.plain
        book = MeetingBookRepository(bot.store.database)  # recorded as held (the flow has
        for meeting_id in (1, 2, 3):  # its own transcript tests in tests/handlers)
            meeting = await bot.store.meetings.get(meeting_id)
            assert meeting is not None
            held = MeetingRecord(Outcome.HELD, present=2, absent=0)
            assert await book.record(meeting_id, meeting.unit_id, held, AFTER) is not None
        yield bot


def run(*argv: str, clock: Clock | None = None) -> tuple[int, str]:
    out = io.StringIO()
    return main(list(argv), out=out, clock=clock), out.getvalue()


async def run_async(*argv: str, clock: Clock | None = None) -> tuple[int, str]:
    return await asyncio.to_thread(run, *argv, clock=clock)


def table(path: Path) -> tuple[list[object], list[object], dict[str, tuple[object, ...]]]:
    """The title row, the header row and the rows by unit name of a report's first sheet."""
    sheet = load_workbook(path).worksheets[0]
    title = [c.value for c in sheet[1]]
    header = [c.value for c in sheet[3]]
    rows = {str(r[0]).strip(): r for r in sheet.iter_rows(min_row=4, values_only=True)}
    return title, header, rows


async def test_report_has_a_title_a_total_and_counts_cells(
    district: Harness, tmp_path: Path
) -> None:
    """Title with campaign, year and today's date; meetings counted as cells, not sessions."""
    district.clock.set(datetime(2022, 12, 20, 9, 0, tzinfo=VN))  # the year's meetings are held
    status, out = await run_async("report", "--out", "bc.xlsx", clock=district.clock)
    assert status == 0 and "2022" in out, out
    assert "Chi bộ chưa ghi nhận quán triệt đúng hạn: 2/3" in out
    assert "Chi bộ thiếu sinh hoạt chuyên đề (sau quý III): 2/3" in out
    title, header, rows = table(tmp_path / "bc.xlsx")
    assert load_workbook(tmp_path / "bc.xlsx").sheetnames == ["Tổng hợp", "Biểu đồ"]
    assert "2022" in str(title[0]) and "Học tập và làm theo" in str(title[0])
    assert "lập ngày 20/12/2022" in str(title[0])  # the clock's day, never the machine's
    assert header[:4] == ["Đơn vị", "Phải nộp", "Đã nộp", "Đã xác nhận"]
    at = {name: header.index(name) for name in header if isinstance(name, str)}
    cells, thematic, briefed = (
        at["Số chi bộ"],
        at["Chi bộ đã sinh hoạt chuyên đề từ 2 lần"],
        at["Chi bộ đã quán triệt"],
    )
    cell = rows["Chi bộ thôn 1"]
    assert (cell[cells], cell[thematic], cell[briefed]) == (1, 1, 1)  # two sessions: one cell
    commune = rows["Đảng bộ xã Phú Lạc"]
    assert (commune[cells], commune[thematic], commune[briefed]) == (2, 1, 1)  # not UBND xã
    total = rows["TỔNG CỘNG"]
    assert total[1] == 5 and total[2] == 1  # everyone required (Hoa too); Bình handed in
    assert (total[cells], total[thematic], total[briefed]) == (3, 1, 1)
    # Flagged: cells without a quán triệt by 30/04, with fewer than 2 thematic after Q3.
    no_briefing, short = (
        at["Chi bộ chưa quán triệt đúng hạn"],
        at["Chi bộ thiếu sinh hoạt chuyên đề"],
    )
    assert (cell[no_briefing], cell[short]) == (0, 0)
    assert (rows["Chi bộ thôn 2"][no_briefing], rows["Chi bộ thôn 2"][short]) == (1, 1)
    assert (total[no_briefing], total[short]) == (2, 2)  # thôn 2 and Ban Tuyên giáo
    assert list(rows)[-1] == "TỔNG CỘNG"


async def test_admin_button_sends_the_same_report(district: Harness) -> None:
    """The admin's button under /baocao sends the XLSX with the title and the total row."""
    hoa = await signed_in(district, "Hoa", "0977123456")
    await hoa.send("/baocao")
    replies = await hoa.press("📊 Tải bảng theo đơn vị (XLSX, có biểu đồ)")
    [data] = [m.file_bytes for m in replies if m.kind == "document"]
    sheet = load_workbook(io.BytesIO(data or b"")).worksheets[0]
    assert "lập ngày 25/03/2022" in str(sheet["A1"].value)  # the bot's clock
    last = [c.value for c in sheet[sheet.max_row]]
    assert last[0] == "TỔNG CỘNG"
    # Held is what was recorded (the fixture records all three); on the bot's clock
    # (25/03/2022) neither the deadline nor Q3 has passed, so nothing is flagged.
    assert last[-9:-3] == [3, 1, 1, 0, 0, 0]  # nobody has studied: the library is empty
    assert last[-3:] == [0, 0, 0]  # no exemplary model nominated (issue 18 §2)


async def test_report_of_a_past_year(district: Harness, tmp_path: Path) -> None:
    """After 2023 opens, --year 2022 still gives 2022's numbers; an unknown year is refused."""
    status, _ = await run_async(
        "campaign", "set", "--year", "2023", "--title", "Chuyên đề 2023",
        "--deadline", "30/04/2023", "--place", "Tuy Phong",
    )  # fmt: skip
    assert status == 0
    status, out = await run_async("report", "--out", "nay.xlsx")
    assert status == 0 and "2023" in out
    _, _, rows = table(tmp_path / "nay.xlsx")
    assert rows["TỔNG CỘNG"][2] == 0  # nobody handed in for 2023
    status, out = await run_async("report", "--year", "2022", "--out", "cu.xlsx")
    assert status == 0 and "2022" in out
    title, _, rows = table(tmp_path / "cu.xlsx")
    assert "2022" in str(title[0]) and rows["TỔNG CỘNG"][2] == 1
    status, out = await run_async("report", "--year", "2019", "--out", "x.xlsx")
    assert status == 1 and "Không có đợt nào của năm 2019" in out
    assert "Các năm có đợt: 2022, 2023" in out  # the years to ask for instead
    assert not (tmp_path / "x.xlsx").exists()


def test_report_of_a_year_on_a_database_without_campaigns(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No campaign was ever opened: --year says so (and how to open one), nothing is written."""
    cli_database(tmp_path, monkeypatch)
    status, out = run_cli("report", "--year", "2022", "--out", "x.xlsx")
    assert status == 1 and "Không có đợt nào của năm 2022: chưa mở đợt nào" in out, out
    assert "chuyende campaign set" in out and not (tmp_path / "x.xlsx").exists()


def test_report_help_says_what_year_means(capsys: pytest.CaptureFixture[str]) -> None:
    """``report --help`` names --year and what it defaults to."""
    with pytest.raises(SystemExit) as stopped:
        main(["report", "--help"])
    out = " ".join(capsys.readouterr().out.split())
    assert stopped.value.code == 0 and "--year NĂM" in out and "mặc định: đợt đang mở" in out


async def test_admin_takes_last_years_report_in_the_bot(district: Harness) -> None:
    """With 2023 open, /baocao offers 2022's table too; it has 2022's numbers."""
    from datetime import date

    await district.open_campaign(year=2023, deadline=date(2023, 4, 30))
    hoa = await signed_in(district, "Hoa", "0977123456")
    await hoa.send("/baocao")
    replies = await hoa.press("📊 Bảng theo đơn vị của năm 2022")
    [data] = [m.file_bytes for m in replies if m.kind == "document"]
    sheet = load_workbook(io.BytesIO(data or b"")).worksheets[0]
    assert "Chuyên đề năm 2022" in str(sheet["A1"].value)
    assert [c.value for c in sheet[sheet.max_row]][:3] == ["TỔNG CỘNG", 5, 1]
    em = await signed_in(district, "Em", "0338123456")  # a head of unit: not for her
    [refused] = await em.press_data("u:rep:2022")
    assert "không có quyền" in refused.plain and not any(m.kind == "document" for m in em.messages)
