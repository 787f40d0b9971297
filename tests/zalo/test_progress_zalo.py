"""Progress on Zalo: the same screens as numbered lines, a picture's URL kept as evidence."""

from __future__ import annotations

from sqlalchemy import select

from bot.sandbox.fake_zalo import FakeZaloUser
from storage.tables import progress_updates
from tests.helpers import fill_mau_01
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code

BINH = FakeZaloUser(id="b1b1b1b1b1b1b1b1b1b1", display_name="Bình")


class Member(ZaloChat):
    """A Zalo chat that presses a choice by typing its number (or a menu label as typed)."""

    async def press(self, label: str) -> list[str]:
        """The numbered choice ``label``, else the label typed (a menu button's words)."""
        if any(line.endswith(f". {label}") for line in self.last.splitlines()):
            return await self.choose(label)
        return await self.send(label)


async def test_a_member_on_zalo_logs_progress_with_a_picture(zalo_bot: ZaloBot) -> None:
    """Plan sent on Zalo, then "Cập nhật tiến độ" by its number, a status, a picture with a
    caption: the row keeps the picture's URL and the channel; the history says so."""
    bot = zalo_bot.bot
    binh = Member(zalo_bot, BINH)
    await binh.send(await invite_code(bot, "DV002"))
    await fill_mau_01(binh, actions=2)  # type: ignore[arg-type]
    await binh.press("📨 Gửi kế hoạch")
    [home] = await binh.choose("📈 Cập nhật tiến độ")
    assert "1. Việc làm số 1: thăm hộ dân — chưa cập nhật" in home
    await binh.choose("Việc 2")
    [ask] = await binh.choose("⏳ Đang thực hiện")
    assert "gửi một ảnh minh chứng" in ask
    url = "https://photo.zalo.test/b1/anh-buoi-tham.jpg"
    before = len(binh.received)
    await zalo_bot.hand(zalo_bot.zalo.image(BINH, url, caption="Đã thăm 3 hộ"))
    [saved] = binh.received[before:]
    assert "Đã ghi tiến độ việc 2: Đang thực hiện" in saved
    assert "Đang thực hiện: Đã thăm 3 hộ 📷 có ảnh minh chứng" in saved
    async with bot.store.engine.connect() as conn:
        [row] = (await conn.execute(select(progress_updates))).mappings().all()
    assert (row["item"], row["picture"], row["picture_channel"]) == (1, url, "zalo")
