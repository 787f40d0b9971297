"""Sign-in transcripts: by contact, by invite link or typed code, and every refusal."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from bot.domain.models import Channel
from bot.sandbox.harness import Harness
from tests.helpers import fill_mau_01

VN = ZoneInfo("Asia/Ho_Chi_Minh")


async def linked_person_code(bot: Harness, user_id: int) -> str | None:
    person = await bot.services.signin.whoami(Channel.TELEGRAM, str(user_id))
    return None if person is None else person.code


async def test_start_asks_for_the_phone_with_the_contact_button(bot: Harness) -> None:
    """/start greets and offers Telegram's own share-contact button."""
    chat = bot.chat("An", phone="+84 912 345 678")
    [reply] = await chat.send("/start")
    assert "kế hoạch cá nhân" in reply.plain
    [button] = reply.keyboard_buttons()
    assert button["request_contact"] is True


async def test_sign_in_by_own_contact_links_and_shows_the_role_menu(bot: Harness) -> None:
    """Sharing one's own contact whose number is on the roster links the account."""
    chat = bot.chat("An", phone="+84 912 345 678")
    await chat.send("/start")
    [reply] = await chat.press("📱 Chia sẻ số điện thoại")
    assert "Nguyễn Văn An" in reply.plain
    assert "🏢 Đơn vị của tôi" in chat.buttons()  # a secretary's menu
    assert "📊 Thống kê danh sách" not in chat.buttons()
    assert await linked_person_code(bot, chat.user.id) == "DV001"
    assert bot.api.commands_for_chat(chat.user.id) == [
        "kehoach",
        "toi",
        "lichhop",
        "tailieu",
        "guong",
        "lienket",
        "donvi",
        "duyet",
        "baocao",
        "help",
        "huy",
    ]


async def test_someone_elses_contact_is_refused(bot: Harness) -> None:
    """A contact card of another person (not the sender's own) never links anything."""
    chat = bot.chat("Kẻ lạ", phone="0911000000")
    [reply] = await chat.share_contact("0912345678", own=False)
    assert "số điện thoại của tài khoản Telegram này" in reply.plain
    assert await linked_person_code(bot, chat.user.id) is None


@pytest.mark.parametrize("shared", ["912345678", "+1 912345678"])
async def test_a_contact_without_the_country_code_matches_nobody(bot: Harness, shared: str) -> None:
    """Telegram's own contact of a foreign or bare 9-digit number never takes 0912345678."""
    chat = bot.chat("Lạ", phone=shared)
    [reply] = await chat.share_contact(shared)
    assert "chưa có trong danh sách" in reply.plain
    assert "Nguyễn Văn An" not in reply.plain
    assert await linked_person_code(bot, chat.user.id) is None


async def test_unknown_number_gets_polite_help_and_no_data(bot: Harness) -> None:
    """A number not on the roster is told whom to contact; no roster name leaks."""
    chat = bot.chat("Khách", phone="0911000000")
    [reply] = await chat.share_contact()
    assert "chưa có trong danh sách" in reply.plain
    assert "bí thư chi bộ" in reply.plain
    for name in ("Nguyễn", "Trần", "Lê", "Phạm", "Võ", "Hồ"):
        assert name not in reply.plain
    assert await linked_person_code(bot, chat.user.id) is None


async def test_invite_link_signs_in_once_and_cannot_be_reused(bot: Harness) -> None:
    """A deep-link invite code works once; a second account using it is refused."""
    batch = await bot.services.roster.issue_invites(None, None)
    code = next(row.code for row in batch.open if row.person_code == "DV004")
    first = bot.chat("Đức", phone="0999999999")
    [reply] = await first.send(f"/start {code}")
    assert "Phạm Minh Đức" in reply.plain
    assert await linked_person_code(bot, first.user.id) == "DV004"

    second = bot.chat("Ai đó")
    [reply] = await second.send(f"/start {code}")
    assert "không đúng hoặc đã được dùng" in reply.plain
    assert await linked_person_code(bot, second.user.id) is None


async def test_invite_code_can_be_typed_loosely(bot: Harness) -> None:
    """The code typed in lower case with spaces still works (Zalo has no deep links)."""
    batch = await bot.services.roster.issue_invites(None, None)
    code = next(row.code for row in batch.open if row.person_code == "DV002")
    chat = bot.chat("Bình")
    await chat.send("/start")
    [reply] = await chat.send(code.replace("-", " ").lower())
    assert "Trần Thị Bình" in reply.plain
    assert await linked_person_code(bot, chat.user.id) == "DV002"


