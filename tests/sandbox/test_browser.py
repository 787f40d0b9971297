"""The sandbox in a real browser (Playwright driving Debian's Chromium): every role, end to end.

Screenshots of the key screens go to ``test-artifacts/sandbox/`` (or ``$TEST_ARTIFACTS``).
Skipped, with the reason, where Chromium or Playwright is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import os
import re
import shutil
import zipfile
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.sandbox.fake_api import Fault
from bot.sandbox.server import Sandbox
from tests.waiting import PATIENCE, until

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(os.environ.get("TEST_ARTIFACTS", "test-artifacts")) / "sandbox"

try:
    from playwright.async_api import Page, async_playwright
except ImportError:  # pragma: no cover - depends on the machine
    async_playwright = None  # type: ignore[assignment]

pytestmark = [
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt install chromium)"),
    pytest.mark.skipif(async_playwright is None, reason="playwright is not installed"),
]
STEP = int(PATIENCE * 1000)  # ms: only a hung bot takes this long for one step


@pytest.fixture
async def sandbox(box: Sandbox) -> str:
    """The page's address."""
    return box.url


@pytest.fixture
async def page(sandbox: str) -> AsyncIterator[Page]:
    assert async_playwright is not None
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"]
        )
        context = await browser.new_context(
            viewport={"width": 1100, "height": 900}, accept_downloads=True, locale="vi-VN"
        )
        context.set_default_timeout(STEP)
        page = await context.new_page()
        await page.goto(sandbox)
        yield page
        await browser.close()


async def shot(page: Page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(ARTIFACTS / f"{name}.png"))


async def be(page: Page, code: str) -> None:
    """Switch to a sample person."""
    await page.click(f'.people button[data-code="{code}"]')
    await page.locator(f'#messages[data-who="{code}"]').wait_for(state="attached")


async def _bot_count(page: Page) -> int:
    return await page.locator(".msg.bot").count()


async def _after(page: Page, before: int, expect: str | None) -> None:
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot').length > n", arg=before, timeout=STEP
    )
    if expect is not None:
        await page.locator(".msg.bot", has_text=expect).last.wait_for(timeout=STEP)


async def live_screens(page: Page, count: int) -> None:
    """Wait until ``count`` bot messages have buttons: a step is sent first and the one before
    folded just after it, so the fold may reach the page a moment after the step."""
    await page.wait_for_function(
        "n => document.querySelectorAll('.msg.bot .inline').length === n", arg=count, timeout=STEP
    )


async def say(page: Page, text: str, expect: str | None = None) -> None:
    """Type ``text`` and wait for the bot's answer."""
    before = await _bot_count(page)
    await page.fill("#text", text)
    await page.press("#text", "Enter")
    await _after(page, before, expect)


async def tap(page: Page, label: str, expect: str | None = None) -> None:
    """Press the newest button with exactly ``label`` (inline or keyboard) and wait."""
    before = await _bot_count(page)
    await page.get_by_role("button", name=label, exact=True).last.click()
    await _after(page, before, expect)


async def sign_in(page: Page, code: str) -> None:
    await be(page, code)
    await tap(page, "/start", "Chia sẻ số điện thoại")
    await tap(page, "📱 Chia sẻ số điện thoại", "đăng nhập thành công")


