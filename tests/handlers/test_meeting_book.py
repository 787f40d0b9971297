"""Meetings that really happened: scheduled step by step, asked for after their time, recorded
(held or not, absentees, content, conclusion, the minutes' photo), flagged, read by members."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.app import build_conversation
from bot.domain.meetings import Outcome
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import signed_in
from tests.textchat import TextChat, TextOnlyChannel

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OTHER_SECRETARY = (
    "DV005,Đỗ Văn Giang,01/01/1985,0355999000,Đảng viên,,"
    "Đảng bộ xã Phú Lạc / Chi bộ thôn 2,Bí thư chi bộ,Bí thư"
)


async def schedule_briefing_step_by_step(an) -> None:  # type: ignore[no-untyped-def]
    """An schedules the quán triệt on 10/04/2022 08:00 by choosing (the day typed)."""
    await an.send("/lichhop")
    [day] = await an.press("➕ Quán triệt")
    assert "bước 1/5" in day.plain and "T7 26/03" in an.buttons()
    [time] = await an.send("10/04/2022")
    assert "Ngày 10/04/2022" in time.plain and "08:00" in an.buttons()
    [place] = await an.press("08:00")
    assert "Gõ địa điểm" in place.plain  # no place used before
    [topic] = await an.send("Hội trường thôn 1")
    assert (
        "chọn tên chuyên đề của năm" in topic.plain and "📘 Dùng tên chuyên đề năm" in an.buttons()
    )
    [preview] = await an.press("📘 Dùng tên chuyên đề năm")
    assert "10/04/2022 08:00" in preview.plain and "Hội trường thôn 1" in preview.plain
    [saved] = await an.press("✅ Lưu lịch")
    assert "Đã lên lịch buổi quán triệt" in saved.plain, saved.plain


async def test_secretary_records_a_briefing_and_a_thematic_meeting_with_absentees(
    bot: Harness,
) -> None:
    """Asked once after each meeting (quiet hours respected), An records both; Bình reads them."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await schedule_briefing_step_by_step(an)
    await an.send("/lichhop")
    await an.press("➕ Sinh hoạt chuyên đề")
    [saved] = await an.send("15/04/2022 19:30; Hội trường thôn 1; Chuyên đề quý II")  # shortcut
    assert "Đã lên lịch" in saved.plain

    # Two hours after the quán triệt the secretary is asked, once; Bình (a member) is not.
    bot.clock.set(datetime(2022, 4, 10, 9, 59, tzinfo=VN))
    assert [k for k in (await bot.sweep()).sent if k.startswith("mrecord")] == []
    bot.clock.set(datetime(2022, 4, 10, 10, 0, tzinfo=VN))
    assert [k for k in (await bot.sweep()).sent if k.startswith("mrecord")] == ["mrecord:1"]
    assert [k for k in (await bot.sweep()).sent if k.startswith("mrecord")] == []
    await bot.drain_outbox()
    assert "ghi nhận kết quả" in an.last.plain and "📝 Ghi nhận buổi họp" in an.buttons()
    assert all("ghi nhận kết quả" not in m.plain for m in binh.messages)

    [outcome] = await an.press("📝 Ghi nhận buổi họp")
    assert "đã diễn ra chưa" in outcome.plain
    await an.press("✅ Đã họp")
    [attendance] = await an.press("CN 10/04")
    assert "Vắng mặt: không ai" in attendance.plain
    assert {"✅ Nguyễn Văn An", "✅ Trần Thị Bình", "✅ Lê Văn Cường"} <= set(an.buttons())
    await an.press("✅ Lê Văn Cường")  # one press per absent member, the screen updated
    assert "❌ Lê Văn Cường (vắng)" in an.buttons() and "Vắng mặt: Lê Văn Cường" in an.last.plain
    await an.press("✔️ Xong điểm danh")
    await an.send("Quán triệt chuyên đề năm 2022, thảo luận cách xây dựng kế hoạch cá nhân.")
    [photo] = await an.send("Mỗi đảng viên nộp kế hoạch trước 30/4.")
    assert "ảnh biên bản" in photo.plain
    [preview] = await an.send_other("photo")
    assert "Có mặt: 2, vắng mặt: 1" in preview.plain and "Vắng mặt: Lê Văn Cường" in preview.plain
    assert "Có ảnh biên bản" in preview.plain
    [done] = await an.press("💾 Lưu")
    assert "Đã ghi nhận buổi quán triệt chuyên đề ngày 10/04/2022: đã họp" in done.plain
    briefing = await bot.store.meetings.get(1)
    assert briefing is not None and briefing.record is not None
    assert briefing.record.outcome is Outcome.HELD and briefing.record.absent == 1
    assert briefing.record.minutes_file == "telegram:p1" and briefing.record.recorded_by == 1

    # The thematic meeting at 19:30: its ask would fall at 21:30, in the quiet hours; it goes
    # at 07:00 the next morning, once, even after a night of downtime.
    bot.clock.set(datetime(2022, 4, 15, 21, 30, tzinfo=VN))
    assert [k for k in (await bot.sweep()).sent if k.startswith("mrecord")] == []
    bot.clock.set(datetime(2022, 4, 16, 9, 0, tzinfo=VN))
    assert [k for k in (await bot.sweep()).sent if k.startswith("mrecord")] == ["mrecord:2"]
    assert [k for k in (await bot.sweep()).sent if k.startswith("mrecord")] == []
    await bot.drain_outbox()
    [ask] = [m for m in an.messages if "ghi nhận kết quả" in m.plain][1:]
    assert "15/04/2022 19:30" in ask.plain  # the deadline reminder came after it
    await an.press_data(ask.inline_buttons()[0]["callback_data"], ask)
    await an.press("✅ Đã họp")
    await an.send("15/04/2022")
    await an.press("✅ Trần Thị Bình")
    await an.press("✅ Lê Văn Cường")
    await an.press("✔️ Xong điểm danh")
    await an.send("Liên hệ chuyên đề với việc giữ gìn vệ sinh thôn.")
    await an.send("Tổ chức ngày chủ nhật xanh hằng tháng.")
    [preview] = await an.press("Bỏ qua")
    assert "Có mặt: 1, vắng mặt: 2" in preview.plain and "Không có ảnh biên bản" in preview.plain
    await an.press("💾 Lưu")
    thematic = await bot.store.meetings.get(2)
    assert thematic is not None and thematic.record is not None
    assert len(thematic.record.absent_ids) == 2 and thematic.record.present == 1

    # A member reads what the cell concluded.
    await binh.press("📅 Lịch sinh hoạt")
    [past] = await binh.press("🗂 Các buổi đã họp")
    assert "Tổ chức ngày chủ nhật xanh hằng tháng." in past.plain
    assert "Mỗi đảng viên nộp kế hoạch trước 30/4." in past.plain
    assert past.plain.index("15/04/2022") < past.plain.index("10/04/2022")  # newest first


