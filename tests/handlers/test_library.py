"""The study library in the bot: browse by kind and page, open a file (uploaded once), mark it
studied, the secretary's "who has studied", and forged or out-of-audience presses."""

from __future__ import annotations

from bot.domain.library import Material
from bot.sandbox.harness import Harness
from tests.helpers import signed_in

PDF = b"%PDF-1.4\n" + b"0" * 1000
BIG_PDF = b"%PDF-1.4\n" + b"0" * (20 * 1024 * 1024)  # 20 MB
LIBRARY = "📚 Tài liệu học tập"


async def add_pdf(bot: Harness, title: str, kind: str = "nam", **options: str) -> Material:
    """A PDF material added as the command line adds it."""
    return await bot.services.library.add_file(
        None, f"{title}.pdf", PDF, title=title, kind=kind, **options
    )


async def test_member_opens_a_big_file_uploaded_once_and_marks_it_studied(bot: Harness) -> None:
    """A 20 MB PDF goes to Telegram once; the second open sends it by its file id; "Đã học"
    is kept and shown."""
    await bot.open_campaign()
    binh = await signed_in(bot, "Bình", "0987654321")
    em = await signed_in(bot, "Em", "0338123456")
    material = await bot.services.library.add_file(
        None,
        "chuyen-de-2022.pdf",
        BIG_PDF,
        title="Chuyên đề năm 2022",
        kind="chuyên đề năm",
        summary="Xây dựng đội ngũ cán bộ, đảng viên gương mẫu",
        year=2022,
    )
    await bot.services.library.add_link(
        None, "https://example.vn/bai-viet", title="Bài viết tham khảo", kind="tham-khao"
    )
    [listing] = await binh.press(LIBRARY)
    assert "Tài liệu học tập" in listing.plain and "Chuyên đề năm 2022" in listing.plain
    assert listing.plain.index("Bài viết tham khảo") < listing.plain.index("Chuyên đề năm 2022")
    before = bot.api.uploads
    file, card = await binh.press("📄 Chuyên đề năm 2022")
    assert file.kind == "document" and file.file_name == "chuyen-de-2022.pdf"
    assert bot.api.uploads == before + 1
    assert "Xây dựng đội ngũ" in card.plain and "Chuyên đề năm" in card.plain
    stored = await bot.store.library.get(material.id)
    assert stored is not None and stored.file_id is not None
    [done] = await binh.press("✅ Đã học")
    assert "Đã ghi nhận đồng chí đã học «Chuyên đề năm 2022»" in done.plain
    await binh.press("↩️ Danh sách tài liệu")
    file, card = await binh.press("✅ Chuyên đề năm 2022")
    assert bot.api.uploads == before + 1  # sent again by its file id
    assert file.kind == "document" and "đồng chí đã đánh dấu" in card.plain.lower()
    assert "✅ Đã học" not in binh.buttons()
    # Em is not a party member: addressed neutrally, and the link opens as text.
    await em.press(LIBRARY)
    [card] = await em.press("📄 Bài viết tham khảo")
    assert "https://example.vn/bai-viet" in card.plain
    [done] = await em.press("✅ Đã học")
    assert "ông/bà" in done.plain and "đồng chí" not in done.plain
    assert await bot.store.library.studied_by(1 + 1) == {material.id}  # Bình is person 2


async def test_pages_of_eight_and_kinds(bot: Harness) -> None:
    """Ten year-topic materials and one directive: eight on a page, the next page, a kind."""
    await bot.open_campaign()
    binh = await signed_in(bot, "Bình", "0987654321")
    for n in range(1, 11):
        await add_pdf(bot, f"Tài liệu số {n:02d}")
    await add_pdf(bot, "Hướng dẫn của Ban Tuyên giáo", kind="chi-dao")
    [listing] = await binh.press(LIBRARY)
    assert "trang 1/2" in listing.plain
    opens = [b for b in binh.buttons() if b.startswith("📄")]
    assert len(opens) == 8 and opens[0] == "📄 Hướng dẫn của Ban Tuyên giáo"
    await binh.press("Trang sau ▶️")  # the list is edited in place
    page2 = binh.last
    assert "trang 2/2" in page2.plain and "Tài liệu số 01" in page2.plain
    assert "Tài liệu số 10" not in page2.plain
    await binh.press("Văn bản chỉ đạo (1)")
    kind = binh.last
    assert "Văn bản chỉ đạo" in kind.plain and "Tài liệu số" not in kind.plain