async def test_every_role_in_the_browser(page: Page, sandbox: str) -> None:
    """Sign in by the contact button, fill Mẫu 01 to the document, the secretary confirms it,
    the admin broadcasts to the cell and its members see it, the clock jumps to a reminder."""
    await sign_in(page, "DV002")  # Trần Thị Bình, party member
    await shot(page, "01-signed-in")
    await tap(page, "📝 Kế hoạch của tôi", "Câu 1/6")
    await tap(page, "✅ Thông tin đúng", "Câu 2/6")
    await say(page, "Nghiên cứu chuyên đề năm 2022, dự buổi quán triệt của chi bộ.", "Đã ghi")
    await tap(page, "✅ Xong", "Câu 3/6")
    await say(page, "Phát biểu trong sinh hoạt chi bộ còn ít.", "Đã ghi")
    await tap(page, "✅ Xong", "Câu 4/6")
    await say(page, "Mỗi tháng thăm 5 hộ dân trong thôn", "Thời gian")
    await say(page, "Hằng tháng", "Kết quả")
    await say(page, "Nắm chắc tình hình hộ dân", "Thêm")
    await tap(page, "✅ Xong, sang phần tiếp", "Câu 5/6")
    await say(page, "Báo cáo chi bộ hằng quý, tự kiểm điểm.", "Đã ghi")
    await tap(page, "✅ Xong", "Câu 6/6")
    await tap(page, "⏭ Bỏ qua", "Xem lại")
    await shot(page, "02-review")
    await tap(page, "📨 Gửi kế hoạch", "Đã gửi kế hoạch")
    document = page.locator("a.file").last
    await document.wait_for(timeout=STEP)  # the DOCX comes through the outbox
    async with page.expect_download() as info:
        await document.click()
    download = await (await info.value).path()
    with zipfile.ZipFile(download) as docx:
        assert "word/document.xml" in docx.namelist()
        assert "Trần Thị Bình" in docx.read("word/document.xml").decode("utf-8")
    await shot(page, "03-document")

    await sign_in(page, "DV001")  # Nguyễn Văn An, the cell's secretary
    await tap(page, "✅ Duyệt kế hoạch", "Duyệt kế hoạch cá nhân")
    await tap(page, "Xem: Trần Thị Bình", "Trần Thị Bình")
    await tap(page, "✅ Xác nhận", "Đã xác nhận")
    await shot(page, "04-confirmed")

    await sign_in(page, "QT001")  # Hồ Thị Hoa, admin
    await tap(page, "📢 Gửi thông báo", "nội dung thông báo")
    await say(page, "Chi bộ thôn Lạc Trị họp lúc 19 giờ thứ Bảy.", "Gửi cho ai?")
    await tap(page, "🏢 Chỉ gửi trong một đơn vị", "Chọn đơn vị")
    await tap(page, "· Chi bộ thôn Lạc Trị", "Chỉ trong")
    await tap(page, "Mọi người", "Số người nhận: 2")  # An and Bình have signed in
    await tap(page, "✅ Gửi ngay", "đã vào hàng gửi")
    await tap(page, "📋 Báo cáo tiến độ", "Toàn bộ tổ chức")
    await tap(page, "📊 Tải bảng theo đơn vị (XLSX, có biểu đồ)", "Báo cáo theo đơn vị")
    chart = page.locator(".msg.bot img").last  # the completion chart, as a picture
    await chart.wait_for(timeout=STEP)
    assert await chart.evaluate("img => img.complete && img.naturalWidth > 300")
    await shot(page, "05-broadcast-and-chart")
    await be(page, "DV002")
    await page.locator(".msg.bot", has_text="họp lúc 19 giờ thứ Bảy").wait_for(timeout=STEP)
    assert "đã được xác nhận" in await page.locator("#messages").inner_text()

    await be(page, "DV001")  # An has not written his own plan: the reminder is for him
    clock_before = await page.inner_text("#clock")
    await page.get_by_role("button", name="⏰ Đến lần nhắc hạn kế tiếp").click()
    await page.wait_for_function(
        "before => document.getElementById('clock').textContent !== before", arg=clock_before
    )
    await page.locator(".msg.bot", has_text="Còn 14 ngày là hết hạn nộp").wait_for(timeout=STEP)
    assert "16/04/2022" in await page.inner_text("#clock")
    await shot(page, "06-reminder")
    refused = page.locator("#refused")
    assert await refused.is_hidden(), await refused.inner_text()


