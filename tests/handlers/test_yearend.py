"""The year-end review draft: built from a handed-in plan, its progress and the meetings the
member attended; edited and submitted in the form engine; its DOCX opened and read; the
secretary's cell summary. The plan and progress are typed over the real bot (PTB Application,
offline Bot API); the meetings are stored as a secretary records them."""

from __future__ import annotations

import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

from docx import Document

from bot.domain.callbacks import PlanCode
from bot.domain.meetings import MeetingKind, MeetingRecord, Outcome
from bot.domain.models import Category, Channel, Person
from bot.domain.plans import PlanStatus
from bot.domain.telegram_html import utf16_len
from bot.locales import Catalog
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness
from bot.services.plan_screens import HandedIn, Review
from bot.services.plan_view import PlanPresenter
from bot.services.replies import Presenter
from bot.services.yearend import CellSummary, NoPlanYet, SummaryLine
from bot.services.yearend_view import YearEndPresenter
from storage.meeting_book_repo import MeetingBookRepository
from tests.helpers import fill_mau_01, signed_in
from tests.services.test_documents import person as make_person

VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def person_of(bot: Harness, chat: Chat) -> Person:
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    assert person is not None
    return person


async def held(
    bot: Harness, secretary: Person, day: date, kind: MeetingKind, absent: tuple[int, ...]
) -> None:
    """A meeting of the secretary's cell recorded as held, with who was absent."""
    book = MeetingBookRepository(bot.store.database)
    await book.add_recorded(
        unit_id=secretary.unit_id,
        kind=kind,
        starts_at=datetime.combine(day, datetime.min.time(), VN).replace(hour=19),
        place="Nhà văn hóa thôn",
        topic="Chuyên đề năm 2022",
        by=secretary.id,
        record=MeetingRecord(
            Outcome.HELD, held_on=day, present=10, absent=len(absent), absent_ids=absent
        ),
        now=bot.clock.now(),
    )