async def test_audience_and_forged_presses_are_refused(bot: Harness) -> None:
    """A material of another unit, a party-only one for staff, removed, unknown or malformed
    ids: the same refusal, nothing sent, nothing marked."""
    await bot.open_campaign()
    binh = await signed_in(bot, "Bình", "0987654321")
    em = await signed_in(bot, "Em", "0338123456")
    other = await add_pdf(
        bot, "Của chi bộ thôn 2", audience="unit:Đảng bộ xã Phú Lạc / Chi bộ thôn 2"
    )
    party = await add_pdf(bot, "Chỉ cho đảng viên", audience="đảng viên")
    removed = await add_pdf(bot, "Đã gỡ")
    assert await bot.services.library.remove(removed.id)
    [listing] = await binh.press(LIBRARY)
    assert "Của chi bộ thôn 2" not in listing.plain and "Đã gỡ" not in listing.plain
    assert "Chỉ cho đảng viên" in listing.plain
    [listing] = await em.press(LIBRARY)
    assert "Chỉ cho đảng viên" not in listing.plain
    uploads = bot.api.uploads
    cases = [
        (binh, f"l:op:{other.id}"),
        (binh, f"l:ok:{other.id}"),
        (binh, f"l:op:{removed.id}"),
        (em, f"l:op:{party.id}"),
        (em, f"l:ok:{party.id}"),
        (binh, "l:op:999999"),
        (binh, "l:op:-1"),
        (binh, "l:op:²"),
    ]
    for chat, data in cases:
        [refused] = await chat.press_data(data)
        assert "không còn trong thư viện" in refused.plain, data
    assert bot.api.uploads == uploads
    assert await bot.store.library.studied_by(2) == set()
    assert await binh.press_data("l:zz:1") == []  # a malformed press: only the stale notice
    await binh.press_data("l:ls:bogus.x")  # a malformed page: the first one
    assert "trang 1/1" in binh.last.plain


