"""Numbers written as digits or words ("2,973", "six", "twenty-five", "a dozen")."""

from __future__ import annotations

import re

from childwatch.codebook.alternation import factor_alternation
from childwatch.records import Victims

# A figure of schools or hospitals from this size up is a tally of attacks ("248 schools have
# been damaged"), where "strikes hit two hospitals" may still be one day's attack.
TALLY = 10

_UNITS = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

# Grouped by first letter (codebook.alternation): a case-insensitive regex tries the number
# words at every word before a child noun. NUMBER is for case-insensitive patterns only.
_WORD = factor_alternation("|".join([*_UNITS, *_TENS]))
# A number: digits (with thousands separators), or number words ("twenty-five", "two hundred").
NUMBER = (
    rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d{{1,3}}(?:[ \u00a0\u202f]\d{{3}})+(?![\d.,])"
    rf"|\d+(?:\.\d+)?(?:\s+(?:million|thousand))?"
    rf"|(?:{_WORD})(?:[- ](?:{_WORD}))?"
    rf"(?:\s+(?:hundred|thousand|million)(?:\s+(?:and\s+)?(?:{_WORD})(?:[- ](?:{_WORD}))?)?)?"
    rf"|a (?:dozen|hundred|thousand))"
)
NUMBER_RE = re.compile(rf"\b{NUMBER}\b", re.IGNORECASE)


# parse_number's patterns, compiled once (it runs for every figure before a child noun).
_SPACED_THOUSANDS = re.compile(r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+")
_SPACE = re.compile(r"\s")
_FIGURE = re.compile(r"\d+(?:\.\d+)?(?:\s+(?:million|thousand))?")
_BETWEEN_WORDS = re.compile(r"[\s-]+")


def parse_number(text: str) -> int | None:
    """The integer a number phrase denotes, or None when it is not one."""
    t = text.strip().lower().replace(",", "")
    if _SPACED_THOUSANDS.fullmatch(t):  # "250 000": thousands set apart by spaces
        t = _SPACE.sub("", t)
    if not t:
        return None
    if _FIGURE.fullmatch(t):
        parts = t.split()
        value = float(parts[0])
        if len(parts) > 1:
            value *= _SCALES[parts[1]]
        return int(value)
    if t == "a dozen":
        return 12
    total = current = 0
    for word in _BETWEEN_WORDS.split(t):
        if word in ("and", "a"):
            current = current or (1 if word == "a" else 0)
            continue
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _TENS:
            current += _TENS[word]
        elif word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total += current
                current = 0
        else:
            return None
    return total + current


_DEFINITE = re.compile(r"^(?:the|this|that)\b", re.IGNORECASE)


def stated_count(victims: Victims) -> bool:
    """The children's number is a figure the sentence states, not one child counted only by
    "the" ("the boy", "the child suicide bomber"): a child told of before, or a type."""
    span = victims.count_span
    if victims.count is None:
        return False
    return not (victims.count == 1 and span is not None and _DEFINITE.match(span.text))
