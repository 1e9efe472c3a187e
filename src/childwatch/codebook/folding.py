"""Text as the language files are matched against it: case, accents, Arabic short vowels and
tatweel, alef and yeh variants and the digits of every script folded away, with a map back
to the report's own offsets so that every match quotes the report verbatim.

    folded, where = fold("قُتِلَ خمسة أطفـــال")   # "قتل خمسة اطفال", offsets into the original
    fold_pattern("enfants? tués?")               # a pattern written with accents, folded alike
"""

from __future__ import annotations

import unicodedata
from array import array
from functools import cache

__all__ = ["fold", "fold_pattern"]

# One character of the report → one folded character (or none). Arabic letters that
# spellings vary on are made one; digits of every script become ASCII digits.
_ARABIC_FOLD = {
    "\u0623": "\u0627", "\u0625": "\u0627", "\u0622": "\u0627", "\u0671": "\u0627",  # أ إ آ ٱ → ا
    "\u0649": "\u064a",  # ى → ي
    "\u066c": ",", "\u066b": ".", "\u060c": ",", "\u061b": ";", "\u061f": "?",  # Arabic punctuation
    "\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u201c": '"', "\u201d": '"', "\u00ab": '"', "\u00bb": '"',
    "\u00a0": " ", "\u202f": " ", "\u2013": "-", "\u2014": "-",
}  # fmt: skip
_DROP = frozenset({"\u0640", "\u200c", "\u200d", "\u200e", "\u200f", "\u061c"})  # tatweel, joiners, marks


@cache
def _fold_char(ch: str) -> str:
    if ch in _DROP:
        return ""
    if ch in _ARABIC_FOLD:
        return _ARABIC_FOLD[ch]
    if ch.isdigit() and not ch.isascii():
        try:
            return str(unicodedata.digit(ch))
        except ValueError:
            return ch
    base = unicodedata.normalize("NFD", ch)
    kept = "".join(c for c in base if not unicodedata.combining(c))
    return kept.lower() if kept else ""


def fold(text: str) -> tuple[str, array[int]]:
    """The folded text and, for each of its characters, the offset in `text` it came from
    (one more entry at the end: the length of `text`), so a match maps back to a verbatim span."""
    out: list[str] = []
    where = array("l")
    for i, ch in enumerate(text):
        piece = _fold_char(ch)
        for c in piece:
            out.append(c)
            where.append(i)
    where.append(len(text))
    return "".join(out), where


def fold_pattern(pattern: str) -> str:
    """A pattern written with accents or vowels, folded like text (case is left to re.IGNORECASE,
    so escapes such as \\W keep their meaning)."""
    out = []
    escaped = False
    for ch in pattern:
        if escaped or ch == "\\":
            out.append(ch)
            escaped = not escaped and ch == "\\"
            continue
        folded = _fold_char(ch)
        out.append(folded if ch.lower() == ch else folded.upper() if folded else "")
    return "".join(out)