async def test_wrong_codes_are_rate_limited(bot: Harness) -> None:
    """After repeated wrong codes the account must wait, even for a right code."""
    batch = await bot.services.roster.issue_invites(None, None)
    good = next(row.code for row in batch.open if row.person_code == "DV002")
    chat = bot.chat("Dò mã")
    for _ in range(8):
        [reply] = await chat.send("AAAA-BBBB-CCCC")
        assert "không đúng" in reply.plain
    [reply] = await chat.send(good)
    assert "quá nhiều lần" in reply.plain
    assert await linked_person_code(bot, chat.user.id) is None


async def test_new_phone_relinks_and_old_account_loses_access(bot: Harness) -> None:
    """The same person on a new Telegram account takes the link over from the old one."""
    old = bot.chat("Bình cũ", phone="0987654321")
    await old.share_contact()
    new = bot.chat("Bình mới", phone="0987 654 321")
    [reply] = await new.share_contact()
    assert "Trần Thị Bình" in reply.plain
    assert await linked_person_code(bot, new.user.id) == "DV002"
    assert await linked_person_code(bot, old.user.id) is None
    assert await bot.drain_outbox() == 1
    assert "tài khoản Telegram khác" in old.last.plain  # the former account is told
    assert "tài khoản Telegram khác" not in new.last.plain
    [reply] = await old.send("/toi")
    assert "chưa đăng nhập" in reply.plain


async def test_linked_account_cannot_claim_a_second_person(bot: Harness) -> None:
    """An account linked to one person is not moved by another person's invite."""
    batch = await bot.services.roster.issue_invites(None, None)
    code = next(row.code for row in batch.open if row.person_code == "DV004")
    chat = bot.chat("An", phone="0912345678")
    await chat.share_contact()
    [reply] = await chat.send(f"/start {code}")
    assert "đã gắn với" in reply.plain and "Nguyễn Văn An" in reply.plain
    assert await linked_person_code(bot, chat.user.id) == "DV001"
    assert (await bot.services.signin.whoami(Channel.TELEGRAM, "x")) is None


async def test_person_who_left_the_roster_is_refused(bot: Harness) -> None:
    """Someone removed by a re-import keeps no access, and is told so when signing in again."""
    chat = bot.chat("Em", phone="0338123456")
    await chat.share_contact()
    lines = [line for line in _roster_without("CB001")]
    outcome = await bot.load_roster("\n".join(lines), remove_missing=True)
    assert outcome.summary is not None and outcome.summary.removed == 1
    [reply] = await chat.send("/toi")
    assert "chưa đăng nhập" in reply.plain
    [reply] = await chat.share_contact()
    assert "không còn trong danh sách" in reply.plain


async def test_exempt_member_sees_they_are_not_required(bot: Harness) -> None:
    """A retired member signs in and their card says a plan is not required."""
    chat = bot.chat("Cường", phone="0905111222")
    await chat.share_contact()
    [reply] = await chat.press("👤 Thông tin của tôi")
    assert "không bắt buộc" in reply.plain and "Hưu trí" in reply.plain


async def test_roles_see_their_own_menus_and_are_refused_others(bot: Harness) -> None:
    """A member may not open the unit list; a secretary sees who has not signed in."""
    member = bot.chat("Bình", phone="0987654321")
    await member.share_contact()
    assert member.buttons() == [
        "📝 Kế hoạch của tôi",
        "👤 Thông tin của tôi",
        "📅 Lịch sinh hoạt",
        "📚 Tài liệu học tập",
        "🌟 Gương điển hình",
        "Hướng dẫn",
    ]
    [reply] = await member.send("/donvi")
    assert "không có quyền" in reply.plain

    secretary = bot.chat("An", phone="0912345678")
    await secretary.share_contact()
    [reply] = await secretary.press("🏢 Đơn vị của tôi")
    assert "Chi bộ thôn 1" in reply.plain
    assert "Số người: 3 (đã đăng nhập: 2)" in reply.plain
    assert "Lê Văn Cường" in reply.plain  # not linked yet
    assert "Phạm Minh Đức" not in reply.plain  # another cell

    admin = bot.chat("Hoa", phone="0977123456")
    await admin.share_contact()
    [reply] = await admin.press("📊 Thống kê danh sách")
    assert "Người trong danh sách: 6" in reply.plain
    assert "Đã đăng nhập Telegram: 3" in reply.plain


