"""The personal plan conversation as members live it, from the first question to the document."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from docx import Document

from bot.domain.models import Channel
from bot.domain.plans import PlanStatus
from bot.sandbox.chat import Chat
from bot.sandbox.harness import Harness, running_bot
from bot.services.review import Verdict
from tests.conftest import ROSTER
from tests.helpers import EXTRA, STUDY, fill_mau_01, fill_mau_2a, plan_of, signed_in


@pytest.fixture
async def plan_bot(bot: Harness) -> Harness:
    """The bot with the 2022 campaign open and a few more people on the roster."""
    await bot.open_campaign()
    outcome = await bot.load_roster(ROSTER.strip() + EXTRA)
    assert outcome.summary is not None, outcome.parsed.errors
    return bot


async def test_mau_01_start_to_finish_with_document_and_secretary_notice(plan_bot: Harness) -> None:
    """A party member fills Mẫu 01, submits, gets the DOCX; the cell secretary is told."""
    bot = plan_bot
    secretary = await signed_in(bot, "An", "0912345678")
    chat = await signed_in(bot, "Bình", "0987654321")
    [first] = await chat.press("📝 Kế hoạch của tôi")
    assert (
        "Câu 1/6" in first.plain and "Trần Thị Bình" in first.plain and "02/09/1988" in first.plain
    )
    await fill_mau_01(chat)
    review = chat.last
    assert "Xem lại kế hoạch" in review.plain and "Việc làm số 2" in review.plain
    assert "Sửa: Nội dung học tập" in chat.buttons()
    [reply] = await chat.press("📨 Gửi kế hoạch")
    assert "Đã gửi kế hoạch" in reply.plain and "đã gửi, chờ xác nhận" in reply.plain
    assert await bot.drain_outbox() == 2  # the member's document first, then the secretary's notice
    document = chat.last
    assert document.kind == "document" and document.file_name == "ke-hoach-dv002-2022.docx"
    assert "Văn bản kế hoạch cá nhân" in document.plain
    plan = await plan_of(bot, chat)
    assert plan.status is PlanStatus.SUBMITTED and not plan.late
    assert plan.draft.answers["study"] == STUDY
    assert [a["action"] for a in plan.draft.answers["actions"]] == [
        "Việc làm số 1: thăm hộ dân",
        "Việc làm số 2: thăm hộ dân",
    ]
    assert "Trần Thị Bình" in secretary.last.plain and "vừa gửi kế hoạch" in secretary.last.plain


async def test_mau_2a_and_2b_reach_their_heads(plan_bot: Harness) -> None:
    """Staff get Mẫu 2A (head of unit notified); an individual gets Mẫu 2B with its choice list."""
    bot = plan_bot
    head = await signed_in(bot, "Em", "0338123456")
    staff = await signed_in(bot, "Phú", "0355000111")
    [step] = await staff.press("📝 Kế hoạch của tôi")
    assert "Câu 1/5" in step.plain and "Đoàn thể, hội" in step.plain
    await fill_mau_2a(staff)
    await staff.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()
    assert staff.last.kind == "document"
    assert "Đinh Văn Phú" in head.last.plain

    village_head = await signed_in(bot, "Khải", "0355000333")
    person = await signed_in(bot, "Lan", "0355000222")
    [step] = await person.press("📝 Kế hoạch của tôi")
    assert "Câu 1/4" in step.plain
    await person.press("✅ Thông tin đúng")
    await person.send("Số 12, khu phố 1")
    [choice] = await person.send("Hội Bóng đá")
    assert "chọn một mục" in choice.plain
    await person.press("Hội Phụ nữ")
    for n in (1, 2):
        if n == 2:
            await person.press("➕ Thêm Việc")
        await person.send(f"Giữ vệ sinh đường làng, việc {n}")
        await person.send("Hằng tuần")
    await person.press("✅ Xong, sang phần tiếp")
    await person.press("📨 Gửi kế hoạch")
    plan = await plan_of(bot, person)
    assert plan.form_id == "mau_2b" and plan.draft.answers["registered_with"] == "Hội Phụ nữ"
    await bot.drain_outbox()
    assert "Mai Thị Lan" in village_head.last.plain


async def test_exempt_member_is_not_required_but_may_volunteer(plan_bot: Harness) -> None:
    """A retired member is told politely; "Vẫn xây dựng" starts a voluntary plan."""
    chat = await signed_in(plan_bot, "Cường", "0905111222")
    [reply] = await chat.press("📝 Kế hoạch của tôi")
    assert "không bắt buộc" in reply.plain and "Hưu trí" in reply.plain
    assert await plan_of(plan_bot, chat) is None
    [step] = await chat.press("📝 Vẫn xây dựng kế hoạch")
    assert "Câu 1/6" in step.plain
    plan = await plan_of(plan_bot, chat)
    assert plan is not None and plan.voluntary


async def test_back_skip_edit_keep_and_long_answers(plan_bot: Harness) -> None:
    """Back returns to the previous question; edits from the review come back to it."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("Sửa: Chức vụ chính quyền")
    [reply] = await chat.send("Trưởng ban công tác Mặt trận")
    assert "Trưởng ban công tác Mặt trận" in reply.plain
    await chat.press("✅ Thông tin đúng")
    [reply] = await chat.send("Phần đầu câu trả lời,")
    assert reply.plain.startswith("Đã ghi 21 ký tự")
    await chat.send("phần sau của câu trả lời.")
    [short] = await chat.send("xong")  # typing "xong" works like the button
    assert "Câu 3/6" in short.plain
    [back] = await chat.press("⬅️ Quay lại")
    assert "Câu 2/6" in back.plain and "Phần đầu câu trả lời," in back.plain
    [kept] = await chat.press("↩️ Giữ nguyên")
    assert "Câu 3/6" in kept.plain
    plan = await plan_of(plan_bot, chat)
    assert plan.draft.answers["study"] == "Phần đầu câu trả lời,\nphần sau của câu trả lời."
    assert plan.draft.answers["id.gov_position"] == "Trưởng ban công tác Mặt trận"