async def test_a_meeting_held_but_never_entered_is_recorded_afterwards(bot: Harness) -> None:
    """From the calendar: a thematic meeting of 20/03 is recorded, and counts as held."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    await an.press("📅 Lịch sinh hoạt")
    [kind] = await an.press("📝 Ghi nhận buổi đã họp")
    assert "Buổi sinh hoạt nào?" in kind.plain
    await an.press("Buổi sinh hoạt chuyên đề")
    [future] = await an.send("20/05/2022")
    assert "chưa tới" in future.plain
    await an.send("20/03/2022")
    [typed] = await an.send("hai mươi")
    assert "Chưa đọc được số người" in typed.plain
    await an.send("18/2")
    await an.send("Học tập chuyên đề.")
    await an.send("Thống nhất các việc làm cụ thể.")
    [preview] = await an.press("Bỏ qua")
    assert "Đã họp ngày 20/03/2022. Có mặt: 18, vắng mặt: 2." in preview.plain
    [done] = await an.press("💾 Lưu")
    assert "Đã ghi nhận buổi sinh hoạt chuyên đề ngày 20/03/2022" in done.plain
    [report] = await an.send("/baocao")
    assert "1/2" in report.plain  # one thematic meeting held this year
    meeting = await bot.store.meetings.get(1)
    assert meeting is not None and meeting.record is not None and meeting.record.present == 18


async def test_a_meeting_not_held_needs_a_reason_and_does_not_count(bot: Harness) -> None:
    """Not held, with its reason: the member list says so, the count stays at 0."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("26/03/2022 08:00; Nhà văn hóa")
    bot.clock.set(datetime(2022, 3, 26, 12, 0, tzinfo=VN))
    [listing] = await an.send("/lichhop")
    assert "📝 Ghi nhận 26/03" in an.buttons() and "Chưa có buổi sinh hoạt nào" in listing.plain
    await an.press("📝 Ghi nhận 26/03")
    [reason] = await an.press("🚫 Không họp được")
    assert "lý do" in reason.plain
    [blank] = await an.send("  ")
    assert "Chưa có nội dung" in blank.plain
    [preview] = await an.send("Mưa bão, hoãn sang tuần sau")
    assert "Không họp được. Lý do: Mưa bão" in preview.plain
    await an.press("💾 Lưu")
    [report] = await an.send("/baocao")
    assert "0/2" in report.plain
    await binh.send("/lichhop")
    [past] = await binh.press("🗂 Các buổi đã họp")
    assert "không họp được: Mưa bão, hoãn sang tuần sau" in past.plain