async def test_phone_sized_window_and_a_refusal_in_red(page: Page, box: Sandbox) -> None:
    """On a phone-sized window people are chosen from a list; what Telegram would refuse is
    shown in red in that person's chat."""
    await page.set_viewport_size({"width": 390, "height": 800})
    await page.select_option("#who", "DV005")
    await page.locator('#messages[data-who="DV005"]').wait_for(state="attached")
    await tap(page, "/start", "Chia sẻ số điện thoại")
    await tap(page, "📱 Chia sẻ số điện thoại", "đăng nhập thành công")
    text: Any = await page.inner_text(".phone-head")
    assert "Phạm Minh Đức" in text
    user = box.seats["DV005"].user.id
    box.api.faults.append(
        Fault("sendMessage", 400, "Bad Request: can't parse entities", chat_id=user)
    )
    await page.fill("#text", "/toi")
    await page.press("#text", "Enter")
    refused = page.locator("#refused")
    await refused.wait_for(state="visible", timeout=STEP)
    assert "can't parse entities" in await refused.inner_text()
    assert await refused.evaluate("e => getComputedStyle(e).color") == "rgb(164, 22, 26)"
    await shot(page, "07-phone-refusal")


async def test_on_a_phone_the_newest_message_and_the_input_stay_in_view(
    page: Page, box: Sandbox
) -> None:
    """At 390 × 844 the chat scrolls inside the page: after many messages the last one, the
    buttons and the input box are all on screen, and a new message scrolls into view."""
    await page.set_viewport_size({"width": 390, "height": 844})
    chat = box.seats["DV005"].chat
    await chat.share_contact()
    for n in range(12):  # a long chat: far more than one screen
        await chat.send(f"Tin thứ {n + 1}")
    await until(box.api, lambda: len(chat.messages) >= 13)
    await page.select_option("#who", "DV005")
    await page.locator('#messages[data-who="DV005"]').wait_for(state="attached")
    await page.wait_for_function("() => document.querySelectorAll('.msg.bot').length >= 13")
    await say(page, "/toi", "Phạm Minh Đức")

    async def on_screen(selector: str) -> None:
        box_ = await page.locator(selector).last.bounding_box()
        assert box_ is not None, selector
        assert box_["y"] >= 0 and box_["y"] + box_["height"] <= 844, (selector, box_)
        assert box_["x"] >= 0 and box_["x"] + box_["width"] <= 390, (selector, box_)

    for selector in ("#text", "#send", ".msg.bot", "#keyboard button"):
        await on_screen(selector)
    assert await page.evaluate("document.scrollingElement.scrollHeight") <= 844  # no page scroll
    await shot(page, "08-phone-long-chat")


async def number_of(page: Page, label: str) -> str:
    """The number the bot's latest Zalo message gives ``label`` ("2. ✅ Xong" -> "2")."""
    text = await page.locator(".msg.bot").last.inner_text()
    for line in text.splitlines():
        number, _, shown = line.strip().partition(". ")
        if shown == label and number.isdigit():
            return number
    raise AssertionError(f"no numbered choice {label!r} in: {text}")


async def choose(page: Page, label: str, expect: str | None = None) -> None:
    """Type the number of ``label`` and wait for the bot's answer."""
    await say(page, await number_of(page, label), expect)


