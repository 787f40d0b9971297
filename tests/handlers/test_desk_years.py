"""Earlier years on the desk (issue 17 §4): the years listed, a year's plans by status and its
export, each press re-checked; and no figure of one year counted in another's."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date

import pytest
from openpyxl import load_workbook

from bot.domain.models import Channel
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.handlers.test_library import PDF
from tests.helpers import fill_mau_01, signed_in

# A secretary of another cell (thôn 2), to check that nothing of thôn 1 reaches him.
SON = (
    "DV010,Ngô Văn Sơn,01/01/1980,0355000444,Đảng viên,,"
    "Đảng bộ xã Phú Lạc / Chi bộ thôn 2,Bí thư chi bộ,Bí thư\n"
)
EARLIER = "📅 Kế hoạch các năm trước"


@dataclass
class TwoYears:
    """The bot and the chats of An (thôn 1's secretary) and Bình (a member there)."""

    bot: Harness
    an: Chat
    binh: Chat


@pytest.fixture
async def two_years(bot: Harness) -> TwoYears:
    """2022: Bình's plan handed in and confirmed by An; then 2023 opens and Bình hands in
    2023's plan, which waits."""
    await bot.load_roster(ROSTER.strip() + "\n" + SON)
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    await an.send("/duyet")
    assert EARLIER not in an.buttons()  # no campaign before 2022's
    await an.press("Xem: Trần Thị Bình")
    [done] = await an.press("✅ Xác nhận")
    assert "Đã xác nhận" in done.plain, done.plain
    await bot.open_campaign(year=2023, deadline=date(2023, 4, 30), title="Chuyên đề 2023")
    await fill_mau_01(binh, actions=2)
    await binh.press("📨 Gửi kế hoạch")
    return TwoYears(bot, an, binh)


async def plan_id_of(bot: Harness, chat: Chat, year: int) -> int:
    """The id of ``chat``'s person's plan of ``year``."""
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    campaign = await bot.store.plans.campaign_of_year(year)
    assert person is not None and campaign is not None
    plan = await bot.store.plans.plan_of(person.id, campaign.id)
    assert plan is not None
    return plan.id


async def test_secretary_looks_at_an_earlier_year_and_exports_it(two_years: TwoYears) -> None:
    """An lists the years, opens 2022 (Bình confirmed there, waiting in 2023), opens the plan
    and exports that year's plans: each figure is its own year's."""
    an = two_years.an
    [today] = await an.send("/duyet")
    assert "đã gửi, chờ xác nhận: 1" in today.plain and "đã được xác nhận: 0" in today.plain
    [years] = await an.press(EARLIER)
    assert "Chọn năm cần xem" in years.plain
    assert "Năm 2022: 1 kế hoạch" in an.buttons() and not any("2023" in b for b in an.buttons())
    [year] = await an.press("Năm 2022: 1 kế hoạch")
    assert "Kế hoạch cá nhân năm 2022" in year.plain
    assert "đã được xác nhận: 1" in year.plain and "đã gửi, chờ xác nhận: 0" in year.plain
    assert "Trần Thị Bình — Chi bộ thôn 1" in year.plain
    [tab] = await an.press("đã gửi, chờ xác nhận (0)")
    assert "Không có kế hoạch nào" in tab.plain and "Trần Thị Bình" not in tab.plain
    await an.press("đã được xác nhận (1)")
    replies = await an.press("Xem: Trần Thị Bình")
    plan = next(m for m in replies if m.inline_buttons())
    assert "đã được xác nhận" in plan.plain and "✅ Xác nhận" not in an.buttons()
    assert any(m.kind == "document" for m in replies)  # its DOCX, as for this year's plans
    await an.send("/duyet")
    await an.press(EARLIER)
    await an.press("Năm 2022: 1 kế hoạch")
    replies = await an.press("📦 Xuất hồ sơ năm 2022 (XLSX + DOCX)")
    assert "năm 2022" in replies[0].plain and "1 kế hoạch" in replies[0].plain
    files = {m.file_name: m.file_bytes or b"" for m in replies if m.kind == "document"}
    assert set(files) == {"tong-hop-ke-hoach-2022.xlsx", "ke-hoach-ca-nhan-2022.zip"}
    sheet = load_workbook(io.BytesIO(files["tong-hop-ke-hoach-2022.xlsx"])).worksheets[0]
    rows = [r for r in sheet.iter_rows(values_only=True) if r[0] == "Trần Thị Bình"]
    assert [str(r[2]) for r in rows] == ["đã được xác nhận"]  # 2022's only, not 2023's too
    assert len(zipfile.ZipFile(io.BytesIO(files["ke-hoach-ca-nhan-2022.zip"])).namelist()) == 1


async def test_another_cells_secretary_and_forged_years_are_refused(
    two_years: TwoYears,
) -> None:
    """Sơn (thôn 2) sees 2022 with none of thôn 1's plans and cannot open Bình's; a year
    without a campaign, the open year or a malformed one is no earlier year; a member has no
    right at all."""
    bot, binh = two_years.bot, two_years.binh
    son = await signed_in(bot, "Sơn", "0355000444")
    await son.send("/duyet")
    await son.press(EARLIER)
    assert "Năm 2022: 0 kế hoạch" in son.buttons()
    [year] = await son.press_data("r:yr:2022.confirmed.0")
    assert "Kế hoạch cá nhân năm 2022" in year.plain and "Trần Thị Bình" not in year.plain
    [refused] = await son.press_data(f"r:op:{await plan_id_of(bot, binh, 2022)}")
    assert "không có quyền" in refused.plain and "Trần Thị Bình" not in refused.plain
    replies = await son.press_data("r:ex:2022")
    assert "0 kế hoạch" in replies[0].plain and len(replies) == 1  # no documents
    for forged in ("r:yr:2019", "r:yr:2023", "r:ex:2019"):
        [no] = await son.press_data(forged)
        assert "Không có đợt nào của năm" in no.plain and "Các năm trước có đợt: 2022" in no.plain
    [years] = await son.press_data("r:yr:20x2")  # malformed: the years there are
    assert "Chọn năm cần xem" in years.plain
    for data in ("r:yl:", "r:yr:2022", "r:ex:2022"):
        [no_right] = await binh.press_data(data)
        assert "không có quyền" in no_right.plain and "Trần Thị Bình —" not in no_right.plain


async def test_no_figure_of_one_year_counts_in_another(two_years: TwoYears) -> None:
    """2022's confirmed plan and 2022's required reading count in 2022's district report only;
    2023's report, /baocao and the digest count 2023's plans and say 2023."""
    bot, an = two_years.bot, two_years.an
    library = bot.services.library
    old_item = await library.add_file(
        None, "a.pdf", PDF, title="Chuyên đề 2022", kind="nam", year=2022
    )
    await library.add_file(None, "b.pdf", PDF, title="Chuyên đề 2023", kind="nam", year=2023)
    binh = await bot.services.signin.whoami(Channel.TELEGRAM, str(two_years.binh.user.id))
    assert binh is not None
    await bot.store.library.mark(old_item.id, binh.id, bot.clock.now())  # 2022's read by Bình
    old = await bot.services.digests.district(year=2022)
    now = await bot.services.digests.district()
    assert old is not None and now is not None and now.campaign.year == 2023
    assert (old.total.tally.submitted, old.total.tally.confirmed) == (1, 1)
    assert (now.total.tally.submitted, now.total.tally.confirmed) == (1, 0)
    old_cell = next(r for r in old.rows if r.unit_path.endswith("Chi bộ thôn 1"))
    now_cell = next(r for r in now.rows if r.unit_path.endswith("Chi bộ thôn 1"))
    assert (old_cell.studied_all, now_cell.studied_all) == (1, 0)  # 2022's reading stays there
    [digest, *_] = await an.send("/baocao")
    assert "năm 2023" in digest.plain and "năm 2022" not in digest.plain
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(an.user.id))
    assert person is not None
    data = await bot.services.digests.report_for(person)
    assert data is not None and data.year == 2023
    assert (data.submitted, data.confirmed, data.waiting.count) == (1, 0, 1)
