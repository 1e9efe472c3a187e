"""Replacing children's names by pseudonyms: every mention of a name, in any case, and the
school or street in the sentences that name a child.

    red = redact(document.text, key=document.id, names=stored_names)
    red.text                      # "... the [child KQ], 13, was ..."
    red.span(start, end)          # an offset range of the original, in `red.text`

Pseudonyms depend only on the key (a document id) and the name, so a name gets the same
pseudonym in a document's text, its title and its claims' evidence, while the same child
cannot be followed from one document to the next by label.
"""

from __future__ import annotations

import bisect
import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from childwatch.extract.names import (
    _CHILD_NOUNS,
    _WORD,
    _distinct,
    _normally_cased,
    _stop_words,
    child_names,
)
from childwatch.extract.names_arabic import MARKS, fold, has_arabic, letters_pattern, name_units

__all__ = ["Redaction", "pseudonymise", "redact", "redact_values"]

_SCHOOL = re.compile(
    rf"\b(?:{_WORD}\s+){{1,4}}(?:(?:Primary|Secondary|High|Elementary|Middle|Basic|Girls'?|Boys'?)\s+)*"
    r"(?:School|Academy|College|Kindergarten|Madrasa|Madrassa)\b"
)
_ADDRESS = re.compile(
    rf"\b\d{{1,4}}[A-Za-z]?\s+(?:{_WORD}\s+){{1,3}}(?:Street|St\.|Road|Rd\.|Avenue|Ave\.|Lane|Boulevard)"
)
_SENTENCE_END = re.compile(r"[.!?](?:\s+|$)|\n\s*\n")

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


_SEPARATORS = re.compile(r"[\s_-]+")


def _key(mention: str) -> str:
    """A name or a mention of one, case-folded, its words joined by single spaces: spaces,
    hyphens and underscores alike ("Goldberg-Polin", "goldberg_polin" in an address);
    Arabic without diacritics, its spellings of alef folded (`names_arabic.fold`)."""
    return " ".join(part for part in _SEPARATORS.split(fold(mention).casefold()) if part)


def _words_of(name: str) -> list[str]:
    """The words of a name that each identify the child alone."""
    return name_units(name) if has_arabic(name) else name.split()


# Before an Arabic name, "و" (and), "ب", "ل", "ك" (with, for, as) and "ف" are written joined to it.
_ARABIC_PROCLITICS = f"(?:[وفبلك][{MARKS}]*){{0,2}}"


@cache
def _name_pattern(names: tuple[str, ...]) -> tuple[re.Pattern[str], dict[str, str]]:
    """One pattern for every mention of `names` (whole names first, then their words),
    in any case, with words joined by spaces, hyphens or underscores (URL slugs), Arabic
    with or without diacritics and with a proclitic before it (group "ar"); and which
    name each folded mention (`_key`) belongs to."""
    owner: dict[str, str] = {}
    for name in names:
        owner.setdefault(_key(name), name)
    for name in names:
        for word in _words_of(name):
            if len(word) >= 3 and word not in _stop_words():
                owner.setdefault(_key(word), name)
    alternatives = sorted(owner, key=len, reverse=True)
    latin = [a for a in alternatives if not has_arabic(a)]
    body = "|".join(r"[\s_-]+".join(re.escape(w) for w in a.split()) for a in latin)
    arabic = [a for a in alternatives if has_arabic(a)]
    if arabic:
        ar = "|".join(r"[\s_-]+".join(letters_pattern(w) for w in a.split()) for a in arabic)
        body = f"{body}|{_ARABIC_PROCLITICS}(?P<ar>{ar})" if latin else f"{_ARABIC_PROCLITICS}(?P<ar>{ar})"
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
        start, end = m.span("ar") if m.groupdict().get("ar") else m.span()
        found = text[start:end]
        name = owner[_key(found)]
        whole = len(found.split()) > 1 or _key(found) == _key(name)
        if not whole:
            line_start = text.rfind("\n", 0, start) + 1
            if line_start not in casing:
                line_end = text.find("\n", end)
                casing[line_start] = _normally_cased(text[line_start : line_end if line_end >= 0 else len(text)])
            if casing[line_start] and (
                (found.islower() and _common_word(text, found)) or _adult_sharing_a_word(text, start, end, name)
            ):
                continue
        edits.append((start, end, labels[name]))
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


def pseudonymise(text: str, *, key: str, names: Iterable[str] | None = None) -> str:
    """`text` with children's names replaced by pseudonyms stable for `key` (a document id)."""
    return redact(text, key=key, names=names).text


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
