"""The year-end review draft on Zalo: the same screens as numbered lines, the draft rated and
sent by typing numbers."""

from __future__ import annotations

from bot.sandbox.fake_zalo import FakeZaloUser
from tests.helpers import fill_mau_01
from tests.zalo.test_progress_zalo import Member
from tests.zalo.zalo_chat import ZaloBot, invite_code

BINH = FakeZaloUser(id="b2b2b2b2b2b2b2b2b2b2", display_name="Bình")


async def test_a_member_on_zalo_drafts_rates_and_sends_the_review(zalo_bot: ZaloBot) -> None:
    bot = zalo_bot.bot
    binh = Member(zalo_bot, BINH)
    await binh.send(await invite_code(bot, "DV002"))
    await fill_mau_01(binh, actions=2)  # type: ignore[arg-type]
    await binh.press("📨 Gửi kế hoạch")
    replies = await binh.choose("📋 Dự thảo kiểm điểm cuối năm")
    assert "Dự thảo đầy đủ" in replies[0]
    assert "- Việc làm số 1: thăm hộ dân — Chưa thực hiện" in replies[0]
    await binh.choose("Sửa: Tự đánh giá")
    await binh.choose("Xuất sắc")
    [sent] = await binh.choose("📨 Gửi dự thảo kiểm điểm")
    assert "Đồng chí đã gửi dự thảo phần Việc thực hiện cam kết" in sent
    assert "Tải bản Word dự thảo" in sent
