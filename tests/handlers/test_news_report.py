"""The district report counts, per unit, the people who studied every required library
material meant for them (issue 18 §1's leftover), in the admin's XLSX and the command line."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.sandbox.harness import Harness
from tests.handlers.test_library import LIBRARY, add_pdf
from tests.helpers import signed_in

COLUMN = "Học đủ tài liệu bắt buộc"


async def study(bot: Harness, name: str, phone: str, titles: list[str]) -> None:
    """``name`` opens the library and marks each of ``titles`` studied."""
    chat = await signed_in(bot, name, phone)
    for title in titles:
        await chat.press(LIBRARY)
        await chat.press(f"📄 {title}")
        [done] = await chat.press("✅ Đã học")
        assert "Đã ghi nhận" in done.plain


async def test_report_counts_who_studied_all_required_materials(bot: Harness) -> None:
    """Bình studied both required materials, An one, Em (staff) the only one meant for her,
    and a reference material does not count: thôn 1 has 1 of 3, UBND xã 1 of 1."""
    await bot.open_campaign()
    await add_pdf(bot, "Chuyên đề năm")
    await add_pdf(bot, "Chỉ thị cho đảng viên", kind="chi-dao", audience="đảng viên")
    await add_pdf(bot, "Tham khảo", kind="tham-khao")
    await study(bot, "Bình", "0987654321", ["Chuyên đề năm", "Chỉ thị cho đảng viên"])
    await study(bot, "An", "0912345678", ["Chuyên đề năm", "Tham khảo"])
    await study(bot, "Em", "0338123456", ["Chuyên đề năm"])
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await hoa.send("/baocao")
    replies = await hoa.press("📊 Tải bảng theo đơn vị (XLSX, có biểu đồ)")
    [data] = [m.file_bytes for m in replies if m.kind == "document"]
    sheet = load_workbook(io.BytesIO(data or b"")).worksheets[0]
    header = [c.value for c in sheet[3]]
    at = header.index(COLUMN)
    rows = {str(r[0]).strip(): r for r in sheet.iter_rows(min_row=4, values_only=True)}
    assert rows["Chi bộ thôn 1"][at] == 1  # Bình (Cường is exempt from plans, not from study)
    assert rows["UBND xã"][at] == 1
    assert rows["Chi bộ thôn 2"][at] == 0
    assert rows["Đảng bộ xã Phú Lạc"][at] == 2
    assert rows["TỔNG CỘNG"][at] == 2  # Hoa (admin) has studied nothing
