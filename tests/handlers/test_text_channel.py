"""The whole member path on a channel without buttons: the proof that the core is channel-neutral.

Sign in by typing an invite code, fill Mẫu 01 by typing answers and the numbers of the choices,
review, edit one answer, submit. (Proactive messages, the document among them, still go to
Telegram accounts only: choosing the channel per person is the Zalo issue's.)
"""

from __future__ import annotations

import pytest

from bot.app import build_conversation
from bot.domain.models import Channel
from bot.domain.plans import Plan, PlanStatus
from bot.sandbox.harness import Harness
from tests.helpers import STUDY
from tests.textchat import TextChat, TextOnlyChannel


@pytest.fixture
async def text_bot(bot: Harness) -> Harness:
    """The bot with the 2022 campaign open."""
    await bot.open_campaign()
    return bot


def chat_for(bot: Harness, channel: TextOnlyChannel, user_id: str) -> TextChat:
    """A person typing on the text-only channel, handled by the same conversation as Telegram."""
    conversation = build_conversation(bot.services)
    return TextChat(conversation, channel, bot.store.offers, bot.clock, user_id)


async def invite_code(bot: Harness, person_code: str) -> str:
    batch = await bot.services.roster.issue_invites(None, None)
    return next(row.code for row in batch.open if row.person_code == person_code)


async def test_member_fills_and_submits_mau_01_by_typing_only(text_bot: Harness) -> None:
    """Invite code typed, every choice typed as its number or words, one answer edited, sent."""
    bot, channel = text_bot, TextOnlyChannel()
    chat = chat_for(bot, channel, "zalo-binh")
    code = await invite_code(bot, "DV002")
    [welcome] = await chat.send(code.lower())
    assert "Trần Thị Bình" in welcome.text
    [first] = await chat.send("/kehoach")
    assert "Câu 1/6" in first.text and "02/09/1988" in first.text
    assert "1. ✅ Thông tin đúng" in first.text  # the buttons are numbered lines
    await chat.choose("✅ Thông tin đúng")
    await chat.send(STUDY)
    await chat.choose("✅ Xong")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.send("xong")  # the label's words, typed without its emoji
    await chat.send("Việc làm số 1: thăm hộ dân")
    await chat.send("Hằng tháng")
    await chat.send("Nắm chắc tình hình")
    await chat.choose("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.choose("✅ Xong")
    [review] = await chat.choose("⏭ Bỏ qua")
    assert "Xem lại kế hoạch" in review.text and "Việc làm số 1" in review.text
    [question] = await chat.send("sua noi dung hoc tap")  # "Sửa: Nội dung học tập" by its words
    assert "Câu 2/6" in question.text and "NỘI DUNG HỌC TẬP" in question.text
    await chat.send("Học chuyên đề tại hội nghị chi bộ")
    await chat.choose("✅ Xong")
    assert "Xem lại kế hoạch" in chat.last.text and "hội nghị chi bộ" in chat.last.text
    [sent] = await chat.choose("📨 Gửi kế hoạch")
    assert "Đã gửi kế hoạch" in sent.text
    person = await bot.services.signin.whoami(Channel.ZALO, "zalo-binh")
    assert person is not None and person.code == "DV002"
    plan = await plan_of_zalo(bot, "zalo-binh")
    assert plan.status is PlanStatus.SUBMITTED
    assert "hội nghị chi bộ" in plan.draft.answers["study"]


async def test_an_old_number_answers_like_a_stale_button(text_bot: Harness) -> None:
    """A number typed after the form has moved on says so and shows the current step."""
    bot, channel = text_bot, TextOnlyChannel()
    chat = chat_for(bot, channel, "zalo-binh")
    await chat.send(await invite_code(bot, "DV002"))
    await chat.send("/kehoach")
    await chat.choose("✅ Thông tin đúng")
    await chat.send(STUDY)
    number = chat.numbers()["✅ Xong"]
    [paused] = await chat.send("/huy")  # the draft is saved: the plan's revision moves on
    assert "Đã lưu bản nháp" in paused.text
    [stale] = await chat.send(number)
    assert "Nút này thuộc một bước cũ" in stale.text and "Câu 2/6" in stale.text
    assert not (await plan_of_zalo(bot, "zalo-binh")).draft.answers.get("study")


async def test_text_that_names_no_choice_is_the_answer(text_bot: Harness) -> None:
    """Typed text that names no numbered choice is taken as (part of) the answer."""
    bot, channel = text_bot, TextOnlyChannel()
    chat = chat_for(bot, channel, "zalo-binh")
    await chat.send(await invite_code(bot, "DV002"))
    await chat.send("/kehoach")
    await chat.choose("✅ Thông tin đúng")
    await chat.send(STUDY)
    await chat.send("9")  # no choice has that number: it is text of the answer
    await chat.choose("✅ Xong")
    assert (await plan_of_zalo(bot, "zalo-binh")).draft.answers["study"] == f"{STUDY}\n9"


async def plan_of_zalo(bot: Harness, user_id: str) -> Plan:
    """The 2022 plan of the person signed in on the text channel as ``user_id``."""
    person = await bot.services.signin.whoami(Channel.ZALO, user_id)
    campaign = await bot.services.plans.campaign()
    assert person is not None and campaign is not None
    plan = await bot.store.plans.plan_of(person.id, campaign.id)
    assert plan is not None
    return plan
