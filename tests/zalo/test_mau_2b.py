"""Mẫu 2B on Zalo, by typed numbers and words only: an individual registers with a collective,
steps back, reviews, edits, sends, downloads the document from a link and reopens the plan.

The links are real ones on the bot's web server: the owner's link gives the DOCX, a forged one
and the same one after LINK_DAYS a bare 404.
"""

from __future__ import annotations

import io
import re
from datetime import timedelta

import aiohttp
import pytest
from docx import Document

from bot.domain.models import Channel
from bot.domain.plans import PlanStatus
from bot.sandbox.fake_zalo import FakeZaloUser
from bot.sandbox.harness import Harness
from tests.conftest import ROSTER
from tests.helpers import EXTRA
from tests.zalo.zalo_chat import ZaloBot, ZaloChat, invite_code, served_links

LAN = FakeZaloUser(id="1a1a1a1a1a1a1a1a1a1a", display_name="Lan")
KHAI = FakeZaloUser(id="2b2b2b2b2b2b2b2b2b2b", display_name="Khải")
CHOICES = "Thôn, khu phố, tổ dân phố"


@pytest.fixture
async def village(zalo_bot: ZaloBot) -> ZaloBot:
    """The Zalo bot with the individuals of the extra roster (Lan, and Khải her head)."""
    outcome = await zalo_bot.bot.load_roster(ROSTER.strip() + EXTRA)
    assert outcome.summary is not None, outcome.parsed.errors
    return zalo_bot


async def plan_on_zalo(bot: Harness, user: FakeZaloUser):  # type: ignore[no-untyped-def]
    """The plan of the person signed in on Zalo as ``user``."""
    person = await bot.services.signin.whoami(Channel.ZALO, user.id)
    campaign = await bot.services.plans.campaign()
    assert person is not None and campaign is not None
    return await bot.store.plans.plan_of(person.id, campaign.id)


def docx_text(body: bytes) -> str:
    """Every paragraph and table cell of a DOCX."""
    document = Document(io.BytesIO(body))
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


async def fill_mau_2b(lan: ZaloChat) -> str:
    """From "ke hoach" to the review: identity edited, a step back, the collective by its
    words, two actions; the review."""
    [first] = await lan.send("ke hoach")
    assert first.startswith("Câu 1/4") and "Mai Thị Lan" in first
    [edit] = await lan.choose("Sửa: Năm sinh")
    assert "Năm sinh" in edit
    [checked] = await lan.send("1960")
    assert "1960" in checked
    await lan.send("thong tin dung")  # the label's words, without diacritics
    await lan.send("Số 12, khu phố 1")
    [choice] = await lan.send("Hội Bóng đá")  # not on the list
    assert "chọn một mục" in choice
    assert choice.count(f". {CHOICES}") == 1  # the list is shown once, as the numbered choices
    [back] = await lan.choose("⬅️ Quay lại")
    assert back.startswith("Câu 2/4") and "Số 12, khu phố 1" in back  # the answer so far
    await lan.send("giu nguyen")
    [actions] = await lan.send("hoi phu nu")
    assert actions.startswith("Câu 4/4") and "Việc 1" in actions
    await lan.send("Giữ vệ sinh đường làng")
    [more] = await lan.send("Hằng tuần")
    assert "Đã đăng ký 1 việc" in more
    # the form asks for 2 to 5: "Xong" is not offered until the second, and the screen says why
    assert "Cần ít nhất 2 việc, đã có 1" in more and "Xong" not in more
    await lan.send("them viec")
    await lan.send("Trồng cây xanh trước ngõ")
    await lan.send("Cả năm 2022")
    [review] = await lan.send("xong, sang phan tiep")
    return review


async def test_an_individual_fills_mau_2b_on_zalo_and_downloads_it(village: ZaloBot) -> None:
    """The whole 2B path typed; the document reaches Zalo as a link to the DOCX, and the DOCX
    is her registration. Reopened, nothing is lost."""
    bot = village.bot
    async with served_links(bot) as (links, url):
        side = village.with_links(links)
        lan = ZaloChat(side, LAN)
        [welcome] = await lan.send(await invite_code(bot, "CN001"))
        assert "Mai Thị Lan" in welcome
        review = await fill_mau_2b(lan)
        assert review.startswith("Xem lại kế hoạch (Mẫu 2B")
        assert "Hội Phụ nữ" in review and "Trồng cây xanh trước ngõ" in review
        await lan.send("sua dia chi")
        [edited] = await lan.send("Số 14, khu phố 1")
        assert "Xem lại kế hoạch" in edited and "Số 14, khu phố 1" in edited
        [sent] = await lan.choose("📨 Gửi kế hoạch")
        assert "Đã gửi kế hoạch" in sent
        plan = await plan_on_zalo(bot, LAN)
        assert plan.form_id == "mau_2b" and plan.status is PlanStatus.SUBMITTED
        assert plan.draft.answers["registered_with"] == "Hội Phụ nữ"
        assert plan.draft.answers["address"] == "Số 14, khu phố 1"

        await side.drain_outbox()  # the DOCX promised "ngay sau tin này"
        after_submit = re.findall(rf"{re.escape(url)}/d/[A-Za-z0-9_-]+", lan.last)
        assert len(after_submit) == 1, lan.last

        [shown] = await lan.send("tai van ban ke hoach")
        found = re.findall(rf"{re.escape(url)}/d/[A-Za-z0-9_-]+", shown)
        assert len(found) == 1 and ".docx" in shown, shown
        link = found[0]
        async with aiohttp.ClientSession() as http:
            async with http.get(link) as response:
                assert response.status == 200
                body = await response.read()
            text = docx_text(body)
            assert "Mai Thị Lan" in text and "Trồng cây xanh trước ngõ" in text
            tampered = link[:-1] + ("B" if link[-1] != "B" else "C")
            async with http.get(tampered) as response:
                assert (response.status, await response.read()) == (404, b"404: Not Found")
            bot.clock.advance(timedelta(days=bot.settings.link_days))
            async with http.get(link) as response:
                assert (response.status, await response.read()) == (404, b"404: Not Found")

        [reopened] = await lan.choose("✏️ Sửa lại")
        assert reopened.startswith("Xem lại kế hoạch (Mẫu 2B")
        assert "Số 14, khu phố 1" in reopened and "Giữ vệ sinh đường làng" in reopened
