"""Word tokens with offsets, and a phrase index for longest-match look-up of names.

Names (armed groups, sources, places) are matched by normalised word n-grams against a
dict rather than by one huge regex alternation: a dict probe per n-gram keeps matching
linear in the text whatever the size of the codebook.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any, Generic, NamedTuple, Protocol, TypeVar

from childwatch.codebook.alternation import any_case

# A word and its possessive 's, which is matched (so that "Gaza's" is one token) but not kept.
_WORD = re.compile(r"([^\W_]+)(?:['’][sS]\b)?", re.UNICODE)
# re.IGNORECASE lets four non-ASCII letters match ASCII ones: "İ" and "ı" match i, "ſ" matches
# s, the Kelvin sign "K" matches k. A matched word looked up in a table of ASCII words
# ("ſummer" in the seasons) was not found and raised KeyError; translated first (one
# character for one, so offsets hold) it is found.
# Two words a scraper glued where table cells or headings met ("Suspected belligerentIsraeli
# Military", "SummaryStrike status"): a lower-case run of three letters or more, then a capital
# starting a word. Shorter runs are names' own ("McCarthy", "MacArthur", "DeSantis", "iPhone").
_GLUED = re.compile(r"(?<=[a-z]{3})(?=[A-Z][a-z])")
IGNORECASE_ASCII = str.maketrans({"\u0130": "I", "\u0131": "i", "\u017f": "s", "\u212a": "K"})

T = TypeVar("T")


def ascii_cases(text: str) -> str:
    """`text.translate(IGNORECASE_ASCII)`, without its cost where none of the four letters is
    in `text` (nearly always): the translation looks each distinct character up in the table,
    and a miss raises and clears a KeyError (2-3 µs for a sentence, against 0.2 µs for the tests)."""
    if text.isascii() or (
        "\u0130" not in text and "\u0131" not in text and "\u017f" not in text and "\u212a" not in text
    ):
        return text
    return text.translate(IGNORECASE_ASCII)


def folded(text: str) -> str:
    """`text` as re.IGNORECASE matches it to ASCII letters, one character for one: lower-cased,
    the four non-ASCII letters that match ASCII ones translated. A lower-case ASCII word is a
    substring of it exactly where the word's case-insensitive pattern (without word boundaries)
    matches in `text` (checked for every code point), and `in` finds it ten times as fast."""
    return ascii_cases(text).lower()


def normalise(text: str) -> str:
    """Lower-case, strip diacritics and possessive 's, fold punctuation to single spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    text = re.sub(r"['’]s\b", "", text)
    text = re.sub(r"['’`]", "", text)
    return re.sub(r"[^a-z0-9\u0600-\u06ff]+", " ", text).strip()


class Token(NamedTuple):
    # A named tuple, not a frozen dataclass: a document has thousands of tokens, and building
    # them was a third of tokenising it (a frozen dataclass sets each field through object.__setattr__).
    start: int
    end: int
    text: str  # as in the document (possessive 's removed)
    norm: str  # normalised (lower-case, no diacritics)

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper() or self.text[:1].isdigit()


# Words repeat (Zipf): normalising each distinct short word once made tokenising a text of a
# million tiny lines twice as fast. Long "words" are not cached, so the cache stays small.
_normalise_word = lru_cache(maxsize=1 << 16)(normalise)


def _read_word(word: str) -> str | None:
    """The normal form of a word ("" for none), or None for two words glued together."""
    if not (word.islower() or word[1:].islower() or word.isupper()) and _GLUED.search(word):
        return None
    return normalise(word)


class _NormalForms(dict[str, str | None]):
    """`_read_word` of each distinct word of up to 40 characters (whether it is glued, and its
    normal form), read once: words repeat (Zipf). A dict that reads its misses, not an
    lru_cache: a hit is the dict's own look-up, without the cache's bookkeeping for each word
    (a tenth of tokenising). Long "words" are not kept, and the table is emptied when full."""

    def __missing__(self, word: str) -> str | None:
        norm = _read_word(word)
        if len(word) <= 40:
            if len(self) >= 1 << 16:
                self.clear()
            self[word] = norm
        return norm


_NORMAL_FORMS = _NormalForms()
# Tokens built straight from a tuple: the named tuple's own constructor is a Python function,
# and calling it for each of a report's thousands of words was a third of tokenising it.
_new_token = tuple.__new__


def tokenize(text: str, offset: int = 0) -> list[Token]:
    out: list[Token] = []
    append = out.append
    norms = _NORMAL_FORMS
    for m in _WORD.finditer(text):
        word = m[1]
        norm = norms[word]
        if norm:
            start = offset + m.start()
            append(_new_token(Token, (start, start + len(word), word, norm)))
        elif norm is None:
            _glued(word, offset + m.start(), out)
    return out


def _glued(word: str, start: int, out: list[Token]) -> None:
    """The words of a glued token, each at its own offset."""
    cuts = [0, *(m.start() for m in _GLUED.finditer(word)), len(word)]
    for a, b in pairwise(cuts):
        norm = _normalise_word(word[a:b])
        if norm:
            out.append(Token(start + a, start + b, word[a:b], norm))


