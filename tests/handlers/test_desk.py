"""The reviewer's desk: list, open with the document, confirm, return with a comment, rights."""

from __future__ import annotations

import pytest

from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import EXTRA, fill_mau_01, fill_mau_2a, plan_of, signed_in


@pytest.fixture
async def desk_bot(bot: Harness) -> Harness:
    """The campaign open, the extra people on the roster."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + EXTRA)
    return bot


async def submitted(bot: Harness, name: str, phone: str) -> Chat:
    chat = await signed_in(bot, name, phone)
    await fill_mau_01(chat, actions=1)
    await chat.press("📨 Gửi kế hoạch")
    return chat


async def test_secretary_returns_with_a_comment_then_confirms_the_new_version(
    desk_bot: Harness,
) -> None:
    """Open from the list, return with a typed comment, see the resubmission, confirm it."""
    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    binh = await submitted(bot, "Bình", "0987654321")
    [listing] = await an.press("✅ Duyệt kế hoạch")
    assert "chờ xác nhận: 1 · được trả lại để sửa: 0" in listing.plain
    assert "Trần Thị Bình — Chi bộ thôn 1" in listing.plain
    replies = await an.press("Xem: Trần Thị Bình")
    plan_message = next(m for m in replies if m.inline_buttons())
    assert "Trần Thị Bình" in plan_message.plain and "Việc làm số 1" in plan_message.plain
    assert any(m.kind == "document" and m.file_name.endswith(".docx") for m in replies)  # type: ignore[union-attr]
    old_confirm = next(b for b in plan_message.inline_buttons() if b["text"] == "✅ Xác nhận")
    await an.press("↩️ Trả lại")  # "Chắc chắn?" first
    [ask] = await an.press("Có")
    assert "ý kiến" in ask.plain
    [blank] = await an.send("   ")
    assert "ý kiến" in blank.plain  # blanks are not a comment: asked again
    [done] = await an.send("Ghi rõ <số hộ> sẽ thăm")
    assert "Đã trả lại" in done.plain
    await bot.drain_outbox()
    assert "Ghi rõ <số hộ> sẽ thăm" in binh.last.plain
    assert (await plan_of(bot, binh)).status is PlanStatus.RETURNED

    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("📨 Gửi kế hoạch")
    replies = await an.press_data(old_confirm["callback_data"])  # the button of the old version
    assert any("vừa gửi lại" in m.plain for m in replies)
    assert (await plan_of(bot, binh)).status is PlanStatus.SUBMITTED
    fresh = next(m for m in reversed(an.messages) if m.inline_buttons())
    [confirmed] = await an.press_data(
        next(b for b in fresh.inline_buttons() if b["text"] == "✅ Xác nhận")["callback_data"],
        fresh,
    )
    assert "Đã xác nhận" in confirmed.plain
    await bot.drain_outbox()
    assert "đã được xác nhận" in binh.last.plain
    assert (await plan_of(bot, binh)).status is PlanStatus.CONFIRMED


async def test_only_the_units_reviewers_may_open_or_decide(desk_bot: Harness) -> None:
    """A member, a head of another unit and forged ids get a refusal and change nothing."""
    bot = desk_bot
    binh = await submitted(bot, "Bình", "0987654321")
    plan = await plan_of(bot, binh)
    em = await signed_in(bot, "Em", "0338123456")  # head of UBND xã, not of Bình's cell
    [listing] = await em.send("/duyet")
    assert "Trần Thị Bình" not in listing.plain
    for chat in (binh, em):
        for data in (
            f"r:op:{plan.id}",
            f"r:ok:{plan.id}.{plan.rev}",
            f"r:rt:{plan.id}.{plan.rev}",
            f"r:ry:{plan.id}.{plan.rev}",
        ):
            replies = await chat.press_data(data)
            assert all("Đã xác nhận" not in r.plain and "Gõ" not in r.plain for r in replies)
        await chat.send("Nhận xét giả mạo")  # not taken as a comment
    for data in ("r:op:999", "r:ok:x.y", "r:ls:zzz.-1", "r:op:" + "9" * 40, "r:zz:1"):
        await binh.press_data(data)
    assert (await plan_of(bot, binh)).status is PlanStatus.SUBMITTED
    [refused] = await binh.send("/duyet")
    assert "không có quyền" in refused.plain


async def test_admin_sees_every_unit_and_switches_status(desk_bot: Harness) -> None:
    """An admin's desk lists plans of any unit; the status tabs switch the list."""
    bot = desk_bot
    await submitted(bot, "Bình", "0987654321")
    admin = await signed_in(bot, "Hoa", "0977123456")  # Ban Tuyên giáo, not Bình's unit
    [listing] = await admin.send("/duyet")
    assert "Trần Thị Bình — Chi bộ thôn 1" in listing.plain
    [confirmed] = await admin.press("đã được xác nhận (0)")
    assert "Không có kế hoạch nào" in confirmed.plain
    [back] = await admin.press("đã gửi, chờ xác nhận (1)")
    assert "Trần Thị Bình" in back.plain