async def test_secretary_sees_who_studied(bot: Harness) -> None:
    """The secretary of thôn 1 sees, per required material, who of the cell studied it; a
    member has no such button and a forged press is refused."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await add_pdf(bot, "Chuyên đề năm 2022")
    await add_pdf(bot, "Sách tham khảo", kind="tham khao")  # not required: not followed
    await binh.press(LIBRARY)
    await binh.press("📄 Chuyên đề năm 2022")
    await binh.press("✅ Đã học")
    assert "👥 Ai đã học" not in (await binh.press(LIBRARY))[0].plain
    assert "👥 Ai đã học" not in binh.buttons()
    [refused] = await binh.press_data("l:who:")
    assert "Tình hình học tập" not in refused.plain
    await an.press(LIBRARY)
    [follow] = await an.press("👥 Ai đã học")
    assert "Chi bộ thôn 1" in follow.plain
    assert "Chuyên đề năm 2022: 1/3 người đã học" in follow.plain  # An, Bình, Cường
    assert "Chưa học: Lê Văn Cường, Nguyễn Văn An" in follow.plain
    assert "Sách tham khảo" not in follow.plain


async def test_admin_adds_a_file_and_a_link_from_the_chat(bot: Harness) -> None:
    """Hoa sends a document with its caption, then types a link; a bad caption or a
    javascript: link is refused and she may send again; Bình gets the file by its id."""
    await bot.open_campaign()
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    [listing] = await hoa.press(LIBRARY)
    assert "trang 1/1" in listing.plain
    assert "📚 Thêm tài liệu" in hoa.buttons()
    [ask] = await hoa.press("📚 Thêm tài liệu")
    assert "dòng 1: tiêu đề" in ask.plain and "Đồng chí gửi tệp" in ask.plain
    [refused] = await hoa.send_other("document", caption="Chỉ có tiêu đề")
    assert "Cần thêm dòng 2" in refused.plain
    [refused] = await hoa.send_other("photo", caption="Ảnh\nnam")
    assert "Ảnh cần gửi dưới dạng tệp" in refused.plain
    [refused] = await hoa.send_other("document", caption="Tệp giả\nnam")  # not a PDF inside
    assert "không khớp với đuôi tệp" in refused.plain
    [added] = await hoa.send_other(
        "document",
        caption="Hướng dẫn 05-HD/BTGTW\nvăn bản chỉ đạo\nVề học tập chuyên đề",
        content=PDF,
    )
    assert "Đã thêm vào thư viện: «Hướng dẫn 05-HD/BTGTW» (Văn bản chỉ đạo, 2022)" in added.plain
    [after] = await hoa.send("Một dòng chữ")  # no longer waiting for a material
    assert "Đã thêm" not in after.plain
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    [bad] = await hoa.send("javascript:alert(1)\nBài viết\nnam")
    assert "chỉ nhận địa chỉ bắt đầu bằng http" in bad.plain
    [bad] = await hoa.send("https://baochinhphu.vn/bai-viet\nBài viết\nbí mật")
    assert "Loại tài liệu «bí mật» không hợp lệ" in bad.plain
    [added] = await hoa.send("https://baochinhphu.vn/bai-viet\nBài viết hay\ntham khảo")
    assert "«Bài viết hay» (Tài liệu tham khảo, 2022)" in added.plain
    uploads = bot.api.uploads
    await binh.press(LIBRARY)
    file, card = await binh.press("📄 Hướng dẫn 05-HD/BTGTW")
    assert file.kind == "document" and bot.api.uploads == uploads  # by the id Hoa's file had
    assert "Về học tập chuyên đề" in card.plain and "Dành cho: mọi người" in card.plain


async def test_only_an_admin_adds_and_cancel_stops(bot: Harness) -> None:
    """A member's forged "add" press is refused and their file is not taken; /huy stops an
    admin's upload."""
    await bot.open_campaign()
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    await binh.press(LIBRARY)
    assert "📚 Thêm tài liệu" not in binh.buttons()
    [refused] = await binh.press_data("l:add:")
    assert "không có quyền" in refused.plain.lower() or "quyền" in refused.plain
    await binh.send_other("document", caption="Tài liệu\nnam")
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    [stopped] = await hoa.send("/huy")
    assert "Đã dừng thêm tài liệu" in stopped.plain
    await hoa.send_other("document", caption="Tài liệu\nnam")
    assert await bot.store.library.all() == []


async def test_a_new_material_is_announced_to_its_audience_through_the_outbox(
    bot: Harness,
) -> None:
    """Hoa previews the notice of a party-only material (the count of its audience), sends it;
    Bình (party) gets it from the outbox, Em (staff) does not; a second send is refused and a
    member's forged notice press is refused."""
    await bot.open_campaign()
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    em = await signed_in(bot, "Em", "0338123456")
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    await hoa.send("https://dangcongsan.vn/bai\nNghị quyết mới\nvăn bản chỉ đạo")
    [preview] = await hoa.press("📢 Báo cho người học")  # everyone: the three signed in
    assert "3 người (mọi người)" in preview.plain and "«Nghị quyết mới»" in preview.plain
    party = await bot.services.library.add_link(
        None, "https://a.vn/p", title="Cho đảng viên", kind="nam", audience="party"
    )
    [refused] = await binh.press_data(f"l:nt:{party.id}")
    assert "Tài liệu học tập mới" not in refused.plain
    [preview] = await hoa.press_data(f"l:nt:{party.id}")
    assert "2 người (đảng viên)" in preview.plain  # Hoa and Bình; Em is staff
    assert "Tài liệu học tập mới" in preview.plain and "«Cho đảng viên»" in preview.plain
    [sent] = await hoa.press("✅ Gửi thông báo")
    assert "Đã xếp 2 tin báo" in sent.plain
    await bot.drain_outbox()
    assert "Tài liệu học tập mới" in binh.last.plain and "Cho đảng viên" in binh.last.plain
    assert all("Cho đảng viên" not in m.plain for m in em.messages)
    [again] = await hoa.press_data(f"l:ns:{party.id}")
    assert "đã được gửi trong vòng một ngày" in again.plain
