"""Vietnamese alphabetical order: letters first (Đ after D), then tones, then case."""

from __future__ import annotations

from bot.domain.collation import path_key, vi_key


def test_d_with_stroke_comes_after_d_and_before_e() -> None:
    """Code points put "Đ" after "Z"; the Vietnamese alphabet puts it right after "D"."""
    names = ["Đinh Văn Phú", "Zô Văn Y", "Dương Thị Dung", "Em", "Bùi Văn Ba"]
    assert sorted(names, key=vi_key) == [
        "Bùi Văn Ba",
        "Dương Thị Dung",
        "Đinh Văn Phú",
        "Em",
        "Zô Văn Y",
    ]
    assert sorted(names) != sorted(names, key=vi_key)  # plain sorting gets it wrong


def test_letters_with_marks_are_letters_of_their_own() -> None:
    """a ă â, e ê, o ô ơ, u ư are six letters apart; tones only break ties."""
    words = ["ư", "u", "ơ", "ô", "o", "ê", "e", "â", "ă", "a", "b"]
    assert sorted(words, key=vi_key) == ["a", "ă", "â", "b", "e", "ê", "o", "ô", "ơ", "u", "ư"]
    assert sorted(["Anh", "Ánh", "Ảnh", "Ạnh", "Ãnh", "Ành", "Ăn"], key=vi_key) == [
        "Anh",
        "Ành",
        "Ảnh",
        "Ãnh",
        "Ánh",
        "Ạnh",
        "Ăn",
    ]


def test_words_case_numbers_and_decomposed_text() -> None:
    """Word by word ("An" before "Anh"), numbers by value, NFD input as NFC, lower first."""
    assert sorted(["Anh", "An Bình", "An"], key=vi_key) == ["An", "An Bình", "Anh"]
    assert sorted(["Thôn 10", "Thôn 2", "Thôn 1"], key=vi_key) == ["Thôn 1", "Thôn 2", "Thôn 10"]
    assert vi_key("Đặng") == vi_key("\u0110a\u0306\u0323ng")  # decomposed marks
    assert sorted(["AN", "an", "An"], key=vi_key) == ["an", "An", "AN"]
    assert vi_key("Lê, Văn!") == vi_key("Lê Văn")  # punctuation does not decide


def test_a_unit_is_followed_by_its_sub_units() -> None:
    """Paths compare part by part, so the tree stays a tree."""
    paths = [
        "Đảng bộ xã Phú Lạc / UBND xã",
        "Đảng bộ xã Phú Lạc 2",
        "Ban Tuyên giáo",
        "Đảng bộ xã Phú Lạc",
        "Đảng bộ xã Phú Lạc / Chi bộ thôn 1",
        "Dân vận",
    ]
    assert sorted(paths, key=path_key) == [
        "Ban Tuyên giáo",
        "Dân vận",
        "Đảng bộ xã Phú Lạc",
        "Đảng bộ xã Phú Lạc / Chi bộ thôn 1",
        "Đảng bộ xã Phú Lạc / UBND xã",
        "Đảng bộ xã Phú Lạc 2",
    ]