async def test_secretary_exports_the_units_plans_as_xlsx_and_zip(desk_bot: Harness) -> None:
    """The export button sends a summary table and a ZIP with the handed-in plans' DOCX."""
    import io
    import zipfile

    from openpyxl import load_workbook

    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    await submitted(bot, "Bình", "0987654321")
    await an.send("/duyet")
    replies = await an.press("📦 Xuất hồ sơ (XLSX + DOCX)")
    files = {m.file_name: m.file_bytes for m in replies if m.kind == "document"}
    assert set(files) == {"tong-hop-ke-hoach.xlsx", "ke-hoach-ca-nhan.zip"}
    table = load_workbook(io.BytesIO(files["tong-hop-ke-hoach.xlsx"] or b"")).worksheets[0]
    rows = list(table.iter_rows(values_only=True))
    assert rows[0][:4] == ("Họ và tên", "Đơn vị", "Tình trạng", "Nộp muộn")
    assert rows[1][0] == "Trần Thị Bình" and "chờ xác nhận" in str(rows[1][2])
    archive = zipfile.ZipFile(io.BytesIO(files["ke-hoach-ca-nhan.zip"] or b""))
    [name] = archive.namelist()
    assert name.endswith(".docx") and archive.read(name)[:2] == b"PK"
    [refused] = await (await signed_in(bot, "Cường", "0905111222")).press_data("r:ex:")
    assert "không có quyền" in refused.plain


async def test_export_lists_dates_confirmation_and_each_action(desk_bot: Harness) -> None:
    """The summary has when each plan was handed in and confirmed, by whom; a second sheet
    has one row per concrete action."""
    import io
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from openpyxl import load_workbook

    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(binh, actions=2)
    await binh.press("📨 Gửi kế hoạch")
    await an.send("/duyet")
    await an.press("Xem: Trần Thị Bình")
    await an.press("✅ Xác nhận")
    await an.send("/duyet")
    replies = await an.press("📦 Xuất hồ sơ (XLSX + DOCX)")
    files = {m.file_name: m.file_bytes for m in replies if m.kind == "document"}
    book = load_workbook(io.BytesIO(files["tong-hop-ke-hoach.xlsx"] or b""))
    assert book.sheetnames == ["Tổng hợp kế hoạch", "Việc làm cụ thể", "Tiến độ"]
    summary, actions, _ = book.worksheets
    header, *rows = list(summary.iter_rows(values_only=True))
    assert header[4:] == ("Ngày nộp", "Ngày xác nhận", "Người xác nhận")
    [binh_row] = [r for r in rows if r[0] == "Trần Thị Bình"]
    when = bot.clock.now().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y %H:%M")
    assert binh_row[4] == when and binh_row[5] == when and binh_row[6] == "Nguyễn Văn An"
    assert datetime.strptime(str(binh_row[4]), "%d/%m/%Y %H:%M")
    header, *lines = list(actions.iter_rows(values_only=True))
    assert header == (
        "Họ và tên",
        "Đơn vị",
        "STT",
        "Việc làm cụ thể",
        "Thời gian thực hiện",
        "Kết quả dự kiến",
    )
    assert [line[2:] for line in lines if line[0] == "Trần Thị Bình"] == [
        (1, "Việc làm số 1: thăm hộ dân", "Hằng tháng", "Nắm chắc tình hình"),
        (2, "Việc làm số 2: thăm hộ dân", "Hằng tháng", "Nắm chắc tình hình"),
    ]


async def test_secretary_gets_invite_codes_for_those_not_signed_in(desk_bot: Harness) -> None:
    """From the unit view, a button lists one code and link per person not signed in."""
    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    [unit] = await an.press("🏢 Đơn vị của tôi")
    assert "Chưa đăng nhập (2)" in unit.plain  # Bình and Cường
    [codes] = await an.press("🔑 Lấy mã mời cho người chưa đăng nhập")
    assert "Mã mời (2)" in codes.plain
    assert "Trần Thị Bình" in codes.plain and "Lê Văn Cường" in codes.plain
    assert "https://t.me/chuyende_test_bot?start=" in codes.plain
    code = codes.plain.split("Trần Thị Bình: ", 1)[1].split(" ", 1)[0]
    binh = bot.chat("Bình")
    [welcome] = await binh.send(f"/start {code}")
    assert "Trần Thị Bình" in welcome.plain
    member = await signed_in(bot, "Cường", "0905111222")
    [refused] = await member.press_data("u:inv:")
    assert "không có quyền" in refused.plain