async def test_review_edit_and_delete_come_back_to_the_review(plan_bot: Harness) -> None:
    """From the review: Sửa one answer, Sửa one action, Xóa one action."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(chat, actions=3)
    await chat.press("Sửa: Giải pháp thực hiện")
    await chat.send("Giải pháp mới, cụ thể hơn trước")
    [review] = await chat.press("✅ Xong")
    assert "Xem lại kế hoạch" in review.plain and "Giải pháp mới" in review.plain
    await chat.press("Sửa Việc 2")
    await chat.send("Việc thứ hai đã sửa lại")
    await chat.press("↩️ Giữ nguyên")
    [review] = await chat.press("↩️ Giữ nguyên")
    assert "Việc thứ hai đã sửa lại" in review.plain
    [ask] = await chat.press("🗑 Xóa Việc 1")
    assert "Chắc chắn?" in ask.plain
    [review] = await chat.press("Có")
    plan = await plan_of(plan_bot, chat)
    assert [a["action"] for a in plan.draft.answers["actions"]] == [
        "Việc thứ hai đã sửa lại",
        "Việc làm số 3: thăm hộ dân",
    ]


async def test_restart_mid_form_continues_with_a_new_application(
    db_url: str, plan_bot: Harness
) -> None:
    """A new Application on the same database continues exactly where the member was."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    await chat.send("Một nửa câu trả lời về học tập,")
    async with running_bot(db_url, plan_bot.api) as restarted:
        again = Chat(restarted.api, restarted.feed, chat.user)
        [reply] = await again.send("và nửa còn lại sau khi bot khởi động lại.")
        assert "Đã ghi" in reply.plain
        [step] = await again.press("✅ Xong")
        assert "Câu 3/6" in step.plain
        plan = await plan_of(restarted, chat)
        assert plan is not None
        assert plan.draft.answers["study"].endswith("sau khi bot khởi động lại.")
        assert restarted.errors == []


