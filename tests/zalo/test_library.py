"""The study library on Zalo, typed only: the list as numbered lines, a stored file as a real
download link (its bytes behind it), a link material as its URL, "Đã học" typed by number."""

from __future__ import annotations

import re

import aiohttp

from bot.domain.models import Channel
from bot.sandbox.fake_zalo import FakeZaloUser
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code, served_links

BINH = FakeZaloUser(id="3c3c3c3c3c3c3c3c3c3c", display_name="Bình")
PDF = b"%PDF-1.4\n" + b"7" * 3000


async def test_a_member_opens_a_file_as_a_link_and_marks_it_studied(zalo_bot: ZaloBot) -> None:
    """Bình types «tài liệu», picks the PDF by number, fetches it by its link and marks it."""
    bot = zalo_bot.bot
    library = bot.services.library
    material = await library.add_file(
        None, "chuyen-de.pdf", PDF, title="Chuyên đề năm 2022", kind="nam"
    )
    await library.add_link(
        None, "https://example.vn/video", title="Video hướng dẫn", kind="tham khảo"
    )
    async with served_links(bot) as (links, url):
        side = zalo_bot.with_links(links)
        binh = ZaloChat(side, BINH)
        await binh.send(await invite_code(bot, "DV002"))
        [listing] = await binh.send("tài liệu")
        assert "Tài liệu học tập" in listing and "1. 📄 Video hướng dẫn" in listing
        replies = await binh.choose("📄 Chuyên đề năm 2022")
        found = re.findall(rf"{re.escape(url)}/d/[A-Za-z0-9_-]+", "\n".join(replies))
        assert len(found) == 1, replies
        async with aiohttp.ClientSession() as http, http.get(found[0]) as response:
            assert response.status == 200 and await response.read() == PDF
        assert "Đã học" in binh.last
        [done] = await binh.choose("✅ Đã học")
        assert "Đã ghi nhận đồng chí đã học «Chuyên đề năm 2022»" in done
        person = await bot.services.signin.whoami(Channel.ZALO, BINH.id)
        assert person is not None
        assert await bot.store.library.studied_by(person.id) == {material.id}
        stored = await bot.store.library.get(material.id)
        assert stored is not None and stored.file_id is None  # no Zalo id taken for Telegram's
        await binh.choose("↩️ Danh sách tài liệu")
        [card] = await binh.choose("📄 Video hướng dẫn")
        assert "https://example.vn/video" in card


HOA = FakeZaloUser(id="4d4d4d4d4d4d4d4d4d4d", display_name="Hoa")


async def test_an_admin_adds_a_link_by_typing_on_zalo(zalo_bot: ZaloBot) -> None:
    """Hoa picks «📚 Thêm tài liệu» by number and types the link with its lines."""
    bot = zalo_bot.bot
    hoa = ZaloChat(zalo_bot, HOA)
    await hoa.send(await invite_code(bot, "QT001"))
    await hoa.send("tài liệu")
    [ask] = await hoa.choose("📚 Thêm tài liệu")
    assert "dòng 1: tiêu đề" in ask
    [bad] = await hoa.send("javascript:alert(1)\nBài\nnam")
    assert "chỉ nhận địa chỉ bắt đầu bằng http" in bad
    [added] = await hoa.send("https://tuyengiao.vn/bai\nBài viết mới\nchuyên đề toàn khóa")
    assert "«Bài viết mới» (Chuyên đề toàn khóa, 2022)" in added
    [material] = await bot.store.library.all()
    assert material.url == "https://tuyengiao.vn/bai" and material.added_by == "Hồ Thị Hoa"
