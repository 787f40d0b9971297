"""The self-check's review and sent screens hold any plan in one Telegram message: whole lines
of actions while they fit, then how many more, and the self-assessment."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from bot.domain.midyear import CheckStatus, MidyearCheck
from bot.domain.models import Category
from bot.domain.plans import Campaign
from bot.domain.progress import ProgressEntry, ProgressStatus
from bot.domain.telegram_html import utf16_len
from bot.locales import Catalog
from bot.services.midyear import CheckReview, Sent
from bot.services.midyear_view import MidyearPresenter
from bot.services.replies import TEXT_BUDGET, Presenter
from tests.services.test_documents import person

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2022, 6, 30, 2, 0, tzinfo=UTC)


def test_a_long_plan_and_answer_fit_one_message() -> None:
    """40 long actions each with a long note and a 3000-character answer: under the limit, the
    overflow counted, the answer shown."""
    catalog = Catalog.load()
    view = MidyearPresenter(catalog, Presenter(catalog, ""), VN)
    member = person(Category.PARTY_MEMBER, "Chi bộ thôn 1")
    campaign = Campaign(1, 2022, "Chuyên đề", date(2022, 4, 30), "Tuy Phong", {})
    check = MidyearCheck(1, member.id, 1, 41, "Đ" * 3000, CheckStatus.DRAFT, 3, NOW, NOW, None)
    actions = tuple((f"Việc thứ {i} " + "ư" * 500,) for i in range(40))
    latest = {
        i: ProgressEntry(i, 1, i, "", ProgressStatus.DOING, "ghi " * 250, "", "", member.id, NOW)
        for i in range(40)
    }
    for screen in (
        CheckReview(member, campaign, check, actions, latest),
        Sent(member, campaign, check, actions, latest),
    ):
        text = view.render(screen).text
        assert utf16_len(text) <= TEXT_BUDGET, type(screen)
        assert "việc nữa" in text and "Việc thứ 0" in text and "Việc thứ 39" not in text
        assert "Tự đánh giá giữa kỳ:" in text
