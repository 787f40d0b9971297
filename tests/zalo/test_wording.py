"""What Zalo says instead of "bấm"/"nút": no buttons and no menu there, so every text written for
Telegram's buttons reads as typing a number or a word; Telegram's texts are left as they are.
The texts to someone the bot may not know, and the channel choice, address the person."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from bot.domain.menu import Command
from bot.domain.models import Category, Channel, Role
from bot.locales import Catalog
from bot.services.replies import Presenter
from handlers.zalo.channel import ZaloChannel, plain_text
from tests.test_register import PERSON
from tests.zalo.zalo_chat import BINH, FakeLinks, ZaloBot, ZaloChat, invite_code

VN = ZoneInfo("Asia/Ho_Chi_Minh")
CATALOG = Catalog.load()
BUTTON_WORDS = re.compile(r"(?<!\w)(nút|bấm)(?!\w)", re.IGNORECASE)
# Texts only Telegram shows: they ask for the contact to be shared, which Zalo cannot do (the
# Zalo guest gets the *_typed ones), and Telegram's own words for its buttons.
TELEGRAM_ONLY = {
    "signin.welcome",
    "signin.need_signin",
    "signin.not_own_contact",
    "help.guest",
    "zalo.press",
}
NOT_SENT = ("cli.", "sandbox.", "zalo.wording.")  # the command line, the page, the table itself


def zalo_channel() -> ZaloChannel:
    """The channel's wording (no client is called)."""
    return ZaloChannel(None, FakeLinks(), CATALOG)  # type: ignore[arg-type]


def filled(key: str) -> str:
    """``key`` with sample values; a ``{button}`` is the menu's «📝 Kế hoạch của tôi»."""
    values = {name: "X" for name in CATALOG.params(key)}
    if "button" in values:
        values["button"] = CATALOG.plain("menu.kehoach")
    return CATALOG.t(key, **values)


def test_no_text_zalo_shows_speaks_of_buttons_or_pressing() -> None:
    """Every catalog text that can reach a Zalo chat, as Zalo says it, has neither word."""
    channel = zalo_channel()
    keys = [
        key
        for key in sorted(CATALOG.keys())
        if key not in TELEGRAM_ONLY and not key.startswith(NOT_SENT)
    ]
    written = {key: plain_text(filled(key)) for key in keys}
    assert sum(bool(BUTTON_WORDS.search(text)) for text in written.values()) >= 20  # Telegram's
    said = {key: channel.reworded(text) for key, text in written.items()}
    assert {key: text for key, text in said.items() if BUTTON_WORDS.search(text)} == {}


def test_the_zalo_wordings_of_common_texts() -> None:
    """The phrases as they read on Zalo, their first letter's case kept."""
    channel = zalo_channel()
    assert channel.reworded(plain_text(filled("plan.invalid.use_buttons"))) == (
        "Vui lòng gõ số thứ tự của một mục bên dưới."
    )
    assert channel.reworded(plain_text(filled("signin.duty.due"))).endswith(
        "Gõ «kế hoạch» để bắt đầu."
    )
    assert channel.reworded(plain_text(filled("plan.paused"))).startswith(
        "Đã lưu bản nháp. Khi muốn làm tiếp, gõ «kế hoạch»:"
    )
    assert channel.reworded(plain_text(filled("notify.remind_late_returned"))).endswith(
        "Gõ số thứ tự của mục bên dưới để sửa và gửi lại."
    )
    assert channel.reworded(plain_text(filled("plan.buffer"))).endswith("hoặc chọn «✅ Xong».")


def test_telegram_keeps_its_own_words() -> None:
    """The catalog itself still says "bấm" and "nút" for Telegram."""
    assert CATALOG.plain("plan.invalid.use_buttons") == (
        "Vui lòng bấm một nút bên dưới (hoặc gõ số thứ tự của nút)."
    )
    assert "Bấm «📝 Kế hoạch của tôi»" in plain_text(filled("signin.duty.due"))


def test_each_word_to_type_is_its_command_on_zalo() -> None:
    """ "kế hoạch", "lịch họp", "trợ giúp" … typed on Zalo are the commands of their buttons."""
    presenter = Presenter(CATALOG, None)
    words = {
        key.removeprefix("zalo.command."): CATALOG.plain(key)
        for key in sorted(CATALOG.keys())
        if key.startswith("zalo.command.")
    }
    assert set(words) == {c.value for c in Command if c is not Command.START}
    assert {value: presenter.command_for_word(word) for value, word in words.items()} == {
        value: Command(value) for value in words
    }


def test_texts_to_a_sender_not_known_yet_and_the_channel_choice_address_them() -> None:
    """Before sign-in the bot cannot tell a comrade from anyone else: both forms; once it
    knows, "đồng chí" or "ông/bà"."""
    presenter = Presenter(CATALOG, None)
    assert "đồng chí/ông/bà" in presenter.need_signin(contact=False).text
    assert "đồng chí/ông/bà" in CATALOG.plain("zalo.unsupported")
    comrade = presenter.channel_chosen(PERSON, Channel.ZALO).text
    assert comrade == "Từ nay đồng chí sẽ nhận tin nhắc và thông báo qua Zalo."
    staff = replace(PERSON, category=Category.STAFF, roles=frozenset({Role.HEAD}))
    neutral = presenter.channel_chosen(staff, Channel.TELEGRAM).text
    assert neutral == "Từ nay ông/bà sẽ nhận tin nhắc và thông báo qua Telegram."


async def test_on_zalo_the_words_lead_the_way_and_a_reminders_number_is_its_press(
    zalo_bot: ZaloBot,
) -> None:
    """The welcome says which word to type, and that word opens the plan; an unknown text is
    told to type a command; the number under a reminder (from the outbox) is its button, not
    a choice of an older screen; a stale number says so."""
    bot, chat = zalo_bot.bot, ZaloChat(zalo_bot, BINH)
    [welcome] = await chat.send(await invite_code(bot, "DV002"))
    assert welcome.endswith("Gõ «kế hoạch» để bắt đầu.")
    [menu] = await chat.send("xin chào")
    assert "gõ «trợ giúp» để xem các lệnh" in menu and "menu" not in menu
    [first] = await chat.send("kế hoạch")
    assert first.startswith("Câu 1/6")
    await chat.send("thong tin dung")
    [paused] = await chat.send("huy")
    assert "gõ «kế hoạch»" in paused
    [stale] = await chat.send("1")  # the number of the step left by "huy"
    assert stale.startswith("Số vừa gõ thuộc một bước cũ; dưới đây là bước hiện tại.")
    bot.clock.set(datetime(2022, 4, 16, 9, 30, tzinfo=VN))
    await bot.sweep()
    await zalo_bot.drain_outbox()
    reminder = chat.last
    assert "— gõ số thứ tự của mục bên dưới để làm tiếp." in reminder
    assert reminder.endswith("\n\n1. 📝 Làm tiếp")
    [resumed] = await chat.send("1")
    assert resumed.startswith("Câu 2/6"), resumed  # where she stopped
    assert all(not BUTTON_WORDS.search(text) for text in chat.received), chat.received