async def test_the_draft_is_built_edited_submitted_and_printed(bot: Harness) -> None:
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")  # the cell's secretary
    binh = await signed_in(bot, "Bình", "0987654321")
    cuong = await signed_in(bot, "Cường", "0905111222")
    secretary, member = await person_of(bot, an), await person_of(bot, binh)
    service = bot.services.yearend

    assert isinstance(await service.open(member), NoPlanYet)  # nothing handed in yet
    await fill_mau_01(binh, actions=2)
    assert isinstance(await service.open(member), NoPlanYet)  # a draft plan is not enough
    await binh.press("📨 Gửi kế hoạch")

    bot.clock.set(datetime(2022, 6, 2, 9, 0, tzinfo=VN))
    await binh.press("📈 Cập nhật tiến độ")
    await binh.press("Việc 1")
    await binh.press("✅ Đã thực hiện")
    await binh.send("Đã thăm 5 hộ dân thôn 1")
    await held(bot, secretary, date(2022, 4, 10), MeetingKind.BRIEFING, ())
    await held(bot, secretary, date(2022, 9, 12), MeetingKind.THEMATIC, (member.id,))
    del cuong

    bot.clock.set(datetime(2022, 12, 10, 9, 0, tzinfo=VN))
    screen = await service.open(member)
    assert isinstance(screen, Review)
    assert screen.form.id == "kiem_diem"
    text = str(screen.plan.draft.answers["commitment"])
    assert "đăng ký 2 việc làm" in text and "đã thực hiện 1 việc" in text
    assert (
        "- Việc làm số 1: thăm hộ dân — Đã thực hiện (cập nhật 02/06/2022): "
        "Đã thăm 5 hộ dân thôn 1" in text
    )
    assert "- Việc làm số 2: thăm hộ dân — Chưa thực hiện" in text
    assert "Tham dự 1/2 buổi sinh hoạt chi bộ" in text
    assert "- 10/04/2022: buổi quán triệt chuyên đề — Chuyên đề năm 2022" in text
    assert "Vắng 1 buổi: 12/09/2022." in text
    assert screen.plan.draft.answers["shortcomings"] == "Phát biểu trong sinh hoạt chi bộ còn ít."
    again = await service.open(member)  # opened again: the same draft, not drafted anew
    assert again.plan.id == screen.plan.id and again.plan.rev == screen.plan.rev  # type: ignore[union-attr]

    # Submitting without the self-rating is refused, naming it.
    refused = await service.act(member, screen.plan.rev, PlanCode.SUBMIT, "")
    assert isinstance(refused, Review) and refused.missing == ("Tự đánh giá",)

    # Edit the commitment: retype it in two pieces, then the rating.
    shown = await service.act(member, screen.plan.rev, PlanCode.EDIT, "commitment")
    assert shown.plan.draft.position != screen.plan.draft.position  # type: ignore[union-attr]
    assert await service.text(member, "Đã thực hiện việc 1: thăm 5 hộ dân thôn 1.") is not None
    assert await service.text(member, "Việc 2 chuyển sang quý I năm sau.") is not None
    current = await service.open(member)
    done = await service.act(member, current.plan.rev, PlanCode.DONE, "")  # type: ignore[union-attr]
    assert isinstance(done, Review)
    assert done.plan.draft.answers["commitment"] == (
        "Đã thực hiện việc 1: thăm 5 hộ dân thôn 1.\nViệc 2 chuyển sang quý I năm sau."
    )
    stale = await service.act(member, screen.plan.rev, PlanCode.EDIT, "rating")
    assert isinstance(stale, Review) and stale.notice == "plan.notice.stale"
    asking = await service.act(member, done.plan.rev, PlanCode.EDIT, "rating")
    rated = await service.act(member, asking.plan.rev, PlanCode.CHOICE, "1")  # type: ignore[union-attr]
    assert rated.plan.draft.answers["rating"] == "Tốt"  # type: ignore[union-attr]
    sent = await service.act(member, rated.plan.rev, PlanCode.SUBMIT, "")  # type: ignore[union-attr]
    assert isinstance(sent, HandedIn) and sent.plan.status is PlanStatus.SUBMITTED
    assert await service.text(member, "sửa sau khi gửi") is None  # no longer takes text
    late = await service.act(member, sent.plan.rev, PlanCode.EDIT, "rating")
    assert isinstance(late, HandedIn) and late.plan.rev == sent.plan.rev

    # The DOCX: the title, the member's name, an action with its progress, the rating.
    document = await service.document(member)
    assert document is not None and document.filename == "kiem-diem-dv002-2022.docx"
    paragraphs = [p.text for p in Document(io.BytesIO(document.content)).paragraphs]
    body = "\n".join(paragraphs)
    assert "DỰ THẢO PHẦN KIỂM ĐIỂM VIỆC THỰC HIỆN CAM KẾT" in body
    assert "Trần Thị Bình" in body
    assert "Đã thực hiện việc 1: thăm 5 hộ dân thôn 1." in body
    assert "Tốt" in body
    assert "VIỆC THỰC HIỆN CAM KẾT TU DƯỠNG, RÈN LUYỆN, PHẤN ĐẤU HẰNG NĂM" in body

    # The secretary's cell summary; a member may not see it.
    assert await service.cell(member) is None
    summary = await service.cell(secretary)
    assert summary is not None
    lines = {line.name: line for line in summary.lines}
    binh_line = lines["Trần Thị Bình"]
    assert (binh_line.plan, binh_line.actions, binh_line.done) == ("submitted", 2, 1)
    assert (binh_line.attended, binh_line.held, binh_line.draft) == (1, 2, "submitted")
    an_line = lines["Nguyễn Văn An"]
    assert (an_line.plan, an_line.attended, an_line.held, an_line.draft) == ("none", 2, 2, "none")
    text = service.summary_text(summary, "Chi bộ thôn 1")
    assert (
        "Trần Thị Bình: kế hoạch đã gửi; đã thực hiện 1/2 việc; dự 1/2 buổi sinh hoạt; "
        "dự thảo kiểm điểm đã gửi" in text
    )
    assert "Phạm Minh Đức" not in text  # another cell