PARTY_MEMBER_AT_THE_COMMUNE = (
    "\nDV010,Đặng Văn Khoa,01/01/1985,0355000444,Đảng viên,,Đảng bộ xã Phú Lạc / UBND xã,,"
)


async def test_a_head_of_unit_does_not_confirm_a_party_members_mau_01(bot: Harness) -> None:
    """Mẫu 01 is the cell's to confirm: the head of the member's state unit neither lists nor
    confirms it, and the head's counts agree with the head's list."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + EXTRA + PARTY_MEMBER_AT_THE_COMMUNE)
    khoa = await submitted(bot, "Khoa", "0355000444")  # works at UBND xã, whose head is Em
    plan = await plan_of(bot, khoa)
    em = await signed_in(bot, "Em", "0338123456")
    await bot.drain_outbox()
    assert not any("Đặng Văn Khoa" in m.plain for m in em.messages)  # not told of it either
    [listing] = await em.send("/duyet")
    assert "Đặng Văn Khoa" not in listing.plain and "chờ xác nhận: 0" in listing.plain
    for data in (
        f"r:op:{plan.id}",
        f"r:ok:{plan.id}.{plan.rev}",
        f"r:rt:{plan.id}.{plan.rev}",
        f"r:ry:{plan.id}.{plan.rev}",
    ):
        replies = await em.press_data(data)
        assert all("Đặng Văn Khoa" not in r.plain and "Đã xác nhận" not in r.plain for r in replies)
    await em.send("Trả lại giả")
    assert (await plan_of(bot, khoa)).status is PlanStatus.SUBMITTED
    admin = await signed_in(bot, "Hoa", "0977123456")
    [listing] = await admin.send("/duyet")
    assert "Đặng Văn Khoa — UBND xã" in listing.plain
    await admin.press("Xem: Đặng Văn Khoa")
    await admin.press("✅ Xác nhận")
    assert (await plan_of(bot, khoa)).status is PlanStatus.CONFIRMED


COMMUNE_SECRETARY = (
    "\nDV011,Ngô Văn Lực,01/01/1970,0355000555,Đảng viên,,Đảng bộ xã Phú Lạc,Bí thư Đảng ủy,Bí thư"
)


async def submitted_2a(bot: Harness, name: str, phone: str) -> Chat:
    """A member of staff hands in a short Mẫu 2A."""
    staff = await signed_in(bot, name, phone)
    await staff.press("📝 Kế hoạch của tôi")
    await fill_mau_2a(staff)
    await staff.press("📨 Gửi kế hoạch")
    return staff


async def test_the_secretary_confirms_mau_01_and_the_head_mau_2a_of_one_unit(bot: Harness) -> None:
    """In UBND xã, the commune's secretary has the party member's Mẫu 01 and the head of the
    unit the staff member's 2A: each lists, counts and confirms only their own kind."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + EXTRA + PARTY_MEMBER_AT_THE_COMMUNE + COMMUNE_SECRETARY)
    khoa = await submitted(bot, "Khoa", "0355000444")
    phu = await submitted_2a(bot, "Phú", "0355000111")
    secretary = await signed_in(bot, "Lực", "0355000555")
    head = await signed_in(bot, "Em", "0338123456")
    [listing] = await secretary.send("/duyet")
    assert "Đặng Văn Khoa" in listing.plain and "Đinh Văn Phú" not in listing.plain
    assert "chờ xác nhận: 1 ·" in listing.plain
    [listing] = await head.send("/duyet")
    assert "Đinh Văn Phú" in listing.plain and "Đặng Văn Khoa" not in listing.plain
    assert "chờ xác nhận: 1 ·" in listing.plain
    wrong = await plan_of(bot, phu)
    await secretary.press_data(f"r:ok:{wrong.id}.{wrong.rev}")
    assert (await plan_of(bot, phu)).status is PlanStatus.SUBMITTED
    await head.press("Xem: Đinh Văn Phú")
    await head.press("✅ Xác nhận")
    await secretary.press("Xem: Đặng Văn Khoa")
    await secretary.press("✅ Xác nhận")
    assert (await plan_of(bot, phu)).status is PlanStatus.CONFIRMED
    assert (await plan_of(bot, khoa)).status is PlanStatus.CONFIRMED


STAFF_WITHOUT_A_HEAD = (
    '\nCB011,Lương Thị Mai,04/04/1993,0355000666,"Cán bộ, công chức, viên chức",,'
    "Đảng bộ xã Phú Lạc / Trạm Y tế xã,,"
)


