"""Finding the children a report names: by what stands next to a name, an age ("13-year-old
Dmytro", "Amina, 12,", "Aminata Traoré, 12 ans"), a child noun ("her son Omar", "the
boy, Ahmed Ali,", "schoolgirl Fatima") or a list of victims ("the children were named as
..."), in English, French and Spanish; and in Arabic, where no capital letter marks a name,
by the cues of `extract.names_arabic`. Names of adults are left alone: an age of 18 or more
next to a name rules it out.

`document_child_names` runs once per report, at extraction (`run.workers.extract_one`), over
its text, title and metadata; the list is stored with the report and every output is
redacted with it (`read.redact`).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Mapping
from functools import cache, lru_cache
from typing import Any

import pycountry

from childwatch.codebook.alternation import first_letter_words
from childwatch.codebook.lexicon import load_lexicon
from childwatch.errors import ChildwatchError
from childwatch.extract.names_arabic import arabic_child_names, fold, has_arabic
from childwatch.extract.tokens import word_trie
from childwatch.records import Claim, Location

__all__ = ["child_names", "document_child_names", "names_a_child", "report_names", "stop_words", "without_child_names"]

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
# A capitalised word; an apostrophe or hyphen may join a second part ("O'Neil",
# "Abu-Bakr") but a possessive "'s" is not part of the name.
_WORD = rf"[{_UP}][{_LOW}]+(?:[-'’](?!s\b)[{_UP}]?[{_LOW}]+)*"
_PARTICLE = r"(?:(?:al|el|ad|as|ash|bin|ibn|abu|van|von|de|da|di|du|le)[-\s])"
_B = r"(?<![\w'’-])"  # not inside a word
_NAME = rf"{_WORD}(?:\s+{_PARTICLE}?{_WORD}){{0,2}}"
_NUMBER_WORDS = (
    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "thirteen",
    "fourteen", "fifteen", "sixteen", "seventeen", "eighteen",
)  # fmt: skip
_AGE = rf"(?:\d{{1,2}}|{'|'.join(_NUMBER_WORDS)})"
_CHILD_NOUNS = (
    "son|daughter|boy|girl|child|nephew|niece|grandson|granddaughter|schoolboy|schoolgirl|"
    "pupil|baby|toddler|infant|teenager|teen|stepson|stepdaughter|"
    # French and Spanish, so that reports stored without extraction are protected too
    "fillette|garçon|écolière|écolier|bébé|fille|fils|niña|niño|bebé|hija|hijo|menor|"
    "petit|petite|enfant|nourrisson|adolescent|adolescente|collégien|collégienne|pequeño|pequeña|lactante"
)
_CHILD_PLURALS = (
    "children|boys|girls|victims|pupils|schoolchildren|minors|teenagers|siblings|sons|daughters|"
    "enfants|garçons|filles|fillettes|élèves|écoliers|écolières|mineurs|victimes|"
    "niños|niñas|menores|hijos|hijas|alumnos|víctimas"
)
# "a boy named Omar", "un garçon prénommé Moussa", "una niña llamada Sofía"
_NAMED = r"(?:named|called|nommée?|prénommée?|appelée?|llamad[oa])"
_NAMED_AS_WORDS = (
    "named", "identified", "nommés", "nommées", "prénommés", "prénommées", "identifiés", "identifiées",
    "identificados", "identificadas", "llamados", "llamadas",
)  # fmt: skip
_NAMED_AS = f"(?:{'|'.join(_NAMED_AS_WORDS)})"

_AGED = r"(?:aged|âgée?|de|agée?)(?:\s+de)?"
# Each rule captures the name as group "name" (or several, for a list, as group "names").
_RULES = [
    # 13-year-old Dmytro; a 12-year-old schoolgirl, Amina Yusuf; a 14-year-old named Daniel
    re.compile(rf"\b{_AGE}[- ]years?[- ]old(?:\s+(?:{_CHILD_NOUNS}))?\s*,?\s+(?:{_NAMED}\s+)?(?P<name>{_NAME})"),
    # Amina, 12, / Omar (9) / Amina, aged 12 / Amina, a 12-year-old
    re.compile(
        rf"{_B}(?P<name>{_NAME})\s*(?:,\s*(?:{_AGED}\s+)?|\((?:{_AGED}\s+)?)(?P<age>\d{{1,2}})"
        r"\s*(?:[,);]|\.(?:\s|$)|years?\b|ans\b|años\b)"
    ),
    re.compile(rf"{_B}(?P<name>{_NAME}),\s+(?:a|an)\s+(?P<age>{_AGE})[- ]years?[- ]old"),
    # her son Omar / the boy, Ahmed Ali, / schoolgirl Fatima / a boy named Omar / le petit Moussa
    re.compile(rf"\b(?:{_CHILD_NOUNS})\s*,?\s+(?:{_NAMED}\s+)?(?P<name>{_NAME})"),
    # Fatima, a schoolgirl / Omar, her son
    re.compile(rf"{_B}(?P<name>{_NAME}),\s+(?:a|an|the|her|his|their)\s+(?:[{_LOW}]+\s+)?(?:{_CHILD_NOUNS})\b"),
    # Omar Khalil was 15 when ... / Amina is 12, and ...
    re.compile(
        rf"{_B}(?P<name>{_NAME})\s+(?:was|is)\s+(?:only\s+|just\s+)?(?P<age>\d{{1,2}})"
        r"(?=\s+(?:when|at\s+the\s+time|years?[- ]old)\b|\s*,\s*(?:when|and|but|says|said)\b)"
    ),
    # Amina Yusuf was asleep in the hostel when ... The 14-year-old said ...: named at the
    # start of one sentence, "the N-year-old" at the start of the next.
    re.compile(
        rf"(?:^|(?<=[.!?]\s)|(?<=\n)|(?<=—\s))(?P<name>{_NAME})\b[^.!?\n]{{0,240}}[.!?][\"”’]?\s+"
        rf"The\s+(?:(?P<age>\d{{1,2}})|{'|'.join(_NUMBER_WORDS[:17])})[- ]years?[- ]old\b"
    ),
]
# A headline capitalises the words around the name too ("Schoolgirl Amina Yusuf Abducted",
# "14-Year-Old Dmytro"): there, the rules' own words are read in any case (`document_child_names`
# then cuts the name at a word the report uses in lower case).
_HEADLINE_RULES = [
    re.compile(
        rf"\b{_AGE}[- ](?i:years?)[- ](?i:old)(?:\s+(?i:{_CHILD_NOUNS}))?\s*,?\s+(?:(?i:{_NAMED})\s+)?"
        rf"(?P<name>{_NAME})"
    ),
    _RULES[1],
    _RULES[2],
    re.compile(rf"\b(?i:{_CHILD_NOUNS})\s*,?\s+(?:(?i:{_NAMED})\s+)?(?P<name>{_NAME})"),
    *_RULES[4:],
]
_NAMED_LIST = re.compile(
    rf"\b(?i:{_CHILD_PLURALS}|{_CHILD_NOUNS})\b[^.!?]{{0,60}}?\b(?i:{_NAMED_AS})\s+(?:(?:as|comme|como)\s+)?"
    rf"(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s+(?:and|et|y)\s+{_NAME})?)"
)
_ADULT_AFTER = re.compile(rf"\s*(?:,\s*(?:{_AGED}\s+)?|\((?:{_AGED}\s+)?)(\d{{2,3}})\b")
_STOP = frozenset(
    """The A An He She It They We I You His Her Its Their Our My Your This That These Those There Then When
    While After Before During Since Until In On At By For From With Without Of To And But Or Nor As If
    Mr Mrs Ms Miss Dr Prof Sir Madam President Governor Commander General Minister Colonel Captain Sheikh
    Imam Mayor Officer Sergeant Lieutenant Police Officials Army Forces Government State Islamic Province
    Region District Village Town City School Hospital Street Road Camp Church Mosque Red Cross Crescent
    Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April May June July
    August September October November December Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec
    Unicef UNICEF Aged According Among Some Many Several One Two Three Four Five Six Seven Eight Nine Ten
    Mother Father Son Daughter Boy Girl Child Children Family Uncle Aunt Brother Sister Yesterday Today
    Last Next Both All Each Every Local Authorities Residents Witnesses Sources Reuters Associated Press
    """.split()  # noqa: SIM905
)


@cache
def _stop_words() -> frozenset[str]:
    """Capitalised words that are never a child's name: function words, titles, months,
    demonyms and country names (so "a 12-year-old Yazidi girl" names no one)."""
    words = set(_STOP)
    try:
        for demonym in load_lexicon().demonyms:
            words.update(w.capitalize() for w in demonym.split())
            words.update(w.capitalize() + "s" for w in demonym.split())  # "Americans", "Syrians"
        for country in pycountry.countries:
            words.update(re.findall(rf"{_WORD}", country.name))
    except ChildwatchError:  # a broken lexicon must not stop protection: the built-in list still applies
        pass
    return frozenset(words)


def stop_words() -> frozenset[str]:
    """Capitalised words that are never (part of) a child's name, for callers that need
    to know where a name cannot be (`protected_search`)."""
    return _stop_words()


def _clean(name: str) -> str | None:
    """The name without leading stop words (sentence openers, titles); None if nothing is left."""
    words = name.split()
    if words and words[-1] in _PLACE_UNITS:
        return None  # "Chin State, a 10-year-old boy": a place, not a child's name
    stop = _stop_words()
    while words and words[0] in stop:
        words.pop(0)
    while words and words[-1] in stop:
        words.pop()
    if not words or any(w in stop for w in words) or len(words[0]) < 2:
        return None
    return " ".join(words)


_PLACE_UNITS = frozenset(
    {
        "State", "Province", "Region", "District", "Township", "County", "Governorate", "Division", "Oblast",
        "Prefecture", "Department", "Municipality", "Village", "Town", "City", "Camp", "Valley",
    }
)  # fmt: skip


def _years(age: str) -> int:
    """An age as the rules capture it: digits, or a number word ("twelve")."""
    return int(age) if age.isdigit() else _NUMBER_WORDS.index(age.lower()) + 1


# What each rule cannot match without, and how far before and after it the rule's match
# may reach: the rules run only around these cues (the text between them holds no name
# the rules could find), which makes finding names four times as fast on news reports.
_YEAR = re.compile(r"(?i)year")
# The nouns factored by prefix (tokens.word_trie): the same matches, a third of the time of
# the plain alternation, which was two thirds of finding a report's names.
_CHILD_CUE = re.compile(rf"\b(?i:{word_trie(_CHILD_NOUNS.split('|'), ignorecase=True)})\b")
_CUES: list[tuple[re.Pattern[str], int, int]] = [
    (_YEAR, 20, 140),  # 13-year-old Dmytro
    (re.compile(rf"[,(]\s*(?:{_AGED}\s+)?\d"), 100, 30),  # Amina, 12, / Aminata, 12 ans,
    (_YEAR, 120, 20),  # Amina, a 12-year-old
    (_CHILD_CUE, 2, 120),  # her son Omar
    (_CHILD_CUE, 140, 20),  # Fatima, a schoolgirl
    # (Opening with a letter, not \b, the cue lets the engine skip to a "w" or an "i": a third
    # faster. The look-behinds are the \b.)
    (re.compile(r"(?:w(?<!\ww)as|i(?<!\wi)s)\s+(?:only\s+|just\s+)?\d"), 100, 80),  # Omar Khalil was 15 when
    (_YEAR, 420, 20),  # Amina Yusuf was asleep ... The 14-year-old
]
# The words start with one of four letters: the cue opens with a class of their cases, so that
# the engine skips to them (a third faster than "\b(?i:words)\b", the same matches).
_LIST_CUE = re.compile(
    first_letter_words(_NAMED_AS_WORDS) or rf"\b(?i:{word_trie(_NAMED_AS_WORDS, ignorecase=True)})\b"
)


def _windows(
    text: str, cue: re.Pattern[str], before: int, after: int, seen: dict[re.Pattern[str], list[tuple[int, int]]]
) -> list[tuple[int, int]]:
    """Stretches of `text` around each match of `cue`, overlapping ones joined; `seen`
    keeps each cue's matches for the other rules that share it."""
    if cue not in seen:
        seen[cue] = [m.span() for m in cue.finditer(text)]
    spans: list[tuple[int, int]] = []
    for start, end in seen[cue]:
        lo, hi = max(0, start - before), min(len(text), end + after)
        if spans and lo <= spans[-1][1]:
            spans[-1] = (spans[-1][0], hi)
        else:
            spans.append((lo, hi))
    return spans


