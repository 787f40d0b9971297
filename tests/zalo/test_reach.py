"""Proactive messages reach each person once, on their own channel: the one they linked last,
or the one they chose (Telegram-only, Zalo-only and two-channel people)."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.cli.screen import TERMINAL_ENV
from bot.sandbox.fake_zalo import FakeZaloUser
from tests.helpers import run_cli, signed_in
from tests.zalo.zalo_chat import BINH, ZaloBot, ZaloChat, code_in, invite_code

VN = ZoneInfo("Asia/Ho_Chi_Minh")
DUC = FakeZaloUser(id="d0d0d0d0d0d0d0d0d0d1", display_name="Đức")
TEXT = "Họp chi bộ thường kỳ lúc 14h thứ Bảy"


async def status_of_broadcast_1(
    monkeypatch: pytest.MonkeyPatch, db_url: str, terminal: bool, *flags: str
) -> str:
    """What ``chuyende broadcast status 1`` prints on the test's database."""
    monkeypatch.chdir(Path(db_url.removeprefix("sqlite+aiosqlite:///")).parent)
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("ZALO_BOT_TOKEN", raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv(TERMINAL_ENV, "1" if terminal else "0")
    status, out = await asyncio.to_thread(run_cli, "broadcast", "status", "1", *flags)
    assert status == 0, out
    return out


async def test_a_broadcast_reaches_everyone_once_on_their_own_channel(
    zalo_bot: ZaloBot, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Hoa and An on Telegram, Đức on Zalo, Bình on both (Zalo linked last): one copy each,
    Bình's on Zalo; the preview counts four people, not five accounts; the delivery report,
    in the chat and on the command line, splits them 2 on Telegram and 2 on Zalo."""
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

    queued = next(m for m in reversed(admin.messages) if "📊 Tiến độ" in str(m.inline_buttons()))
    assert "Theo kênh:\n• Telegram: 2 người — đã gửi 0 · chờ gửi 2" in queued.plain
    await admin.press("📊 Tiến độ")  # refreshed in place
    report = next(m for m in admin.messages if m.message_id == queued.message_id)
    assert "4 người nhận" in report.plain and "đã gửi 4" in report.plain
    assert "Theo kênh:\n• Telegram: 2 người — đã gửi 2 · chờ gửi 0 · lỗi 0\n" in report.plain
    assert "• Zalo: 2 người — đã gửi 2 · chờ gửi 0 · lỗi 0" in report.plain
    lines = await status_of_broadcast_1(monkeypatch, db_url, False)
    assert "4 người nhận" in lines and "đã gửi 4" in lines
    assert "  Telegram: 2 người — chờ gửi 0; đã gửi 2; lỗi 0;" in lines
    assert "  Zalo: 2 người — chờ gửi 0; đã gửi 2; lỗi 0;" in lines
    found = json.loads(await status_of_broadcast_1(monkeypatch, db_url, False, "--json"))
    assert found["recipients"] == 4 and found["sent"] == 4
    assert {channel: (c["total"], c["sent"]) for channel, c in found["channels"].items()} == {
        "telegram": (2, 2),
        "zalo": (2, 2),
    }
    drawn = re.sub(r"\x1b\[[0-9;]*m", "", await status_of_broadcast_1(monkeypatch, db_url, True))
    assert re.search(r"│ Số người +│ Telegram +│ Zalo +│", drawn), drawn
    assert re.search(r"│ đã gửi +│ +4 │ +2 │ +2 │", drawn), drawn


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
    assert "Từ nay đồng chí sẽ nhận tin nhắc và thông báo qua Telegram." in chosen
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