async def test_a_member_on_zalo_types_numbers_and_downloads_the_link(page: Page) -> None:
    """Switched to Zalo on a phone-sized window: the blue Zalo chat, the invite code typed by
    its button, the plan's choices as numbered lines (no buttons, no keyboard) answered by
    typing numbers, and the document's link downloads the DOCX from the page."""
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.select_option("#who", "DV002")
    await page.locator('#messages[data-who="DV002"]').wait_for(state="attached")
    await page.click("#to-zalo")
    await page.locator("#phone.zalo").wait_for(state="attached")
    head = await page.locator(".phone-head").evaluate("e => getComputedStyle(e).backgroundColor")
    assert head == "rgb(0, 104, 255)"
    assert "(Zalo)" in await page.locator("#who option:checked").inner_text()  # the list says so
    assert await page.get_by_role("button", name="/start").count() == 0  # Zalo has no buttons
    code = await page.inner_text("#invite-code")
    assert len(code) >= 6
    before = await _bot_count(page)
    await page.click("#type-invite")
    await _after(page, before, "Trần Thị Bình")
    assert code in await page.locator(".msg.me").last.inner_text()
    assert await page.locator("#invite").is_hidden()  # the code is used
    await say(page, "ke hoach", "Câu 1/6")
    assert "1. ✅ Thông tin đúng" in await page.locator(".msg.bot").last.inner_text()
    assert await page.locator("#messages button, #keyboard button").count() == 0
    await say(page, "1", "Câu 2/6")
    await say(page, "Nghiên cứu chuyên đề năm 2022, dự buổi quán triệt của chi bộ.", "Đã ghi")
    await choose(page, "✅ Xong", "Câu 3/6")
    await say(page, "Phát biểu trong sinh hoạt chi bộ còn ít.", "Đã ghi")
    await choose(page, "✅ Xong", "Câu 4/6")
    await say(page, "Mỗi tháng thăm 5 hộ dân trong thôn", "Thời gian")
    await say(page, "Hằng tháng", "Kết quả")
    await say(page, "Nắm chắc tình hình hộ dân", "Thêm")
    await choose(page, "✅ Xong, sang phần tiếp", "Câu 5/6")
    await say(page, "Báo cáo chi bộ hằng quý, tự kiểm điểm.", "Đã ghi")
    await choose(page, "✅ Xong", "Câu 6/6")
    await choose(page, "⏭ Bỏ qua", "Xem lại")
    await say(page, "gui ke hoach", "Đã gửi kế hoạch")
    await choose(page, "📄 Tải văn bản kế hoạch", "/d/")
    link = page.locator(".msg.bot a.link").last
    assert (await link.get_attribute("href") or "").startswith("/d/")
    await shot(page, "09-zalo-chat")
    async with page.expect_download() as info:
        await link.click()
    download = await (await info.value).path()
    with zipfile.ZipFile(download) as docx:
        assert "Trần Thị Bình" in docx.read("word/document.xml").decode("utf-8")
    assert await page.locator("#refused").is_hidden()
    await page.click("#to-telegram")  # back on Telegram: its own chat, its /start button
    await page.locator("#phone:not(.zalo)").wait_for(state="attached")
    await page.get_by_role("button", name="/start").wait_for()
    assert await page.locator("#invite").is_hidden()


async def test_on_a_phone_the_form_keeps_one_live_screen_and_the_review_groups_its_buttons(
    page: Page,
) -> None:
    """At 390 × 844 (issue 21): each step folds the one before to a line, so one message has
    buttons; the review's buttons come in rows (an item's Sửa and Xóa, the document and Gửi
    side by side) that fit the screen; the draft's document comes with its caption."""
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.select_option("#who", "DV002")
    await page.locator('#messages[data-who="DV002"]').wait_for(state="attached")
    await tap(page, "/start", "Chia sẻ số điện thoại")
    await tap(page, "📱 Chia sẻ số điện thoại", "đăng nhập thành công")
    await tap(page, "📝 Kế hoạch của tôi", "Câu 1/6")
    await tap(page, "✅ Thông tin đúng", "Câu 2/6")
    await say(page, "Nghiên cứu chuyên đề năm 2022, dự buổi quán triệt của chi bộ.", "Đã ghi")
    await tap(page, "✅ Xong", "Câu 3/6")
    await page.locator(".msg.bot", has_text="✓ Câu 2/6 · Nội dung học tập").wait_for()
    # the current step only (waited for: the page may show a fold before its next poll's rest)
    await page.wait_for_function("() => document.querySelectorAll('.msg.bot .inline').length == 1")
    assert "✓ Câu 1/6 · Thông tin cá nhân" in await page.locator("#messages").inner_text()
    await page.locator(".msg.bot", has_text="✓ Câu 1/6").evaluate("e => e.scrollIntoView()")
    await shot(page, "10-phone-form")

    await say(page, "Phát biểu trong sinh hoạt chi bộ còn ít.", "Đã ghi")
    await tap(page, "✅ Xong", "Câu 4/6")
    await say(page, "Mỗi tháng thăm 5 hộ dân trong thôn", "Thời gian")
    await say(page, "Hằng tháng", "Kết quả")
    await say(page, "Nắm chắc tình hình hộ dân", "Thêm")
    await tap(page, "✅ Xong, sang phần tiếp", "Câu 5/6")
    await say(page, "Báo cáo chi bộ hằng quý, tự kiểm điểm.", "Đã ghi")
    await tap(page, "✅ Xong", "Câu 6/6")
    await tap(page, "⏭ Bỏ qua", "Xem lại")
    await page.locator(".msg.bot", has_text="✓ Câu 6/6").wait_for()
    await page.wait_for_function("() => document.querySelectorAll('.msg.bot .inline').length == 1")
    review = page.locator(".msg.bot .inline").last  # the review only
    rows = await review.locator(".row").evaluate_all(
        "rows => rows.map(r => [...r.querySelectorAll('button')].map(b => b.textContent))"
    )
    assert ["Sửa Việc 1", "🗑 Xóa Việc 1"] in rows
    assert rows[-1] == ["📄 Tải văn bản", "📨 Gửi kế hoạch"]
    assert len(rows) == 7  # not 11 buttons one per row
    for button in await review.locator("button").all():
        place = await button.bounding_box()
        assert place is not None and place["x"] >= 0 and place["x"] + place["width"] <= 390
    await shot(page, "11-phone-review")

    await tap(page, "📄 Tải văn bản", "Xem lại")
    caption = page.locator(".msg.bot", has=page.locator("a.file")).last
    await caption.wait_for()
    text = await caption.inner_text()
    assert "Văn bản kế hoạch cá nhân năm 2022" in text and "Trạng thái: đang soạn" in text
    assert re.search(r"· ngày \d{2}/\d{2}/\d{4}$", text)  # the sandbox's own date
    await shot(page, "12-phone-document")


