"""Issue 21 §4: lists of people and units read in Vietnamese alphabetical order ("Đ" after "D")."""

from __future__ import annotations

import pytest

from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import signed_in

CELL = "Đảng bộ xã Phú Lạc / Chi bộ thôn 1"
MORE = f"""
DV011,Đặng Văn Đông,01/01/1970,,Đảng viên,,{CELL},,
DV012,Dương Thị Dung,01/01/1971,,Đảng viên,,{CELL},,
DV013,Bùi Văn Ba,01/01/1972,,Đảng viên,,{CELL},,
DV014,Ân Văn Ảnh,01/01/1973,,Đảng viên,,{CELL},,
DV015,Âu Thị Xuân,01/01/1974,,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ Đông Hải,,
"""
ORDER = ["Ân Văn Ảnh", "Bùi Văn Ba", "Dương Thị Dung", "Đặng Văn Đông", "Lê Văn Cường"]


@pytest.fixture
async def order_bot(bot: Harness) -> Harness:
    """The campaign open; the cell has people whose names start with Â, B, D, Đ and L."""
    await bot.open_campaign()
    outcome = await bot.load_roster(ROSTER.strip() + MORE)
    assert outcome.summary is not None, outcome.parsed.errors
    return bot


def positions(text: str, names: list[str]) -> list[int]:
    return [text.index(name) for name in names]


async def test_unit_view_invites_proxy_list_and_report_in_vietnamese_order(
    order_bot: Harness,
) -> None:
    """/donvi, its invite codes, the proxy list and /baocao list names Â, B, D, Đ, L in that
    order (code points would put Đ after L and Â after B)."""
    bot = order_bot
    an = await signed_in(bot, "An", "0912345678")
    [unit] = await an.press("🏢 Đơn vị của tôi")
    shown = positions(unit.plain, ORDER)
    assert shown == sorted(shown), unit.plain
    [codes] = await an.press("🔑 Lấy mã mời cho người chưa đăng nhập")
    shown = positions(codes.plain, ORDER)
    assert shown == sorted(shown), codes.plain
    await an.send("/duyet")
    [listing] = await an.press("✍️ Điền hộ người chưa có điện thoại")
    first_page = [n for n in ORDER if n in listing.plain]
    assert len(first_page) >= 4
    shown = positions(listing.plain, first_page)
    assert shown == sorted(shown), listing.plain
    report = await an.send("/baocao")
    text = "\n".join(m.plain for m in report)
    missing = text.split("Chưa nộp", 1)[1].split("\n", 1)[0]
    owing = [*ORDER[:4], "Nguyễn Văn An", "Trần Thị Bình"]  # Cường is exempt
    shown = positions(missing, owing)
    assert shown == sorted(shown), missing


async def test_the_broadcast_unit_chooser_keeps_the_tree_in_vietnamese_order(
    order_bot: Harness,
) -> None:
    """The units to send within: "Chi bộ Đông Hải" before "Chi bộ thôn 1" (Đ before T, where
    code points put it after), each unit right above its own sub-units."""
    bot = order_bot
    admin = await signed_in(bot, "Hoa", "0977123456")
    await admin.press("📢 Gửi thông báo")
    await admin.send("Một thông báo")
    [units] = await admin.press("🏢 Chỉ gửi trong một đơn vị")
    labels = admin.buttons()
    top = labels.index("Đảng bộ xã Phú Lạc")
    dong_hai = labels.index("· Chi bộ Đông Hải")
    thon = labels.index("· Chi bộ thôn 1")
    assert labels.index("Ban Tuyên giáo") < top < dong_hai < thon, labels
    assert "Chọn đơn vị" in units.plain
