"""A tidy chat on Zalo (issue 21, §1): the review's long list of numbered choices keeps its
groups, and a document's download link says what the file is."""

from __future__ import annotations

from tests.helpers import STUDY
from tests.zalo.zalo_chat import BINH, ZaloBot, ZaloChat, invite_code


async def review_on_zalo(side: ZaloBot) -> ZaloChat:
    """Bình signed in on Zalo, Mẫu 01 filled by numbers and words, at the review."""
    chat = ZaloChat(side, BINH)
    await chat.send(f"/start {await invite_code(side.bot, 'DV002')}")
    await chat.send("ke hoach")
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
    await chat.choose("⏭ Bỏ qua")
    return chat


async def test_the_review_lists_its_choices_in_groups(zalo_bot: ZaloBot) -> None:
    """The one-answer edits together, an item's Sửa and Xóa together, the last two together."""
    chat = await review_on_zalo(zalo_bot)
    listing = chat.last.split("\n\n")
    assert listing[-5:] == [
        "1. Sửa: thông tin cá nhân\n2. Sửa: Nội dung học tập\n3. Sửa: Hạn chế cần khắc phục",
        "4. Sửa Việc 1\n5. 🗑 Xóa Việc 1",
        "6. ➕ Thêm Việc",
        "7. Sửa: Giải pháp thực hiện\n8. Sửa: Đề xuất, kiến nghị",
        "9. 📄 Tải văn bản\n10. 📨 Gửi kế hoạch",
    ]
    [ask] = await chat.send("5")  # the numbers run on across the groups: Xóa Việc 1
    assert "Việc làm số 1" in ask and "Chắc chắn?" in ask
    [review] = await chat.send("1")  # Có
    assert (
        "Việc làm số 1" not in review and "3. Sửa: Hạn chế cần khắc phục\n4. ➕ Thêm Việc" in review
    )


async def test_a_document_link_says_what_the_file_is(zalo_bot: ZaloBot) -> None:
    """The download link of the draft comes under a line naming the plan, its status and date."""
    chat = await review_on_zalo(zalo_bot)
    [reply] = await chat.choose("📄 Tải văn bản")
    assert (
        "📄 Văn bản kế hoạch cá nhân năm 2022 — Mẫu 01 — Kế hoạch cá nhân của đảng viên\n"
        "Trạng thái: đang soạn · ngày 25/03/2022\n"
        "📎 Tải tệp «ke-hoach-dv002-2022.docx» tại: https://files.example.test/"
    ) in reply