async def test_flags_for_a_cell_without_briefing_and_with_one_thematic_meeting(
    bot: Harness,
) -> None:
    """After 30/04 the digest flags the missing quán triệt; after Q3, one thematic of two."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Quán triệt")
    await an.send("20/04/2022 08:00; Hội trường")  # scheduled, its time passes, never recorded
    await an.send("/lichhop")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("10/05/2022 08:00; Hội trường")
    bot.clock.set(datetime(2022, 4, 30, 20, 0, tzinfo=VN))
    [report] = await an.send("/baocao")
    assert "quán triệt" not in report.plain.split("Sắp tới")[-1]  # not yet: the deadline's day
    bot.clock.set(datetime(2022, 5, 11, 9, 0, tzinfo=VN))
    await an.send("/lichhop")
    await an.press("📝 Ghi nhận 10/05")
    await an.press("✅ Đã họp")
    await an.press("T3 10/05")
    await an.press("✔️ Xong điểm danh")
    await an.send("Nội dung")
    await an.send("Kết luận")
    await an.press("Bỏ qua")
    await an.press("💾 Lưu")
    [report] = await an.send("/baocao")
    assert "Đã qua hạn 30/04/2022 mà chi bộ chưa ghi nhận buổi quán triệt" in report.plain
    assert "hết quý III" not in report.plain
    bot.clock.set(datetime(2022, 10, 1, 9, 0, tzinfo=VN))
    [report] = await an.send("/baocao")
    assert "Đã hết quý III mà chi bộ mới ghi nhận 1/2 buổi sinh hoạt chuyên đề" in report.plain
    bot.clock.set(datetime(2023, 1, 2, 9, 0, tzinfo=VN))
    data = await bot.services.digests.digests(
        await bot.services.plans.campaign(),  # type: ignore[arg-type]
        await bot.store.schedule.standings(1),
        bot.clock.now(),
    )
    [(unit_data, _)] = [v for v in data.values() if v[0].unit and "thôn 1" in v[0].unit]
    assert unit_data.no_briefing and unit_data.thematic_flag == 4 and unit_data.thematic == 1


async def test_step_by_step_scheduling_with_a_bad_day_and_typed_answers(bot: Harness) -> None:
    """Bad and past days and a bad time get clear messages; the typed answers are kept."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    await an.press("📅 Lịch sinh hoạt")
    [ask] = await an.press("➕ Định kỳ")
    assert "Lên lịch buổi sinh hoạt định kỳ" in ask.plain
    [bad] = await an.send("31/02/2022")
    assert "Ngày chưa đúng" in bad.plain and "15/04/2022" in bad.plain
    [past] = await an.send("01/01/2022")
    assert "Ngày này đã qua" in past.plain
    [far] = await an.send("01/01/2030")
    assert "xa quá" in far.plain
    [time] = await an.press("T7 26/03")
    assert "Ngày 26/03/2022" in time.plain
    [bad_time] = await an.send("25:00")
    assert "Giờ chưa đúng" in bad_time.plain
    await an.send("7h30")
    await an.send("Nhà văn hóa thôn 1")
    [preview] = await an.send("Sinh hoạt chi bộ tháng 3, lồng ghép chuyên đề")
    assert "26/03/2022 07:30" in preview.plain and "tháng 3, lồng ghép" in preview.plain
    [saved] = await an.press("✅ Lưu lịch")
    assert "Đã lên lịch buổi sinh hoạt định kỳ" in saved.plain and "1 người" in saved.plain
    await bot.drain_outbox()
    assert "26/03/2022 07:30" in binh.last.plain
    # The next one offers the place used before; a day and time typed at once skip a step.
    await an.send("/lichhop")
    await an.press("➕ Sinh hoạt chuyên đề")
    [place] = await an.send("28/03/2022 14:00")
    assert "Nhà văn hóa thôn 1" in an.buttons() and "địa điểm đã dùng" in place.plain
    await an.press("Nhà văn hóa thôn 1")
    [preview] = await an.send("Chuyên đề quý I")
    assert "28/03/2022 14:00" in preview.plain
    [stopped] = await an.press("Thôi")
    assert "không thay đổi" in stopped.plain
    await an.send("Chuyên đề quý I")  # no longer taken as a meeting's answer
    assert await bot.store.meetings.get(2) is None


