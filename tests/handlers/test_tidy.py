"""A tidy chat: each step of the form folds the one before, the review's buttons are grouped,
a document comes with a caption (issue 21, §1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.sandbox.chat import Chat
from bot.sandbox.fake_api import FakeBotApi, Fault, Message
from bot.sandbox.harness import Harness, running_bot
from tests.conftest import ROSTER
from tests.helpers import STUDY, fill_after_study, fill_mau_01, signed_in


@pytest.fixture
async def plan_bot(bot: Harness) -> Harness:
    """The bot with the 2022 campaign open."""
    await bot.open_campaign()
    return bot


def live(chat: Chat) -> list[Message]:
    """The bot's messages in the chat that can still be pressed: every one with inline
    buttons, and the one whose reply keyboard (the menu) is on screen."""
    pressable = [m for m in chat.messages if m.inline_buttons()]
    keyboard = next(
        (m for m in reversed(chat.messages) if "keyboard" in (m.reply_markup or {})), None
    )
    return pressable + ([keyboard] if keyboard is not None else [])


def rows(message: Message) -> list[list[str]]:
    """The labels of a message's inline buttons, row by row."""
    keyboard = (message.reply_markup or {}).get("inline_keyboard", [])
    return [[button["text"] for button in row] for row in keyboard]


async def test_a_whole_mau_01_leaves_only_the_review_and_the_menu_pressable(
    plan_bot: Harness,
) -> None:
    """Filled from the menu to the review: 2 messages with live buttons, not one per step."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(chat)
    review = chat.last
    assert "Xem lại kế hoạch" in review.plain
    pressable = live(chat)
    assert len(pressable) <= 2
    assert review in pressable and [m for m in pressable if m.inline_buttons()] == [review]
    menu = pressable[-1]
    assert "📝 Kế hoạch của tôi" in [b["text"] for b in menu.keyboard_buttons()]
    screens = [
        call
        for call in plan_bot.api.calls_of("sendMessage")
        if "inline_keyboard" in (call.params.get("reply_markup") or {})
    ]
    assert len(screens) >= 12  # every one of those had live buttons before (issue 21)


async def test_a_step_shrinks_to_one_line_and_the_members_answers_stay(plan_bot: Harness) -> None:
    """The identity check and each question fold to "✓ Câu n/6 · …", a piece's receipt to
    "✓ Đã ghi n ký tự"; what the member typed is untouched."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    [identity] = await chat.press("📝 Kế hoạch của tôi")
    assert identity.inline_buttons()
    [study] = await chat.press("✅ Thông tin đúng")
    assert identity.plain == "✓ Câu 1/6 · Thông tin cá nhân" and not identity.inline_buttons()
    assert "Câu 2/6" in study.plain and study.inline_buttons()
    [receipt] = await chat.send(STUDY)
    assert study.plain == "✓ Câu 2/6 · Nội dung học tập" and not study.inline_buttons()
    [shortcomings] = await chat.press("✅ Xong")
    assert receipt.plain == f"✓ Đã ghi {len(STUDY)} ký tự" and not receipt.inline_buttons()
    assert "Câu 3/6" in shortcomings.plain
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.press("✅ Xong")
    [item] = await chat.send("Việc làm số 1: thăm hộ dân")
    assert "Thời gian thực hiện" in item.plain
    await chat.send("Hằng tháng")
    assert item.plain == "✓ Câu 4/6 · Việc 1: Thời gian thực hiện"
    assert all("\n" not in m.plain for m in chat.messages[:-1] if m.edits)


async def test_an_old_button_of_a_folded_step_still_answers(plan_bot: Harness) -> None:
    """A press kept from three steps back shows the current step, as a stale button does."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    [identity] = await chat.press("📝 Kế hoạch của tôi")
    old = identity.inline_buttons()[0]["callback_data"]
    await chat.press("✅ Thông tin đúng")
    await chat.send(STUDY)
    await chat.press("✅ Xong")
    [reply] = await chat.press_data(old, identity)
    assert "bước cũ" in reply.plain and "Câu 3/6" in reply.plain
    assert len([m for m in chat.messages if m.inline_buttons()]) == 1  # the new one only


async def test_the_step_to_fold_survives_a_restart(db_url: str, api: FakeBotApi) -> None:
    """The screen's message is a row: a bot started again folds the step shown before it."""
    async with running_bot(db_url, api) as first:
        await first.load_roster(ROSTER)
        await first.open_campaign()
        chat = await signed_in(first, "Bình", "0987654321")
        [identity] = await chat.press("📝 Kế hoạch của tôi")
    async with running_bot(db_url, api) as second:
        again = Chat(api, second.feed, chat.user)
        [step] = await again.press("✅ Thông tin đúng")
        assert "Câu 2/6" in step.plain
        assert identity.plain == "✓ Câu 1/6 · Thông tin cá nhân" and not identity.inline_buttons()
        assert second.errors == []