async def test_on_telegram_a_member_drafts_edits_submits_and_downloads(bot: Harness) -> None:
    """Over the real PTB Application and the offline Bot API: from the handed-in plan to the
    draft, its full text, the rating chosen, sent, the Word file; a forged press reaches
    nobody's draft; the secretary's summary."""
    await bot.open_campaign()
    an = await signed_in(bot, "An", "0912345678")
    binh = await signed_in(bot, "Bình", "0987654321")
    secretary = await person_of(bot, an)
    await fill_mau_01(binh, actions=2)
    assert "📋 Dự thảo kiểm điểm cuối năm" not in binh.buttons()  # the plan is not sent yet
    await binh.press("📨 Gửi kế hoạch")
    bot.clock.set(datetime(2022, 6, 2, 9, 0, tzinfo=VN))
    await binh.press("📈 Cập nhật tiến độ")
    await binh.press("Việc 1")
    await binh.press("✅ Đã thực hiện")
    await binh.send("Đã thăm 5 hộ dân thôn 1")
    await held(bot, secretary, date(2022, 4, 10), MeetingKind.BRIEFING, ())

    bot.clock.set(datetime(2022, 12, 10, 9, 0, tzinfo=VN))
    [plan] = await binh.press("📝 Kế hoạch của tôi")
    assert "Kế hoạch đã gửi" in plan.plain or "đã gửi" in plan.plain
    assert "📋 Dự thảo kiểm điểm cuối năm" in binh.buttons()
    full, review = await binh.press("📋 Dự thảo kiểm điểm cuối năm")
    assert "Dự thảo đầy đủ" in full.plain
    assert "- Việc làm số 1: thăm hộ dân — Đã thực hiện (cập nhật 02/06/2022)" in full.plain
    assert "Tham dự 1/1 buổi sinh hoạt chi bộ" in full.plain
    assert "Dự thảo phần cam kết tu dưỡng" in review.plain
    assert "📨 Gửi dự thảo kiểm điểm" in binh.buttons()
    assert "📈 Cập nhật tiến độ" not in binh.buttons()  # the plan's extras are not here

    [refused] = await binh.press("📨 Gửi dự thảo kiểm điểm")
    assert "Tự đánh giá" in refused.plain
    await binh.press("Sửa: Tự đánh giá")
    [stopped] = await binh.send("/huy")  # typing is dropped: later text is no answer
    assert "Đã thôi sửa dự thảo kiểm điểm" in stopped.plain
    [menu] = await binh.send("Tốt")
    assert "Tự đánh giá" not in menu.plain
    await binh.press("📝 Kế hoạch của tôi")
    await binh.press("📋 Dự thảo kiểm điểm cuối năm")
    [asking] = await binh.press("Sửa: Tự đánh giá")
    assert "tự đánh giá mức thực hiện cam kết" in asking.plain
    await binh.press("Tốt")
    [sent] = await binh.press("📨 Gửi dự thảo kiểm điểm")
    assert "Đồng chí đã gửi dự thảo phần Việc thực hiện cam kết" in sent.plain
    *_, word = await binh.press("📄 Tải bản Word dự thảo")
    assert word.kind == "document" and word.file_name == "kiem-diem-dv002-2022.docx"
    body = "\n".join(p.text for p in Document(io.BytesIO(word.file_bytes or b"")).paragraphs)
    assert "Trần Thị Bình" in body and "Tốt" in body
    assert "Việc làm số 1: thăm hộ dân — Đã thực hiện (cập nhật 02/06/2022)" in body

    # A forged press (any revision, any code) acts on the presser's own draft only: An has
    # handed in no plan, so there is nothing of Bình's to see or change.
    [forged] = await an.press_data("k:9:sb:")
    assert "chưa gửi kế hoạch năm 2022" in forged.plain
    assert await an.press_data("k:x:zz:") == []  # malformed: only the stale notice (a toast)
    await an.send("/duyet")
    await an.press("📊 Tiến độ thực hiện kế hoạch")
    summary = await an.press("📋 Tổng hợp kiểm điểm cuối năm")
    assert "Trần Thị Bình: kế hoạch đã gửi; đã thực hiện 1/2 việc; dự 1/1 buổi" in summary[0].plain
    [no] = await binh.press_data("k:0:go:cell")
    assert "không có quyền dùng chức năng này" in no.plain


def test_a_long_summary_keeps_to_one_message() -> None:
    """A commune-wide summary of 300 members: whole lines within Telegram's limit, then how
    many were left out."""
    catalog = Catalog.load()
    view = YearEndPresenter(catalog, Presenter(catalog, None), PlanPresenter(catalog, VN))
    viewer = make_person(Category.PARTY_MEMBER, "Đảng bộ xã Phú Lạc")
    lines = tuple(
        SummaryLine(i, f"Đảng viên số {i}", "submitted", 3, 1, 2, 4, "draft") for i in range(300)
    )
    text = "\n".join(["Tổng hợp"] + [f"{line.name}: kế hoạch đã gửi; …" * 3 for line in lines])
    reply = view.cell(CellSummary(viewer, 2022, lines), text)
    assert utf16_len(reply.text) <= 3600
    assert reply.text.splitlines()[-1].startswith("… (còn ")
