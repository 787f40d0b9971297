"""A unit's export (the secretary's XLSX) keeps a formula-like name as text."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import fill_mau_01, signed_in

NAME = "=1+2"


async def test_a_formula_like_name_is_text_in_the_unit_export(bot: Harness) -> None:
    """Every sheet of the export (plans, actions, progress) holds the name as a string cell,
    never a formula."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.replace("Trần Thị Bình", NAME))
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    await an.send("/duyet")
    replies = await an.press("📦 Xuất hồ sơ (XLSX + DOCX)")
    [table] = [m.file_bytes for m in replies if m.kind == "document" and m.file_name.endswith("x")]
    book = load_workbook(io.BytesIO(table or b""))
    found = [(c.value, c.data_type) for s in book for row in s.iter_rows() for c in row]
    assert found.count((NAME, "s")) == 3 and (NAME, "f") not in found
