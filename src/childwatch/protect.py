"""Protection of children named in reports: their names (and the school or street next to
a named child) are replaced by pseudonyms before text is shown or exported.

    red = redact(document.text, key=document.id)
    red.text                      # "... the [child KQ], 13, was ..."
    red.span(start, end)          # an offset range of the original, in `red.text`

Rules find a child's name by what stands next to it: an age ("13-year-old Dmytro",
"Amina, 12,", "Omar (9)"), a child noun ("her son Omar", "the boy, Ahmed Ali,",
"schoolgirl Fatima") or a list of victims ("the children were named as ..."). Once
found, every mention of the name, or of one of its words standing alone, is replaced
in the whole text. Names of adults (officials, parents, reporters) are left alone: an
age of 18 or more next to a name rules it out.

Pseudonyms depend only on the key (a document id) and the name, so a name gets the same
pseudonym in a document's text, its title and its claims' evidence, while the same child
cannot be followed from one document to the next by label.

Admins may reveal the original text; every reveal is a 'reveal' review event (`log_reveal`).
"""

from __future__ import annotations

import bisect
import dataclasses
import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import Any, cast

import pycountry
from sqlalchemy import Table, case, select

from childwatch.errors import ChildwatchError, ReviewError
from childwatch.extract.lexicon import load_lexicon
from childwatch.records import Claim, Location
from childwatch.store import Store
from childwatch.store.models import DocumentRow

__all__ = [
    "Redaction",
    "ShownReport",
    "child_names",
    "document_child_names",
    "log_reveal",
    "names_a_child",
    "pseudonymise",
    "pseudonymise_document_ids",
    "redact",
    "redact_values",
    "report_names",
    "shown_ids",
    "shown_report",
    "shown_reports",
    "stop_words",
    "without_child_names",
]

DOCS = cast(Table, DocumentRow.__table__)
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
    "fillette|garçon|écolière|écolier|bébé|fille|fils|niña|niño|bebé|hija|hijo|menor"
)
_CHILD_PLURALS = "children|boys|girls|victims|pupils|schoolchildren|minors|teenagers|siblings|sons|daughters"

_AGED = r"(?:aged|âgée?|de|agée?)(?:\s+de)?"
# Each rule captures the name as group "name" (or several, for a list, as group "names").
_RULES = [
    # 13-year-old Dmytro; a 12-year-old schoolgirl, Amina Yusuf; a 14-year-old named Daniel
    re.compile(
        rf"\b{_AGE}[- ]years?[- ]old(?:\s+(?:{_CHILD_NOUNS}))?\s*,?\s+(?:(?:named|called)\s+)?(?P<name>{_NAME})"
    ),
    # Amina, 12, / Omar (9) / Amina, aged 12 / Amina, a 12-year-old
    re.compile(
        rf"{_B}(?P<name>{_NAME})\s*(?:,\s*(?:{_AGED}\s+)?|\((?:{_AGED}\s+)?)(?P<age>\d{{1,2}})"
        r"\s*(?:[,);]|\.(?:\s|$)|years?\b|ans\b|años\b)"
    ),
    re.compile(rf"{_B}(?P<name>{_NAME}),\s+(?:a|an)\s+(?P<age>{_AGE})[- ]years?[- ]old"),
    # her son Omar / the boy, Ahmed Ali, / schoolgirl Fatima / a boy named Omar
    re.compile(rf"\b(?:{_CHILD_NOUNS})\s*,?\s+(?:(?:named|called)\s+)?(?P<name>{_NAME})"),
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
        rf"\b{_AGE}[- ](?i:years?)[- ](?i:old)(?:\s+(?i:{_CHILD_NOUNS}))?\s*,?\s+(?:(?i:named|called)\s+)?"
        rf"(?P<name>{_NAME})"
    ),
    _RULES[1],
    _RULES[2],
    re.compile(rf"\b(?i:{_CHILD_NOUNS})\s*,?\s+(?:(?i:named|called)\s+)?(?P<name>{_NAME})"),
    *_RULES[4:],
]
_NAMED_LIST = re.compile(
    rf"\b(?i:{_CHILD_PLURALS}|{_CHILD_NOUNS})\b[^.!?]{{0,60}}?\b(?i:named|identified)\s+(?:as\s+)?"
    rf"(?P<names>{_NAME}(?:\s*,\s*{_NAME})*(?:,?\s+and\s+{_NAME})?)"
)
_ADULT_AFTER = re.compile(r"\s*(?:,\s*(?:aged\s+)?|\((?:aged\s+)?)(\d{2,3})\b")
_SCHOOL = re.compile(
    rf"\b(?:{_WORD}\s+){{1,4}}(?:(?:Primary|Secondary|High|Elementary|Middle|Basic|Girls'?|Boys'?)\s+)*"
    r"(?:School|Academy|College|Kindergarten|Madrasa|Madrassa)\b"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?\s+(?:{_WORD}\s+){{1,3}}(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Boulevard)"
)
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)|\n\s*\n")

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
    stop = _stop_words()
    while words and words[0] in stop:
        words.pop(0)
    while words and words[-1] in stop:
        words.pop()
    if not words or any(w in stop for w in words) or len(words[0]) < 2:
        return None
    return " ".join(words)