async def test_a_message_delivered_twice_after_a_crash_is_taken_once(
    db_url: str, plan_bot: Harness
) -> None:
    """Telegram sends an unconfirmed update again after a restart: the answer is not repeated
    in a long answer, nor taken as the answer to the next question."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    await chat.send("Học tập phần một: Quy định 08 về trách nhiệm nêu gương.")
    async with running_bot(db_url, plan_bot.api) as restarted:
        again = Chat(restarted.api, restarted.feed, chat.user)
        again.last_update = chat.last_update
        [reply] = await again.redeliver()  # the same piece again: shown the step, not stored
        study = "Học tập phần một: Quy định 08 về trách nhiệm nêu gương."
        assert "Câu 2/6" in reply.plain and f"Đã ghi {len(study)} ký tự" in reply.plain  # once
        await again.press("✅ Xong")
        await again.send("Hạn chế: phát biểu trong sinh hoạt còn ít.")
        await again.press("✅ Xong")
        await again.send("Việc làm số 1")
        [next_question] = await again.redeliver()  # must not become the deadline's answer
        plan = await plan_of(restarted, chat)
        assert plan is not None
        assert (
            plan.draft.answers["study"] == "Học tập phần một: Quy định 08 về trách nhiệm nêu gương."
        )
        assert plan.draft.answers["actions"] == [{"action": "Việc làm số 1"}]
        assert "Việc 1 — Thời gian thực hiện" in next_question.plain  # still asked
        assert restarted.errors == []


async def test_a_typed_number_delivered_twice_is_taken_once(db_url: str, plan_bot: Harness) -> None:
    """A step's action chosen by typing its number (as Zalo members answer), delivered again
    after a restart: the step is shown, the number is not taken as the next question's answer."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    [first] = await chat.send("1")  # "✅ Thông tin đúng", the identity screen's first action
    assert "Câu 2/6" in first.plain
    async with running_bot(db_url, plan_bot.api) as restarted:
        again = Chat(restarted.api, restarted.feed, chat.user)
        again.last_update = chat.last_update
        [reply] = await again.redeliver()
        assert "Câu 2/6" in reply.plain and "Đã ghi" not in reply.plain
        plan = await plan_of(restarted, chat)
        assert plan is not None and plan.draft.buffer == "" and "study" not in plan.draft.answers
        assert restarted.errors == []


async def test_a_button_press_delivered_twice_is_not_an_error(plan_bot: Harness) -> None:
    """A press answered before a crash comes again: Telegram refuses a second answer to the
    query, and the member sees the current step, not "có lỗi"."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    [question] = await chat.press("✅ Thông tin đúng")
    assert "Câu 2/6" in question.plain
    replies = await chat.redeliver()
    assert all("lỗi" not in m.plain for m in replies)
    refused = [c for c in plan_bot.api.calls_of("answerCallbackQuery") if c.status == 400]
    assert len(refused) == 1  # the second answer to the same query
    plan_bot.api.calls.remove(refused[0])  # expected here; the fixture checks for others
    assert plan_bot.errors == []
    [step] = await chat.send("Học tập chuyên đề qua tài liệu.")
    assert "Đã ghi 31 ký tự" in step.plain  # the press did not move the form twice


async def test_stale_buttons_and_wrong_message_types(plan_bot: Harness) -> None:
    """An old button shows the current step and changes nothing; a sticker gets a re-ask."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    [identity] = await chat.press("📝 Kế hoạch de tôi".replace("de", "của"))
    old = next(  # read before the next step folds that message and takes its buttons away
        b["callback_data"] for b in identity.inline_buttons() if b["text"] == "✅ Thông tin đúng"
    )
    await chat.press("✅ Thông tin đúng")
    [reply] = await chat.press_data(old, identity)
    assert "bước cũ" in reply.plain and "Câu 2/6" in reply.plain
    [reply] = await chat.send_other("sticker")
    assert "tin nhắn chữ" in reply.plain and "Câu 2/6" in reply.plain
    [reply] = await chat.press_data("p:999:sb:")
    assert "bước cũ" in reply.plain
    plan = await plan_of(plan_bot, chat)
    assert plan.status is PlanStatus.DRAFT and plan.draft.position == "q:study"


