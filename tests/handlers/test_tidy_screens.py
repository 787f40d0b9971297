"""A tidy chat beyond the form: each step of scheduling and recording a meeting, of a progress
update and of the reviewer's desk folds the one before, so only the current screen is pressable
(issue 21, §1/§3)."""

from __future__ import annotations

import pytest

from bot.sandbox.harness import Harness
from tests.handlers.test_tidy import live
from tests.helpers import fill_mau_01, signed_in


@pytest.fixture
async def plan_bot(bot: Harness) -> Harness:
    """The bot with the 2022 campaign open."""
    await bot.open_campaign()
    return bot


async def test_a_meeting_scheduled_step_by_step_leaves_only_the_result_and_the_menu(
    plan_bot: Harness,
) -> None:
    """The calendar, kind → day → time → place → topic → preview → saved: at the end only the
    saved message (it carries the menu) is pressable; every step had live buttons before."""
    an = await signed_in(plan_bot, "An", "0912345678")
    [calendar] = await an.send("/lichhop")
    assert calendar.inline_buttons()
    [day] = await an.press("➕ Quán triệt")
    assert not calendar.inline_buttons() and "Lịch sinh hoạt" in calendar.plain  # text kept
    [time] = await an.press("T7 26/03")
    assert day.plain == "✓ Lịch họp — bước 1/5 · ngày họp"
    assert not day.inline_buttons() and time.inline_buttons()
    [place] = await an.press("08:00")
    assert time.plain.endswith("bước 2/5 · giờ họp") and not time.inline_buttons()
    [topic] = await an.send("Hội trường thôn 1")
    assert place.plain.endswith("bước 3/5 · địa điểm")
    [preview] = await an.press("📘 Dùng tên chuyên đề năm")
    assert topic.plain.endswith("bước 4/5 · nội dung")
    assert "26/03/2022 08:00" in preview.plain and preview.inline_buttons()
    [saved] = await an.press("✅ Lưu lịch")
    assert "Đã lên lịch buổi quán triệt" in saved.plain
    assert preview.plain.endswith("bước 5/5 · xem lại") and not preview.inline_buttons()
    pressable = live(an)
    assert pressable == [saved], [m.plain for m in pressable]
    assert "📅 Lịch sinh hoạt" in [b["text"] for b in saved.keyboard_buttons()]
    screens = [
        call
        for call in plan_bot.api.calls_of("sendMessage")
        if "inline_keyboard" in (call.params.get("reply_markup") or {})
        and call.params.get("chat_id") == an.user.id
    ]
    assert len(screens) >= 6  # calendar, five steps: each had live buttons (issue 21)


async def test_an_old_button_of_a_folded_meeting_step_still_answers(plan_bot: Harness) -> None:
    """A day pressed again from a folded step shows the current step (a new live screen);
    once the meeting is saved, an old step's button opens the calendar, as before."""
    an = await signed_in(plan_bot, "An", "0912345678")
    await an.send("/lichhop")
    [day] = await an.press("➕ Định kỳ")
    old_day = day.inline_buttons()[0]["callback_data"]
    [time] = await an.press("T7 26/03")
    [again] = await an.press_data(old_day, day)
    assert "Ngày 26/03/2022" in again.plain and again.inline_buttons()  # still the time step
    assert not time.inline_buttons() and [m for m in an.messages if m.inline_buttons()] == [again]
    await an.press("08:00")
    await an.send("Nhà văn hóa thôn 1")
    [preview] = await an.send("Sinh hoạt tháng 3")
    old_save = preview.inline_buttons()[0]["callback_data"]
    [saved] = await an.press("✅ Lưu lịch")
    assert "Đã lên lịch" in saved.plain
    [calendar] = await an.press_data(old_save, preview)
    assert "26/03/2022" in calendar.plain and await plan_bot.store.meetings.get(2) is None
    assert plan_bot.errors == []