async def test_guest_commands_and_non_text_messages_get_guidance(bot: Harness) -> None:
    """Before sign-in, commands ask to sign in; stickers and photos get a friendly re-ask."""
    chat = bot.chat("Khách")
    [reply] = await chat.send("/thongke")
    assert "chưa đăng nhập" in reply.plain
    [reply] = await chat.send_other("sticker")
    assert "tin nhắn chữ" in reply.plain
    [reply] = await chat.send("/khongcolenh")
    assert "chưa hiểu lệnh" in reply.plain


async def test_stale_inline_button_is_answered(bot: Harness) -> None:
    """Pressing a button from an older version answers the query and shows the menu."""
    chat = bot.chat("Bình", phone="0987654321")
    await chat.share_contact()
    replies = await chat.press_data("v0:old:123")
    assert bot.api.calls_of("answerCallbackQuery")
    assert "Vui lòng chọn một mục trong menu" in replies[-1].plain


def _roster_without(code: str) -> list[str]:
    from tests.conftest import ROSTER

    return [line for line in ROSTER.strip().splitlines() if not line.startswith(code + ",")]


async def test_reimport_with_a_new_role_changes_the_menu(bot: Harness) -> None:
    """A member made secretary by a re-imported roster gets the secretary's menu and commands."""
    chat = bot.chat("Đức", user_id=5150)
    batch = await bot.services.roster.issue_invites(None, None)
    await chat.send(next(row.code for row in batch.open if row.person_code == "DV004"))
    assert bot.api.commands_for_chat(5150) == [
        "kehoach",
        "toi",
        "lichhop",
        "tailieu",
        "guong",
        "lienket",
        "help",
        "huy",
    ]
    from tests.conftest import ROSTER

    promoted = ROSTER.replace("Chi bộ thôn 2,,", "Chi bộ thôn 2,,Bí thư")
    outcome = await bot.load_roster(promoted)
    assert outcome.summary is not None and outcome.summary.updated == 1
    await chat.send("/start")
    assert "🏢 Đơn vị của tôi" in chat.buttons()
    assert bot.api.commands_for_chat(5150) == [
        "kehoach",
        "toi",
        "lichhop",
        "tailieu",
        "guong",
        "lienket",
        "donvi",
        "duyet",
        "baocao",
        "help",
        "huy",
    ]


async def test_sign_in_says_what_to_do_and_by_when(bot: Harness) -> None:
    """Required, exempt, handed in and late: each is told their duty after signing in."""
    [before] = await bot.chat("An", phone="0912345678").share_contact()
    assert "cần gửi" not in before.plain  # no campaign open: nothing to ask yet
    await bot.open_campaign()
    [party] = await bot.chat("An", phone="0912345678").share_contact()
    assert "Đồng chí cần gửi kế hoạch cá nhân trước ngày 30/04/2022" in party.plain
    assert "Bấm «📝 Kế hoạch của tôi» để bắt đầu" in party.plain
    assert "📝 Kế hoạch của tôi" in party.keyboard_buttons()[0]["text"]
    [staff] = await bot.chat("Em", phone="0338123456").share_contact()
    assert "Ông/bà cần gửi kế hoạch cá nhân trước ngày 30/04/2022" in staff.plain
    [exempt] = await bot.chat("Cường", phone="0905111222").share_contact()
    assert "Đồng chí thuộc diện không bắt buộc" in exempt.plain and "tự nguyện" in exempt.plain
    assert "📝 Kế hoạch của tôi" in exempt.plain

    binh = bot.chat("Bình", phone="0987654321")
    await binh.share_contact()
    await fill_mau_01(binh, actions=1)
    await binh.press("📨 Gửi kế hoạch")
    again = bot.chat("Bình", phone="0987654321")  # a new Telegram account on the same number
    [signed] = await again.share_contact()
    assert "Kế hoạch cá nhân của đồng chí: đã gửi, chờ xác nhận" in signed.plain

    bot.clock.set(datetime(2022, 5, 2, 9, 0, tzinfo=VN))
    [late] = await bot.chat("Hoa", phone="0977123456").share_contact()
    assert "Hạn nộp kế hoạch cá nhân (30/04/2022) đã qua" in late.plain
    assert "nộp muộn" in late.plain
