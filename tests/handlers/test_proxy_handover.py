"""Issue 21 §4: when a member signs in while their secretary fills their plan, nothing is lost
and both of them are told what happened."""

from __future__ import annotations

import pytest

from bot.domain.plans import PlanStatus
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import EXTRA, STUDY, plan_of, signed_in

PROXY_BUTTON = "✍️ Điền hộ người chưa có điện thoại"


@pytest.fixture
async def proxy_bot(bot: Harness) -> Harness:
    """The campaign open, the extra people on the roster."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + EXTRA)
    return bot


async def test_signing_in_mid_proxy_ends_the_session_keeps_the_draft_and_says_why(
    proxy_bot: Harness,
) -> None:
    """Bình signs in while An types her plan: An is told at once and at her next message (which
    is shown back, not taken); everything typed before stays in Bình's draft."""
    bot = proxy_bot
    an = await signed_in(bot, "An", "0912345678")
    await an.send("/duyet")
    await an.press(PROXY_BUTTON)
    await an.press("✍️ Điền hộ: Trần Thị Bình")
    await an.press("✅ Thông tin đúng")
    await an.send(STUDY)
    await an.press("✅ Xong")
    await an.send("Phát biểu trong sinh hoạt chi bộ còn ít")  # a piece of a long answer
    binh = await signed_in(bot, "Bình", "0987654321")
    await bot.drain_outbox()
    told = an.last.plain
    assert "Trần Thị Bình" in told and "vừa tự đăng nhập" in told and "kết thúc" in told
    [said] = await an.send("Một câu gõ muộn")
    assert "Phiên điền hộ đã kết thúc" in said.plain and "Trần Thị Bình" in said.plain
    assert "chưa được ghi" in said.plain and "Một câu gõ muộn" in said.plain
    plan = await plan_of(bot, binh)
    assert plan.draft.answers["study"] == STUDY
    assert plan.draft.buffer == "Phát biểu trong sinh hoạt chi bộ còn ít"
    assert "Một câu gõ muộn" not in str(plan.draft.answers) + plan.draft.buffer
    assert await plan_of(bot, an) is None  # the late text did not start An's own plan
    old = next(m for m in reversed(an.messages) if "Đang điền hộ" in m.plain)
    [over] = await an.press_data(str(old.inline_buttons()[0]["callback_data"]), old)
    assert "đã kết thúc" in over.plain and "tự đăng nhập" in over.plain  # an old proxy button
    assert (await plan_of(bot, binh)).draft == plan.draft


async def test_the_member_sees_what_the_secretary_entered_and_reviews_it_first(
    proxy_bot: Harness,
) -> None:
    """Answers typed by the secretary carry ✍️ on the member's review until the member answers
    them again; the member submits after reviewing."""
    bot = proxy_bot
    an = await signed_in(bot, "An", "0912345678")
    await an.send("/duyet")
    await an.press(PROXY_BUTTON)
    await an.press("✍️ Điền hộ: Trần Thị Bình")
    await an.press("✅ Thông tin đúng")
    await an.send(STUDY)
    await an.press("✅ Xong")
    binh = await signed_in(bot, "Bình", "0987654321")
    [step] = await binh.press("📝 Kế hoạch của tôi")
    assert "do Nguyễn Văn An nhập hộ" in step.plain and "xem lại" in step.plain
    assert "Hạn chế" in step.plain or "hạn chế" in step.plain  # where An stopped
    await binh.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await binh.press("✅ Xong")
    await binh.send("Việc làm số 1: thăm hộ dân")
    await binh.send("Hằng tháng")
    await binh.send("Nắm chắc tình hình")
    await binh.press("✅ Xong, sang phần tiếp")
    await binh.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await binh.press("✅ Xong")
    [review] = await binh.press("⏭ Bỏ qua")
    assert "Xem lại kế hoạch" in review.plain and "do Nguyễn Văn An nhập hộ" in review.plain
    marked = [line for line in review.plain.splitlines() if line.startswith("✍️ ")]
    assert len(marked) == 1 and "Nội dung học tập" in marked[0]
    assert not any("Hạn chế cần khắc phục" in line for line in marked)  # Bình's own answer
    await binh.press("Sửa: Nội dung học tập")
    await binh.send("Tự học chuyên đề mỗi tối thứ Bảy, dự quán triệt của chi bộ")
    [review] = await binh.press("✅ Xong")
    assert "nhập hộ" not in review.plain and "✍️ " not in review.plain
    [sent] = await binh.press("📨 Gửi kế hoạch")
    assert "Đã gửi kế hoạch" in sent.plain
    plan = await plan_of(bot, binh)
    assert plan.status is PlanStatus.SUBMITTED and plan.draft.proxied == ()
