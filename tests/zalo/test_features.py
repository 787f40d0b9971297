"""A secretary on Zalo: the desk (return with a comment, confirm) and the meetings calendar,
every button a numbered line; the member on Telegram hears of each step."""

from __future__ import annotations

from bot.domain.plans import PlanStatus
from bot.sandbox.fake_zalo import FakeZaloUser
from tests.helpers import fill_mau_01, plan_of, signed_in
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code

AN = FakeZaloUser(id="a0a0a0a0a0a0a0a0a0a1", display_name="An")


async def test_a_secretary_returns_then_confirms_a_plan_on_zalo(zalo_bot: ZaloBot) -> None:
    """From "duyet": open the plan (its document a link), return it with a comment; once sent
    again, confirm it."""
    bot = zalo_bot.bot
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    an = ZaloChat(zalo_bot, AN)
    await an.send(await invite_code(bot, "DV001"))
    [listing] = await an.send("duyet")
    assert "Trần Thị Bình" in listing and ". Xem: Trần Thị Bình" in listing
    shown = await an.choose("Xem: Trần Thị Bình")
    assert any("files.example.test" in text and ".docx" in text for text in shown)  # a link
    await an.choose("↩️ Trả lại")  # "Chắc chắn?" first
    await an.choose("Có")
    [done] = await an.send("Ghi rõ số hộ sẽ thăm")
    assert "Đã trả lại" in done
    assert (await plan_of(bot, binh)).status is PlanStatus.RETURNED
    await bot.drain_outbox()
    assert "Ghi rõ số hộ sẽ thăm" in binh.last.plain

    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("📨 Gửi kế hoạch")
    await an.send("duyet")
    await an.choose("Xem: Trần Thị Bình")
    [confirmed] = await an.choose("✅ Xác nhận")
    assert "Đã xác nhận" in confirmed
    assert (await plan_of(bot, binh)).status is PlanStatus.CONFIRMED


async def test_a_secretary_schedules_a_meeting_on_zalo(zalo_bot: ZaloBot) -> None:
    """ "lich hop", the kind chosen by its number, the details typed; the member is told."""
    bot = zalo_bot.bot
    binh = await signed_in(bot, "Bình", "0987654321")
    an = ZaloChat(zalo_bot, AN)
    await an.send(await invite_code(bot, "DV001"))
    [listing] = await an.send("lich hop")
    assert "Chưa có buổi sinh hoạt nào" in listing
    [ask] = await an.choose("➕ Sinh hoạt chuyên đề")
    assert "15/04/2022 08:00" in ask
    [saved] = await an.send("15/04/2022 08:00; Hội trường xã; Chuyên đề quý II")
    assert "Đã lên lịch" in saved and "Đã báo cho 1 người" in saved
    await bot.drain_outbox()
    assert "lên lịch buổi sinh hoạt chuyên đề" in binh.last.plain


EM = FakeZaloUser(id="e0e0e0e0e0e0e0e0e0e1", display_name="Em")


async def test_staff_fill_mau_2a_on_zalo_with_back_and_reopen(zalo_bot: ZaloBot) -> None:
    """Mẫu 2A by typed numbers: a long answer over two messages, a step back keeps it, the plan
    is sent and reopened."""
    bot, em = zalo_bot.bot, ZaloChat(zalo_bot, EM)
    await em.send(await invite_code(bot, "CB001"))
    [first] = await em.send("ke hoach")
    assert "Võ Thị Em" in first
    await em.choose("✅ Thông tin đúng")
    [part] = await em.send("Nghiên cứu chuyên đề do cơ quan phổ biến, dự học tập trung")
    assert part.startswith("Đã ghi 58 ký tự") and "chọn «✅ Xong»" in part  # a long answer
    [part] = await em.send("và tự học qua tài liệu của cơ quan")  # goes on in a second message
    assert part.startswith("Đã ghi 93 ký tự")  # both parts kept, one answer
    [third] = await em.choose("✅ Xong")
    [back] = await em.choose("⬅️ Quay lại")
    assert "Nghiên cứu chuyên đề do cơ quan phổ biến" in back  # the answer so far, kept
    await em.choose("↩️ Giữ nguyên")
    assert em.last.startswith("Câu 3/5") and em.last == third  # on to where it was
    await em.send("Giải quyết hồ sơ có lúc còn chậm.")
    await em.choose("✅ Xong")
    await em.send("Trả hồ sơ đúng hẹn")
    await em.send("Cả năm")
    await em.send("100% đúng hẹn")
    await em.choose("✅ Xong, sang phần tiếp")
    await em.send("Lập sổ theo dõi hồ sơ hằng ngày")
    [review] = await em.choose("✅ Xong")
    assert "Xem lại kế hoạch" in review
    [sent] = await em.choose("📨 Gửi kế hoạch")
    assert "Đã gửi kế hoạch" in sent
    [reopened] = await em.choose("✏️ Sửa lại")
    assert reopened.startswith("Xem lại kế hoạch (Mẫu 2A")
    assert "Nghiên cứu chuyên đề do cơ quan phổ biến" in reopened  # nothing lost
    assert "và tự học qua tài liệu của cơ quan" in reopened


async def test_a_secretary_looks_at_an_earlier_year_on_zalo(zalo_bot: ZaloBot) -> None:
    """With 2023 open, "duyet" offers the earlier years as a numbered line; typing the numbers
    reaches 2022's plans, where Bình's confirmed plan is, and that year's other statuses."""
    from datetime import date

    bot = zalo_bot.bot
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    an = ZaloChat(zalo_bot, AN)
    await an.send(await invite_code(bot, "DV001"))
    await an.send("duyet")
    await an.choose("Xem: Trần Thị Bình")
    await an.choose("✅ Xác nhận")
    await bot.open_campaign(year=2023, deadline=date(2023, 4, 30))
    [listing] = await an.send("duyet")
    assert "Trần Thị Bình" not in listing  # nothing of 2023's yet
    [years] = await an.choose("📅 Kế hoạch các năm trước")
    assert "Chọn năm cần xem" in years
    [year] = await an.choose("Năm 2022: 1 kế hoạch")
    assert "Kế hoạch cá nhân năm 2022" in year and "Trần Thị Bình — Chi bộ thôn 1" in year
    assert "đã được xác nhận: 1" in year
    [other] = await an.choose("đã gửi, chờ xác nhận (0)")
    assert "Trần Thị Bình" not in other