async def test_every_new_press_is_checked_against_the_presser(bot: Harness) -> None:
    """A member, another unit's secretary and forged ids change nothing and see nothing."""
    await bot.load_roster(ROSTER + OTHER_SECRETARY)
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    giang = await signed_in(bot, "Giang", "0355999000")
    await an.press("📅 Lịch sinh hoạt")
    await an.press("➕ Sinh hoạt chuyên đề")
    await an.send("26/03/2022 08:00; Nhà văn hóa")
    bot.clock.set(datetime(2022, 3, 26, 12, 0, tzinfo=VN))
    forged = (
        "m:rc:1",
        "m:rn:",
        "m:rk:chuyen_de",
        "m:ro:held",
        "m:rd:20220326",
        "m:ra:2",
        "m:rx:",
        "m:rp:",
        "m:rs:",
        "m:dy:20220410",
        "m:tm:0800",
        "m:pl:0",
        "m:tp:",
        "m:sv:",
        "m:rc:99999999999",
        "m:ra:x",
    )
    for data in forged:  # a member may record nothing
        replies = await binh.press_data(data)
        assert all("Đã ghi nhận" not in r.plain and "Điểm danh" not in r.plain for r in replies)
    for data in forged:  # another unit's secretary never reaches An's meeting or people
        replies = await giang.press_data(data)
        assert all("Nhà văn hóa" not in r.plain and "Bình" not in r.plain for r in replies)
        assert all("Đã ghi nhận" not in r.plain for r in replies)
    meeting = await bot.store.meetings.get(1)
    assert meeting is not None and meeting.record is None
    assert await bot.store.meetings.get(2) is None  # nobody recorded a new one

    # An's own flow with forged arguments: another unit's member, a bad day, an unknown kind.
    await an.press_data("m:rc:1")
    await an.press("✅ Đã họp")
    await an.press_data("m:rd:20991301")  # no such day: the step is shown again
    await an.press_data("m:rd:20220401")  # after today: refused with the reason
    assert "chưa tới" in an.last.plain
    await an.press("T7 26/03")
    [refused] = await an.press_data("m:ra:7")  # Giang: Chi bộ thôn 2, not An's roster
    assert "không có quyền" in refused.plain.lower() or "quyền" in refused.plain
    await an.press_data("m:rs:")  # saving before the last step saves nothing
    meeting = await bot.store.meetings.get(1)
    assert meeting is not None and meeting.record is None
    await an.send("/lichhop")
    await an.press_data("m:rn:")
    [kind] = await an.press_data("m:rk:zz")
    assert "Buổi sinh hoạt nào?" in kind.plain
    await an.press_data("m:pl:5")  # a scheduling press while recording: no effect
    assert await bot.store.meetings.get(2) is None


