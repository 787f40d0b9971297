"""The mid-year self-check on Zalo: the same screens as numbered lines, an action updated, the
self-assessment typed and the check sent by typing numbers; no text speaks of buttons."""

from __future__ import annotations

from sqlalchemy import select

from bot.domain.schedule import Schedule
from bot.sandbox.fake_zalo import FakeZaloUser
from storage.tables import midyear_checks
from tests.helpers import fill_mau_01
from tests.zalo.test_progress_zalo import Member
from tests.zalo.test_wording import BUTTON_WORDS
from tests.zalo.zalo_chat import ZaloBot, invite_code

BINH = FakeZaloUser(id="b3b3b3b3b3b3b3b3b3b3", display_name="Bình")


async def test_a_member_on_zalo_checks_each_action_and_sends_the_self_check(
    zalo_bot: ZaloBot,
) -> None:
    """Plan sent on Zalo; the self-check by its number; action 1 marked done without a note,
    action 2 passed, the self-assessment typed, sent: stored as sent."""
    bot = zalo_bot.bot
    await bot.open_campaign(schedule=Schedule(midyear_check=True))
    binh = Member(zalo_bot, BINH)
    await binh.send(await invite_code(bot, "DV002"))
    await fill_mau_01(binh, actions=2)  # type: ignore[arg-type]
    await binh.press("📨 Gửi kế hoạch")
    [first] = await binh.choose("🪞 Tự kiểm tra giữa kỳ")
    assert "Việc 1/2" in first and "Hiện nay: chưa cập nhật" in first
    await binh.choose("✅ Đã thực hiện")
    [saved] = await binh.choose("💾 Lưu, không ghi chú")
    assert "Đã ghi tiến độ việc 1: Đã thực hiện" in saved
    await binh.choose("Tiếp ▶️")
    [question] = await binh.choose("Tiếp ▶️")
    assert "Tự đánh giá giữa kỳ" in question
    [review] = await binh.send("Đã làm được việc 1, việc 2 đang chuẩn bị.")
    assert "Xem lại trước khi gửi" in review
    [sent] = await binh.choose("📨 Gửi tự kiểm tra giữa kỳ")
    assert "đã gửi bản tự kiểm tra giữa kỳ năm 2022" in sent
    for text in (first, saved, question, review, sent):
        assert not BUTTON_WORDS.search(text), text
    async with bot.store.engine.connect() as conn:
        [row] = (await conn.execute(select(midyear_checks))).mappings().all()
    assert (row["status"], row["answer"]) == (
        "submitted",
        "Đã làm được việc 1, việc 2 đang chuẩn bị.",
    )
