"""A broadcast that links a library material, read on Zalo (issue 18 §3): the line names the
material and «📚 Mở tài liệu» is a numbered choice; typing its number sends the download link."""

from __future__ import annotations

import re

from bot.sandbox.fake_zalo import FakeZaloUser
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code, served_links

BINH = FakeZaloUser(id="3c3c3c3c3c3c3c3c3c3c", display_name="Bình")
PDF = b"%PDF-1.4\n" + b"7" * 3000


async def test_a_linked_material_opens_by_its_number_on_zalo(zalo_bot: ZaloBot) -> None:
    """Bình gets the broadcast with the line and the choice, types it, gets the link."""
    bot = zalo_bot.bot
    material = await bot.services.library.add_file(
        None, "chuyen-de.pdf", PDF, title="Chuyên đề năm 2022", kind="nam"
    )
    async with served_links(bot) as (links, url):
        binh = ZaloChat(zalo_bot.with_links(links), BINH)
        await binh.send(await invite_code(bot, "DV002"))
        line = bot.services.composer_view.linked_line(material)
        await bot.services.broadcasts.send(f"Mời học chuyên đề\n\n{line}", "all", link=material.id)
        await zalo_bot.drain_outbox()
        got = binh.last
        assert "Mời học chuyên đề" in got and "Tài liệu kèm theo: «Chuyên đề năm 2022»" in got
        replies = await binh.choose("📚 Mở tài liệu")
        found = re.findall(rf"{re.escape(url)}/d/[A-Za-z0-9_-]+", "\n".join(replies))
        assert len(found) == 1, replies
