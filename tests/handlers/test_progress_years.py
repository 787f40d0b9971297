"""Year after year: last year's plan and how it went stay in reach, and the new plan's
"hạn chế cần khắc phục" question offers last year's answer."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.helpers import STUDY, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
SHORTCOMINGS = "Phát biểu trong sinh hoạt chi bộ còn ít."  # what fill_mau_01 answers


async def test_last_years_answer_is_offered_and_last_years_plan_is_shown(bot: Harness) -> None:
    """2021: Bình hands in a plan and logs one action done. 2022: the shortcomings question
    shows the 2021 answer; once sent, "Kế hoạch năm trước" shows the 2021 plan, its progress
    and its document. Em, with no 2021 plan, is told there is none."""
    bot.clock.set(datetime(2021, 3, 26, 9, 0, tzinfo=VN))
    await bot.open_campaign(year=2021, deadline=date(2021, 4, 30))
    binh = await signed_in(bot, "Bình", "0987654321")
    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("✅ Thông tin đúng")
    await binh.send(STUDY)
    [asked] = await binh.press("✅ Xong")
    assert "Hạn chế" in asked.plain or "hạn chế" in asked.plain
    assert "💡" not in asked.plain  # no earlier year
    await fill_after_study_from_shortcomings(binh)
    await binh.press("📨 Gửi kế hoạch")
    bot.clock.set(datetime(2021, 9, 1, 9, 0, tzinfo=VN))
    await binh.press_data("t:st:0.done")
    await binh.send("Đã thăm đủ 60 hộ")

    bot.clock.set(datetime(2022, 3, 26, 9, 0, tzinfo=VN))
    await bot.open_campaign()
    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("✅ Thông tin đúng")
    await binh.send(STUDY)
    [asked] = await binh.press("✅ Xong")
    assert f"💡 Năm 2021 đã ghi: {SHORTCOMINGS}" in asked.plain
    await fill_after_study_from_shortcomings(binh)
    await binh.press("📨 Gửi kế hoạch")
    [home] = await binh.press("📈 Cập nhật tiến độ")
    assert "năm 2022" in home.plain and "chưa cập nhật" in home.plain
    replies = await binh.press("🗂 Kế hoạch năm trước")
    shown = "\n".join(m.plain for m in replies)
    assert "Kế hoạch cá nhân năm 2021" in shown
    assert "1. Việc làm số 1: thăm hộ dân — Đã thực hiện (01/09/2021)" in shown
    assert "2. Việc làm số 2: thăm hộ dân — chưa cập nhật" in shown
    assert "Tổng: ✅ 1 · ⏳ 0 · ⭕ 1 / 2 việc." in shown
    [document] = [m for m in replies if m.kind == "document"]
    assert (document.file_name or "").endswith("-2021.docx")
    assert document.file_bytes is not None and document.file_bytes[:2] == b"PK"

    em = await signed_in(bot, "Em", "0338123456")
    [reply] = await em.press_data("t:ly:")
    assert "Không có kế hoạch cá nhân nào đã gửi của năm trước" in reply.plain


async def fill_after_study_from_shortcomings(chat: Chat) -> None:
    """From the shortcomings question to the review of a two-action Mẫu 01."""
    await chat.send(SHORTCOMINGS)
    await chat.press("✅ Xong")
    for n in (1, 2):
        if n > 1:
            await chat.press("➕ Thêm Việc")
        await chat.send(f"Việc làm số {n}: thăm hộ dân")
        await chat.send("Hằng tháng")
        await chat.send("Nắm chắc tình hình")
    await chat.press("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.press("✅ Xong")
    await chat.press("⏭ Bỏ qua")