async def test_on_a_phone_a_meeting_is_scheduled_by_choosing_with_one_live_screen(
    page: Page,
) -> None:
    """At 390 × 844 (issue 21 §3): the secretary schedules a meeting from the calendar by
    choosing the kind, a day and a time from buttons that fit the screen, types the place and
    the topic, sees a preview; each step folds the one before, so one message has buttons."""
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.select_option("#who", "DV001")  # Nguyễn Văn An, the cell's secretary
    await page.locator('#messages[data-who="DV001"]').wait_for(state="attached")
    await tap(page, "/start", "Chia sẻ số điện thoại")
    await tap(page, "📱 Chia sẻ số điện thoại", "đăng nhập thành công")
    await tap(page, "📅 Lịch sinh hoạt", "Lịch sinh hoạt")
    await tap(page, "➕ Quán triệt", "bước 1/5")
    day_step = page.locator(".msg.bot .inline").last
    days = await day_step.locator("button").all()
    assert len(days) >= 7  # the next days and weeks, and «Thôi»
    for button in days:
        place = await button.bounding_box()
        assert place is not None and place["x"] >= 0 and place["x"] + place["width"] <= 390
    await live_screens(page, 1)  # the calendar folded
    await shot(page, "13-phone-meeting-day")

    before = await _bot_count(page)
    await days[0].click()  # the first day offered: tomorrow
    await _after(page, before, "bước 2/5")
    await page.locator(".msg.bot", has_text="bước 1/5 · ngày họp").wait_for()
    await tap(page, "19:30", "bước 3/5")
    await say(page, "Hội trường thôn Lạc Trị", "bước 4/5")
    await say(page, "Quán triệt chuyên đề năm 2022", "Xem lại trước khi lưu")
    await live_screens(page, 1)  # the preview only
    text = await page.locator("#messages").inner_text()
    for line in ("bước 2/5 · giờ họp", "bước 3/5 · địa điểm", "bước 4/5 · nội dung"):
        assert line in text
    await shot(page, "14-phone-meeting-preview")

    await tap(page, "✅ Lưu lịch", "Đã lên lịch buổi quán triệt")
    await live_screens(page, 0)  # the result carries the menu
    assert "bước 5/5 · xem lại" in await page.locator("#messages").inner_text()
    await shot(page, "15-phone-meeting-saved")
    assert await page.locator("#refused").is_hidden()
