"""Exemplary models on Zalo, typed only: the secretary nominates by typing, the admin approves
by number, a member reads the published model."""

from __future__ import annotations

from bot.domain.exemplars import ModelStatus
from bot.sandbox.fake_zalo import FakeZaloUser
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code

AN = FakeZaloUser(id="5e5e5e5e5e5e5e5e5e5e", display_name="An")
HOA = FakeZaloUser(id="6f6f6f6f6f6f6f6f6f6f", display_name="Hoa")
BINH = FakeZaloUser(id="7a7a7a7a7a7a7a7a7a7a", display_name="Bình")


async def test_nominate_approve_and_read_on_zalo(zalo_bot: ZaloBot) -> None:
    """Every step by typed numbers and lines; no button is needed."""
    bot = zalo_bot.bot
    an, hoa, binh = ZaloChat(zalo_bot, AN), ZaloChat(zalo_bot, HOA), ZaloChat(zalo_bot, BINH)
    await an.send(await invite_code(bot, "DV001"))
    await hoa.send(await invite_code(bot, "QT001"))
    await binh.send(await invite_code(bot, "DV002"))
    [listing] = await an.send("gương")
    assert "Gương điển hình" in listing and "Chưa có gương điển hình" in listing
    [ask] = await an.choose("✍️ Đề cử gương điển hình")
    assert "mỗi ý một dòng" in ask
    [saved] = await an.send("Tổ tự quản thôn 1\nGiữ đường làng sạch đẹp\nMười năm không rác")
    assert "đang chờ quản trị viên duyệt" in saved
    [waiting] = await bot.store.models.listed(ModelStatus.PENDING)
    assert waiting.person_id is None  # a collective
    await hoa.send("gương")
    await hoa.choose("📥 Đề cử chờ duyệt (1)")
    [card] = await hoa.choose("🌟 Tổ tự quản thôn 1")
    assert "Giữ đường làng sạch đẹp" in card
    [done] = await hoa.choose("✅ Duyệt, công bố")
    assert "Đã duyệt và công bố" in done
    [listing] = await binh.send("gương")
    assert "Tổ tự quản thôn 1" in listing
    [card] = await binh.choose("🌟 Tổ tự quản thôn 1")
    assert "Mười năm không rác" in card and "Duyệt" not in card