async def test_cancel_help_and_menu_work_mid_form(plan_bot: Harness) -> None:
    """/huy keeps the draft and stops taking answers; the menu works; the plan resumes."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    [card] = await chat.press("👤 Thông tin của tôi")
    assert "Mã: DV002" in card.plain
    [paused] = await chat.send("/huy")
    assert "Đã lưu bản nháp" in paused.plain
    [menu] = await chat.send("Câu này không phải câu trả lời")
    assert "Vui lòng chọn một mục trong menu" in menu.plain
    [help_reply] = await chat.send("/help")
    assert "/kehoach" in help_reply.plain
    [step] = await chat.press("📝 Kế hoạch của tôi")
    assert "Câu 2/6" in step.plain
    plan = await plan_of(plan_bot, chat)
    assert "study" not in plan.draft.answers


async def test_deadline_passed_submission_is_late_and_cannot_be_reopened(plan_bot: Harness) -> None:
    """After 30/04 a plan is still accepted, marked late, and not reopened by the member."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(chat, actions=1)
    plan_bot.clock.set(datetime(2022, 4, 30, 17, 30, tzinfo=UTC))  # 1 May 00:30 in Vietnam
    [reply] = await chat.press("📨 Gửi kế hoạch")
    assert "sau hạn nộp" in reply.plain and "Nộp sau hạn" in reply.plain
    assert "✏️ Sửa lại" not in chat.buttons()
    plan = await plan_of(plan_bot, chat)
    assert plan.late and plan.status is PlanStatus.SUBMITTED


async def test_reopen_before_deadline_then_resubmit_keeps_history(plan_bot: Harness) -> None:
    """Before the deadline a submitted plan can be reopened, changed and sent again."""
    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await fill_mau_01(chat, actions=1)
    await chat.press("📨 Gửi kế hoạch")
    await chat.press("✏️ Sửa lại")
    await chat.press("Sửa: Giải pháp thực hiện")
    await chat.send("Giải pháp đã sửa sau khi mở lại")
    await chat.press("✅ Xong")
    await chat.press("📨 Gửi kế hoạch")
    plan = await plan_of(plan_bot, chat)
    events = await plan_bot.store.plans.events(plan.id)
    assert [ev.kind for ev in events] == ["submitted", "reopened", "resubmitted"]
    assert events[-1].detail["changed"] == ["solutions"]


async def test_return_with_comment_and_resubmit(plan_bot: Harness) -> None:
    """The secretary returns the plan with a comment; the member sees it, edits, resubmits."""
    bot = plan_bot
    secretary = await signed_in(bot, "An", "0912345678")
    chat = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(chat, actions=1)
    await chat.press("📨 Gửi kế hoạch")
    plan = await plan_of(bot, chat)
    an = await bot.services.signin.whoami(Channel.TELEGRAM, str(secretary.user.id))
    outsider = await bot.services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    assert an is not None and outsider is not None
    assert await bot.services.review.decide(outsider, plan.id, confirm=True) is Verdict.NOT_ALLOWED
    assert await bot.services.review.decide(an, plan.id, confirm=False) is Verdict.NEED_COMMENT
    verdict = await bot.services.review.decide(
        an, plan.id, confirm=False, comment="Cần ghi rõ <số hộ>"
    )
    assert verdict is Verdict.DONE
    await bot.drain_outbox()
    assert "Cần ghi rõ <số hộ>" in chat.last.plain
    [step] = await chat.press("📝 Kế hoạch của tôi")
    assert "trả lại để sửa" in step.plain and "Cần ghi rõ <số hộ>" in step.plain
    await chat.press("Sửa Việc 1")
    await chat.send("Thăm 60 hộ dân trong năm")
    await chat.press("↩️ Giữ nguyên")
    await chat.press("↩️ Giữ nguyên")
    await chat.press("📨 Gửi kế hoạch")
    plan = await plan_of(bot, chat)
    assert plan.status is PlanStatus.SUBMITTED
    assert await bot.services.review.decide(an, plan.id, confirm=True) is Verdict.DONE
    kinds = [ev.kind for ev in await bot.store.plans.events(plan.id)]
    assert kinds == ["submitted", "returned", "resubmitted", "confirmed"]


async def test_two_members_interleaved_keep_their_own_answers(plan_bot: Harness) -> None:
    """Answers of two members typed in turn land in each one's own plan."""
    one = await signed_in(plan_bot, "Bình", "0987654321")
    two = await signed_in(plan_bot, "Đức", "0912000999")
    batch = await plan_bot.services.roster.issue_invites(None, None)
    await two.send(next(r.code for r in batch.open if r.person_code == "DV004"))
    for chat in (one, two):
        await chat.press("📝 Kế hoạch của tôi")
        await chat.press("✅ Thông tin đúng")
    await one.send("Câu trả lời học tập của Bình, đủ dài")
    await two.send("Câu trả lời học tập của Đức, đủ dài")
    await two.press("✅ Xong")
    await one.press("✅ Xong")
    first, second = await plan_of(plan_bot, one), await plan_of(plan_bot, two)
    assert first.draft.answers["study"] == "Câu trả lời học tập của Bình, đủ dài"
    assert second.draft.answers["study"] == "Câu trả lời học tập của Đức, đủ dài"