def child_names(text: str, *, headline: bool = False) -> list[str]:
    """The children's names the rules find in `text`, in order of first mention; a
    `headline`'s rules read their own words in any case."""
    found: dict[str, int] = {}

    def keep(name: str, at: int, end: int) -> None:
        adult = _ADULT_AFTER.match(text, end)
        if adult and int(adult.group(1)) >= 18:
            return
        cleaned = _clean(name)
        if cleaned and cleaned not in found:
            found[cleaned] = at

    seen: dict[re.Pattern[str], list[tuple[int, int]]] = {}
    for rule, (cue, before, after) in zip(_HEADLINE_RULES if headline else _RULES, _CUES, strict=True):
        for lo, hi in _windows(text, cue, before, after, seen):
            for m in rule.finditer(text, lo, hi):
                age = m.groupdict().get("age")
                if age is not None and _years(age) >= 18:
                    continue
                keep(m.group("name"), m.start("name"), m.end("name"))
    for lo, hi in _windows(text, _LIST_CUE, 100, 300, seen):
        for m in _NAMED_LIST.finditer(text, lo, hi):
            start = m.start("names")
            for part in re.finditer(_NAME, m.group("names")):
                keep(part.group(0), start + part.start(), start + part.end())
    if has_arabic(text):
        for name, at in arabic_child_names(text):
            found.setdefault(name, at)
    return [name for name, _ in sorted(found.items(), key=lambda kv: kv[1])]