def tokens_within(text: str, tokens: list[Token], starts: list[int], start: int, end: int) -> list[Token]:
    """What `tokenize(text[start:end], start)` gives, from the document's `tokens` (and their
    `starts`) where no word can run on across either edge of the stretch; tokenised anew otherwise."""
    if start >= end:
        return []
    if (start == 0 or not _runs_on(text[start - 1], text[start])) and (
        end == len(text) or not _runs_on(text[end - 1], text[end])
    ):
        return tokens[bisect_left(starts, start) : bisect_left(starts, end)]
    return tokenize(text[start:end], start)


def _runs_on(before: str, after: str) -> bool:
    """Whether a token (or the \\b closing its possessive) may span these two characters."""
    return (before.isalnum() or before in "'’") and (after.isalnum() or after in "_'’")


@dataclass(frozen=True, slots=True)
class PhraseMatch(Generic[T]):
    start: int  # character offsets
    end: int
    first: int  # token indexes [first, last)
    last: int
    payload: T


class PhraseIndex(Generic[T]):
    """Maps normalised phrases (and case-sensitive abbreviations) to payloads."""

    def __init__(self) -> None:
        self._phrases: dict[str, list[T]] = {}
        self._exact: dict[str, list[T]] = {}
        self._prefixes: set[str] = set()  # every proper word-prefix of a phrase
        # The words a phrase can start with: most of a report's words start none, and are
        # passed over with one set look-up.
        self._heads: set[str] = set()

    def add(self, phrase: str, payload: T) -> None:
        key = normalise(phrase)
        if key:
            self._phrases.setdefault(key, []).append(payload)
            parts = key.split(" ")
            self._heads.add(parts[0])
            for k in range(1, len(parts)):
                self._prefixes.add(" ".join(parts[:k]))

    def add_exact(self, abbreviation: str, payload: T) -> None:
        """A case-sensitive single token, e.g. "IS" (never the pronoun "is")."""
        self._exact.setdefault(abbreviation, []).append(payload)

    def find(self, tokens: list[Token]) -> Iterator[PhraseMatch[list[T]]]:
        """Longest non-overlapping matches, left to right."""
        heads, exact = self._heads, self._exact
        n = len(tokens)
        i = 0  # where the next match may start: the token after the last match
        for k, token in enumerate(tokens):
            if k < i or (token.norm not in heads and token.text not in exact):
                continue
            i = k
            hit = None
            found = exact.get(token.text)
            if found:
                hit = (1, found)
            key = token.norm
            size = 1
            while True:
                found = self._phrases.get(key)
                if found:
                    hit = (size, found)
                if key not in self._prefixes or i + size >= n:
                    break
                key = key + " " + tokens[i + size].norm
                size += 1
            if hit:
                size, payloads = hit
                yield PhraseMatch(tokens[i].start, tokens[i + size - 1].end, i, i + size, payloads)
                i += size


class Named(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def aliases(self) -> tuple[str, ...]: ...
    @property
    def abbreviations(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=Named)


def index_entries(entries: Iterable[N]) -> PhraseIndex[N]:
    """Codebook entries under their names, aliases (any case) and abbreviations (exact case)."""
    index: PhraseIndex[N] = PhraseIndex()
    for entry in entries:
        index.add(entry.name, entry)
        for alias in entry.aliases:
            index.add(alias, entry)
        for abbreviation in entry.abbreviations:
            index.add_exact(abbreviation, entry)
    return index


def words(items: Iterable[str]) -> str:
    """A regex alternation of phrases, longest first, for use inside \\b(...)\\b."""
    return "|".join(sorted(set(items), key=len, reverse=True))


def word_trie(items: Iterable[str], space: str = " ", ignorecase: bool = False) -> str:
    """A regex of literal words (a space in one becomes `space`) factored by their common
    prefixes after a check of the first letter, "(?=[st])(?:s(?:on|chool(?:boy|girl))|teen)":
    it matches what the plain alternation of the words, longest first, matches, but tries one
    branch per letter instead of every word at every word boundary (two to three times as
    fast on a report, for a few dozen words). For a case-insensitive regex (`ignorecase`), the
    first letters are case-sensitive classes of their cases (alternation.any_case), which the
    engine checks without entering their branches: the same matches, 5-10% faster again."""
    tree: dict[str, dict[str, Any]] = {}
    for item in items:
        node = tree
        for char in item:
            node = node.setdefault(char, {})
        node[""] = {}  # a word ends here

    def emit(node: dict[str, Any], top: bool = False) -> str:
        branches = [_char(c, top) + emit(node[c]) for c in sorted(node) if c]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body  # greedy: the longer word is tried first

    def _char(c: str, top: bool) -> str:
        if c == " ":
            return space
        return any_case(c) if top and ignorecase and c.isascii() and c.isalpha() else re.escape(c)

    first = "".join(re.escape(c) for c in sorted(tree) if c)
    return f"(?=[{first}]){emit(tree, top=True)}" if first else emit(tree, top=True)