def _years(age: str) -> int:
    """An age as the rules capture it: digits, or a number word ("twelve")."""
    return int(age) if age.isdigit() else _NUMBER_WORDS.index(age.lower()) + 1


# What each rule cannot match without, and how far before and after it the rule's match
# may reach: the rules run only around these cues (the text between them holds no name
# the rules could find), which makes finding names four times as fast on news reports.
_YEAR = re.compile(r"(?i)year")
_CHILD_CUE = re.compile(rf"\b(?i:{_CHILD_NOUNS})\b")
_CUES: list[tuple[re.Pattern[str], int, int]] = [
    (_YEAR, 20, 140),  # 13-year-old Dmytro
    (re.compile(rf"[,(]\s*(?:{_AGED}\s+)?\d"), 100, 30),  # Amina, 12, / Aminata, 12 ans,
    (_YEAR, 120, 20),  # Amina, a 12-year-old
    (_CHILD_CUE, 2, 120),  # her son Omar
    (_CHILD_CUE, 140, 20),  # Fatima, a schoolgirl
    (re.compile(r"\b(?:was|is)\s+(?:only\s+|just\s+)?\d"), 100, 80),  # Omar Khalil was 15 when
    (_YEAR, 420, 20),  # Amina Yusuf was asleep ... The 14-year-old
]
_LIST_CUE = re.compile(r"\b(?i:named|identified)\b")


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
                if part.group(0) != "and":
                    keep(part.group(0), start + part.start(), start + part.end())
    return [name for name, _ in sorted(found.items(), key=lambda kv: kv[1])]


_LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as digits


def _label(key: str, name: str, taken: set[str]) -> str:
    digest = hashlib.sha256(f"{key}\x00{name.casefold()}".encode()).digest()
    n = int.from_bytes(digest[:4], "big")
    for i in range(len(_LETTERS) ** 2):
        k = (n + i) % len(_LETTERS) ** 2
        label = f"[child {_LETTERS[k // len(_LETTERS)]}{_LETTERS[k % len(_LETTERS)]}]"
        if label not in taken:
            return label
    return "[child]"