async def test_recording_a_meeting_folds_each_step(plan_bot: Harness) -> None:
    """Recording from the calendar: kind → day → roll call → content → conclusion →
    photo → preview → saved; the roll call's toggles edit the same screen, and only the
    result is pressable at the end."""
    an = await signed_in(plan_bot, "An", "0912345678")
    await an.press("📅 Lịch sinh hoạt")
    [kind] = await an.press("📝 Ghi nhận buổi đã họp")
    [day] = await an.press("Buổi sinh hoạt chuyên đề")
    assert kind.plain == "✓ Ghi nhận · loại buổi"
    [attendance] = await an.send("20/03/2022")
    assert day.plain == "✓ Ghi nhận · ngày họp"
    await an.press("✅ Lê Văn Cường")  # the same screen, updated in place
    assert "Vắng mặt: Lê Văn Cường" in attendance.plain and attendance.inline_buttons()
    [summary] = await an.press("✔️ Xong điểm danh")
    assert attendance.plain == "✓ Ghi nhận · điểm danh"
    await an.send("Học tập chuyên đề.")
    await an.send("Thống nhất các việc làm cụ thể.")
    [preview] = await an.press("Bỏ qua")
    assert summary.plain == "✓ Ghi nhận · nội dung"
    [done] = await an.press("💾 Lưu")
    assert "Đã ghi nhận buổi sinh hoạt chuyên đề ngày 20/03/2022" in done.plain
    assert preview.plain == "✓ Ghi nhận · xem lại"
    assert live(an) == [done]


async def test_a_progress_update_folds_each_screen(plan_bot: Harness) -> None:
    """The plan's status → the list of actions → an action → its note → saved: each folds the
    one before; at the end only the saved screen (and the menu) can be pressed."""
    binh = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=2)
    await binh.press("📨 Gửi kế hoạch")
    [home] = await binh.press("📈 Cập nhật tiến độ")
    [action] = await binh.press("Việc 1")
    assert home.plain == "✓ Tiến độ kế hoạch năm 2022" and not home.inline_buttons()
    old_status = action.inline_buttons()[0]["callback_data"]
    [ask] = await binh.press("✅ Đã thực hiện")
    assert action.plain == "✓ Tiến độ · Việc 1"
    [saved] = await binh.send("Đã thăm 5 hộ dân thôn 1")
    assert ask.plain == "✓ Tiến độ · Việc 1: Đã thực hiện"
    assert "Đã ghi tiến độ việc 1" in saved.plain
    assert [m for m in live(binh) if m.inline_buttons()] == [saved]
    [again] = await binh.press("⏳ Đang thực hiện")
    assert saved.plain == "✓ Đã ghi tiến độ việc 1: Đã thực hiện"  # the receipt, in a line
    [asked] = await binh.press_data(old_status, action)  # a folded screen's button still works
    assert "Đồng chí ghi ngắn gọn" in asked.plain and asked.inline_buttons()
    assert not again.inline_buttons() and plan_bot.errors == []


async def test_the_desk_folds_the_list_the_plan_and_the_questions(plan_bot: Harness) -> None:
    """/duyet → one plan → Trả lại → Không (the plan again) → Trả lại → Có → the comment →
    returned: each screen takes the buttons off the one before, the list and the questions
    shrink to a line, a plan keeps its text; at the end only the menu is pressable. A button
    kept from the folded list still opens the plan; a forged one leaves the screen live."""
    binh = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(binh)
    await binh.press("📨 Gửi kế hoạch")
    an = await signed_in(plan_bot, "An", "0912345678")
    [listing] = await an.send("/duyet")
    old_open = next(
        b["callback_data"] for b in listing.inline_buttons() if b["text"] == "Xem: Trần Thị Bình"
    )
    [plan, _document] = await an.press("Xem: Trần Thị Bình")
    assert (
        listing.plain == "✓ Danh sách kế hoạch: đã gửi, chờ xác nhận"
        and not listing.inline_buttons()
    )
    [ask] = await an.press("↩️ Trả lại")
    assert "Trần Thị Bình" in plan.plain and "\n" in plan.plain and not plan.inline_buttons()
    [again, _document] = await an.press("Không")
    assert ask.plain == "✓ Trả lại kế hoạch của Trần Thị Bình?" and not ask.inline_buttons()
    await an.press_data("r:ok:999.1")  # a forged press: refused, the plan's screen stays live
    assert again.inline_buttons()
    [reopened, _document] = await an.press_data(old_open, listing)
    assert "Trần Thị Bình" in reopened.plain and not again.inline_buttons()
    await an.press("↩️ Trả lại")
    [comment] = await an.press("Có")
    [done] = await an.send("Cần ghi rõ thời gian của từng việc.")
    assert comment.plain == "✓ Ý kiến khi trả lại kế hoạch của Trần Thị Bình"
    assert "Đã trả lại kế hoạch của Trần Thị Bình" in done.plain
    assert [m for m in an.messages if m.inline_buttons()] == []
    assert live(an) == [done]
