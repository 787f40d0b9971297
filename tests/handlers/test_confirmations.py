"""Issue 21 §2: "Chắc chắn?" before what cannot be undone, and limits that explain themselves."""

from __future__ import annotations

import pytest

from bot.app import build_conversation
from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import EXTRA, fill_mau_01, plan_of, signed_in
from tests.textchat import TextChat, TextOnlyChannel


@pytest.fixture
async def plan_bot(bot: Harness) -> Harness:
    """The 2022 campaign open and the extra people (staff, individuals) on the roster."""
    await bot.open_campaign()
    outcome = await bot.load_roster(ROSTER.strip() + EXTRA)
    assert outcome.summary is not None, outcome.parsed.errors
    return bot


def actions_of(plan) -> list[str]:  # type: ignore[no-untyped-def]
    return [a["action"] for a in plan.draft.answers["actions"]]


def inline_labels(chat: Chat) -> list[str]:
    """The inline buttons of the bot's latest message that has any."""
    message = next(m for m in reversed(chat.messages) if m.inline_buttons())
    return [b["text"] for b in message.inline_buttons()]


async def test_deleting_an_action_asks_first_and_an_old_yes_deletes_nothing(
    plan_bot: Harness,
) -> None:
    """ "🗑 Xóa" asks "Chắc chắn?" with only Có / Không; Không keeps it, Có deletes it once."""
    bot = plan_bot
    chat = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(chat, actions=2)
    [ask] = await chat.press("🗑 Xóa Việc 1")
    assert "Chắc chắn?" in ask.plain and "Việc làm số 1: thăm hộ dân" in ask.plain
    assert inline_labels(chat) == ["Có", "Không"]
    [review] = await chat.press("Không")
    assert "Xem lại kế hoạch" in review.plain
    assert len(actions_of(await plan_of(bot, chat))) == 2
    await chat.press("🗑 Xóa Việc 1")
    asked = chat.last
    # read before it is pressed: the next screen takes the question's buttons away
    yes = next(b for b in asked.inline_buttons() if b["text"] == "Có")
    [review] = await chat.press("Có")
    assert "Xem lại kế hoạch" in review.plain
    assert actions_of(await plan_of(bot, chat)) == ["Việc làm số 2: thăm hộ dân"]
    [stale] = await chat.press_data(str(yes["callback_data"]), asked)  # the same "Có" again
    assert "bước cũ" in stale.plain
    assert actions_of(await plan_of(bot, chat)) == ["Việc làm số 2: thăm hộ dân"]
    # Someone else pressing the same data acts on their own plan only: Bình's is untouched.
    an = await signed_in(bot, "An", "0912345678")
    await an.press_data(str(yes["callback_data"]))
    assert actions_of(await plan_of(bot, chat)) == ["Việc làm số 2: thăm hộ dân"]


