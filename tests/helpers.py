"""Transcript steps shared by the test modules: sign in, fill Mẫu 01, read a person's plan."""

from __future__ import annotations

from bot.domain.models import Channel
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness

STUDY = "Nghiên cứu chuyên đề năm 2022 qua tài liệu của Ban Tuyên giáo"
EXTRA = """
CB002,Đinh Văn Phú,03/03/1992,0355000111,"Cán bộ, công chức, viên chức",,Đảng bộ xã Phú Lạc / UBND xã,,
CN001,Mai Thị Lan,,0355000222,Cá nhân,,Đảng bộ xã Phú Lạc / Khu phố 1,,
CN002,Tô Văn Khải,,0355000333,Cá nhân,,Đảng bộ xã Phú Lạc / Khu phố 1,,Thủ trưởng
"""


async def signed_in(bot: Harness, name: str, phone: str) -> Chat:
    chat = bot.chat(name, phone=phone)
    await chat.share_contact()
    return chat


async def plan_of(bot: Harness, chat: Chat):  # type: ignore[no-untyped-def]
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    assert person is not None
    campaign = await bot.services.plans.campaign()
    assert campaign is not None
    return await bot.store.plans.plan_of(person.id, campaign.id)


async def fill_mau_01(chat: Chat, actions: int = 2, open_first: bool = True) -> None:
    """Answer every question of Mẫu 01 the simple way (``open_first``: from the menu)."""
    if open_first:
        await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    await chat.send(STUDY)
    await fill_after_study(chat, actions)


async def fill_after_study(chat: Chat, actions: int = 2) -> None:
    """The rest of Mẫu 01 once the study answer has been typed."""
    await chat.press("✅ Xong")
    await chat.send("Phát biểu trong sinh hoạt chi bộ còn ít.")
    await chat.press("✅ Xong")
    for n in range(1, actions + 1):
        if n > 1:
            await chat.press("➕ Thêm Việc")
        await chat.send(f"Việc làm số {n}: thăm hộ dân")
        await chat.send("Hằng tháng")
        await chat.send("Nắm chắc tình hình")
    await chat.press("✅ Xong, sang phần tiếp")
    await chat.send("Báo cáo chi bộ hằng quý, tự kiểm điểm.")
    await chat.press("✅ Xong")
    await chat.press("⏭ Bỏ qua")