@dataclass(slots=True)
class Redaction:
    """A pseudonymised text and how to map offsets of the original into it."""

    text: str
    edits: list[tuple[int, int, str]] = field(default_factory=list)  # original (start, end) -> replacement
    names: dict[str, str] = field(default_factory=dict)  # child's name -> pseudonym
    _starts: list[int] = field(default_factory=list)
    _shift: list[int] = field(default_factory=list)  # total length change after edit i

    def __post_init__(self) -> None:
        total = 0
        for start, end, new in self.edits:
            total += len(new) - (end - start)
            self._starts.append(start)
            self._shift.append(total)

    def offset(self, i: int, *, end: bool = False) -> int:
        """Where original offset `i` lands; inside a replaced name, its start (or its end
        when `end`), so that a highlighted span covers the whole pseudonym."""
        k = bisect.bisect_right(self._starts, i) - 1
        if k >= 0:
            start, stop, new = self.edits[k]
            before = self._shift[k - 1] if k else 0
            if start < i < stop or (i == start and end and i != stop):
                return start + before + (len(new) if end else 0)
            if i >= stop:
                return i + self._shift[k]
            return i + before
        return i

    def span(self, start: int, end: int) -> tuple[int, int]:
        return self.offset(start), self.offset(end, end=True)

    def slice(self, start: int, end: int) -> str:
        a, b = self.span(start, end)
        return self.text[a:b]


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
    """`names` without repeats (any case), first spelling kept."""
    seen: dict[str, str] = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
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