async def test_a_fold_telegram_refuses_never_loses_the_step(plan_bot: Harness) -> None:
    """An edit refused (the message was deleted, or is too old to edit): the next step arrives
    all the same, the old one keeps its buttons, and nobody is shown an error."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    [identity] = await chat.press("📝 Kế hoạch của tôi")
    plan_bot.api.faults.append(
        Fault("editMessageText", 400, "Bad Request: message can't be edited")
    )
    [step] = await chat.press("✅ Thông tin đúng")
    assert "Câu 2/6" in step.plain and identity.inline_buttons()
    plan_bot.api.faults.clear()
    [receipt] = await chat.send(STUDY)  # the next fold works again
    assert step.plain == "✓ Câu 2/6 · Nội dung học tập" and receipt.inline_buttons()
    plan_bot.api.calls.clear()  # the refused edit is not a bug of ours: forget it


async def test_a_screen_older_than_telegrams_edit_window_is_left_as_it_is(
    plan_bot: Harness,
) -> None:
    """Two days later no edit is tried (Telegram may refuse it): the step is simply sent."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    [identity] = await chat.press("📝 Kế hoạch của tôi")
    plan_bot.clock.advance(timedelta(hours=48))
    edits = len(plan_bot.api.calls_of("editMessageText"))
    [step] = await chat.press("✅ Thông tin đúng")
    assert "Câu 2/6" in step.plain and identity.inline_buttons()
    assert len(plan_bot.api.calls_of("editMessageText")) == edits
    [receipt] = await chat.send(STUDY)  # the step shown now is folded as usual
    assert step.plain == "✓ Câu 2/6 · Nội dung học tập" and receipt.inline_buttons()


async def test_the_review_groups_its_buttons(plan_bot: Harness) -> None:
    """A row per section, each item's Sửa and Xóa side by side, the document and Gửi last."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(chat)
    assert rows(chat.last) == [
        ["Sửa: thông tin cá nhân"],
        ["Sửa: Nội dung học tập"],
        ["Sửa: Hạn chế cần khắc phục"],
        ["Sửa Việc 1", "🗑 Xóa Việc 1"],
        ["Sửa Việc 2", "🗑 Xóa Việc 2"],
        ["➕ Thêm Việc"],
        ["Sửa: Giải pháp thực hiện", "Sửa: Đề xuất, kiến nghị"],
        ["📄 Tải văn bản", "📨 Gửi kế hoạch"],
    ]
    await chat.press("🗑 Xóa Việc 1")
    [review] = await chat.press("Có")
    assert ["Sửa Việc 1", "🗑 Xóa Việc 1"] in rows(review)
    assert ["Sửa Việc 2", "🗑 Xóa Việc 2"] not in rows(review)


async def test_a_document_on_request_says_what_it_is(plan_bot: Harness) -> None:
    """The draft's document: a caption with the form, its status and its date (dd/mm/yyyy)."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(chat)
    old_review = chat.last
    replies = await chat.press("📄 Tải văn bản")
    [document] = [m for m in replies if m.kind == "document"]
    assert document.file_name == "ke-hoach-dv002-2022.docx"
    assert document.plain == (
        "📄 Văn bản kế hoạch cá nhân năm 2022 — Mẫu 01 — Kế hoạch cá nhân của đảng viên\n"
        "Trạng thái: đang soạn · ngày 25/03/2022"
    )
    assert old_review.plain == "✓ Đã xem lại kế hoạch (Mẫu 01 — Kế hoạch cá nhân của đảng viên)"
    [review] = [m for m in replies if m.inline_buttons()]
    assert "Xem lại kế hoạch" in review.plain
    await chat.press("📨 Gửi kế hoạch")
    plan_bot.clock.advance(timedelta(days=3))
    [sent] = [m for m in await chat.press("📄 Tải văn bản kế hoạch") if m.kind == "document"]
    assert "Trạng thái: đã gửi, chờ xác nhận · ngày 25/03/2022" in sent.plain


async def test_filling_again_after_an_edit_from_the_review(plan_bot: Harness) -> None:
    """Sửa from the review folds the review; the edited answer's step comes back to a new one."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    await chat.send(STUDY)
    await fill_after_study(chat)
    first_review = chat.last
    await chat.press("Sửa: Giải pháp thực hiện")
    assert first_review.plain.startswith("✓ Đã xem lại kế hoạch")
    await chat.send("Giải pháp mới, cụ thể hơn trước")
    [review] = await chat.press("✅ Xong")
    assert "Giải pháp mới" in review.plain
    assert [m for m in chat.messages if m.inline_buttons()] == [review]


async def test_filling_for_someone_folds_the_steps_in_the_secretarys_chat(
    plan_bot: Harness,
) -> None:
    """A secretary typing Bình's plan: from its first step on, her chat keeps one live screen
    too (the review), and the folded steps carry no banner, only the step. (The desk and the
    list of people she came from are not steps of a form: they keep their buttons.)"""
    an = await signed_in(plan_bot, "An", "0912345678")
    await an.send("/duyet")
    await an.press("✍️ Điền hộ người chưa có điện thoại")
    [first] = await an.press("✍️ Điền hộ: Trần Thị Bình")
    assert "điền hộ kế hoạch của Trần Thị Bình" in first.plain
    await fill_mau_01(an, actions=1, open_first=False)
    assert first.plain == "✓ Câu 1/6 · Thông tin cá nhân"
    review = an.last
    assert "Xem lại kế hoạch" in review.plain
    since = an.messages[an.messages.index(first) :]
    assert [m for m in since if m.inline_buttons()] == [review]