async def test_scheduling_and_recording_on_the_text_only_channel(bot: Harness) -> None:
    """On a channel without buttons every choice is a numbered line: typed, it is the press."""
    await bot.open_campaign()
    channel = TextOnlyChannel()
    an = TextChat(build_conversation(bot.services), channel, bot.store.offers, bot.clock, "z-an")
    batch = await bot.services.roster.issue_invites(None, None)
    await an.send(next(row.code for row in batch.open if row.person_code == "DV001"))
    await an.send("/lichhop")
    await an.choose("➕ Quán triệt")
    [time] = await an.send("10/04/2022")
    assert "1. 07:00" in time.text
    await an.choose("08:00")
    await an.send("Hội trường thôn 1")
    await an.choose("📘 Dùng tên chuyên đề năm")
    [saved] = await an.choose("✅ Lưu lịch")
    assert "Đã lên lịch buổi quán triệt" in saved.text
    bot.clock.set(datetime(2022, 4, 10, 11, 0, tzinfo=VN))
    await an.send("/lichhop")
    await an.choose("📝 Ghi nhận 10/04")
    await an.choose("✅ Đã họp")
    await an.choose("CN 10/04")
    [toggled] = await an.choose("✅ Lê Văn Cường")
    assert "❌ Lê Văn Cường (vắng)" in toggled.text
    await an.choose("✔️ Xong điểm danh")
    await an.send("Quán triệt chuyên đề.")
    await an.send("Nộp kế hoạch đúng hạn.")
    # the minutes' photo as the channel gives it (a URL on Zalo); one too long to keep whole
    # is refused rather than cut short
    [refused] = await an.picture("https://photo.zalo.test/" + "a" * 300 + ".jpg")
    assert "dài quá" in refused.text
    url = "https://photo.zalo.test/an/bien-ban.jpg"
    [preview] = await an.picture(url)
    assert "Có mặt: 2, vắng mặt: 1" in preview.text and "Có ảnh biên bản" in preview.text
    [done] = await an.choose("💾 Lưu")
    assert "đã họp" in done.text
    meeting = await bot.store.meetings.get(1)
    assert meeting is not None and meeting.record is not None and meeting.record.absent == 1
    assert meeting.record.minutes_file == f"{channel.channel.value}:{url}"


async def test_the_weekly_digest_after_the_deadline_carries_the_flag(bot: Harness) -> None:
    """The Monday digest of 02/05 tells An that no quán triệt was recorded by 30/04."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    bot.clock.set(datetime(2022, 5, 2, 7, 30, tzinfo=VN))
    report = await bot.sweep()
    assert "digest:2022:2022-05-02" in report.sent
    await bot.drain_outbox()
    [digest] = [m for m in an.messages if "Tiến độ kế hoạch cá nhân" in m.plain][-1:]
    assert "chưa ghi nhận buổi quán triệt" in digest.plain


async def test_an_ask_is_not_sent_two_weeks_late_nor_for_a_recorded_meeting(bot: Harness) -> None:
    """After more than two weeks of downtime the ask is dropped; a meeting recorded before its
    ask falls due is never asked about."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    for line in (
        "26/03/2022 08:00; Nhà văn hóa",
        "27/03/2022 08:00; Nhà văn hóa",
        "28/03/2022 08:00; Nhà văn hóa",
    ):
        await an.send("/lichhop")
        await an.press("➕ Sinh hoạt chuyên đề")
        await an.send(line)
    bot.clock.set(datetime(2022, 3, 28, 9, 0, tzinfo=VN))  # the second began an hour ago
    await an.send("/lichhop")
    await an.press("📝 Ghi nhận 28/03")
    await an.press("🚫 Không họp được")
    await an.send("Trùng lịch họp của xã")
    await an.press("💾 Lưu")
    bot.clock.set(datetime(2022, 4, 10, 7, 30, tzinfo=VN))  # the bot was down since then
    asked = [k for k in (await bot.sweep()).sent if k.startswith("mrecord")]
    assert asked == ["mrecord:2"]  # 26/03 began over two weeks ago; 28/03 is recorded
