"""The form engine as a member experiences it: forward, back, skip, long answers, review, edit."""

from __future__ import annotations

import pytest

from bot.domain import engine as e
from bot.domain.engine import Draft, Invalid
from bot.forms import FormError, load_forms, parse_form

FORMS = load_forms()
F01 = FORMS["mau_01"]
F2B = FORMS["mau_2b"]
PREFILL = {"full_name": "Nguyễn Văn An", "birth_date": "15/03/1975", "unit": "Chi bộ thôn 1"}


def ok(result: Draft | Invalid) -> Draft:
    assert isinstance(result, Draft), result
    return result


def long(draft: Draft, *pieces: str) -> Draft:
    for piece in pieces:
        draft = ok(e.answer(F01, draft, piece))
    return ok(e.finish_long(F01, draft))


def fill_01() -> Draft:
    draft = ok(e.confirm_identity(F01, e.start(F01, PREFILL)))
    draft = long(draft, "Nghiên cứu chuyên đề năm 2022 qua tài liệu,", "dự quán triệt trước 30/4.")
    draft = long(draft, "Phát biểu trong sinh hoạt còn ít.")
    for action in ("Thăm 5 hộ dân mỗi tháng", "Đọc báo Nhân Dân mỗi ngày"):
        draft = ok(e.answer(F01, draft, action))
        draft = ok(e.answer(F01, draft, "Hằng tháng"))
        draft = ok(e.answer(F01, draft, "Nắm tình hình"))
        assert draft.position.startswith("more:actions:")
        draft = ok(e.add_item(F01, draft, "actions")) if action.startswith("Thăm") else draft
    draft = ok(e.finish_group(F01, draft))
    draft = long(draft, "Báo cáo chi bộ hằng quý.")
    assert draft.position == "q:proposals"
    return ok(e.skip(F01, draft))


def test_whole_form_forward_reaches_the_review_with_every_answer() -> None:
    """Identity prefilled and confirmed, long answers joined, two actions, optional skipped."""
    draft = fill_01()
    assert draft.position == e.REVIEW
    assert draft.answers["id.full_name"] == "Nguyễn Văn An"
    assert (
        draft.answers["study"]
        == "Nghiên cứu chuyên đề năm 2022 qua tài liệu,\ndự quán triệt trước 30/4."
    )
    assert [i["action"] for i in draft.answers["actions"]] == [
        "Thăm 5 hộ dân mỗi tháng",
        "Đọc báo Nhân Dân mỗi ngày",
    ]
    assert draft.answers["proposals"] == ""
    assert e.missing(F01, draft.answers) == []


def test_progress_counts_identity_and_each_item() -> None:
    """Câu 1/6 is the identity block; the group is one step however many actions it has."""
    assert e.progress(F01, "identity") == (1, 6)
    assert e.progress(F01, "q:study") == (2, 6)
    assert e.progress(F01, "g:actions:3:result") == (4, 6)
    assert e.progress(F01, "q:proposals") == (6, 6)


def test_validation_reasons() -> None:
    """Too short, too long, empty, bad date and bad choice are refused with their reason."""
    draft = ok(e.confirm_identity(F01, e.start(F01, PREFILL)))
    draft = long(draft, "x" * 30)
    draft = long(draft, "Hạn chế thật.")
    assert e.answer(F01, draft, "abc") == Invalid("too_short", 5)
    assert e.answer(F01, draft, "   \n ") == Invalid("empty")
    assert e.answer(F01, draft, "y" * 501) == Invalid("too_long", 500)
    start = ok(e.edit_identity(F01, e.start(F01, PREFILL), "birth_date"))
    assert e.answer(F01, start, "31/02/1975") == Invalid("bad_date")
    assert ok(e.answer(F01, start, "1/2/1975")).answers["id.birth_date"] == "01/02/1975"
    two_b = ok(e.answer(F2B, ok(e.confirm_identity(F2B, e.start(F2B, {}))), "Số 12 khu phố 1"))
    assert e.answer(F2B, two_b, "Hội Bóng đá") == Invalid("bad_choice")
    assert ok(e.answer(F2B, two_b, "hoi phu nu")).answers["registered_with"] == "Hội Phụ nữ"
    assert ok(e.choose(F2B, two_b, 1)).answers["registered_with"] == "Đoàn Thanh niên"
    assert e.choose(F2B, two_b, 99) == Invalid("bad_choice")


