"""Who a material added from the chat is for: the admin picks everyone, the party members or a
unit; a member outside that audience does not see it, and forged audience presses are refused."""

from __future__ import annotations

from bot.domain.library import Audience
from bot.domain.models import Channel
from bot.domain.pending import LibraryUpload, parse_pending
from bot.sandbox.harness import Harness
from tests.helpers import signed_in

PDF = b"%PDF-1.4\n" + b"1" * 500
LIBRARY = "📚 Tài liệu học tập"
THON_2 = "Đảng bộ xã Phú Lạc / Chi bộ thôn 2"


async def test_admin_chooses_a_unit_or_the_party_members(bot: Harness) -> None:
    """Hoa keeps a link to Chi bộ thôn 2 and a file to the party members: Bình (thôn 1) does
    not see the first, Em (not a party member) does not see the second."""
    await bot.open_campaign()
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    em = await signed_in(bot, "Em", "0338123456")
    await hoa.press(LIBRARY)
    [ask] = await hoa.press("📚 Thêm tài liệu")
    assert "Dành cho: mọi người." in ask.plain
    assert {"✔️ 👥 Mọi người", "🎖 Đảng viên", "🏢 Chi bộ thôn 2"} <= set(hoa.buttons())
    [ask] = await hoa.press("🏢 Chi bộ thôn 2")
    assert f"Dành cho: {THON_2}." in ask.plain and "✔️ 🏢 Chi bộ thôn 2" in hoa.buttons()
    [added] = await hoa.send("https://tuyengiao.vn/thon-2\nBài cho thôn 2\ntham khảo")
    assert f"Dành cho: {THON_2}." in added.plain
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")  # a new upload starts for everyone again
    assert "✔️ 👥 Mọi người" in hoa.buttons()
    await hoa.press("🎖 Đảng viên")
    [added] = await hoa.send_other("document", caption="Nghị quyết\nchỉ đạo", content=PDF)
    assert "Dành cho: đảng viên." in added.plain
    link, file = sorted(await bot.store.library.all(), key=lambda m: m.id)
    assert (link.audience, link.unit_path) == (Audience.UNIT, THON_2)
    assert file.audience is Audience.PARTY
    [listing] = await binh.press(LIBRARY)
    assert "Bài cho thôn 2" not in listing.plain and "Nghị quyết" in listing.plain
    [refused] = await binh.press_data(f"l:op:{link.id}")
    assert "không còn trong thư viện" in refused.plain
    [listing] = await em.press(LIBRARY)
    assert "Nghị quyết" not in listing.plain
    [refused] = await em.press_data(f"l:op:{file.id}")
    assert "không còn trong thư viện" in refused.plain


async def test_forged_audience_presses_are_refused(bot: Harness) -> None:
    """A member's audience press, an unknown or malformed unit id, a unit below the offered
    levels: refused, and the admin's chosen audience stays as it was."""
    await bot.open_campaign()
    hoa = await signed_in(bot, "Hoa", "0977123456")
    binh = await signed_in(bot, "Bình", "0987654321")
    for data in ("l:au:party", "l:au:u.1", "l:au:all"):
        [refused] = await binh.press_data(data)
        assert "quyền" in refused.plain, data
    await hoa.press(LIBRARY)
    await hoa.press("📚 Thêm tài liệu")
    await hoa.press("🎖 Đảng viên")
    nodes = await bot.store.schedule.unit_nodes()
    loaded = await bot.load_roster(
        "Mã,Họ và tên,Ngày sinh,Số điện thoại,Đối tượng,Miễn,Đơn vị,Chức vụ đảng,Vai trò\n"
        "DV009,Đỗ Văn Tổ,,,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 1 / Tổ 1,,",
    )
    assert loaded.summary is not None
    deep_unit = next(n for n in await bot.store.schedule.unit_nodes() if n.path.endswith("Tổ 1"))
    assert deep_unit.depth == 3 and deep_unit.id not in {n.id for n in nodes}
    for data in (
        "l:au:u.999999",
        "l:au:u.abc",
        "l:au:u.",
        "l:au:x",
        f"l:au:u.{deep_unit.id}",
        "l:au:",
    ):
        [refused] = await hoa.press_data(data)
        assert "quyền" in refused.plain, data
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(hoa.user.id))
    assert person is not None
    assert await bot.store.schedule.pending(person.id) == LibraryUpload(party=True)
    assert parse_pending(LibraryUpload(unit_id=7).pack()) == LibraryUpload(unit_id=7)
    assert parse_pending("library:add:unit.x") is None
    [added] = await hoa.send("https://tuyengiao.vn/bai\nBài viết\ntham khảo")
    assert "Dành cho: đảng viên." in added.plain