def _texts(document: Document) -> str:  # type: ignore[valid-type]
    parts = [p.text for p in document.paragraphs]  # type: ignore[attr-defined]
    for table in document.tables:  # type: ignore[attr-defined]
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    return "\n".join(parts)


async def test_documents_have_the_official_layout_for_each_form(plan_bot: Harness) -> None:
    """Mẫu 01 has the party header and actions table; 2A the state header and head's block."""
    bot = plan_bot
    chat = await signed_in(bot, "Bình", "0987654321")
    await fill_mau_01(chat, actions=2)
    await chat.press("📨 Gửi kế hoạch")
    await bot.drain_outbox()
    assert chat.last.file_bytes is not None
    document = Document(io.BytesIO(chat.last.file_bytes))
    text = _texts(document)
    header = document.tables[0]
    assert "ĐẢNG CỘNG SẢN VIỆT NAM" in header.cell(0, 1).text
    assert (
        "ĐẢNG BỘ XÃ PHÚ LẠC" in header.cell(0, 0).text and "CHI BỘ THÔN 1" in header.cell(0, 0).text
    )
    assert "Tuy Phong, ngày 25 tháng 3 năm 2022" in header.cell(0, 1).text
    assert "KẾ HOẠCH CÁ NHÂN" in text and "năm 2022" in text
    assert "- Họ và tên: Trần Thị Bình" in text and "- Ngày, tháng, năm sinh: 02/09/1988" in text
    assert "I. NỘI DUNG HỌC TẬP" in text and STUDY in text
    actions = document.tables[1]
    assert [c.text for c in actions.rows[0].cells] == [
        "STT",
        "Việc làm",
        "Thời gian thực hiện",
        "Kết quả dự kiến",
    ]
    assert [c.text for c in actions.rows[2].cells][:2] == ["2", "Việc làm số 2: thăm hộ dân"]
    signatures = document.tables[-1]
    assert "XÁC NHẬN CỦA CHI ỦY" in signatures.cell(0, 0).text
    assert (
        "NGƯỜI XÂY DỰNG KẾ HOẠCH" in signatures.cell(0, 1).text
        and "Trần Thị Bình" in signatures.cell(0, 1).text
    )
    run = document.styles["Normal"].font
    assert run.name == "Times New Roman"

    staff = await signed_in(bot, "Phú", "0355000111")
    await staff.press("📝 Kế hoạch của tôi")
    [_, doc] = await staff.press_data("p:0:doc:")  # a draft's document, on request
    state = Document(io.BytesIO(doc.file_bytes or b""))
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in state.tables[0].cell(0, 1).text
    assert "Độc lập - Tự do - Hạnh phúc" in state.tables[0].cell(0, 1).text
    assert "XÁC NHẬN CỦA THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in _texts(state)


