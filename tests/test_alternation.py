"""Codebook patterns grouped by first letter match exactly what they matched as written."""

import re
import string

import pytest

from childwatch.codebook.alternation import factor_alternation, first_letter_words, literal_starts
from childwatch.codebook.lexicon import load_lexicon
from childwatch.extract.tokens import folded

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


def _lexicon_patterns() -> list[re.Pattern[str]]:
    lexicon = load_lexicon()
    rules = [p for r in lexicon.violations for p in (r.triggers, r.inherent, r.exclude) if p is not None]
    nouns = [p for n in lexicon.child_nouns for p in (n.pattern, n.adults_near) if p is not None]
    return [*rules, *nouns, lexicon.child_any, lexicon.graphic, lexicon.pattern_cues, lexicon.age_adjective]


def test_literal_starts_are_in_every_match() -> None:
    texts = [
        _TEXT,
        "Gunmen gang-raped two girls; 14 were ABDUCTED from a school, others beaten and jailed. "
        "Militants recruit child soldiers and use children as spies; a teenage boy was killed.",
    ]
    texts += [t.upper() for t in texts] + [t.replace("s", "ſ").replace("i", "ı").replace("k", "\u212a") for t in texts]
    patterns = _lexicon_patterns()
    assert sum(literal_starts(p) is not None for p in patterns) >= 10
    for pattern in patterns:
        starts = literal_starts(pattern)
        if starts is None:
            continue
        assert all(len(s) >= 3 and s == s.lower() and s.isascii() for s in starts)
        for text in texts:
            for m in pattern.finditer(text):
                # The match itself, and the whole text, as the gate reads them.
                assert any(s in folded(m.group()) for s in starts), (pattern.pattern[:60], m.group())
                assert any(s in folded(text) for s in starts)


@pytest.mark.parametrize(
    ("pattern", "starts"),
    [
        ("(?:gang-?)?rap(?:ed|e)", ("gang", "rape")),  # a group that may be left out
        ("(?<![\\w-])(?:kid|child)(?:ren|s)?(?![^\\W\\d])", ("kid", "child")),  # look-arounds pass
        ("[Tt]een(?:s|agers?)", ("teens", "teenager")),
        ("is\\s+executed", None),  # "is": too short to tell
        ("\\w+ed", None),
        ("d(?:ead|ied)|x", None),
    ],
)
def test_literal_starts_read_from_the_pattern(pattern: str, starts: tuple[str, ...] | None) -> None:
    assert literal_starts(re.compile(pattern, re.IGNORECASE)) == starts