def document_child_names(
    text: str, title: str | None = None, metadata: Mapping[str, object] | None = None
) -> list[str]:
    """The children's names of one report, found once at ingest over its text, its title
    and the strings of its metadata: every non-admin output is redacted with this list.

    A headline is often in title case or capitals ("SCHOOLGIRL AMINA YUSUF ABDUCTED"), where
    every word looks like a name: it is read in title case, and a word that the report's
    text uses in lower case ("abducted") is cut from the name found there."""
    found = list(child_names(text))
    headline = (title if _normally_cased(title) else title.title()) if title else ""
    in_headline = child_names(headline, headline=True) if headline else []
    if in_headline:
        lower_words = {w for w in re.findall(r"[^\W\d_]+", text) if w.islower()}
        for name in in_headline:
            kept: list[str] = []
            for word in name.split():
                if word.lower() in lower_words or _violation_word(word):
                    break
                kept.append(word)
            if kept and len(kept[0]) >= 2:
                found.append(" ".join(kept))
    for value in (metadata or {}).values():
        if isinstance(value, str) and value.strip():
            found += child_names(value)
    return _distinct(found)


@cache
def _violation_word(word: str) -> bool:
    """Whether `word` alone says a violation ("Abducted", "KILLED"): a headline's verb,
    never part of a name."""
    folded = word.lower()
    try:
        rules = load_lexicon().violations
    except ChildwatchError:  # a broken lexicon must not stop protection
        return False
    # "Child Soldiers" names a violation too: the word after a child noun in an inherent phrase.
    return any(
        (r.triggers is not None and r.triggers.fullmatch(folded))
        or (r.inherent is not None and r.inherent.fullmatch(f"child {folded}"))
        for r in rules
    )


