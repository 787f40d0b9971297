"""A sent year-end review draft can be taken back for editing, as a plan can, until the
secretary confirms it: over the real bot (PTB Application, offline Bot API), and by forged or
stale presses that change nothing."""

from __future__ import annotations

from bot.domain import engine as e
from bot.domain.callbacks import PlanCode, YearPress
from bot.domain.models import Channel, Person
from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from storage.yearend_repo import YearReviewRepository
from tests.helpers import fill_mau_01, signed_in

REOPEN = "↩️ Rút lại để sửa"


async def member(bot: Harness) -> tuple[Chat, Person]:
    """Bình with a handed-in plan."""
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(binh.user.id))
    assert person is not None
    return binh, person


async def sent_draft(binh: Chat) -> None:
    """The draft opened, rated and sent from the chat."""
    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("📋 Dự thảo kiểm điểm cuối năm")
    await binh.press("Sửa: Tự đánh giá")
    await binh.press("Tốt")
    await binh.press("📨 Gửi dự thảo kiểm điểm")


async def test_a_member_takes_the_sent_draft_back_changes_it_and_sends_it_again(
    bot: Harness,
) -> None:
    """Sent → "Rút lại để sửa" → the review again (a draft), the rating changed, sent again."""
    await bot.open_campaign()
    binh, person = await member(bot)
    await sent_draft(binh)
    assert "Chừng nào bí thư chi bộ chưa xác nhận" in binh.last.plain
    assert REOPEN in binh.buttons()
    [back] = await binh.press(REOPEN)
    assert "Đã rút lại dự thảo kiểm điểm để sửa" in back.plain
    assert "📨 Gửi dự thảo kiểm điểm" in binh.buttons()
    review = await YearReviewRepository(bot.store.database).of(person.id, 1)
    assert review is not None and review.status is PlanStatus.DRAFT
    await binh.press("Sửa: Tự đánh giá")
    await binh.press("Xuất sắc")
    [sent] = await binh.press("📨 Gửi dự thảo kiểm điểm")
    assert "Đồng chí đã gửi dự thảo phần Việc thực hiện cam kết" in sent.plain
    again = await YearReviewRepository(bot.store.database).of(person.id, 1)
    assert again is not None and again.status is PlanStatus.SUBMITTED
    assert again.draft.answers["rating"] == "Xuất sắc"


async def test_a_confirmed_draft_or_a_stale_press_is_not_reopened(bot: Harness) -> None:
    """Once the secretary confirmed it there is no "Rút lại" and a forged press changes
    nothing; a press at an older revision is answered as stale."""
    await bot.open_campaign()
    binh, person = await member(bot)
    await sent_draft(binh)
    reviews = YearReviewRepository(bot.store.database)
    sent = await reviews.of(person.id, 1)
    assert sent is not None
    [stale] = await binh.press_data(YearPress(sent.rev - 1, PlanCode.REOPEN).pack())
    assert "Nút này thuộc một bước cũ" in stale.plain
    still = await reviews.of(person.id, 1)
    assert still is not None and still.status is PlanStatus.SUBMITTED

    confirmed = await reviews.save(
        still, e.to_review(still.draft), bot.clock.now(), PlanStatus.CONFIRMED
    )
    assert confirmed is not None
    [shown] = await binh.press_data(YearPress(confirmed.rev, PlanCode.REOPEN).pack())
    assert REOPEN not in binh.buttons()
    assert "Chừng nào bí thư chi bộ chưa xác nhận" not in shown.plain
    after = await reviews.of(person.id, 1)
    assert after is not None and after.status is PlanStatus.CONFIRMED
