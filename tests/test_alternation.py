"""Codebook patterns grouped by first letter match exactly what they matched as written."""

import re
import string

import pytest

from childwatch.codebook.alternation import factor_alternation, first_letter_words
from childwatch.codebook.lexicon import load_lexicon

_TEXT = (
    "Children, CHILD soldiers and kids; a Kid, İnjured chİldren, ſchoolgirls, ſon, Kidnapped "
    "boys. The boy-soldier was recruited; trained as fighters, used as spies. x İ ı ſ K"
)


def _matches(pattern: str, text: str) -> list[tuple[tuple[int, int], tuple[str | None, ...]]]:
    return [(m.span(), m.groups()) for m in re.finditer(pattern, text, re.IGNORECASE)]


@pytest.mark.parametrize(
    "pattern",
    [
        "children|child|kids|kid|boys?",
        "kid|child|kids|children",  # a shorter branch first still wins
        "(?:recruit(?:s|ed)?|use[ds]?) (?:as|to) (?:fighters|spies)|trained as fighters",
        "(?:child|boy)[- ]soldiers?|[cC]hild|s|ſon",  # a class first: nothing moves across it
        r"(\w+) soldiers?|(?:child|kid)s?",  # a capturing group is not copied
        "(?:kid|child)?s|son",  # a quantified group is not spread
        "a{2}|b+|c*",
        "",
    ],
)
def test_same_matches(pattern: str) -> None:
    factored = factor_alternation(pattern)
    assert _matches(factored, _TEXT) == _matches(pattern, _TEXT)
    assert re.compile(factored).groups == re.compile(pattern).groups


def test_letters_fold_as_ignorecase_does() -> None:
    # The other cases of an ASCII letter under re.IGNORECASE, as alternation.py lists them.
    others = "".join(chr(c) for c in range(0x80, 0x10000) if not 0xD800 <= c < 0xE000)
    for letter in string.ascii_lowercase:
        factored = re.compile(factor_alternation(f"{letter}x|{letter}y"), re.IGNORECASE)
        for char in others:
            assert bool(factored.match(char + "x")) == bool(re.match(letter + "x", char + "x", re.IGNORECASE))


def test_unread_patterns_stay() -> None:
    for pattern in (r"(a)\1|b", "(?i:a)|b", "(?#note)a|b", "[a|b", "(a|b"):
        assert factor_alternation(pattern) == pattern


def test_codebook_patterns_are_grouped() -> None:
    lexicon = load_lexicon()
    assert "(?-i:" in lexicon.child_any.pattern
    assert all(r.triggers is None or "(?-i:" in r.triggers.pattern for r in lexicon.violations)


@pytest.mark.parametrize(
    "words",
    [
        ("named", "identified", "nommés", "llamadas"),
        ("kid", "kids", "son", "sons", "schoolgirl", "child", "children"),  # a word that starts another
    ],
)
def test_first_letter_words_as_whole_words_in_any_case(words: tuple[str, ...]) -> None:
    pattern = first_letter_words(words)
    assert pattern is not None
    plain = r"\b(?i:" + "|".join(sorted(words, key=len, reverse=True)) + r")\b"
    text = _TEXT + " NAMED ıdentified İdentified_x nommés, Llamadas kids_ x-son sons."
    assert [m.span() for m in re.finditer(pattern, text)] == [m.span() for m in re.finditer(plain, text)]


def test_first_letter_words_refuses_what_it_cannot_class() -> None:
    assert first_letter_words(["élève"]) is None
    assert first_letter_words(["a"]) is None
    assert first_letter_words([]) is None
