"""While a document is made, Zalo shows "typing…" (sendChatAction), as Telegram shows "sending a
file…": before the member's DOCX, the secretary's plan on the desk and the unit's export. The
offline Zalo server's record of calls says when it was asked; a refused indicator loses nothing.
"""

from __future__ import annotations

from bot.sandbox.fake_zalo import Call, FakeZaloUser
from tests.helpers import fill_mau_01, signed_in
from tests.zalo.zalo_chat import BINH, ZaloBot, ZaloChat, code_in, invite_code

AN = FakeZaloUser(id="a0a0a0a0a0a0a0a0a0a1", display_name="An")


async def handed_in_on_telegram(zalo_bot: ZaloBot) -> ZaloChat:
    """Bình sent her Mẫu 01 on Telegram and linked Zalo: her plan's screen on Zalo."""
    telegram = await signed_in(zalo_bot.bot, "Bình", "0987654321")
    await fill_mau_01(telegram, actions=1)
    await telegram.press("📨 Gửi kế hoạch")
    [code] = await telegram.send("/lienket")
    chat = ZaloChat(zalo_bot, BINH)
    await chat.send(code_in(code.plain))
    [status] = await chat.send("ke hoach")
    assert ". 📄 Tải văn bản kế hoạch" in status
    return chat


def calls_to(zalo_bot: ZaloBot, chat_id: str) -> list[Call]:
    """The calls of the bot that named ``chat_id``, in order."""
    return [c for c in zalo_bot.zalo.calls if str(c.params.get("chat_id")) == chat_id]


def just_before_the_link(calls: list[Call]) -> bool:
    """True when the last message (the one with the link) came right after a "typing"."""
    *_, action, message = calls
    return (
        action.method == "sendChatAction"
        and action.params.get("action") == "typing"
        and action.code == 200
        and message.method == "sendMessage"
        and "📎 Tải tệp" in str(message.params.get("text"))
    )


async def test_typing_is_shown_while_the_members_docx_is_made(zalo_bot: ZaloBot) -> None:
    """ "Tải văn bản kế hoạch" typed: "typing…", then the message with the link; nothing else
    of the path asks for it."""
    chat = await handed_in_on_telegram(zalo_bot)
    assert zalo_bot.zalo.calls_of("sendChatAction") == []  # plain steps make no document
    [shown] = await chat.send("tai van ban ke hoach")
    assert "📎 Tải tệp «ke-hoach-dv002-2022.docx»" in shown
    assert just_before_the_link(calls_to(zalo_bot, BINH.id))
    assert len(zalo_bot.zalo.calls_of("sendChatAction")) == 1


async def test_typing_before_the_desk_plan_and_the_unit_export(zalo_bot: ZaloBot) -> None:
    """The secretary on Zalo: opening a plan (its DOCX) and the unit export (XLSX and ZIP) are
    each announced by "typing…"."""
    bot = zalo_bot.bot
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    an = ZaloChat(zalo_bot, AN)
    await an.send(await invite_code(bot, "DV001"))
    await an.send("duyet")
    shown = await an.choose("Xem: Trần Thị Bình")
    assert any(".docx" in text for text in shown)
    calls = calls_to(zalo_bot, AN.id)
    opened = [c.method for c in calls[-len(shown) - 1 :]]
    assert opened == ["sendChatAction"] + ["sendMessage"] * len(shown)
    await an.send("duyet")
    exported = await an.choose("📦 Xuất hồ sơ (XLSX + DOCX)")
    assert any(".xlsx" in text for text in exported) and any(".zip" in text for text in exported)
    calls = calls_to(zalo_bot, AN.id)
    assert [c.method for c in calls[-len(exported) - 1 :]] == ["sendChatAction"] + [
        "sendMessage"
    ] * len(exported)
    assert all(c.params.get("action") == "typing" for c in zalo_bot.zalo.calls_of("sendChatAction"))


async def test_a_refused_typing_indicator_still_brings_the_document(zalo_bot: ZaloBot) -> None:
    """Zalo answers the chat action with 429: the link comes all the same, nothing is raised."""
    chat = await handed_in_on_telegram(zalo_bot)
    zalo_bot.zalo.fail("sendChatAction", code=429, description="Quota exceeded")
    [shown] = await chat.send("tai van ban ke hoach")
    assert "📎 Tải tệp «ke-hoach-dv002-2022.docx»" in shown
    [refused] = zalo_bot.zalo.calls_of("sendChatAction")
    assert refused.code == 429


async def test_telegram_shows_sending_a_file_the_same_way(zalo_bot: ZaloBot) -> None:
    """The same press on Telegram: "upload_document" in her chat, then the DOCX."""
    bot = zalo_bot.bot
    telegram = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(telegram, actions=1)
    assert bot.api.calls_of("sendChatAction") == []
    replies = await telegram.press("📄 Tải văn bản")  # the review's short label
    assert any(reply.kind == "document" for reply in replies)
    [action] = bot.api.calls_of("sendChatAction")
    assert action.params["action"] == "upload_document"
    assert str(action.params["chat_id"]) == str(telegram.user.id)
    methods = [c.method for c in bot.api.calls if c.method in ("sendChatAction", "sendDocument")]
    assert methods[-2:] == ["sendChatAction", "sendDocument"]
