"""A file an admin sends in the Telegram chat for the library is fetched from Telegram and kept:
a Zalo member opens its download link and gets the same bytes; a file Telegram will not hand
over (above 20 MB) or could not now stays on Telegram only, and both sides are told so."""

from __future__ import annotations

import re

import aiohttp

from bot.sandbox.fake_api import Fault
from bot.sandbox.fake_zalo import FakeZaloUser
from tests.helpers import signed_in
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code, served_links

BINH = FakeZaloUser(id="3c3c3c3c3c3c3c3c3c3c", display_name="Bình")
PDF = b"%PDF-1.4\n" + bytes(range(256)) * 40
OVER = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)  # just above getFile's 20 MB
LIBRARY = "📚 Tài liệu học tập"
CAPTION = "Chuyên đề năm 2022\nchuyên đề năm\nTài liệu sinh hoạt chi bộ"


async def test_a_file_sent_in_telegram_downloads_on_zalo_with_the_same_bytes(
    zalo_bot: ZaloBot,
) -> None:
    """Hoa sends a PDF in Telegram; the bot fetches it once (getFile); Bình on Zalo picks it
    and its download link serves exactly Hoa's bytes, while Telegram sends it by its id."""
    bot = zalo_bot.bot
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    [added] = await hoa.send_other("document", caption=CAPTION, name="chuyen-de.pdf", content=PDF)
    assert "Đã thêm vào thư viện: «Chuyên đề năm 2022»" in added.plain
    assert "Dành cho: mọi người." in added.plain and "20 MB" not in added.plain
    assert bot.api.downloads == 1 and bot.api.calls_of("getFile")
    [material] = await bot.store.library.all()
    assert material.file_id == "d1" and await bot.store.library.content(material.id) == PDF
    async with served_links(bot) as (links, url):
        binh = ZaloChat(zalo_bot.with_links(links), BINH)
        await binh.send(await invite_code(bot, "DV002"))
        await binh.send("tài liệu")
        replies = await binh.choose("📄 Chuyên đề năm 2022")
        found = re.findall(rf"{re.escape(url)}/d/[A-Za-z0-9_-]+", "\n".join(replies))
        assert len(found) == 1, replies
        async with aiohttp.ClientSession() as http, http.get(found[0]) as response:
            assert response.status == 200 and await response.read() == PDF
        assert "chỉ được lưu trên Telegram" not in "\n".join(replies)
    uploads = bot.api.uploads
    await hoa.press(LIBRARY)
    file, _card = await hoa.press("📄 Chuyên đề năm 2022")
    assert file.kind == "document" and bot.api.uploads == uploads  # by Telegram's id


async def test_a_file_over_20_mb_stays_on_telegram_and_zalo_is_told(zalo_bot: ZaloBot) -> None:
    """getFile refuses a file above 20 MB: Hoa is told in Vietnamese, the material is kept by
    its Telegram id, Bình on Zalo gets a clear sentence and no link, Telegram opens it."""
    bot = zalo_bot.bot
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    [added] = await hoa.send_other("document", caption=CAPTION, name="lon.pdf", content=OVER)
    assert "Đã thêm vào thư viện: «Chuyên đề năm 2022»" in added.plain
    assert "Tệp lớn hơn 20 MB" in added.plain and "chỉ mở được trên Telegram" in added.plain
    assert bot.api.downloads == 0
    [refused] = bot.api.rejected()
    assert refused.method == "getFile" and "too big" in str(refused.result)
    bot.api.calls.remove(refused)  # Telegram's own refusal, expected here
    [material] = await bot.store.library.all()
    assert material.file_id == "d1" and await bot.store.library.content(material.id) is None
    async with served_links(bot) as (links, url):
        binh = ZaloChat(zalo_bot.with_links(links), BINH)
        await binh.send(await invite_code(bot, "DV002"))
        await binh.send("tài liệu")
        replies = "\n".join(await binh.choose("📄 Chuyên đề năm 2022"))
        assert f"{url}/d/" not in replies
        assert "chỉ được lưu trên Telegram nên không tải về được qua Zalo" in replies
    an = await signed_in(bot, "An", "0912345678")
    await an.press(LIBRARY)
    file, card = await an.press("📄 Chuyên đề năm 2022")
    assert file.kind == "document" and file.file_name == "lon.pdf"
    assert "không tải về được qua Zalo" not in card.plain


async def test_a_file_telegram_cannot_hand_over_now_is_kept_by_its_id(zalo_bot: ZaloBot) -> None:
    """getFile failing (a 500) does not lose the upload: it is kept by its Telegram id and the
    admin is told to send it again later."""
    bot = zalo_bot.bot
    hoa = await signed_in(bot, "Hoa", "0977123456")
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    bot.api.faults.append(Fault(method="getFile", status=500))
    [added] = await hoa.send_other("document", caption=CAPTION, content=PDF)
    assert "Chưa tải được tệp từ Telegram" in added.plain
    [failed] = bot.api.rejected()
    bot.api.calls.remove(failed)  # the fault injected above
    [material] = await bot.store.library.all()
    assert material.file_id == "d1" and await bot.store.library.content(material.id) is None