@cache
def _name_pattern(names: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every mention of `names` (whole names first, then their words),
    in any case, with words joined by spaces, hyphens or underscores (URL slugs); and
    which name each case-folded mention belongs to."""
    owner: dict[str, str] = {}
    for name in names:
        owner.setdefault(" ".join(name.casefold().split()), name)
    for name in names:
        for word in name.split():
            if len(word) >= 3 and word not in _stop_words():
                owner.setdefault(word.casefold(), name)
    alternatives = sorted(owner, key=len, reverse=True)
    body = "|".join(r"[\s_-]+".join(re.escape(w) for w in a.split()) for a in alternatives)
    return re.compile(rf"(?<![^\W_])(?:{body})(?![^\W_])", re.IGNORECASE), owner


_TITLE_RUN = re.compile(rf"(?:{_WORD}\s+)*{_WORD}\s+$")


def _adult_sharing_a_word(text: str, start: int, end: int, owner_name: str) -> bool:
    """A word of a child's name inside another capitalised name that a title opens
    ("Governor Ali Hassan" when the child is "Ahmed Ali"): someone else."""
    before = _TITLE_RUN.search(text, max(0, start - 80), start)
    after = re.match(rf"\s+({_WORD})", text[end : end + 40])
    run = (before.group(0).split() if before else []) + ([after.group(1)] if after else [])
    if not run:
        return False
    ours = {w.casefold() for w in owner_name.split()}
    others = [w for w in run if w.casefold() not in ours]
    stop = _stop_words()
    return bool(others) and any(w in stop and w not in _CHILD_WORDS for w in run) and any(w not in stop for w in others)


def _common_word(text: str, word: str) -> bool:
    """Whether running text uses `word` (lower case) as a word of its own: twice or more
    ("said", "hope"). Once is more likely a name written carelessly ("amina, 12")."""
    return len(re.findall(rf"(?<![^\W_]){re.escape(word)}(?![^\W_])", text)) >= 2


_CHILD_WORDS = frozenset(w.capitalize() for w in _CHILD_NOUNS.split("|"))


def redact(text: str, *, key: str, names: Iterable[str] | None = None) -> Redaction:
    """Pseudonymise `text` (see the module doc). `names` are the report's children's names
    as found at ingest (`document_child_names`); None finds them in `text` alone.

    Whole names are hidden in any case. A single word of a name is hidden in any case on
    a line that is not running text (a headline in capitals, lower case or title case);
    in running text unless written in lower case ("said" is a word; "Said" may be the
    boy) or inside another name that a title opens ("Governor Ali Hassan")."""
    children = _distinct(child_names(text) if names is None else names)
    if not children:
        return Redaction(text)
    labels: dict[str, str] = {}
    for name in children:
        labels[name] = _label(key, name, set(labels.values()))
    pattern, owner = _name_pattern(tuple(children))
    edits: list[tuple[int, int, str]] = []
    casing: dict[int, bool] = {}
    for m in pattern.finditer(text):
        found = m.group(0)
        name = owner[" ".join(re.split(r"[\s_-]+", found.casefold()))]
        whole = len(found.split()) > 1 or found.casefold() == " ".join(name.casefold().split())
        if not whole:
            line_start = text.rfind("\n", 0, m.start()) + 1
            if line_start not in casing:
                line_end = text.find("\n", m.end())
                casing[line_start] = _normally_cased(text[line_start : line_end if line_end >= 0 else len(text)])
            if casing[line_start] and (
                (found.islower() and _common_word(text, found)) or _adult_sharing_a_word(text, m.start(), m.end(), name)
            ):
                continue
        edits.append((m.start(), m.end(), labels[name]))
    edits += _identifying_details(text, edits)
    edits.sort()
    merged: list[tuple[int, int, str]] = []
    for start, end, new in edits:  # a school name may contain a child's name: keep the outer one
        if merged and start < merged[-1][1]:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end, merged[-1][2])
            continue
        merged.append((start, end, new))
    out, last = [], 0
    for start, end, new in merged:
        out.append(text[last:start])
        out.append(new)
        last = end
    out.append(text[last:])
    return Redaction("".join(out), merged, labels)


def _identifying_details(text: str, named: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Schools and street addresses in the sentences that name a child: with the name they
    would identify the child; elsewhere (a school attacked) they are the news, and stay."""
    if not named:
        return []
    bounds = [0, *(m.end() for m in _SENTENCE_END.finditer(text)), len(text)]
    found: list[tuple[int, int, str]] = []
    done: set[int] = set()
    for start, _, _ in named:
        k = bisect.bisect_right(bounds, start) - 1
        if k in done:
            continue
        done.add(k)
        lo, hi = bounds[k], bounds[min(k + 1, len(bounds) - 1)]
        sentence = text[lo:hi]
        found += [(lo + m.start(), lo + m.end(), "[school]") for m in _SCHOOL.finditer(sentence)]
        found += [(lo + m.start(), lo + m.end(), "[address]") for m in _ADDRESS.finditer(sentence)]
    return found


def report_names(stored: Iterable[str] | None, text: str, title: str | None = None) -> list[str]:
    """A report's children's names: those stored at ingest, or for a report stored before
    they were (migration 0010), found now over its text and title."""
    return list(stored) if stored is not None else _late_names(text, title)


@lru_cache(maxsize=2048)
def _late_names(text: str, title: str | None) -> list[str]:
    return document_child_names(text, title)


@dataclass(frozen=True, slots=True)
class ShownReport:
    """A report as a non-admin sees it: text, title and address with children's names
    replaced by the same pseudonyms."""

    id: str  # a document's id is often its address ("example.org/news/amina-yusuf-freed@3fa9c1d2e4b5")
    text: Redaction
    title: str | None
    url: str | None
    names: tuple[str, ...]


def shown_report(
    doc_id: str, *, text: str, title: str | None = None, url: str | None = None, stored: Iterable[str] | None = None
) -> ShownReport:
    """The report `doc_id` as people see it: every field that carries words of the report
    (an address's slug too: ".../schoolgirl-amina-yusuf-freed") redacted with its names."""
    names = report_names(stored, text or "", title)
    red = redact(text or "", key=doc_id, names=names)

    def hide(value: str | None) -> str | None:
        return redact(value, key=doc_id, names=names).text if value and names else value

    return ShownReport(hide(doc_id) or doc_id, red, hide(title), hide(url), tuple(names))


def shown_reports(store: Store, doc_ids: Iterable[str]) -> dict[str, ShownReport]:
    """`shown_report` of each of these stored documents, read in chunks."""
    ids = sorted(set(doc_ids))
    d = DOCS.c
    shown: dict[str, ShownReport] = {}
    with store._read() as conn:
        for k in range(0, len(ids), 500):
            stmt = select(d.id, d.text, d.title, d.url, d.child_names).where(d.id.in_(ids[k : k + 500]))
            for row in conn.execute(stmt):
                shown[row.id] = shown_report(
                    row.id, text=row.text, title=row.title, url=row.url, stored=row.child_names
                )
    return shown


def shown_ids(store: Store, doc_ids: Iterable[str]) -> dict[str, str]:
    """{id: the id as people see it} for those of these documents whose id names one of
    their children (an address or a file name often does); others are left out."""
    ids = sorted(set(doc_ids))
    d = DOCS.c
    shown: dict[str, str] = {}
    unknown = d.child_names.is_(None)
    with store._read() as conn:
        for k in range(0, len(ids), 500):
            # The text is read only for reports stored before their names were (0010).
            stmt = select(
                d.id, d.child_names, case((unknown, d.text), else_=None), case((unknown, d.title), else_=None)
            )
            for doc_id, stored, text, title in conn.execute(stmt.where(d.id.in_(ids[k : k + 500]))):
                names = report_names(stored, text or "", title)
                hidden = redact(doc_id, key=doc_id, names=names).text if names else doc_id
                if hidden != doc_id:
                    shown[doc_id] = hidden
    return shown


def pseudonymise_document_ids(store: Store, records: list[dict[str, Any]]) -> None:
    """Replace, in place, the document ids that incidents list under their outlets and
    sources ("documents", "copies", and inside keys such as "story:ID") by the ids as
    people see them (`shown_ids`)."""
    found: set[str] = set()

    def collect(value: Any, key: str = "") -> None:
        if isinstance(value, str) and key in ("documents", "copies"):
            found.add(value)
        elif isinstance(value, list):
            for v in value:
                collect(v, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                collect(v, k)

    def replace(value: Any, shown: dict[str, str]) -> Any:
        if isinstance(value, str):
            for doc_id, hidden in shown.items():
                value = value.replace(doc_id, hidden)
            return value
        if isinstance(value, list):
            return [replace(v, shown) for v in value]
        if isinstance(value, dict):
            return {k: replace(v, shown) for k, v in value.items()}
        return value

    for record in records:
        for key in ("outlets", "sources"):
            collect(record.get(key))
    shown = shown_ids(store, found) if found else {}
    if shown:
        for record in records:
            for key in ("outlets", "sources", "counts"):
                if record.get(key) is not None:
                    record[key] = replace(record[key], shown)


def redact_values(value: Any, *, key: str, names: Iterable[str]) -> Any:
    """`value` (strings, lists and dicts of them, as in a review event) with every string
    redacted with `names`: what an analyst typed may name a child too."""
    names = list(names)
    if not names:
        return value
    if isinstance(value, str):
        return redact(value, key=key, names=names).text
    if isinstance(value, list | tuple):
        return [redact_values(v, key=key, names=names) for v in value]
    if isinstance(value, dict):
        return {k: redact_values(v, key=key, names=names) for k, v in value.items()}
    return value


def names_a_child(value: str | None, names: Iterable[str]) -> bool:
    """Whether `value` (a place, an actor, a source as extracted) is or contains a word of
    one of the children's `names`: "Yakubu" taken for a town from "Esther Yakubu"."""
    if not value:
        return False
    words = {w.casefold() for w in re.findall(r"[^\W\d_]+", value)}
    return any(w.casefold() in words for name in names for w in name.split() if len(w) >= 3 and w not in _stop_words())


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


def pseudonymise(text: str, *, key: str, names: Iterable[str] | None = None) -> str:
    """`text` with children's names replaced by pseudonyms stable for `key` (a document id)."""
    return redact(text, key=key, names=names).text


def log_reveal(store: Any, user: Any, target: str, reason: str | None) -> int:
    """Record that an admin revealed protected text of `target` ("incident:ID",
    "document:ID" or "export"); PermissionDenied for anyone else. Returns the event id."""
    from childwatch.review import record_reveal
    from childwatch.users import require

    require(user, "reveal")
    if not reason or not reason.strip():
        raise ReviewError("say why the protected details are needed: a reason is required to reveal them")
    return record_reveal(store, user, target, reason.strip())