def test_long_answer_limits_and_restart() -> None:
    """Pieces together stay under the limit; "Xong" needs the minimum; the buffer can be reset."""
    draft = ok(e.confirm_identity(F01, e.start(F01, PREFILL)))
    assert e.finish_long(F01, draft) == Invalid("empty")
    draft = ok(e.answer(F01, draft, "ngắn"))
    assert e.finish_long(F01, draft) == Invalid("too_short", 20)
    draft = ok(e.answer(F01, draft, "x" * 2990))
    assert e.answer(F01, draft, "y" * 20) == Invalid("too_long", 3000)
    assert e.clear_buffer(draft).buffer == ""


def test_back_walks_the_same_path_in_reverse() -> None:
    """Back from each step lands on the step before it, through the group's items."""
    draft = fill_01()
    positions = []
    for _ in range(50):
        result = e.back(F01, draft)
        if isinstance(result, Invalid):
            assert result.reason == "at_start"
            break
        draft = result
        positions.append(draft.position)
    assert positions == [
        "q:proposals",
        "q:solutions",
        "more:actions:2",
        "g:actions:1:result",
        "g:actions:1:deadline",
        "g:actions:1:action",
        "more:actions:1",
        "g:actions:0:result",
        "g:actions:0:deadline",
        "g:actions:0:action",
        "q:shortcomings",
        "q:study",
        "identity",
    ]


def test_edit_from_review_returns_to_review() -> None:
    """Sửa one answer, one identity line or one action: each ends on the review again."""
    draft = fill_01()
    draft = ok(e.edit(F01, draft, "shortcomings"))
    assert e.current_value(F01, draft) == "Phát biểu trong sinh hoạt còn ít."
    draft = long(draft, "Hạn chế mới.")
    assert draft.position == e.REVIEW and draft.answers["shortcomings"] == "Hạn chế mới."

    draft = ok(e.edit(F01, draft, "identity"))
    draft = ok(e.edit_identity(F01, draft, "gov_position"))
    draft = ok(e.answer(F01, draft, "Trưởng thôn"))
    assert draft.position == "identity"
    draft = ok(e.confirm_identity(F01, draft))
    assert draft.position == e.REVIEW and draft.answers["id.gov_position"] == "Trưởng thôn"

    draft = ok(e.edit_item(F01, draft, "actions", 1))
    draft = ok(e.keep(F01, draft))
    draft = ok(e.answer(F01, draft, "Cả năm"))
    draft = ok(e.keep(F01, draft))
    assert draft.position == e.REVIEW and draft.answers["actions"][1]["deadline"] == "Cả năm"

    draft = ok(e.edit(F01, draft, "solutions"))
    draft = ok(e.back(F01, draft))
    assert draft.position == e.REVIEW


def test_group_limits_add_delete_and_missing() -> None:
    """Mẫu 2B needs 2 to 5 actions: too few blocks "Xong", a sixth cannot be added."""
    draft = ok(e.confirm_identity(F2B, e.start(F2B, {})))
    draft = ok(e.answer(F2B, draft, "Số 12 khu phố 1"))
    draft = ok(e.choose(F2B, draft, 0))
    draft = ok(e.answer(F2B, draft, "Quét đường làng"))
    draft = ok(e.answer(F2B, draft, "Hằng tuần"))
    assert e.finish_group(F2B, draft) == Invalid("too_few_items", 2)
    for n in range(4):
        draft = ok(e.add_item(F2B, draft, "actions"))
        draft = ok(e.answer(F2B, draft, f"Việc số {n + 2}"))
        draft = ok(e.answer(F2B, draft, "Cả năm"))
    assert e.add_item(F2B, draft, "actions") == Invalid("too_many_items", 5)
    draft = ok(e.finish_group(F2B, draft))
    assert draft.position == e.REVIEW
    for _ in range(4):
        draft = ok(e.delete_item(F2B, draft, "actions", 0))
    assert e.missing(F2B, draft.answers) == ["actions"]
    assert e.skip(F2B, ok(e.add_item(F2B, draft, "actions"))) == Invalid("not_optional")


