"""Choices as text on a channel without buttons: numbered lines, the typed answer read back."""

from __future__ import annotations

from bot.domain.choices import numbered, typed_choice
from bot.locales import Safe
from bot.services.channels import typed_press, without_buttons
from bot.services.replies import Choice, Reply

LABELS = ["Bắt đầu", "Sửa câu 3", "Nộp kế hoạch"]


def test_numbered_lines_from_one() -> None:
    assert numbered(LABELS) == ["1. Bắt đầu", "2. Sửa câu 3", "3. Nộp kế hoạch"]


def test_the_number_the_label_or_the_label_without_diacritics_is_the_press() -> None:
    assert typed_choice("2", LABELS) == 1
    assert typed_choice(" 3. ", LABELS) == 2
    assert typed_choice("Bắt đầu", LABELS) == 0
    assert typed_choice("sua cau 3", LABELS) == 1
    assert typed_choice("NỘP KẾ HOẠCH", LABELS) == 2


def test_anything_else_is_no_press() -> None:
    assert typed_choice("0", LABELS) is None
    assert typed_choice("4", LABELS) is None
    assert typed_choice("", LABELS) is None
    assert typed_choice("sửa", LABELS) is None
    assert typed_choice("sua", ["Sửa", "Sữa"]) is None  # folds to two labels: neither
    assert typed_choice("Sữa", ["Sửa", "Sữa"]) == 1  # typed exactly: that one


def test_a_reply_without_buttons_lists_its_choices_and_reads_the_typed_press() -> None:
    go, edit = Choice("Bắt đầu", "p:0:go:"), Choice("Sửa <câu> 3", "p:0:edit:3")
    reply = Reply(Safe("<b>Mẫu 01</b>"), choices=((go,), (edit,)))
    shown = without_buttons(reply)
    assert shown.choices == ()
    assert shown.text == "<b>Mẫu 01</b>\n\n1. Bắt đầu\n2. Sửa &lt;câu&gt; 3"
    assert typed_press("1", reply) is go
    assert typed_press("sua <cau> 3", reply) is edit
    assert typed_press("xin chào", reply) is None
    plain = Reply(Safe("Xin chào"))
    assert without_buttons(plain) is plain and typed_press("1", plain) is None


def test_a_list_the_text_already_numbers_is_shown_once() -> None:
    """A choice question lists its options for typing beside Telegram's buttons; without
    buttons the numbered choices are that list, so the text's copy goes. A list that merely
    starts like the choices, or a single line, stays."""
    one, two = Choice("Hội Phụ nữ", "c:0"), Choice("Đoàn <TN>", "c:1")
    back = Choice("Quay lại", "b")
    reply = Reply(
        Safe("Đăng ký với?\n1. Hội Phụ nữ\n2. Đoàn &lt;TN&gt;\nGõ số thứ tự."),
        choices=((one,), (two,), (back,)),
    )
    assert without_buttons(reply).text == (
        "Đăng ký với?\nGõ số thứ tự.\n\n1. Hội Phụ nữ\n2. Đoàn &lt;TN&gt;\n3. Quay lại"
    )
    listing = "1. Hội Phụ nữ\n2. Đoàn &lt;TN&gt;\n3. Hội khác"
    longer = Reply(Safe(listing), choices=reply.choices)
    assert without_buttons(longer).text.startswith(f"{listing}\n\n1. Hội Phụ nữ")
    single = Reply(Safe("Đã ghi:\n1. Hội Phụ nữ"), choices=reply.choices)
    assert without_buttons(single).text.startswith("Đã ghi:\n1. Hội Phụ nữ\n\n1. Hội Phụ nữ")


def test_a_label_is_named_by_its_words_without_emoji_or_punctuation() -> None:
    """ "gui ke hoach" names "📨 Gửi kế hoạch"; "sua noi dung" names "Sửa: Nội dung"."""
    labels = ["📨 Gửi kế hoạch", "Sửa: Nội dung", "⏸ Tạm dừng"]
    assert typed_choice("gui ke hoach", labels) == 0
    assert typed_choice("Sửa nội dung", labels) == 1
    assert typed_choice("tam dung!", labels) == 2
    assert typed_choice("📨", labels) is None  # no words: names nothing


def test_odd_digits_and_huge_numbers_name_nothing_and_never_raise() -> None:
    """Superscripts pass ``str.isdigit`` but are not numbers; thousands of digits are refused."""
    assert typed_choice("²", LABELS) is None
    assert typed_choice("٣", LABELS) is None
    assert typed_choice("9" * 5000, LABELS) is None
