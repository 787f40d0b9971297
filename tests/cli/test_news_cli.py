"""`chuyende broadcast send --save-as-news --item ID` (issue 18 §3): the broadcast kept as a
bản tin with its file, and a broadcast that links a library material."""

from __future__ import annotations

import json
from pathlib import Path

from bot.domain.library import Audience, MaterialKind
from bot.sandbox.harness import Harness
from tests.cli.test_broadcast_cli import _run_async, org, received
from tests.handlers.test_library import LIBRARY, PDF, add_pdf

__all__ = ["org"]  # the fixture


async def test_cli_saves_the_broadcast_and_its_file_as_news(org: Harness, tmp_path: Path) -> None:
    """Sent to party members with a PDF: a bản tin for party members, the PDF kept."""
    bot = org
    attach = tmp_path / "ket-qua.pdf"
    attach.write_bytes(PDF)
    args = ["broadcast", "send", "--message", "Kết quả quý IV", "--attach", str(attach)]
    status, out = await _run_async(bot, *args, "--to", "đảng viên", "--save-as-news", "--yes")
    assert status == 0 and "Đã lưu vào thư viện thành bản tin số 1: «Kết quả quý IV»" in out
    [news] = await bot.store.library.all()
    assert news.kind is MaterialKind.NEWS and news.file_name == "ket-qua.pdf"
    assert await bot.store.library.content(news.id) == PDF
    # "đảng viên" as the command line spells it is the category: kept for party members.
    assert news.audience is Audience.PARTY, out
    status, out = await _run_async(bot, "broadcast", "send", "--message", "Không lưu", "--yes")
    assert status == 0 and "bản tin" not in out and len(await bot.store.library.all()) == 1


async def test_cli_links_a_material_and_refuses_an_unknown_one(org: Harness) -> None:
    """--item names the material in the message and adds the button; an unknown id is refused
    before anything is queued."""
    bot = org
    material = await add_pdf(bot, "Chuyên đề năm")
    status, out = await _run_async(
        bot, "broadcast", "send", "--message", "Mời học", "--item", "999", "--yes"
    )
    assert status == 2 and "Không có tài liệu số 999" in out
    assert await received(bot, "Mời học") == set()
    status, out = await _run_async(
        bot, "broadcast", "send", "--message", "Mời học", "--item", str(material.id), "--yes"
    )
    assert status == 0, out
    assert "Bình" in await received(bot, "Tài liệu kèm theo: «Chuyên đề năm»")
    binh = bot.chats["Bình"]  # type: ignore[attr-defined]
    assert "📚 Mở tài liệu" in binh.buttons()
    file, _card = await binh.press("📚 Mở tài liệu")
    assert file.kind == "document"


async def test_cli_report_counts_who_studied_all_required_materials(org: Harness) -> None:
    """--json carries the count and its base per unit; the printed report says the total in
    a line (a sixth column would not fit 80 columns on a terminal)."""
    bot = org
    await add_pdf(bot, "Chuyên đề năm")
    binh = bot.chats["Bình"]  # type: ignore[attr-defined]
    await binh.press(LIBRARY)
    await binh.press("📄 Chuyên đề năm")
    await binh.press("✅ Đã học")
    status, out = await _run_async(bot, "report", "--out", "r.xlsx", "--json")
    assert status == 0, out
    document = json.loads(out)
    units = {u["unit"]: u for u in document["units"]}
    cell = units["Đảng bộ xã Phú Lạc / Chi bộ thôn 1"]
    assert (cell["studied_all"], cell["study_people"]) == (1, 3)
    assert (document["total"]["studied_all"], document["total"]["study_people"]) == (1, 6)
    status, out = await _run_async(bot, "report", "--out", "r.xlsx")
    assert status == 0 and "Đã học đủ tài liệu bắt buộc: 1/6 người" in out, out