async def test_a_plan_keeps_the_form_version_it_was_written_against(
    db_url: str, plan_bot: Harness
) -> None:
    """A new form version applies to new plans; a draft started earlier keeps its questions."""
    from bot.forms import load_forms

    chat = await signed_in(plan_bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")
    forms = load_forms()
    old = forms["mau_01"]
    section = old.sections[0]
    changed_question = section.items[0].model_copy(update={"prompt": "Câu hỏi học tập kiểu mới?"})
    new_section = section.model_copy(update={"items": (changed_question,)})
    forms["mau_01"] = old.model_copy(
        update={"version": old.version + 1, "sections": (new_section, *old.sections[1:])}
    )

    from bot.app import build_services

    services = build_services(plan_bot.settings, plan_bot.store, plan_bot.clock, forms=forms)
    await services.plans.register_forms()
    person = await services.signin.whoami(Channel.TELEGRAM, str(chat.user.id))
    assert person is not None
    screen = await services.plans.open(person)
    assert screen.form is not None and screen.form.version == old.version  # the draft keeps it
    assert "Câu hỏi học tập kiểu mới" not in services.plan_view.render(screen).text

    same_version = old.model_copy(update={"title": "Đổi mà không tăng version"})
    services = build_services(
        plan_bot.settings, plan_bot.store, plan_bot.clock, forms={**forms, "mau_01": same_version}
    )
    from bot.services.plans import FormVersionConflict

    with pytest.raises(FormVersionConflict, match=f"mau_01 v{old.version}"):
        await services.plans.register_forms()


def emoji_text(limit: int) -> str:
    """Text of ``limit`` characters, mostly emoji (two UTF-16 units each, as Telegram counts),
    with a word among them (an answer of emoji alone says nothing and is refused)."""
    return ("Học " + "🌟📘🇻🇳🙏 học " * limit)[:limit].strip()


async def test_an_emoji_heavy_plan_still_reaches_review_submit_and_the_desk(
    plan_bot: Harness,
) -> None:
    """Every answer full of emoji near its maximum: each screen fits Telegram's 4096 units."""
    bot = plan_bot
    secretary = await signed_in(bot, "An", "0912345678")
    chat = await signed_in(bot, "Bình", "0987654321")
    await chat.press("📝 Kế hoạch của tôi")
    await chat.press("✅ Thông tin đúng")

    async def long_answer(limit: int) -> None:
        text = emoji_text(limit - 10)
        for start in range(0, len(text), 1000):  # as a member would: several messages
            await chat.send(text[start : start + 1000])
        await chat.press("✅ Xong")

    await long_answer(3000)
    await long_answer(2000)
    for n in range(1, 5):
        if n > 1:
            await chat.press("➕ Thêm Việc")
        await chat.send(emoji_text(495))
        await chat.send(emoji_text(98))
        await chat.send(emoji_text(295))
    await chat.press("✅ Xong, sang phần tiếp")
    await long_answer(2000)
    await long_answer(1000)
    review = chat.last
    assert "Xem lại kế hoạch" in review.plain and "📨 Gửi kế hoạch" in chat.buttons()
    [reply] = await chat.press("📨 Gửi kế hoạch")
    assert "Đã gửi kế hoạch" in reply.plain
    plan = await plan_of(bot, chat)
    assert plan.status is PlanStatus.SUBMITTED
    assert len(plan.draft.answers["actions"]) == 4
    await bot.drain_outbox()
    await secretary.press("✅ Duyệt kế hoạch")
    replies = await secretary.press("Xem: Trần Thị Bình")
    assert any("Trần Thị Bình" in r.plain for r in replies)
    assert "✅ Xác nhận" in secretary.buttons()
    assert bot.api.rejected() == []


async def test_the_workplace_column_fills_the_plans_work_unit_not_the_cell(bot: Harness) -> None:
    """Đơn vị công tác comes from the roster's Nơi công tác; the cell stays Sinh hoạt tại chi bộ."""
    await bot.open_campaign()
    roster = (
        "Mã,Họ và tên,Ngày sinh,Số điện thoại,Đối tượng,Miễn,Đơn vị,Nơi công tác\n"
        "DV002,Trần Thị Bình,02/09/1988,0987654321,Đảng viên,,"
        "Đảng bộ xã Phú Lạc / Chi bộ thôn 1,Trường Tiểu học Phú Lạc\n"
        "DV009,Phan Văn Tâm,01/01/1980,0987000111,Đảng viên,,Đảng bộ xã Phú Lạc / Chi bộ thôn 1,\n"
    )
    outcome = await bot.load_roster(roster)
    assert outcome.summary is not None, outcome.parsed.errors
    chat = await signed_in(bot, "Bình", "0987654321")
    [identity] = await chat.press("📝 Kế hoạch của tôi")
    assert "Đơn vị công tác: Trường Tiểu học Phú Lạc" in identity.plain
    assert "Sinh hoạt tại chi bộ: Chi bộ thôn 1" in identity.plain
    [_, doc] = await chat.press_data("p:0:doc:")
    text = _texts(Document(io.BytesIO(doc.file_bytes or b"")))
    assert "- Đơn vị công tác: Trường Tiểu học Phú Lạc" in text
    other = await signed_in(bot, "Tâm", "0987000111")
    [empty] = await other.press("📝 Kế hoạch của tôi")
    assert "Đơn vị công tác: (chưa có)" in empty.plain  # never a copy of the cell
