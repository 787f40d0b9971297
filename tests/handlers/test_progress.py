"""Progress on a plan's concrete actions: a member logs it and reads its history; every press is
checked against the presser's own plan and rights, forged ids reach nobody's data."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bot.domain.models import Channel
from bot.domain.pending import ProgressNote
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from storage.tables import progress_updates
from tests.helpers import fill_mau_01, plan_of, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
UPDATE = "📈 Cập nhật tiến độ"


async def rows(bot: Harness) -> list[dict[str, object]]:
    """Every progress row, oldest first."""
    async with bot.store.engine.connect() as conn:
        found = await conn.execute(select(progress_updates).order_by(progress_updates.c.id))
        return [dict(row) for row in found.mappings()]


async def handed_in(bot: Harness, name: str, phone: str, actions: int = 2) -> Chat:
    """Someone signed in who has sent a Mẫu 01 with ``actions`` concrete actions."""
    chat = await signed_in(bot, name, phone)
    await fill_mau_01(chat, actions=actions)
    await chat.press("📨 Gửi kế hoạch")
    return chat


async def test_a_member_logs_progress_on_two_actions_and_sees_the_history(bot: Harness) -> None:
    """Two updates of action 1 (a note, then a photo with its caption) and one of action 2
    without a note: three rows, nothing overwritten, the history newest first."""
    await bot.open_campaign()
    binh = await handed_in(bot, "Bình", "0987654321")
    assert UPDATE in binh.buttons()  # under the handed-in plan
    bot.clock.set(datetime(2022, 6, 2, 9, 0, tzinfo=VN))
    [home] = await binh.press(UPDATE)
    assert "Tiến độ thực hiện kế hoạch cá nhân năm 2022" in home.plain
    assert "1. Việc làm số 1: thăm hộ dân — chưa cập nhật" in home.plain
    assert "Đồng chí chọn việc" in home.plain
    [action] = await binh.press("Việc 1")
    assert "Chưa có lần cập nhật nào" in action.plain and "Hằng tháng" in action.plain
    [ask] = await binh.press("✅ Đã thực hiện")
    assert "Đồng chí ghi ngắn gọn" in ask.plain
    [saved] = await binh.send("Đã thăm 5 hộ dân thôn 1")
    assert "Đã ghi tiến độ việc 1: Đã thực hiện, ngày 02/06/2022" in saved.plain
    assert "02/06/2022 — Đã thực hiện: Đã thăm 5 hộ dân thôn 1" in saved.plain

    bot.clock.set(datetime(2022, 7, 1, 9, 0, tzinfo=VN))
    await binh.press("⏳ Đang thực hiện")
    [saved] = await binh.send_other("photo", caption="Thăm thêm 3 hộ")
    lines = saved.plain.splitlines()
    newest = lines.index("• 01/07/2022 — Đang thực hiện: Thăm thêm 3 hộ 📷 có ảnh minh chứng")
    assert lines.index("• 02/06/2022 — Đã thực hiện: Đã thăm 5 hộ dân thôn 1") > newest

    await binh.press("⬅️ Danh sách việc")
    await binh.press("Việc 2")
    await binh.press("⭕ Chưa thực hiện")
    [saved] = await binh.press("💾 Lưu, không ghi chú")
    assert "• 01/07/2022 — Chưa thực hiện" in saved.plain
    [home] = await binh.press("⬅️ Danh sách việc")
    assert "1. Việc làm số 1: thăm hộ dân — Đang thực hiện (01/07/2022)" in home.plain
    assert "2. Việc làm số 2: thăm hộ dân — Chưa thực hiện (01/07/2022)" in home.plain

    found = await rows(bot)
    assert [(r["item"], r["status"], r["note"]) for r in found] == [
        (0, "done", "Đã thăm 5 hộ dân thôn 1"),
        (0, "doing", "Thăm thêm 3 hộ"),
        (1, "todo", ""),
    ]
    assert found[1]["picture"] == "p1" and found[1]["picture_channel"] == "telegram"
    assert found[0]["action"] == "Việc làm số 1: thăm hộ dân"
    await binh.send("Một câu gõ sau khi đã lưu")  # no note is asked for any more
    assert len(await rows(bot)) == 3
    await binh.press_data("t:st:0.done")
    await binh.press("📝 Kế hoạch của tôi")  # leaves for the menu: the note is no longer asked
    await binh.send("Chào bot")
    assert len(await rows(bot)) == 3


async def test_progress_presses_are_checked_and_forged_ids_reach_nothing(bot: Harness) -> None:
    """Another member's plan, out-of-range or non-numeric items, unknown statuses, a stored
    note for someone else's plan, the cell's view without the right: none writes or shows."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")  # the cell's secretary, no plan sent
    binh = await handed_in(bot, "Bình", "0987654321")
    cuong = await signed_in(bot, "Cường", "0905111222")  # exempt, no plan
    [reply] = await cuong.press_data("t:ls:")
    assert "chưa có kế hoạch đã gửi" in reply.plain
    [reply] = await an.press_data("t:sv:0.done")  # An's own (missing) plan, not Bình's
    assert "chưa có kế hoạch đã gửi" in reply.plain
    for data in ("t:op:2", "t:op:99999999999", "t:op:-1", "t:st:0.xyz", "t:sv:5.done", "t:st:."):
        [reply] = await binh.press_data(data)
        assert "Lựa chọn này không còn dùng được" in reply.plain, data
    before = len(binh.messages)
    await binh.press_data("t:zz:0")  # not a progress press at all: the notice only
    assert len(binh.messages) == before
    assert await rows(bot) == []

    # A note stored for Bình's plan while Cường types is not Cường's to fill.
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(cuong.user.id))
    plan = await plan_of(bot, binh)
    assert person is not None and plan is not None
    await bot.store.schedule.set_pending(
        person.id, ProgressNote(plan.id, 0, "done"), bot.clock.now()
    )
    [reply] = await cuong.send("Ghi hộ Bình")
    assert "chưa có kế hoạch đã gửi" in reply.plain
    assert await rows(bot) == []

    [reply] = await binh.press_data("t:cl:0")  # a member: not the cell's view
    assert "không có quyền" in reply.plain.lower()
    await binh.press_data("t:op:0")
    await binh.press("✅ Đã thực hiện")
    [reply] = await binh.send("x" * 1001)
    assert "dài quá 1000 ký tự" in reply.plain
    await binh.send("/huy")
    assert "Đã thôi cập nhật tiến độ" in binh.last.plain
    await binh.send("Xong rồi")
    assert await rows(bot) == []

    await binh.press_data("t:op:1")
    await binh.press("✅ Đã thực hiện")
    await binh.send("Đã xong việc 2")
    [view] = await an.press_data("t:cl:0")
    assert "1 kế hoạch đã gửi" in view.plain
    assert "Trần Thị Bình (Chi bộ thôn 1): ✅ 1 · ⏳ 0 · ⭕ 1 / 2 việc" in view.plain
    [view] = await an.press_data("t:cl:999")  # past the last page: the last one
    assert "Trần Thị Bình" in view.plain