def test_actions_out_of_place_are_refused() -> None:
    """Buttons pressed at the wrong step (stale or forged) change nothing."""
    draft = e.start(F01, PREFILL)
    assert e.finish_long(F01, draft) == Invalid("no_question")
    assert e.edit(F01, draft, "study") == Invalid("no_question")
    assert e.edit_item(F01, fill_01(), "actions", 7) == Invalid("no_question")
    assert e.delete_item(F01, fill_01(), "nope", 0) == Invalid("no_question")
    assert e.finish_group(F01, draft) == Invalid("no_question")
    assert e.keep(F01, ok(e.confirm_identity(F01, draft))) == Invalid("nothing_to_keep")
    assert e.back(F01, draft) == Invalid("at_start")


def test_broken_form_files_are_reported_by_name() -> None:
    """A form file with a mistake stops loading with the file and field named."""
    from importlib import resources

    text = resources.files("bot.forms").joinpath("mau_2b.toml").read_text("utf-8")
    with pytest.raises(FormError, match=r"mau_2b.toml: .*min_items is above max_items"):
        parse_form("mau_2b.toml", text.replace("min_items = 2", "min_items = 9"))
    with pytest.raises(FormError, match=r"mau_2b.toml: .*choices go with kind"):
        parse_form("mau_2b.toml", text.replace('kind = "choice"\n', ""))
    with pytest.raises(FormError, match=r"x\.toml"):
        parse_form("x.toml", "id = 'x'\nversion = 0")
    with pytest.raises(FormError, match=r"bad\.toml"):
        parse_form("bad.toml", "id = [")


def test_confirm_lines_and_new_identity_sources_are_checked() -> None:
    """The confirming block's extra lines are short, at most four; identity sources are known."""
    from importlib import resources

    text = resources.files("bot.forms").joinpath("mau_01.toml").read_text("utf-8")
    assert parse_form("mau_01.toml", text).confirm_lines == ("T/M CHI ỦY", "BÍ THƯ")
    with pytest.raises(FormError, match=r"mau_01.toml: .*confirm_lines"):
        parse_form("mau_01.toml", text.replace('"BÍ THƯ"]', '"BÍ THƯ", "", "A", "B"]'))
    with pytest.raises(FormError, match=r"mau_01.toml: .*confirm_lines"):
        parse_form("mau_01.toml", text.replace('"BÍ THƯ"]', f'"{"X" * 121}"]'))
    with pytest.raises(FormError, match=r"mau_01.toml: .*source"):
        parse_form("mau_01.toml", text.replace('source = "workplace"', 'source = "office"'))
    with_year = text.replace('source = "birth_date"', 'source = "birth_year"')
    assert parse_form("mau_01.toml", with_year).identity[1].source == "birth_year"


@pytest.mark.parametrize(
    "text",
    [
        "identity",
        "identity:full_name",
        "q:study",
        "g:actions:0:action",
        "g:actions:12:deadline",
        "more:actions:2",
        "review",
    ],
)
def test_positions_read_and_write_the_stored_text_unchanged(text: str) -> None:
    """A stored position parses into its parts and prints back as the same text."""
    assert str(e.Position.parse(text)) == text


def test_a_position_names_its_parts() -> None:
    """The parts of an item's position are typed: the group, the item's number, the field."""
    where = e.Position.parse("g:actions:1:deadline")
    assert where == e.Position(e.Place.ITEM, "actions", 1, "deadline")
    assert e.Position.parse("identity:unit").editing_line
    assert not e.Position.parse("identity").editing_line


@pytest.mark.parametrize("text", ["", "zzz", "q", "g:actions:x:action", "more:actions:²"])
def test_an_unreadable_position_is_the_review(text: str) -> None:
    """A position that cannot be read opens the review, from where every answer is reachable."""
    assert e.Position.parse(text) == e.Position(e.Place.REVIEW)
