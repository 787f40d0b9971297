"""The district report counts the exemplary models of the year per unit (issue 18 §2):
nominated, waiting for review (or returned), published; in the admin's XLSX and the command
line's --json and printed total."""

from __future__ import annotations

import io
import json
from zoneinfo import ZoneInfo

from openpyxl import load_workbook

from bot.domain.exemplars import Draft, ModelStatus
from bot.domain.models import Channel
from bot.domain.pending import ModelReturn
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.cli.test_broadcast_cli import _run_async, org
from tests.handlers.test_models import nominated
from tests.helpers import signed_in

__all__ = ["org"]  # the fixture

TEAM = """Tổ tự quản thôn 1
Giữ đường làng sạch đẹp
Được xã khen thưởng"""
OTHER = """Lê Văn Cường
Kể chuyện Bác cho thiếu nhi
Ba buổi mỗi tháng"""
HEADERS = ("Gương điển hình được đề cử", "Gương điển hình chờ duyệt", "Gương điển hình đã công bố")


async def three_nominations(bot: Harness, an: Chat, hoa: Chat) -> None:
    """Thôn 1's nominations of 2022 (one published, one returned, one waiting) and one of 2021."""
    admin = await bot.services.signin.whoami(Channel.TELEGRAM, str(hoa.user.id))
    assert admin is not None
    first = await nominated(bot, an)
    assert await bot.services.models.approve(admin, first) is not None
    second = await nominated(bot, an, OTHER)
    assert await bot.services.models.start_return(admin, second) is not None
    assert await bot.services.models.returned(admin, ModelReturn(second), "Bổ sung kết quả")
    await nominated(bot, an, TEAM)
    await bot.store.models.add(
        Draft("Năm trước", "Việc năm trước", "Kết quả"),
        unit_path="Đảng bộ xã Phú Lạc / Chi bộ thôn 1",
        year=2021,
        person_id=None,
        by=admin,
        now=bot.clock.now(),
    )
    statuses = [m.status for m in await bot.store.models.listed(ModelStatus.RETURNED)]
    assert statuses == [ModelStatus.RETURNED]


async def test_report_counts_models_per_unit(bot: Harness) -> None:
    """Thôn 1's three nominations of 2022 count 3 / 2 / 1 on its row, its parent's and the
    total; the one of 2021 does not, thôn 2 has none."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await three_nominations(bot, an, hoa)
    await hoa.send("/baocao")
    replies = await hoa.press("📊 Tải bảng theo đơn vị (XLSX, có biểu đồ)")
    [data] = [m.file_bytes for m in replies if m.kind == "document"]
    sheet = load_workbook(io.BytesIO(data or b"")).worksheets[0]
    header = [c.value for c in sheet[3]]
    at = [header.index(name) for name in HEADERS]
    rows = {str(r[0]).strip(): r for r in sheet.iter_rows(min_row=4, values_only=True)}
    for unit in ("Chi bộ thôn 1", "Đảng bộ xã Phú Lạc", "TỔNG CỘNG"):
        assert [rows[unit][i] for i in at] == [3, 2, 1], unit
    assert [rows["Chi bộ thôn 2"][i] for i in at] == [0, 0, 0]


async def test_cli_report_counts_models(org: Harness) -> None:
    """--json carries the three counts per unit; the printed report says the total in a line."""
    bot = org
    chats = bot.chats  # type: ignore[attr-defined]
    await three_nominations(bot, chats["An"], chats["Hoa"])
    status, out = await _run_async(bot, "report", "--out", "r.xlsx", "--json")
    assert status == 0, out
    document = json.loads(out)
    cell = {u["unit"]: u for u in document["units"]}["Đảng bộ xã Phú Lạc / Chi bộ thôn 1"]
    names = ("models_nominated", "models_waiting", "models_published")
    assert [cell[n] for n in names] == [3, 2, 1]
    assert [document["total"][n] for n in names] == [3, 2, 1]
    status, out = await _run_async(bot, "report", "--out", "r.xlsx")
    assert status == 0, out
    assert "Gương điển hình năm nay: 3 được đề cử, 2 đang chờ duyệt" in out, out


async def test_unit_export_lists_the_years_models(bot: Harness) -> None:
    """An's export has a sheet of thôn 1's nominations of 2022 with their status; Em (head of
    UBND xã, not a secretary) gets only the published one of her unit, not the one waiting."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    hoa = await signed_in(bot, "Hoa", "0977123456")
    em = await signed_in(bot, "Em", "0338123456")
    await three_nominations(bot, an, hoa)
    admin = await bot.services.signin.whoami(Channel.TELEGRAM, str(hoa.user.id))
    assert admin is not None
    for who in ("Tổ công tác UBND", "Bộ phận một cửa"):
        added = await bot.store.models.add(
            Draft(who, "Giải quyết hồ sơ đúng hạn", "Không hồ sơ trễ"),
            unit_path="Đảng bộ xã Phú Lạc / UBND xã",
            year=2022,
            person_id=None,
            by=admin,
            now=bot.clock.now(),
        )
        if who == "Bộ phận một cửa":
            assert await bot.services.models.approve(admin, added.id) is not None

    async def models_sheet(chat: Chat) -> list[tuple[object, ...]]:
        await chat.send("/duyet")
        replies = await chat.press("📦 Xuất hồ sơ (XLSX + DOCX)")
        [data] = [m.file_bytes for m in replies if m.file_name == "tong-hop-ke-hoach.xlsx"]
        book = load_workbook(io.BytesIO(data or b""))
        assert book.sheetnames[-1] == "Gương điển hình", book.sheetnames
        return list(book.worksheets[-1].iter_rows(values_only=True))

    header, *rows = await models_sheet(an)
    assert header[:5] == ("Gương điển hình", "Đơn vị", "Trạng thái", "Người đề cử", "Ngày đề cử")
    assert sorted((r[0], r[2]) for r in rows) == [
        ("Lê Văn Cường", "đã trả lại để sửa"),
        ("Trần Thị Bình", "đã công bố"),
        ("Tổ tự quản thôn 1", "chờ duyệt"),
    ]
    assert {r[3] for r in rows} == {"Nguyễn Văn An"}
    today = bot.clock.now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
    assert {r[4] for r in rows} == {today}
    _header, *rows = await models_sheet(em)
    assert [r[0] for r in rows] == ["Bộ phận một cửa"]