async def test_the_unit_export_has_each_plans_progress(bot: Harness) -> None:
    """The secretary's XLSX has a "Tiến độ" sheet: per handed-in plan, actions done / in
    progress / not started and the last update (local time)."""
    import io

    from openpyxl import load_workbook

    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await handed_in(bot, "Bình", "0987654321", actions=3)
    bot.clock.set(datetime(2022, 6, 30, 20, 15, tzinfo=VN))
    await binh.press_data("t:st:0.done")
    await binh.send("Xong")
    await binh.press_data("t:st:2.doing")
    await binh.press("💾 Lưu, không ghi chú")
    await an.send("/duyet")
    replies = await an.press("📦 Xuất hồ sơ (XLSX + DOCX)")
    files = {m.file_name: m.file_bytes for m in replies if m.kind == "document"}
    book = load_workbook(io.BytesIO(files["tong-hop-ke-hoach.xlsx"] or b""))
    header, *lines = list(book["Tiến độ"].iter_rows(values_only=True))
    assert header == (
        "Họ và tên",
        "Đơn vị",
        "Số việc",
        "Đã thực hiện",
        "Đang thực hiện",
        "Chưa thực hiện",
        "Cập nhật gần nhất",
    )
    assert lines == [
        ("Trần Thị Bình", "Đảng bộ xã Phú Lạc / Chi bộ thôn 1", 3, 1, 1, 1, "30/06/2022 20:15")
    ]
    [view] = await an.press("📊 Tiến độ thực hiện kế hoạch")  # under the desk's list
    assert "✅ 1 · ⏳ 1 · ⭕ 1 / 3 việc — cập nhật: 30/06/2022" in view.plain


OTHER_SECRETARY = (
    "DV005,Lý Văn Giang,01/01/1970,0911000555,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 2,"
    "Bí thư chi bộ,Bí thư"
)


async def test_every_progress_press_by_each_kind_of_person(bot: Harness) -> None:
    """Each press acts on the presser's own plan only: nobody but Bình writes a row of Bình's
    plan; the cell's view shows Bình to her secretary and the admin, not to the secretary of
    another cell; a member and a guest do not get it."""
    from tests.conftest import ROSTER

    await bot.open_campaign()
    await bot.load_roster(ROSTER.strip() + "\n" + OTHER_SECRETARY)
    binh = await handed_in(bot, "Bình", "0987654321")
    people = {
        "secretary": await signed_in(bot, "An", "0912345678"),
        "other_secretary": await signed_in(bot, "Giang", "0911000555"),
        "admin": await signed_in(bot, "Hoa", "0977123456"),
        "guest": bot.chat("Khách", phone="0900000000"),
    }
    await people["guest"].send("/start")
    presses = ("t:ls:", "t:op:0", "t:st:0.done", "t:sv:0.done", "t:ly:")
    for name, chat in people.items():
        for data in presses:
            replies = await chat.press_data(data)
            text = " ".join(r.plain for r in replies)
            if name == "guest":  # only the press's notice: "this button is old"
                toast = bot.api.calls_of("answerCallbackQuery")[-1].params.get("text", "")
                assert not replies and "Nút này đã cũ" in str(toast), (data, toast)
            else:
                assert "chưa có kế hoạch đã gửi" in text or "Không có kế hoạch" in text, (
                    name,
                    data,
                    text,
                )
    assert await rows(bot) == []
    seen = {}
    for name, chat in [*people.items(), ("member", binh)]:
        replies = await chat.press_data("t:cl:0")
        seen[name] = " ".join(r.plain for r in replies)
    assert "Trần Thị Bình" in seen["secretary"] and "Trần Thị Bình" in seen["admin"]
    assert "Trần Thị Bình" not in seen["other_secretary"]
    assert "0 kế hoạch đã gửi" in seen["other_secretary"]
    assert "không có quyền" in seen["member"].lower()
    assert seen["guest"] == ""