async def test_with_no_head_up_the_units_the_admins_are_told_of_a_2a(bot: Harness) -> None:
    """Trạm Y tế xã has no head, nor has any unit above it: the admin gets the notice with
    "Xem và duyệt" and opens the plan from it; the head of another unit hears nothing."""
    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + EXTRA + STAFF_WITHOUT_A_HEAD)
    admin = await signed_in(bot, "Hoa", "0977123456")
    other_head = await signed_in(bot, "Em", "0338123456")
    await submitted_2a(bot, "Mai", "0355000666")
    await bot.drain_outbox()
    told = [m for m in admin.messages if "Lương Thị Mai" in m.plain]
    assert told, "the admin was not told of the plan"
    notice = told[-1]
    assert not any("Lương Thị Mai" in m.plain for m in other_head.messages)
    review = next(b for b in notice.inline_buttons() if b["text"] == "🔍 Xem và duyệt")
    replies = await admin.press_data(str(review["callback_data"]), notice)
    shown = next(m for m in replies if m.inline_buttons())
    assert "Lương Thị Mai" in shown.plain and "Trả hồ sơ đúng hẹn" in shown.plain
    assert "✅ Xác nhận" in [b["text"] for b in shown.inline_buttons()]


async def test_the_desk_counts_what_it_lists_never_ones_own_plan(desk_bot: Harness) -> None:
    """A secretary's own plan, handed in, is neither listed nor counted on their desk."""
    bot = desk_bot
    an = await submitted(bot, "An", "0912345678")
    await submitted(bot, "Bình", "0987654321")
    [listing] = await an.send("/duyet")
    buttons = [b["text"] for b in listing.inline_buttons()]
    assert "chờ xác nhận: 1 ·" in listing.plain and "Trần Thị Bình" in listing.plain
    assert "Nguyễn Văn An" not in listing.plain and not any("An" in b for b in buttons), buttons


async def test_a_confirmed_plans_document_names_who_confirmed_it_and_when(
    desk_bot: Harness,
) -> None:
    """After the secretary confirms, the printed plan carries her name and the day under the
    confirming block; before, that block is left blank to sign."""
    import io

    from docx import Document

    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    binh = await submitted(bot, "Bình", "0987654321")
    plan = await plan_of(bot, binh)
    before = await bot.services.plans.for_review(plan.id)
    assert before is not None and before.document is not None
    blank = Document(io.BytesIO(before.document.content)).tables[-1].cell(0, 0).text
    assert "Nguyễn Văn An" not in blank
    await an.press("✅ Duyệt kế hoạch")
    await an.press("Xem: Trần Thị Bình")
    [done] = await an.press("✅ Xác nhận")
    assert "Đã xác nhận" in done.plain
    after = await bot.services.plans.for_review(plan.id)
    assert after is not None and after.document is not None
    block = Document(io.BytesIO(after.document.content)).tables[-1].cell(0, 0).text
    day = bot.clock.now().astimezone(bot.settings.tz).strftime("%d/%m/%Y")
    assert "Nguyễn Văn An" in block and f"Đã xác nhận ngày {day}" in block


async def test_last_years_returned_plans_stay_on_the_desk_after_a_new_campaign(
    desk_bot: Harness,
) -> None:
    """Bình's 2022 plan is returned; 2023 opens; An still reaches it under "Năm trước"."""
    from datetime import date

    bot = desk_bot
    an = await signed_in(bot, "An", "0912345678")
    await submitted(bot, "Bình", "0987654321")
    await an.send("/duyet")
    await an.press("Xem: Trần Thị Bình")
    await an.press("↩️ Trả lại")  # "Chắc chắn?" first
    await an.press("Có")
    await an.send("Cần cụ thể hơn")
    [listing] = await an.send("/duyet")
    assert not any("Năm trước" in b for b in an.buttons())  # 2022 is the open year
    await bot.open_campaign(year=2023, deadline=date(2023, 4, 30))
    [listing] = await an.send("/duyet")
    assert "Trần Thị Bình" not in listing.plain  # nothing of 2023's yet
    [past] = await an.press("🗂 Năm trước (2022): 1 kế hoạch trả lại chưa nộp lại")
    assert "năm 2022" in past.plain and "Trần Thị Bình — Chi bộ thôn 1" in past.plain
    replies = await an.press("Xem: Trần Thị Bình")
    plan = next(m for m in replies if m.inline_buttons())
    assert "Trần Thị Bình" in plan.plain and "trả lại" in plan.plain
    assert "✅ Xác nhận" not in an.buttons()  # a returned plan waits for no decision
    [again] = await an.press("⬅️ Danh sách")
    assert "Duyệt kế hoạch" in again.plain
    outsider = await signed_in(bot, "Em", "0338123456")  # head of another unit
    await outsider.send("/duyet")
    assert not any("Năm trước" in b for b in outsider.buttons())
    [refused] = await outsider.press_data("r:py:0")
    assert "Trần Thị Bình" not in refused.plain
