"""Vietnamese alphabetical order for lists of people and units, without ICU.

The alphabet is a ă â b c d đ e ê g h i k l m n o ô ơ p q r s t u ư v x y (the Latin letters it
lacks, f j w z, keep their Latin places). Letters are compared first, ignoring tone and case
("Đ" comes after "D" and before "E", not after "Z" as code points put it); then the tones, in
dictionary order: none, huyền, hỏi, ngã, sắc, nặng; then lower case before upper. Numbers come
before letters, by value; other characters after them; words are compared one by one.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache

# The alphabet as (base letter, the mark that makes a letter of its own): a ă â b c d đ e ê ...
# (built from ASCII and combining marks: the code holds no Vietnamese text).
BREVE, CIRCUMFLEX, HORN, STROKE = "\u0306", "\u0302", "\u031b", "stroke"
_SHAPED: dict[str, tuple[str, ...]] = {
    "a": (BREVE, CIRCUMFLEX),
    "d": (STROKE,),
    "e": (CIRCUMFLEX,),
    "o": (CIRCUMFLEX, HORN),
    "u": (HORN,),
}
_ORDER = [
    (base, shape) for base in "abcdefghijklmnopqrstuvwxyz" for shape in ("", *_SHAPED.get(base, ()))
]
_LETTER = {letter: index for index, letter in enumerate(_ORDER)}
_D_STROKE = chr(0x111)  # lower-case d with stroke: it has no decomposition
# The tone marks, in dictionary order (no mark is 0).
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_DIGITS = 0  # numbers (their length, then their digits) sort before the letters ...
_LETTERS = 100  # ... letters from here ...
_OTHER = 200  # ... and anything else after them

Key = tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]


@lru_cache(maxsize=4_096)
def _char(char: str) -> tuple[int, int, int] | None:
    """One character's (not a digit's) letter, tone and case; None for punctuation and symbols,
    which do not decide the order. Cached: a roster's names are written with a few hundred."""
    upper = char != char.lower()
    char = char.lower()
    if char == _D_STROKE:
        base, marks, shape = "d", "", STROKE
    else:
        decomposed = unicodedata.normalize("NFD", char)
        base, marks, shape = decomposed[0], decomposed[1:], ""
    tone = 0
    for mark in marks:
        if mark in _SHAPED.get(base, ()):
            shape = mark
        elif mark in _TONES:
            tone = _TONES[mark]
    if (base, shape) in _LETTER:
        letter = _LETTERS + _LETTER[base, shape]
    elif (base, "") in _LETTER:  # a Latin letter with a foreign mark (é is e, ç is c)
        letter = _LETTERS + _LETTER[base, ""]
    elif unicodedata.category(base)[0] in "LN":
        letter = _OTHER + min(ord(base), 10**6)
    else:
        return None
    return letter, tone, 1 if upper else 0


@lru_cache(maxsize=8_192)  # a roster's distinct words are a few thousand; bounded memory
def _letters(word: str) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """A word's letters, tones and cases as three tuples of numbers. Cached by word: names
    share their words (a sweep over 100,000 people sorts far fewer distinct words)."""
    primary: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    run = ""  # digits read so far: a number is compared by its value ("2" before "10")
    for char in [*unicodedata.normalize("NFC", word), " "]:
        if char.isascii() and char.isdigit():
            run += char
            continue
        if run:
            value = run.lstrip("0") or "0"
            primary += [_DIGITS + min(len(value), 99), *(int(d) for d in value)]
            run = ""
        if char == " ":
            break
        found = _char(char)
        if found is None:
            continue  # punctuation and symbols do not decide the order
        primary.append(found[0])
        tones.append(found[1])
        cases.append(found[2])
    return tuple(primary), tuple(tones), tuple(cases)


@lru_cache(maxsize=4_096)  # small: a key is cheap from the cached words, and 65,536 keys
def vi_key(text: str) -> Key:  # of a 100,000-person sweep held 31 MB
    """A sort key that puts ``text`` in Vietnamese alphabetical order."""
    primary: list[int] = []
    tones: list[int] = []
    cases: list[int] = []
    for word in text.split():
        letters, word_tones, word_cases = _letters(word)
        primary += [*letters, -1]  # -1 ends a word: "An" before "Anh", "Lê Văn" before "Lên"
        tones += word_tones
        cases += word_cases
    return tuple(primary), tuple(tones), tuple(cases)


@lru_cache(maxsize=65_536)
def path_key(path: str) -> tuple[Key, ...]:
    """A unit path's key, part by part, so a unit's sub-units follow it ("A / B" after "A")."""
    return tuple(vi_key(part) for part in path.split(" / "))
