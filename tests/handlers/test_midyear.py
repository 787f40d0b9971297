"""The mid-year self-check over the real bot (PTB Application, offline Bot API): each action of
the handed-in plan with its progress and an update, the self-assessment typed, review, submit;
the secretary's progress view and the unit's export; forged presses and another member's
check refused; a campaign without it offers nothing; the year-end draft takes the answer in."""

from __future__ import annotations

import io
from datetime import datetime
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from bot.domain.callbacks import MidyearCode, MidyearPress
from bot.domain.midyear import CheckStatus
from bot.domain.models import Channel, Person
from bot.domain.pending import MidyearAnswer
from bot.domain.schedule import Schedule
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from storage.tables import midyear_checks, progress_updates
from tests.helpers import fill_mau_01, signed_in

VN = ZoneInfo("Asia/Ho_Chi_Minh")
OPEN = "🪞 Tự kiểm tra giữa kỳ"
ON = Schedule(midyear_check=True)


async def handed_in(bot: Harness, name: str, phone: str, actions: int = 2) -> Chat:
    """Someone signed in who has sent a Mẫu 01 with ``actions`` concrete actions."""
    chat = await signed_in(bot, name, phone)
    await fill_mau_01(chat, actions=actions)
    await chat.press("📨 Gửi kế hoạch")
    return chat


async def person_of(bot: Harness, chat: Chat) -> Person:
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    assert person is not None
    return person


async def checks(bot: Harness) -> list[dict[str, object]]:
    """Every stored self-check."""
    async with bot.store.engine.connect() as conn:
        found = await conn.execute(select(midyear_checks).order_by(midyear_checks.c.id))
        return [dict(row) for row in found.mappings()]


async def updates(bot: Harness) -> list[dict[str, object]]:
    """Every progress row, oldest first."""
    async with bot.store.engine.connect() as conn:
        found = await conn.execute(select(progress_updates).order_by(progress_updates.c.id))
        return [dict(row) for row in found.mappings()]


