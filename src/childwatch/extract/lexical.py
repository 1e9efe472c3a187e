"""Matching a language file's words in folded text: the small helpers the engine for
languages other than English (`extract.languages`) and its readers of places and dates share.

    key("L'État  islamique")           # "l'etat islamique" (a folded form, as tables are keyed)
    phrases(table, glued, articles)    # one pattern for every form of a table
    lookup(table, match.group())       # the table's value for what a pattern matched
    span(text, where, start, end)      # a verbatim Span of the report from folded offsets
    witnessed(witnesses, piece, at)    # children who saw an act (English's reader uses it too)
"""

from __future__ import annotations

import re
from array import array
from collections.abc import Iterable

from childwatch.codebook.languages import LanguageLexicon
from childwatch.records import Span

__all__ = [
    "NEVER", "alternation", "key", "lookup", "lookup_int", "ngrams", "overlap", "phrases", "sentences", "span",
    "strip_glued", "variants", "witnessed", "words_between",
]  # fmt: skip

NEVER = re.compile("(?!x)x")
# A semicolon does not end a sentence: an attribution often follows one ("...; alertó la ONU").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|\n\s*")


def alternation(words: Iterable[str]) -> str:
    """The words as one regex alternation, longest first; one that never matches when empty."""
    forms = sorted(words, key=len, reverse=True)
    return "|".join(re.escape(w) for w in forms) or NEVER.pattern


def variants(lx: LanguageLexicon, name: str) -> list[tuple[str, str]]:
    """The name as written, then without each run of letters the language glues before
    words ("وبحلب" → "بحلب", "حلب"), longest name first, with what was taken off."""
    out = [("", name)]
    if lx.prefix:
        glued = re.compile(lx.prefix)
        for k in range(1, min(5, len(name) - 2)):
            if glued.fullmatch(name[:k]):
                out.append((name[:k], name[k:]))
    return out


_NOT_WORD = re.compile(r"[^\w']+")


def key(text: str) -> str:
    """A form as the language tables are keyed: lower case, words separated by one space."""
    return " ".join(_NOT_WORD.sub(" ", text.lower()).split())


def strip_glued(lx: LanguageLexicon, form: str) -> str:
    """A form without the letters glued before it (Arabic "وبحلب" → "حلب")."""
    if not lx.prefix:
        return form
    return re.sub(rf"^(?:{lx.prefix})", "", form, count=1, flags=re.IGNORECASE) or form


def lookup(table: dict[str, str], form: str, articles: tuple[str, ...] = ()) -> str:
    """The value of the form a match found: its key, else the longest key it ends with (a
    glued prefix), with the article spelt either way ("للمرصد" is "ل" + "المرصد")."""
    found = key(form)
    if found in table:
        return table[found]
    for k in sorted(table, key=len, reverse=True):
        if found.endswith(k):
            return table[k]
        if articles and k.startswith(articles[0]):
            rest = k[len(articles[0]) :]
            if any(found.endswith(a + rest) for a in articles[1:]):
                return table[k]
    raise KeyError(form)


def lookup_int(table: dict[str, int], lx: LanguageLexicon, form: str) -> int | None:
    """A number-valued table's value for a form, with or without its glued letters."""
    found = key(form)
    return table.get(found, table.get(strip_glued(lx, found)))


def phrases(table: dict[str, str], glued: str, articles: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One pattern for every form of a table, longest first, as whole words; a form that
    starts with the article may start with any of its spellings."""
    forms = sorted(table, key=len, reverse=True)
    if not forms:
        return NEVER
    article = f"(?:{'|'.join(re.escape(a) for a in articles)})" if articles else ""

    def spelt(form: str) -> str:
        # Words of a form may be written apart or hyphenated ("Haut-Commissariat").
        if articles and form.startswith(articles[0]):
            return article + r"[\s-]+".join(re.escape(w) for w in form[len(articles[0]) :].split())
        return r"[\s-]+".join(re.escape(w) for w in form.split())

    alternation = "|".join(spelt(f) for f in forms)
    return re.compile(rf"(?<![\w-]){glued}(?:{alternation})(?!\w)", re.IGNORECASE)


def sentences(folded: str) -> list[tuple[int, int]]:
    """The (start, end) of each sentence of the folded text."""
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(folded):
        if folded[start : m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if folded[start:].strip():
        out.append((start, len(folded)))
    return out


def overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    """Whether two matches share a character."""
    return a.start() < b.end() and b.start() < a.end()


def words_between(folded: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    """How many words stand between two spans of the folded text."""
    lo, hi = (a[1], b[0]) if a[0] <= b[0] else (b[1], a[0])
    if hi <= lo:
        return 0
    return len(re.findall(r"\w+", folded[lo:hi]))


def ngrams(tokens: list[tuple[int, int]], most: int = 3) -> list[tuple[int, int]]:
    """Spans of up to `most` consecutive tokens, longest first at each token."""
    spans = []
    for i in range(len(tokens)):
        for n in range(most, 0, -1):
            if i + n <= len(tokens):
                spans.append((tokens[i][0], tokens[i + n - 1][1]))
    return spans


def span(text: str, where: array[int], start: int, end: int) -> Span:
    """The verbatim span of the report that folded offsets [start, end) cover, trimmed of spaces."""
    a = where[start]
    b = where[end - 1] + 1 if end > start else a
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Span(a, b, text[a:b])


def witnessed(witnesses: re.Pattern[str] | None, piece: str, at: int) -> bool:
    """Whether the child noun at `at` follows a word that makes the children who saw an act,
    at most one word (theirs: "ses", "sus") before them: "assassiné devant ses élèves",
    "أمام طلابه" (glued: before his pupils), "in front of his pupils", or the adults named first
    ("women and children"). They witnessed it; they are not its victims."""
    if witnesses is None:
        return False
    before = piece[max(0, at - 40) : at]
    for m in witnesses.finditer(before):
        between = before[m.end() :].split()
        if len(between) <= 1 or (len(between) == 2 and between[1] in _AND):
            return True
    return False


_AND = frozenset({"and", "et", "y", "or"})
