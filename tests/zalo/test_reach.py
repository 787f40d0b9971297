"""Proactive messages reach each person once, on their own channel: the one they linked last,
or the one they chose (Telegram-only, Zalo-only and two-channel people)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.sandbox.fake_zalo import FakeZaloUser
from tests.helpers import signed_in
from tests.zalo.zalo_chat import BINH, ZaloBot, ZaloChat, code_in, invite_code

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DUC = FakeZaloUser(id="d0d0d0d0d0d0d0d0d0d1", display_name="Đức")
TEXT = "Họp chi bộ thường kỳ lúc 14h thứ Bảy"


async def test_a_broadcast_reaches_everyone_once_on_their_own_channel(zalo_bot: ZaloBot) -> None:
    """An on Telegram, Đức on Zalo, Bình on both (Zalo linked last): one copy each, Bình's on
    Zalo; the preview counts three people, not four accounts."""
    bot = zalo_bot.bot
    admin = await signed_in(bot, "Hoa", "0977123456")
    an = await signed_in(bot, "An", "0912345678")
    binh_tg = await signed_in(bot, "Bình", "0987654321")
    [code] = await binh_tg.send("/lienket")
    binh, duc = ZaloChat(zalo_bot, BINH), ZaloChat(zalo_bot, DUC)
    await binh.send(code_in(code.plain))
    await duc.send(await invite_code(bot, "DV004"))
    await admin.press("📢 Gửi thông báo")
    await admin.send(TEXT)
    [preview] = await admin.press("Mọi người")
    assert "Số người nhận: 4" in preview.plain  # Hoa, An, Bình, Đức: people, not accounts
    await admin.press("✅ Gửi ngay")
    await zalo_bot.drain_outbox()
    assert sum(TEXT in m.plain for m in an.messages) == 1
    assert sum(TEXT in text for text in duc.received) == 1
    assert sum(TEXT in text for text in binh.received) == 1
    assert all(TEXT not in m.plain for m in binh_tg.messages)  # not twice: Zalo is hers now


async def test_a_deadline_reminder_goes_to_the_channel_linked_last(zalo_bot: ZaloBot) -> None:
    """Bình signed in on Telegram, then linked Zalo: the T-14 reminder reaches her on Zalo."""
    bot = zalo_bot.bot
    binh_tg = await signed_in(bot, "Bình", "0987654321")
    [code] = await binh_tg.send("/lienket")
    binh = ZaloChat(zalo_bot, BINH)
    await binh.send(code_in(code.plain))
    bot.clock.set(datetime(2022, 4, 16, 9, 30, tzinfo=VN))
    await bot.sweep()
    await zalo_bot.drain_outbox()
    assert sum("hết hạn nộp" in text for text in binh.received) == 1
    assert all("hết hạn nộp" not in m.plain for m in binh_tg.messages)


async def test_the_card_lets_a_two_channel_person_choose_where_messages_go(
    zalo_bot: ZaloBot,
) -> None:
    """/toi on Zalo says Zalo and offers Telegram; chosen, the next notice comes on Telegram.
    A Telegram-only person forging the Zalo choice is refused."""
    bot = zalo_bot.bot
    binh_tg = await signed_in(bot, "Bình", "0987654321")
    [code] = await binh_tg.send("/lienket")
    binh = ZaloChat(zalo_bot, BINH)
    await binh.send(code_in(code.plain))
    [card] = await binh.send("toi")
    assert "Nhận tin nhắc và thông báo qua: Zalo" in card
    [chosen] = await binh.choose("🔔 Nhận thông báo qua Telegram")
    assert "gửi qua Telegram" in chosen
    bot.clock.set(datetime(2022, 4, 16, 9, 30, tzinfo=VN))
    await bot.sweep()
    await zalo_bot.drain_outbox()
    assert sum("hết hạn nộp" in m.plain for m in binh_tg.messages) == 1
    assert all("hết hạn nộp" not in text for text in binh.received)
    an = await signed_in(bot, "An", "0912345678")
    [card] = await an.send("/toi")
    assert "Nhận tin nhắc và thông báo qua: Telegram" in card.plain and not card.inline_buttons()
    [refused] = await an.press_data("u:nt:zalo")
    assert "không có quyền dùng chức năng này" in refused.plain