async def test_deleting_by_typed_numbers_on_a_text_only_channel(plan_bot: Harness) -> None:
    """Without buttons, "Chắc chắn?" comes as numbered Có / Không and the typed number counts."""
    bot, channel = plan_bot, TextOnlyChannel()
    chat = TextChat(build_conversation(bot.services), channel, bot.store.offers, bot.clock, "z-b")
    batch = await bot.services.roster.issue_invites(None, None)
    await chat.send(next(row.code for row in batch.open if row.person_code == "DV002"))
    await chat.send("/kehoach")
    await chat.choose("✅ Thông tin đúng")
    await chat.send("Nghiên cứu chuyên đề năm 2022 qua tài liệu của Ban Tuyên giáo")
    await chat.choose("✅ Xong")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.choose("✅ Xong")
    for n in (1, 2):
        if n > 1:
            await chat.choose("➕ Thêm Việc")
        await chat.send(f"Việc làm số {n}: thăm hộ dân")
        await chat.send("Hằng tháng")
        await chat.send("Nắm chắc tình hình")
    await chat.choose("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.choose("✅ Xong")
    await chat.choose("⏭ Bỏ qua")
    [ask] = await chat.choose("🗑 Xóa Việc 2")
    assert "Chắc chắn?" in ask.text and chat.numbers() == {"Có": "1", "Không": "2"}
    [review] = await chat.choose("Có")
    assert "Xem lại kế hoạch" in review.text and "Việc làm số 2" not in review.text


async def test_xong_of_a_list_appears_only_once_its_minimum_is_reached(plan_bot: Harness) -> None:
    """Mẫu 2B asks for 2 actions: with 1 the screen says so and offers no "Xong"."""
    bot = plan_bot
    lan = await signed_in(bot, "Lan", "0355000222")
    await lan.press("📝 Kế hoạch của tôi")
    await lan.press("✅ Thông tin đúng")
    await lan.send("Số 12, khu phố 1")
    await lan.press("Hội Phụ nữ")
    await lan.send("Giữ vệ sinh đường làng, việc 1")
    [more] = await lan.send("Hằng tuần")
    assert "Cần ít nhất 2 việc, đã có 1" in more.plain
    assert "✅ Xong, sang phần tiếp" not in lan.buttons() and "➕ Thêm Việc" in lan.buttons()
    [refused] = await lan.press_data(f"p:{(await plan_of(bot, lan)).rev}:fg:")  # forged "Xong"
    assert "Cần ít nhất 2 mục" in refused.plain
    await lan.press("➕ Thêm Việc")
    await lan.send("Giữ vệ sinh đường làng, việc 2")
    [more] = await lan.send("Hằng tuần")
    assert "Cần ít nhất" not in more.plain and "✅ Xong, sang phần tiếp" in lan.buttons()
    [review] = await lan.press("✅ Xong, sang phần tiếp")
    assert "Xem lại kế hoạch" in review.plain


async def test_an_answer_of_emoji_or_punctuation_alone_is_refused_with_the_reason(
    plan_bot: Harness,
) -> None:
    """ "👍🙏!!!" says nothing: refused as such; emoji do not count towards the minimum length."""
    bot = plan_bot
    chat = await signed_in(bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    await chat.send("👍🙏🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟!!! ... ???")
    [why] = await chat.press("✅ Xong")
    assert "biểu tượng cảm xúc hoặc dấu câu" in why.plain
    plan = await plan_of(bot, chat)
    assert plan.draft.position == "q:study" and "study" not in plan.draft.answers
    await chat.press("🔄 Viết lại")
    await chat.send("Học 🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟🌟")  # 20+ characters, 3 letters
    [short] = await chat.press("✅ Xong")
    assert "không được tính" in short.plain and "20" in short.plain
    assert "study" not in (await plan_of(bot, chat)).draft.answers
    await chat.press("🔄 Viết lại")
    await chat.send("Học chuyên đề qua tài liệu 📘 của chi bộ")
    await chat.press("✅ Xong")
    assert (await plan_of(bot, chat)).draft.answers["study"].startswith("Học chuyên đề")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.press("✅ Xong")
    [why] = await chat.send("👍👍👍👍👍👍")  # the action's short answer: refused at once
    assert "biểu tượng cảm xúc hoặc dấu câu" in why.plain
    assert not (await plan_of(bot, chat)).draft.answers.get("actions")


async def broadcast_queued(bot: Harness) -> tuple[Chat, Chat]:
    """The admin has sent "Họp bí thư" to the secretaries; it is queued, not yet delivered."""
    await bot.open_campaign()
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Họp bí thư lúc 14h")
    await admin.press("Các bí thư chi bộ")
    await admin.press("✅ Gửi ngay")
    return admin, an


async def test_cancelling_a_broadcast_asks_first(bot: Harness) -> None:
    """ "⛔ Dừng gửi" asks "Chắc chắn?"; Không withdraws nothing, Có withdraws what is unsent."""
    admin, an = await broadcast_queued(bot)
    [ask] = await admin.press("⛔ Dừng gửi")
    assert "Chắc chắn?" in ask.plain
    assert "Dừng thông báo số 1" in ask.plain and "(1 tin)" in ask.plain
    assert inline_labels(admin) == ["Có", "Không"]
    assert await admin.press("Không") == []  # the same message now shows how it stands
    shown = next(m for m in admin.messages if m.message_id == ask.message_id)
    assert "chờ gửi 1" in shown.plain and "đã hủy 0" in shown.plain
    await admin.press("⛔ Dừng gửi")
    [done] = await admin.press("Có")
    assert "Đã dừng thông báo số 1: rút lại 1 tin" in done.plain
    assert await bot.drain_outbox() == 0
    assert all("Họp bí thư" not in m.plain for m in an.messages)
    binh = await signed_in(bot, "Bình", "0987654321")  # a member's forged "Có" is refused
    [refused] = await binh.press_data("b:cy:1")
    assert "không có quyền" in refused.plain


async def test_an_old_send_now_says_it_was_sent_when_and_to_how_many(bot: Harness) -> None:
    """After the broadcast went out, its old "✅ Gửi ngay" sends nothing and says what went."""
    admin, an = await broadcast_queued(bot)
    preview = next(m for m in admin.messages if "Xem trước" in m.plain)
    await bot.drain_outbox()
    assert an.last.plain == "Họp bí thư lúc 14h"
    go = next(b for b in preview.inline_buttons() if b["text"] == "✅ Gửi ngay")
    [said] = await admin.press_data(str(go["callback_data"]), preview)
    assert "đã được gửi" in said.plain and "thông báo số 1" in said.plain
    assert "25/03/2022 08:00" in said.plain and "1 người nhận" in said.plain
    assert "đã gửi 1" in said.plain and "Đã thôi" not in said.plain
    assert await bot.drain_outbox() == 0
    assert [m.plain for m in an.messages].count("Họp bí thư lúc 14h") == 1


async def test_returning_a_plan_asks_first(plan_bot: Harness) -> None:
    """ "↩️ Trả lại" asks "Chắc chắn?"; Không shows the plan again, Có asks for the comment."""
    bot = plan_bot
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    await an.send("/duyet")
    await an.press("Xem: Trần Thị Bình")
    [ask] = await an.press("↩️ Trả lại")
    assert "Chắc chắn?" in ask.plain and "Trần Thị Bình" in ask.plain
    assert inline_labels(an) == ["Có", "Không"]
    replies = await an.press("Không")
    assert any("✅ Xác nhận" in [b["text"] for b in m.inline_buttons()] for m in replies)
    await an.send("Không phải ý kiến")  # no comment was asked for: not taken as one
    assert (await plan_of(bot, binh)).status is PlanStatus.SUBMITTED
    await an.press("↩️ Trả lại")
    yes = next(b for b in an.last.inline_buttons() if b["text"] == "Có")
    em = await signed_in(bot, "Em", "0338123456")  # a head of another unit: refused
    [refused] = await em.press_data(str(yes["callback_data"]))
    assert "không có quyền" in refused.plain
    [comment] = await an.press("Có")
    assert "ý kiến" in comment.plain
    [done] = await an.send("Ghi rõ số hộ sẽ thăm")
    assert "Đã trả lại" in done.plain
    assert (await plan_of(bot, binh)).status is PlanStatus.RETURNED
    stale = await an.press_data(str(yes["callback_data"]))  # the same "Có" once more
    assert stale and all("Gõ" not in m.plain for m in stale)
    assert any("vừa gửi lại" in m.plain or "được trả lại" in m.plain for m in stale)
