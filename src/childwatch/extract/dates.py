"""Date expressions in a sentence, resolved to ISO partial dates ("2015", "2015-05", "2015-05-28").

`find_dates(text, published)` finds absolute dates ("29 January 2016", "in March 2015",
"29/01", "2016-01-29"), ranges ("between 2012 and 2014", "Jan. 1 through March 23", "since
2013") and relative ones ("last month", "on Monday", "the past three months"), which it
resolves against `published`. Without `published` a relative expression yields nothing.

The rules chosen for ambiguous cases ("on Monday" on a Monday, "12/03/2016", which bare
years count) are listed in `date_rules`, next to the patterns that carry them out.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import lru_cache
from typing import Literal

from childwatch.codebook.alternation import first_letter_words
from childwatch.extract import date_rules as R
from childwatch.extract.numbers import parse_number
from childwatch.extract.tokens import ascii_cases
from childwatch.records import DatePrecision, DateRange

Part = Literal["early", "mid", "late"]
# (year, month, day); year None means "not written, infer it", month/day None means coarser.
Cal = tuple[int | None, int | None, int | None]
_PART: dict[str, Part] = {
    "early": "early",
    "beginning": "early",
    "start": "early",
    "mid": "mid",
    "middle": "mid",
    "late": "late",
    "end": "late",
}


@dataclass(frozen=True, slots=True)
class DateMention:
    """One date expression: its span (offset-adjusted) and the dates it denotes."""

    start: int
    end: int
    text: str
    date_start: str | None
    date_end: str | None
    precision: DatePrecision
    relative: bool  # True when `published` was needed to resolve it
    part: Part | None = None  # "late May": the part of the period the text names


@dataclass(slots=True)
class _Atom:
    start: int  # span in the local text, prepositions excluded
    end: int
    lo: Cal | None  # None: needs `published`, which is unknown
    hi: Cal | None
    kind: str  # "year", "month", "weekday" or "other"
    pre: str = ""  # the preposition before it, lower-cased
    pre_start: int = 0
    mode: str = ""  # "last", "this", "next" for months written without a year
    loose: bool = False  # bare year/month without context: kept only inside a range or list
    relative: bool = False
    since: bool = False
    part: Part | None = None


def find_dates(text: str, published: str | None, offset: int = 0) -> list[DateMention]:
    """The date expressions in `text`, in order, resolved against `published` (YYYY-MM-DD)."""
    pub = _parse_published(published)
    # Matched on a copy whose case-folding look-alikes are ASCII ("ſummer" is read as summer),
    # of the same length; the mentions keep the text as written.
    matched = ascii_cases(text)
    try:
        atoms = [a for m in _longest(matched) if (a := _atom(m, matched, pub)) is not None]
        atoms = _combine(atoms, matched, pub)
        finished = [(a, _finish(a, pub)) for a in atoms if not a.loose]
    except (OverflowError, ValueError):
        # A date the calendar cannot hold, before year 1 or after 9999 ("999 decades ago";
        # "last week" in a report dated 0001-01-01), failed the whole document; now the
        # sentence is read as undated.
        return []
    out = []
    for a, done in finished:
        if done is None:
            continue
        lo, hi, used = done
        start = a.pre_start if a.since else a.start
        precision: DatePrecision = "range" if a.since or lo != hi else _precision(lo)
        out.append(
            DateMention(
                start + offset,
                a.end + offset,
                text[start : a.end],
                _iso(lo),
                _iso(hi) if hi else None,
                precision,
                a.relative or used,
                a.part,
            )
        )
    return out


@lru_cache(maxsize=256)
def _parse_published(published: str | None) -> date | None:
    if not published:
        return None
    try:
        return date.fromisoformat(published[:10])
    except ValueError:
        raise ValueError(f"published must be an ISO date 'YYYY-MM-DD' or None, not {published!r}") from None


def _longest(text: str) -> list[re.Match[str]]:
    """Matches of the date regexes in text order; of overlapping ones, the longest."""
    found = [*R.NUMERIC_RE.finditer(text), *R.WORD_RE.finditer(text)]
    if "ago" in text:
        found.extend(R.AGO_RE.finditer(text))
    found.sort(key=lambda m: (m.start(), -m.end()))
    kept: list[re.Match[str]] = []
    for m in found:
        if kept and m.start() < kept[-1].end():
            if m.end() - m.start() > kept[-1].end() - kept[-1].start():
                kept[-1] = m
            continue
        kept.append(m)
    return kept


_BORN_BEFORE = re.compile(r"\bborn\W{0,2}\s*$", re.IGNORECASE)
_SINCE_THE = re.compile(r"\bsince\s+$", re.IGNORECASE)
_SINCE_START = re.compile(
    r"\bsince\s+the\s+(?:start|beginning|outbreak|onset)\s+of\s+(?:the\s+)?(?:[\w'-]+\s+){1,3}$", re.IGNORECASE
)


def _atom(m: re.Match[str], text: str, pub: date | None) -> _Atom | None:
    """The candidate a match stands for, or None when it is not a date after all."""
    kind = m.lastgroup or ""
    g = m.group
    start = pre_start = m.start()
    pre_word = part_word = ""
    det = False
    if start and text[start - 1] in " \t\n-":  # else nothing can stand before it
        b = R.BEFORE_RE.search(text, max(0, start - 40), start)
        if b is not None and b.start() < start:
            pre_word, pre_start, det = b["pre"] or "", b.start(), b["det"] is not None
            if b["part"]:
                start, part_word = b.start("part"), (b["part_of"] or b["part_w"]).lower()
    since = None
    if det and kind not in ("YEAR", "YR"):
        # "since the October 7 attacks": a period from that day. (Not a bare year: "since the
        # 1948 Nakba" tells history, and the year's own rules apply.)
        since = _SINCE_THE.search(text, max(0, pre_start - 12), pre_start)
    elif pre_word.lower() in ("on", "in"):
        since = _SINCE_START.search(text, max(0, pre_start - 80), pre_start)  # "since the start of the war on"
    if since is not None:
        pre_word, pre_start = "since", since.start()
    pre = " ".join(pre_word.lower().split())
    a = _Atom(start, m.end(), None, None, "other", pre, pre_start, part=_PART.get(part_word))
    ctx = pre in R.DATE_CONTEXT or a.part is not None
    noun_after = R.COUNT_AFTER.match(text, m.end()) is not None
    # Sentence-initial "In 2014 children were..." is a year; mid-sentence "in 2014 cases" a count.
    counted = noun_after and not pre_word[:1].isupper()

    if kind == "ISO":
        a.lo = (int(g("iso_y")), int(g("iso_m")), int(g("iso_d")))
    elif kind in ("NUMY", "NUM"):
        x, y = (g("n_a"), g("n_b")) if kind == "NUMY" else (g("s_a"), g("s_b"))
        day, month = int(x), int(y)
        if month > 12 and day <= 12:  # 03/29/2016 can only be month first
            day, month = month, day
        a.lo = (int(g("n_y")) if kind == "NUMY" else None, month, day)
    elif kind in ("DRM", "MDR"):
        p = "dr" if kind == "DRM" else "mr"
        year = int(g(f"{p}_y")) if g(f"{p}_y") else None
        month = _month(g(f"{p}_m"))
        a.lo, a.hi = (year, month, _day(g(f"{p}_d1"))), (year, month, _day(g(f"{p}_d2")))
        if pre in R.SPANNED:
            a.start = a.pre_start
    elif kind in ("DM", "MD"):
        p = "a" if kind == "DM" else "b"
        year = int(g(f"{p}_y")) if g(f"{p}_y") else None
        if kind == "MD" and year is None and pre == "in" and noun_after:
            # "in March 12 children died": a month, then a count.
            a.end, a.kind, a.lo = m.end("b_m"), "month", (None, _month(g("b_m")), None)
        else:
            a.lo = (year, _month(g(f"{p}_m")), _day(g(f"{p}_d")))
    elif kind == "MY":
        a.lo = (int(g("c_y")), _month(g("c_m")), None)
    elif kind == "SEASON":
        first, last = R.SEASONS[g("se").lower()]
        year = int(g("se_y"))
        a.lo, a.hi = (year, first, None), (year, last, None)
    elif kind == "DECADE":
        decade = int(g("dec")) * 10
        a.lo, a.hi = (decade, None, None), (decade + 9, None, None)
    elif kind == "YR":
        y1, y2 = int(g("yr1")), g("yr2")
        y2i = int(y2) if len(y2) == 4 else y1 // 100 * 100 + int(y2)
        if counted:
            return None
        if y2i <= y1:  # "2016-01": not a range of years; keep the year alone
            a.end, a.kind, a.lo, a.loose = m.end("yr1"), "year", (y1, None, None), not ctx
        else:
            a.lo, a.hi = (y1, None, None), (y2i, None, None)
    elif kind == "YEAR":
        a.kind, a.lo = "year", (int(g("y")), None, None)
        a.end = m.end("y")
        subject = R.YEAR_SUBJECT.match(text, m.end()) is not None
        attribute = det and R.ATTRIBUTE_AFTER.match(text, m.end()) is not None
        # "from 2000 to 3000 people": a range of counts.
        counted = counted or R.COUNT_RANGE_AFTER.match(text, m.end()) is not None
        a.loose = not (ctx or g("y_poss") or subject or attribute) or (counted and not subject)
    elif kind == "MLY":
        last = g("ml_rel").lower() == "last"
        a.kind, a.relative = "month", True
        a.lo = (pub.year - last, _month(g("ml_m")), None) if pub else None
    elif kind == "MONTH":
        a.kind, a.lo = "month", (None, _month(g("m")), None)
        a.mode = (g("m_rel") or "").lower()
        a.loose = not (ctx or a.mode)
    elif kind == "WEEKDAY":
        a.kind, a.mode = "weekday", (g("wd_rel") or "").lower()
        a.lo = _cal(_weekday(pub, R.WEEKDAYS[g("wd").lower()], a.mode)) if pub else None
        a.relative = True
    else:
        if kind == "AGO" and _BORN_BEFORE.search(text, max(0, m.start() - 12), m.start()):
            return None  # "infants born 10 days ago": an age, not the day of anything told
        a.relative = True
        if pub is not None:
            a.lo, a.hi = _relative(kind, m, pub)
    if a.hi is None:
        a.hi = a.lo
    a.since = pre == "since"
    return a


def _relative(kind: str, m: re.Match[str], pub: date) -> tuple[Cal, Cal]:
    """The (start, end) of an expression that only makes sense against `pub`."""
    g = m.group
    if kind == "PAST" or kind == "RECENT":
        n = _count(g("past_n")) if kind == "PAST" else 3
        unit = (g("past_u") if kind == "PAST" else g("rec_u")).lower().rstrip("s")
        return _cal(_shift(pub, -n, unit)), _cal(pub)
    if kind == "AGO":
        n, unit = _count(g("ago_n")), g("ago_u").lower().rstrip("s")
        then = _trunc(_shift(pub, -n, unit), unit)
        return then, then
    if kind == "WEEKEND":
        sat = pub - timedelta(days=(pub.weekday() - 5) % 7)
        if g("we_rel").lower() == "last" and pub.weekday() >= 5:
            sat -= timedelta(days=7)
        return _cal(sat), _cal(min(sat + timedelta(days=1), pub))
    if kind == "UNIT":
        rel, unit = " ".join(g("u_rel").lower().split()), g("u_u").lower()
        back = rel == "last"
        if unit != "week":
            then = _trunc(_shift(pub, -back, unit), unit)
            return then, then
        if back:
            return _cal(pub - timedelta(days=7)), _cal(pub - timedelta(days=1))
        return _cal(pub - timedelta(days=pub.weekday())), _cal(pub)
    if kind == "RSEASON":
        first, last = R.SEASONS[g("rse").lower()]
        year = pub.year if g("rse_rel").lower() == "this" or last < pub.month else pub.year - 1
        return (year, first, None), (year, last, None)
    # DAYWORD
    word = g("dw").lower()
    day = pub - timedelta(days=1) if word == "yesterday" or word.startswith("last") else pub
    return _cal(day), _cal(day)


def _combine(atoms: list[_Atom], text: str, pub: date | None) -> list[_Atom]:
    """Join neighbours into ranges ("from March to May 2014"), weekday+date, and lists."""
    out: list[_Atom] = []
    i = 0
    while i < len(atoms):
        a = atoms[i]
        b = atoms[i + 1] if i + 1 < len(atoms) else None
        if b is not None:
            joined = _join(a, b, text, pub)
            if joined is not None:
                out.append(joined)
                i += 2
                continue
            if b.loose and not a.loose and a.kind == b.kind and R.LIST_GAP.fullmatch(text, a.end, b.start):
                b.loose = False  # "in 2014 and 2015": the second inherits the context
        out.append(a)
        i += 1
    return out


def _join(a: _Atom, b: _Atom, text: str, pub: date | None) -> _Atom | None:
    if a.kind == "weekday" and b.lo is not None and b.lo[2] is not None and b.lo == b.hi:
        if R.WEEKDAY_GAP.fullmatch(text, a.end, b.start):
            return replace(b, start=a.start, pre=a.pre, pre_start=a.pre_start)
        return None
    gap = R.RANGE_GAP.fullmatch(text, a.end, b.start)
    if gap is None or (gap["word"] and gap["word"].lower() == "and" and a.pre != "between"):
        return None
    if a.loose and b.loose:  # "2000 to 3000": neither end says it is a date
        return None
    if a.lo is None or b.hi is None or a.since or b.since:
        return None
    done = _resolve(a.lo, b.hi, b.mode or a.mode, pub)
    if done is None:
        return None
    lo, hi, used = done
    start = a.pre_start if a.pre in ("between", "from") else a.start
    return _Atom(start, b.end, lo, hi, "other", a.pre, start, relative=a.relative or b.relative or used)


def _finish(a: _Atom, pub: date | None) -> tuple[Cal, Cal | None, bool] | None:
    """(start, end, used published) for an atom, or None when it cannot be resolved."""
    if a.lo is None or a.hi is None:
        return None
    done = _resolve(a.lo, a.hi, a.mode, pub)
    if done is None:
        return None
    lo, hi, used = done
    if a.since:
        return lo, (_cal(pub) if pub else None), used or pub is not None
    return lo, hi, used


def _resolve(lo: Cal, hi: Cal, mode: str, pub: date | None) -> tuple[Cal, Cal, bool] | None:
    """Fill in missing years (from the other end, else from `pub`); None if invalid."""
    used = False
    if hi[0] is None and lo[0] is not None:
        after = (hi[1] or 12, hi[2] or 31) >= (lo[1] or 1, lo[2] or 1)
        hi = (lo[0] + (not after), hi[1], hi[2])
    elif hi[0] is None:
        if pub is None:
            return None
        hi, used = (_infer_year(hi, pub, mode), hi[1], hi[2]), True
    year = hi[0]
    assert year is not None
    if lo[0] is None:
        before = (lo[1] or 1, lo[2] or 1) <= (hi[1] or 12, hi[2] or 31)
        lo = (year - (not before), lo[1], lo[2])
    if not (_valid(lo) and _valid(hi)) or _first(lo) > _last(hi):
        return None
    return lo, hi, used


def _infer_year(c: Cal, pub: date, mode: str) -> int:
    month, day = c[1] or 1, c[2]
    if mode == "this":
        return pub.year
    if mode == "next":
        return pub.year + ((month, day or 1) <= (pub.month, pub.day))
    if mode == "last" or day is None:
        latest = pub.month - 1 if mode == "last" else pub.month
        return pub.year if month <= latest else pub.year - 1
    limit = pub + timedelta(days=7)
    for year in (limit.year, limit.year - 1):
        if _valid((year, month, day)) and date(year, month, day) <= limit:
            return year
    return limit.year - 1  # 29 February in a common year: invalid, dropped by the caller


def _weekday(pub: date, weekday: int, mode: str) -> date:
    if mode == "next":
        return pub + timedelta(days=(weekday - pub.weekday()) % 7 or 7)
    back = (pub.weekday() - weekday) % 7
    if mode == "last" and back == 0:
        back = 7
    return pub - timedelta(days=back)


def _shift(day: date, n: int, unit: str) -> date:
    """`day` moved by n units, the day of month clamped ("a month before 31 March")."""
    if unit in ("hour", "day", "week"):
        days = {"hour": n / 24, "day": n, "week": 7 * n}[unit]
        return day + timedelta(days=int(days))
    months = n * {"month": 1, "year": 12, "decade": 120}[unit]
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _count(word: str | None) -> int:
    if word is None:
        return 1
    word = " ".join(word.lower().split())
    if word in R.COUNTS:
        return R.COUNTS[word]
    value = parse_number(word)
    if value is None:
        raise ValueError(f"not a count: {word!r}")  # the pattern admits only counts; a new word needs reading
    return value


def _month(word: str) -> int:
    return R.MONTHS[word.rstrip(".").lower()]


def _day(word: str) -> int:
    return int(word.rstrip("stndrh"))


def _cal(day: date) -> Cal:
    return (day.year, day.month, day.day)


def _trunc(day: date, unit: str) -> Cal:
    """`day` cut to the precision of `unit`: "three months ago" names a month, not a day."""
    if unit in ("year", "decade"):
        return (day.year, None, None)
    return (day.year, day.month, None) if unit == "month" else _cal(day)


def _valid(c: Cal) -> bool:
    year, month, day = c
    if year is None or month is None or day is None:
        return True
    return 1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]


def _first(c: Cal) -> date:
    return date(c[0] or 1, c[1] or 1, c[2] or 1)


def _last(c: Cal) -> date:
    year, month = c[0] or 1, c[1] or 12
    return date(year, month, c[2] or calendar.monthrange(year, month)[1])


def _precision(c: Cal) -> DatePrecision:
    return "day" if c[2] is not None else "month" if c[1] is not None else "year"


def _iso(c: Cal) -> str:
    text = f"{c[0]:04d}"
    if c[1] is not None:
        text += f"-{c[1]:02d}"
        if c[2] is not None:
            text += f"-{c[2]:02d}"
    return text


# Run over the whole report: opening with its first letter's cases lets the engine skip to them.
_SINCE = re.compile(first_letter_words(["since"]) or r"\b(?i:since)\b")


def campaign_start(text: str, published: str | None) -> DateMention | None:
    """The one period a report opens with "since" ("actions taken since August 2014"): when an
    undated practice it describes began. None when it gives none, or several that disagree."""
    found: dict[str, DateMention] = {}
    for m in _SINCE.finditer(text):
        for d in find_dates(text[m.start() : m.start() + 40], published, m.start()):
            if d.start == m.start() and d.date_start and d.precision == "range":
                found.setdefault(d.date_start, d)
    return next(iter(found.values())) if len(found) == 1 else None


def date_bounds(d: DateRange) -> tuple[date, date] | None:
    """The first and last day a date range may stand for ("2015" → 1 January to 31 December)."""

    def day(value: str | None, end: bool) -> date | None:
        if not value:
            return None
        parts = value.split("-")
        try:
            y = int(parts[0])
            if len(parts) == 1:
                return date(y, 12, 31) if end else date(y, 1, 1)
            m = int(parts[1])
            if len(parts) == 2:
                return date(y, m, calendar.monthrange(y, m)[1] if end else 1)
            return date(y, m, int(parts[2]))
        except ValueError:
            return None

    lo, hi = day(d.start or d.end, False), day(d.end or d.start, True)
    return (lo, hi) if lo is not None and hi is not None else None


def ranges_overlap(a: DateRange, b: DateRange) -> bool:
    """Two stated dates can be one event's: their periods overlap (a year holds its months)."""
    ba, bb = date_bounds(a), date_bounds(b)
    if ba is None or bb is None:
        return True
    return ba[0] <= bb[1] and bb[0] <= ba[1]
