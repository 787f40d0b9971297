"""Members on Zalo: the same conversation as on Telegram, by typed numbers and words only.

The bot's real services on a SQLite file, the Zalo edge and channel talking HTTP to the offline
Zalo Bot API; each message is handed to the edge as Zalo hands it (an event), and the test waits
until the edge has answered it.
"""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.domain.models import Channel
from bot.domain.plans import PlanStatus
from bot.sandbox.fake_zalo import FakeZaloUser
from handlers.zalo.polling import Poller
from scheduler.timer import VirtualTimer
from tests.helpers import STUDY, signed_in
from tests.zalo.zalo_chat import (
    BINH,
    PATIENCE,
    ZaloBot,
    ZaloChat,
    code_in,
    invite_code,
    make_edge,
)


async def test_a_member_signs_in_and_fills_mau_01_on_zalo(zalo_bot: ZaloBot) -> None:
    """Invite code typed, Mẫu 01 by numbers and words, an answer edited, the plan sent."""
    bot, chat = zalo_bot.bot, ZaloChat(zalo_bot, BINH)
    code = await invite_code(bot, "DV002")
    [welcome] = await chat.send(f"/start {code}")
    assert "Trần Thị Bình" in welcome and "<" not in welcome  # plain text: no markup shown
    [first] = await chat.send("ke hoach")  # the command's words, without diacritics
    assert "Câu 1/6" in first and "1. ✅ Thông tin đúng" in first
    await chat.choose("✅ Thông tin đúng")
    await chat.send(STUDY)
    await chat.send("xong")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.choose("✅ Xong")
    await chat.send("Việc làm số 1: thăm hộ dân")
    await chat.send("Hằng tháng")
    await chat.send("Nắm chắc tình hình")
    await chat.choose("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.choose("✅ Xong")
    [review] = await chat.choose("⏭ Bỏ qua")
    assert "Xem lại kế hoạch" in review
    await chat.send("sua noi dung hoc tap")
    await chat.send("Học chuyên đề tại hội nghị chi bộ")
    await chat.choose("✅ Xong")
    [sent] = await chat.send("gui ke hoach")
    assert "Đã gửi kế hoạch" in sent
    person = await bot.services.signin.whoami(Channel.ZALO, BINH.id)
    campaign = await bot.services.plans.campaign()
    assert person is not None and campaign is not None
    plan = await bot.store.plans.plan_of(person.id, campaign.id)
    assert plan is not None and plan.status is PlanStatus.SUBMITTED
    assert "hội nghị chi bộ" in plan.draft.answers["study"]


async def test_a_guest_is_asked_for_the_invite_code_not_a_contact(zalo_bot: ZaloBot) -> None:
    """/start and any text from someone not signed in ask for the invite code to be typed."""
    chat = ZaloChat(zalo_bot, BINH)
    [welcome] = await chat.send("/start")
    assert "gõ mã mời" in welcome and "Chia sẻ" not in welcome
    [again] = await chat.send("xin chào")
    assert "gõ mã mời" in again and "Chia sẻ" not in again


async def test_a_redelivered_event_is_taken_once_even_by_another_replica(
    zalo_bot: ZaloBot,
) -> None:
    """The same event handed twice, to this edge and to a second one, is answered once."""
    chat = ZaloChat(zalo_bot, BINH)
    await chat.send(await invite_code(zalo_bot.bot, "DV002"))
    body = zalo_bot.zalo.text(BINH, "/kehoach")
    await zalo_bot.hand(body)
    await zalo_bot.hand(body)
    await zalo_bot.hand(body, zalo_bot.edge_again())
    assert sum("Câu 1/6" in text for text in chat.received) == 1


async def test_words_commands_and_what_zalo_hides(zalo_bot: ZaloBot) -> None:
    """ "tro giup" is help, "huy" cancels, a sticker asks for text, a hidden message says so."""
    chat = ZaloChat(zalo_bot, BINH)
    [guest_help] = await chat.send("Trợ giúp")
    assert guest_help.startswith("Hướng dẫn") and "Gõ mã mời" in guest_help
    assert "Chia sẻ" not in guest_help  # Zalo shares no contact: nothing to press
    await chat.send(await invite_code(zalo_bot.bot, "DV002"))
    await chat.send("ke hoach")
    await chat.choose("✅ Thông tin đúng")
    [paused] = await chat.send("huy")
    assert "Đã lưu bản nháp" in paused
    # a menu button's label typed as it reads, without its emoji, is that button
    [plan] = await chat.send("Kế hoạch của tôi")
    assert "Đã lưu bản nháp" not in plan and "Câu 2/" in plan, plan
    [paused] = await chat.send("huy")
    assert "Đã lưu bản nháp" in paused
    await zalo_bot.hand(zalo_bot.zalo.sticker(BINH))
    assert "chỉ đọc được tin nhắn chữ" in chat.last
    await zalo_bot.hand(zalo_bot.zalo.unsupported(BINH))
    assert "Zalo" in chat.last


async def test_the_poller_brings_messages_to_the_conversation(zalo_bot: ZaloBot) -> None:
    """End to end through getUpdates: a typed invite code signs the person in."""
    zalo, chat = zalo_bot.zalo, ZaloChat(zalo_bot, BINH)
    await zalo.push(zalo.text(BINH, await invite_code(zalo_bot.bot, "DV002")))
    stop, woken = asyncio.Event(), asyncio.Event()
    edge = make_edge(zalo_bot.bot, zalo_bot.client, wake=lambda lane: woken.set())
    poller = Poller(zalo_bot.client, edge.on_event, VirtualTimer(), stop, wait=0)
    polling = asyncio.ensure_future(poller.run())
    try:
        await asyncio.wait_for(woken.wait(), PATIENCE)  # recorded in the inbox
    finally:
        stop.set()
        async with asyncio.timeout(PATIENCE):
            await polling
    await zalo_bot.settle(edge)
    assert any("Trần Thị Bình" in text for text in chat.received)
    person = await zalo_bot.bot.services.signin.whoami(Channel.ZALO, BINH.id)
    assert person is not None and person.code == "DV002"


async def test_a_link_code_made_on_telegram_signs_the_same_person_in_on_zalo(
    zalo_bot: ZaloBot,
) -> None:
    """/lienket on Telegram gives a code; typed on Zalo it links Zalo to the same person, once."""
    bot = zalo_bot.bot
    telegram = await signed_in(bot, "Bình", "0987654321")
    [reply] = await telegram.send("/lienket")
    assert "Mã liên kết" in reply.plain and "30 phút" in reply.plain
    code = code_in(reply.plain)
    chat = ZaloChat(zalo_bot, BINH)
    [linked] = await chat.send(code)
    assert "Trần Thị Bình" in linked and "đăng nhập thành công" in linked
    on_zalo = await bot.services.signin.whoami(Channel.ZALO, BINH.id)
    on_telegram = await bot.services.signin.whoami(Channel.TELEGRAM, str(telegram.user.id))
    assert on_zalo is not None and on_telegram is not None and on_zalo.id == on_telegram.id
    other = ZaloChat(zalo_bot, FakeZaloUser(id="0b0b0b0b0b0b0b0b0b0b", display_name="Khác"))
    [refused] = await other.send(code)  # spent: nobody else gets in with it
    assert "Mã mời không đúng hoặc đã được dùng" in refused


async def test_a_link_code_made_on_zalo_works_on_telegram_and_expires(zalo_bot: ZaloBot) -> None:
    """The other way round; a code typed after its 30 minutes is refused."""
    bot, chat = zalo_bot.bot, ZaloChat(zalo_bot, BINH)
    await chat.send(await invite_code(bot, "DV002"))
    [first] = await chat.send("lien ket")
    late = bot.chat("Bình", user_id=7001)
    bot.clock.advance(timedelta(minutes=31))
    [refused] = await late.send(code_in(first))
    assert "Mã mời không đúng hoặc đã được dùng" in refused.plain
    [second] = await chat.send("/lienket")
    telegram = bot.chat("Bình", user_id=7002)
    [linked] = await telegram.send(code_in(second))
    assert "đăng nhập thành công" in linked.plain
    person = await bot.services.signin.whoami(Channel.TELEGRAM, "7002")
    assert person is not None and person.code == "DV002"
