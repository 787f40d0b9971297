"""How the bot speaks to people, read from whole transcripts, and the buttons notices carry."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import EXTRA, STUDY, fill_after_study, fill_mau_01, fill_mau_2a, plan_of
from tests.test_register import chummy_words

VN = ZoneInfo("Asia/Ho_Chi_Minh")
REVIEW = "🔍 Xem và duyệt"
FIX = "✏️ Sửa ngay"


@pytest.fixture
async def org(bot: Harness) -> Harness:
    """The 2022 campaign open, the extra people on the roster."""
    await bot.open_campaign()
    outcome = await bot.load_roster(ROSTER.strip() + EXTRA)
    assert outcome.summary is not None, outcome.parsed.errors
    return bot


def everything_read(chat: Chat) -> str:
    """Every text, caption and button label the bot sent to ``chat``."""
    parts: list[str] = []
    for message in chat.messages:
        parts.append(message.plain)
        parts += [str(b.get("text", "")) for b in message.inline_buttons()]
        parts += [str(b.get("text", "")) for b in message.keyboard_buttons()]
    return "\n".join(parts)


def notice_with(chat: Chat, label: str) -> str:
    """The callback data of the button ``label`` under the latest message that has it."""
    for message in reversed(chat.messages):
        for button in message.inline_buttons():
            if button.get("text") == label:
                return str(button["callback_data"])
    raise AssertionError(f"no {label!r} under any message to {chat.user.first_name}")


async def test_a_party_members_whole_plan_never_calls_them_ban(org: Harness) -> None:
    """Sign-in, Mẫu 01, review, submit, returned, reminded, confirmed: "đồng chí", never "bạn"."""
    bot = org
    an = bot.chat("An", phone="0912345678")  # the cell's secretary
    await an.share_contact()
    binh = bot.chat("Bình", phone="0987654321")
    await binh.send("/start")
    [signed] = await binh.share_contact()
    assert "Kính chào đồng chí Trần Thị Bình" in signed.plain
    assert "Đồng chí cần gửi kế hoạch cá nhân trước ngày 30/04/2022" in signed.plain
    await binh.send("/help")
    await binh.send("/toi")
    await binh.send("/khongcolenh")
    await binh.send_other("sticker")
    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("✅ Thông tin đúng")
    await binh.send("Học")
    [short] = await binh.press("✅ Xong")
    assert "hơi ngắn" in short.plain
    await binh.send_other("sticker")
    await binh.send("/huy")
    bot.clock.set(datetime(2022, 4, 16, 8, 0, tzinfo=VN))  # the T-14 reminder
    await bot.sweep()
    await bot.drain_outbox()
    [step] = await binh.press("📝 Làm tiếp")
    assert "Câu 2/6" in step.plain
    await binh.send(STUDY)
    await fill_after_study(binh, actions=1)
    assert "Xem lại kế hoạch" in binh.last.plain
    await binh.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()

    replies = await an.press_data(notice_with(an, REVIEW))
    assert any("Trần Thị Bình" in m.plain and m.inline_buttons() for m in replies)
    await an.press("↩️ Trả lại")  # "Chắc chắn?" first
    await an.press("Có")
    await an.send("Ghi rõ số hộ sẽ thăm")
    await bot.drain_outbox()
    assert "Kế hoạch cá nhân của đồng chí được trả lại" in binh.last.plain
    [fix] = await binh.press(FIX)
    assert "Ghi rõ số hộ sẽ thăm" in fix.plain
    await binh.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()
    await an.press_data(notice_with(an, REVIEW))
    await an.press("✅ Xác nhận")
    await bot.drain_outbox()
    assert "Kế hoạch cá nhân của đồng chí đã được xác nhận" in binh.last.plain
    assert (await plan_of(bot, binh)).status is PlanStatus.CONFIRMED
    await an.send("/baocao")
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("mai; hội trường")  # a typing slip first
    await an.send("20/04/2022 08:00; Hội trường; Chuyên đề quý II")
    await bot.drain_outbox()
    assert "lên lịch buổi sinh hoạt chuyên đề" in binh.last.plain

    for chat in (binh, an):
        assert chummy_words(everything_read(chat)) == [], chat.user.first_name


async def test_staff_are_addressed_neutrally_never_as_comrades(org: Harness) -> None:
    """A non-party staff member and their non-party head: no "bạn" and no "đồng chí" either."""
    bot = org
    head = bot.chat("Em", phone="0338123456")
    await head.share_contact()
    staff = bot.chat("Phú", phone="0355000111")
    [signed] = await staff.share_contact()
    assert "Ông/bà cần gửi kế hoạch cá nhân trước ngày 30/04/2022" in signed.plain
    await staff.press("📝 Kế hoạch của tôi")
    await fill_mau_2a(staff)
    await staff.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()
    await head.press_data(notice_with(head, REVIEW))
    await head.press("✅ Xác nhận")
    await bot.drain_outbox()
    assert "Kế hoạch cá nhân của ông/bà đã được xác nhận" in staff.last.plain
    for chat in (staff, head):
        read = everything_read(chat)
        assert chummy_words(read) == [], chat.user.first_name
        assert "đồng chí" not in read.lower(), chat.user.first_name


async def test_review_button_opens_the_plan_for_its_reviewer_only(org: Harness) -> None:
    """ "Xem và duyệt" shows the plan to its secretary; the same press from others is refused."""
    bot = org
    an = bot.chat("An", phone="0912345678")
    await an.share_contact()
    binh = bot.chat("Bình", phone="0987654321")
    await binh.share_contact()
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()
    assert "vừa gửi kế hoạch" in an.last.plain and REVIEW in an.buttons()
    replies = await an.press(REVIEW)
    shown = next(m for m in replies if m.inline_buttons())
    assert "Trần Thị Bình" in shown.plain and "Việc làm số 1" in shown.plain
    assert {"✅ Xác nhận", "↩️ Trả lại"} <= {b["text"] for b in shown.inline_buttons()}
    assert any(m.kind == "document" for m in replies)

    data = notice_with(an, REVIEW)
    em = bot.chat("Em", phone="0338123456")  # head of another unit
    await em.share_contact()
    for chat in (em, binh):  # a foreign reviewer, and the author
        replies = await chat.press_data(data)
        assert any("không có quyền" in m.plain for m in replies), chat.user.first_name
        assert all("Việc làm số 1" not in m.plain for m in replies)
    assert (await plan_of(bot, binh)).status is PlanStatus.SUBMITTED


async def test_return_notice_fixes_the_members_own_plan(org: Harness) -> None:
    """ "Sửa ngay" opens the presser's own plan: pressed by someone else, it opens theirs."""
    bot = org
    an = bot.chat("An", phone="0912345678")
    await an.share_contact()
    binh = bot.chat("Bình", phone="0987654321")
    await binh.share_contact()
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()
    await an.press(REVIEW)
    await an.press("↩️ Trả lại")  # "Chắc chắn?" first
    await an.press("Có")
    await an.send("Cần cụ thể hơn")
    await bot.drain_outbox()
    assert FIX in binh.buttons()
    data = notice_with(binh, FIX)
    [screen] = await binh.press(FIX)
    assert "Cần cụ thể hơn" in screen.plain and "📨 Gửi kế hoạch" in binh.buttons()

    phu = bot.chat("Phú", phone="0355000111")
    await phu.share_contact()
    [own] = await phu.press_data(data)
    assert "Cần cụ thể hơn" not in own.plain and "Đinh Văn Phú" in own.plain
    assert (await plan_of(bot, binh)).status is PlanStatus.RETURNED