async def test_a_member_goes_through_the_self_check_and_submits_it(bot: Harness) -> None:
    """From "📝 Kế hoạch của tôi": action 1 shown with its progress and updated with a note,
    action 2 left as it is, the self-assessment typed, reviewed and sent; stored once; it can
    be taken back and sent again; the secretary's view and export say it was sent."""
    await bot.open_campaign(schedule=ON)
    an = await signed_in(bot, "An", "0912345678")  # the cell's secretary
    binh = await handed_in(bot, "Bình", "0987654321")
    assert OPEN in binh.buttons()
    bot.clock.set(datetime(2022, 6, 2, 9, 0, tzinfo=VN))
    await binh.press("📈 Cập nhật tiến độ")
    await binh.press("Việc 1")
    await binh.press("⏳ Đang thực hiện")
    await binh.send("Đã thăm 2 hộ")

    bot.clock.set(datetime(2022, 6, 30, 9, 0, tzinfo=VN))
    await binh.press("📝 Kế hoạch của tôi")
    [first] = await binh.press(OPEN)
    assert "Tự kiểm tra giữa kỳ năm 2022" in first.plain and "Việc 1/2" in first.plain
    assert "Hiện nay: Đang thực hiện (02/06/2022) — Đã thăm 2 hộ" in first.plain
    [ask] = await binh.press("✅ Đã thực hiện")
    assert "Đồng chí ghi ngắn gọn" in ask.plain
    [saved] = await binh.send("Đã thăm đủ 5 hộ")
    assert "Đã ghi tiến độ việc 1: Đã thực hiện, ngày 30/06/2022" in saved.plain
    assert "Hiện nay: Đã thực hiện (30/06/2022) — Đã thăm đủ 5 hộ" in saved.plain
    [second] = await binh.press("Tiếp ▶️")
    assert "Việc 2/2" in second.plain and "Hiện nay: chưa cập nhật" in second.plain
    [question] = await binh.press("Tiếp ▶️")
    assert "Tự đánh giá giữa kỳ" in question.plain and "nửa đầu năm 2022" in question.plain
    [review] = await binh.send("Việc 1 đã xong; việc 2 chậm vì thời tiết, sẽ làm trong quý III.")
    assert "Xem lại trước khi gửi" in review.plain
    assert "1. Việc làm số 1: thăm hộ dân — Đã thực hiện (30/06/2022) — Đã thăm đủ 5 hộ" in (
        review.plain
    )
    assert "Tự đánh giá giữa kỳ: Việc 1 đã xong; việc 2 chậm" in review.plain
    [sent] = await binh.press("📨 Gửi tự kiểm tra giữa kỳ")
    assert "Đồng chí đã gửi bản tự kiểm tra giữa kỳ năm 2022 ngày 30/06/2022" in sent.plain
    assert [(r["status"], r["answer"]) for r in await checks(bot)] == [
        ("submitted", "Việc 1 đã xong; việc 2 chậm vì thời tiết, sẽ làm trong quý III.")
    ]
    assert [(u["item"], u["status"], u["note"]) for u in await updates(bot)] == [
        (0, "doing", "Đã thăm 2 hộ"),
        (0, "done", "Đã thăm đủ 5 hộ"),  # history kept: a new row
    ]
    [menu] = await binh.send("chữ gõ sau khi gửi")  # no longer taken as the answer
    assert "Tự đánh giá giữa kỳ" not in menu.plain
    assert (await checks(bot))[0]["answer"].startswith("Việc 1 đã xong")  # type: ignore[union-attr]

    # Taken back, changed, sent again.
    await binh.press("📝 Kế hoạch của tôi")
    await binh.press(OPEN)
    [back] = await binh.press("↩️ Rút lại để sửa")
    assert "Xem lại trước khi gửi" in back.plain
    [asked] = await binh.press("✏️ Sửa tự đánh giá")
    assert "Đã ghi: Việc 1 đã xong" in asked.plain
    await binh.send("Việc 1 xong, việc 2 làm trong quý III.")
    await binh.press("📨 Gửi tự kiểm tra giữa kỳ")
    [row] = await checks(bot)
    assert (row["status"], row["answer"]) == ("submitted", "Việc 1 xong, việc 2 làm trong quý III.")

    # The secretary's progress view and the unit's export.
    await an.send("/duyet")
    [view] = await an.press("📊 Tiến độ thực hiện kế hoạch")
    lines = view.plain.splitlines()
    at = next(i for i, line in enumerate(lines) if "Trần Thị Bình" in line)
    assert lines[at + 1].strip() == "🪞 Tự kiểm tra giữa kỳ: đã gửi 30/06/2022"
    secretary = await person_of(bot, an)
    export = await bot.services.desk.export(secretary)
    from bot.office.plan_sheet import plans_xlsx

    book = load_workbook(io.BytesIO(plans_xlsx(bot.services.catalog, export.export)))  # type: ignore[union-attr]
    sheet = book["Tiến độ"]
    header = [cell.value for cell in sheet[1]]
    assert header[-1] == "Tự kiểm tra giữa kỳ"
    rows = {r[0]: r for r in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["Trần Thị Bình"][-1] == "đã gửi 30/06/2022"


async def test_the_year_end_draft_quotes_the_mid_year_self_assessment(bot: Harness) -> None:
    """A sent self-check's answer is a line of the drafted commitment, with its day."""
    await bot.open_campaign(schedule=ON)
    binh = await handed_in(bot, "Bình", "0987654321", actions=1)
    member = await person_of(bot, binh)
    bot.clock.set(datetime(2022, 7, 1, 9, 0, tzinfo=VN))
    await binh.press(OPEN)
    await binh.press("Tiếp ▶️")
    await binh.send("Nửa năm đầu đã làm đúng kế hoạch.")
    await binh.press("📨 Gửi tự kiểm tra giữa kỳ")
    bot.clock.set(datetime(2022, 12, 10, 9, 0, tzinfo=VN))
    screen = await bot.services.yearend.open(member)
    text = str(screen.plan.draft.answers["commitment"])  # type: ignore[union-attr]
    assert "Tự đánh giá giữa kỳ (gửi ngày 01/07/2022): Nửa năm đầu đã làm đúng kế hoạch." in text


async def test_forged_presses_and_another_members_check_are_refused(bot: Harness) -> None:
    """Action numbers past the presser's own plan, steps past the end, malformed data: the
    current step with a notice, nothing recorded; a typed answer under another member's
    check id is not taken; nobody without a handed-in plan gets a check."""
    await bot.open_campaign(schedule=ON)
    binh = await handed_in(bot, "Bình", "0987654321", actions=1)
    cuong = await signed_in(bot, "Cường", "0905111222")  # no plan
    [none] = await cuong.press_data(MidyearPress(MidyearCode.OPEN).pack())
    assert "chưa có kế hoạch đã gửi năm 2022" in none.plain
    assert await checks(bot) == []

    await binh.press(OPEN)
    for forged in ("9.done", "0.nope", "x", "-1.done", "99999999999.done"):
        [shown] = await binh.press_data(MidyearPress(MidyearCode.SAVE, forged).pack())
        assert "Lựa chọn này không còn dùng được" in shown.plain
        assert "Việc 1/1" in shown.plain
    [shown] = await binh.press_data(MidyearPress(MidyearCode.STEP, "7").pack())
    assert "Lựa chọn này không còn dùng được" in shown.plain
    assert await updates(bot) == []
    before = len(binh.messages)
    await binh.press_data("h:zz:0")  # not a self-check code
    assert len(binh.messages) == before  # a toast only

    # The stored pending names another person's check: the text is not taken for anyone.
    [check] = await checks(bot)
    cuong_person = await person_of(bot, cuong)
    await bot.store.schedule.set_pending(
        cuong_person.id,
        MidyearAnswer(int(check["id"])),
        bot.clock.now(),  # type: ignore[arg-type]
    )
    [answer] = await cuong.send("ghi vào bản của người khác")
    assert "chưa có kế hoạch đã gửi" in answer.plain
    [row] = await checks(bot)
    assert row["answer"] == "" and row["person_id"] != cuong_person.id
    assert await bot.store.schedule.pending(cuong_person.id) is None


async def test_a_campaign_without_the_self_check_offers_nothing(bot: Harness) -> None:
    """Off (the default): no entry under the plan, a press of it says so, no row is made; the
    secretary's view has no self-check line."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await handed_in(bot, "Bình", "0987654321")
    assert OPEN not in binh.buttons()
    [off] = await binh.press_data(MidyearPress(MidyearCode.OPEN).pack())
    assert "không có phần tự kiểm tra giữa kỳ" in off.plain
    assert await checks(bot) == []
    await an.send("/duyet")
    [view] = await an.press("📊 Tiến độ thực hiện kế hoạch")
    assert "Tự kiểm tra giữa kỳ" not in view.plain


async def test_huy_drops_the_answer_being_typed(bot: Harness) -> None:
    """/huy at the question: the check stays at its step, the next text is not an answer."""
    await bot.open_campaign(schedule=ON)
    binh = await handed_in(bot, "Bình", "0987654321", actions=1)
    await binh.press(OPEN)
    await binh.press("Tiếp ▶️")
    [stopped] = await binh.send("/huy")
    assert "Đã thôi; phần tự kiểm tra giữa kỳ đã ghi được giữ nguyên" in stopped.plain
    await binh.send("không phải câu trả lời")
    [row] = await checks(bot)
    assert (row["answer"], row["status"]) == ("", CheckStatus.DRAFT.value)
    [again] = await binh.press_data(MidyearPress(MidyearCode.OPEN).pack())
    assert "Tự đánh giá giữa kỳ" in again.plain  # resumed at the question


async def test_the_mid_year_prompt_offers_the_self_check_only_when_it_is_on(bot: Harness) -> None:
    """30/06 08:00 with the self-check on: the prompt has its button beside the progress one,
    and it opens the member's first action; with it off the prompt has the progress one only."""
    await bot.open_campaign(schedule=ON)
    binh = await handed_in(bot, "Bình", "0987654321")
    bot.clock.set(datetime(2022, 6, 30, 8, 0, tzinfo=VN))
    assert "progress:midyear:2022" in (await bot.sweep()).sent
    await bot.drain_outbox()
    assert "giữa năm 2022" in binh.last.plain
    assert binh.buttons()[:2] == ["📈 Cập nhật tiến độ", OPEN]
    [first] = await binh.press(OPEN)
    assert "Việc 1/2" in first.plain


async def test_without_the_self_check_the_mid_year_prompt_has_only_progress(bot: Harness) -> None:
    """The campaign's default (off): the mid-year prompt offers progress, not the self-check."""
    await bot.open_campaign()
    binh = await handed_in(bot, "Bình", "0987654321")
    bot.clock.set(datetime(2022, 6, 30, 8, 0, tzinfo=VN))
    assert "progress:midyear:2022" in (await bot.sweep()).sent
    await bot.drain_outbox()
    assert "giữa năm 2022" in binh.last.plain
    assert "📈 Cập nhật tiến độ" in binh.buttons() and OPEN not in binh.buttons()