def _distinct(names: Iterable[str]) -> list[str]:
    """`names` without repeats (any case, any diacritics), first spelling kept."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(fold(name).casefold(), name)
    return list(seen.values())


def _normally_cased(line: str) -> bool:
    """Whether `line` reads as running text, where case tells names from words: not all
    capitals, not all lower case, not a title-case headline ("Relatives Mourn Dmytro")."""
    letters = [c for c in line if c.isalpha()]
    if not letters:
        return True
    if not any(c.islower() for c in letters) or not any(c.isupper() for c in letters):
        return False
    words = re.findall(r"[^\W\d_]{4,}", line)
    return len(words) < 3 or sum(w[0].isupper() for w in words) / len(words) < 0.6


def names_a_child(value: str | None, names: Iterable[str]) -> bool:
    """Whether `value` (a place, an actor, a source as extracted) is or contains a word of
    one of the children's `names`: "Yakubu" taken for a town from "Esther Yakubu"."""
    if not value:
        return False
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", fold(value))}
    return any(
        fold(w).casefold() in words for name in names for w in name.split() if len(w) >= 3 and w not in _stop_words()
    )


def without_child_names(claim: Claim, names: Iterable[str]) -> Claim:
    """`claim` with every field that names a child emptied: a child is never a place, an
    actor or a source, and such a value would show the name wherever the field is shown."""
    names = list(names)
    changes: dict[str, Any] = {}
    if names_a_child(claim.location.name, names) or names_a_child(claim.location.admin1, names):
        changes["location"] = Location()
    if names_a_child(claim.perpetrator, names):
        changes.update(perpetrator=None, perpetrator_id=None, perpetrator_span=None)
    if names_a_child(claim.source, names):
        changes.update(source=None, source_id=None, source_span=None)
    if names_a_child(claim.victims.group, names):
        changes["victims"] = dataclasses.replace(claim.victims, group=None, group_span=None)
    return dataclasses.replace(claim, **changes) if changes else claim


def report_names(stored: Iterable[str] | None, text: str, title: str | None = None) -> list[str]:
    """A report's children's names: those stored at ingest, or for a report stored before
    they were (migration 0010), found now over its text and title."""
    return list(stored) if stored is not None else _late_names(text, title)


@lru_cache(maxsize=2048)
def _late_names(text: str, title: str | None) -> list[str]:
    return document_child_names(text, title)
