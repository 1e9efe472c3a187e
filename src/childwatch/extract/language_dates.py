"""Dates in the reports of a language read with its file: days, months, weekdays and days
relative to publication, Hijri dates, periods ("depuis mars 2015", "منذ 17 يوليو حتى 19 منه",
"entre 2019 y 2023"), and the day a report's opening tells its news on.

    reader = DateReader(load_language("fr"))
    reader.read(piece, offset, text, where, "2024-05-10")   # DateRange | None, span verbatim
"""

from __future__ import annotations

import math
import re
from array import array
from calendar import monthrange
from datetime import date, timedelta

from childwatch.codebook.languages import LanguageLexicon
from childwatch.extract.dates import date_bounds
from childwatch.extract.lexical import NEVER, alternation, key, lookup_int, span, strip_glued
from childwatch.records import DateRange, Document

__all__ = ["ClauseDates", "DateReader", "hijri_to_gregorian", "latest_day", "published_of", "spans_weeks"]


class DateReader:
    """One language's date words, compiled; `date` reads a sentence, `lede` a report's opening."""

    def __init__(self, lexicon: LanguageLexicon) -> None:
        self.lx = lexicon
        glued = f"(?:{lexicon.prefix})?" if lexicon.prefix else ""
        # The report's own month ("الشهر الجاري") is read where a month name may stand.
        months = alternation([*lexicon.months, *lexicon.this_month])
        days = rf"\d{{1,2}}|{alternation(lexicon.day_ordinals)}" if lexicon.day_ordinals else r"\d{1,2}"
        weekdays = alternation(lexicon.weekdays)
        relative = alternation(lexicon.relative_days)
        joins = "|".join(re.escape(c) for c in lexicon.date_connectors)
        gap = rf"\s+(?:(?:{joins})\s+)?" if joins else r"\s+"
        hijri = alternation(lexicon.hijri_months)
        # A month named twice, by two calendars' names ("مارس/آذار 2023", "آذار (مارس)"), as
        # papers across the Arab world write it: the first is read, the year after the second.
        other = rf"(?:\s*/\s*(?:{months})|\s*\(\s*(?:{months})\s*\))?"
        self._dates = re.compile(
            rf"(?<!\w)(?:(?P<hday>\d{{1,2}})\s+{glued}(?P<hmonth>{hijri})\s+(?P<hyear>1[34]\d\d)"
            rf"|(?P<nday>\d{{1,2}})[/.](?P<nmonth>\d{{1,2}})[/.](?P<nyear>(?:19|20)\d\d)"
            rf"|(?P<iyear>(?:19|20)\d\d)[/.-](?P<imonth>\d{{1,2}})[/.-](?P<iday>\d{{1,2}})"
            rf"|(?P<day>{days})(?:er)?{gap}{glued}(?P<month>{months}){other}(?:{gap}(?P<year>(?:19|20)\d\d))?"
            rf"|{glued}(?P<month2>{months}){other}{gap}(?P<year2>(?:19|20)\d\d)"
            rf"|{glued}(?P<weekday>{weekdays})"
            rf"|(?P<relative>{relative})"
            rf"|(?P<year3>(?:19|20)\d\d))(?!\w)",
            re.IGNORECASE,
        )
        until = "|".join(re.escape(u) for u in sorted(lexicon.date_until, key=len, reverse=True))
        self._until_day = (
            re.compile(
                rf"\s*(?:\([^)]{{0,20}}\)\s*)?(?:{until})\s+(?P<day>\d{{1,2}})(?:er)?"
                rf"(?:{gap}{glued}(?P<month>{months}))?(?!\w)",
                re.IGNORECASE,
            )
            if until
            else None
        )
        ends = "|".join(re.escape(w) for w in (*lexicon.date_until, *lexicon.number_joiners))
        self._day_from = re.compile(
            rf"(?<!\d)(?P<first>\d{{1,2}})(?:er)?\s*(?:(?:{until})\s*|[-–]\s*)$" if until else NEVER.pattern,
            re.IGNORECASE,
        )
        # "entre janvier et mars 2023", "بين يناير ومارس 2023": the first month of a period
        # whose last is read with its year.
        self._month_from = re.compile(
            rf"(?<!\w){glued}(?P<first>{months})\s*(?:(?:{ends})\s*|[-–]\s*)?$" if ends else NEVER.pattern,
            re.IGNORECASE,
        )
        # "entre janvier et avril", "بين يناير وأبريل الماضيين": two months and no year, the
        # latest such months up to the report.
        self._months_between = re.compile(
            rf"(?<!\w){glued}(?P<first>{months}){other}\s*(?:(?:{ends})\s*|[-–]\s*){glued}(?P<last>{months})(?!\w)"
            if ends
            else NEVER.pattern,
            re.IGNORECASE,
        )
        self._year_to = re.compile(rf"\s*(?:(?:{ends})\s*|[-–]\s*)((?:19|20)\d\d)(?!\w)" if ends else NEVER.pattern)
        self._periods = (
            re.compile(rf"(?<!\w)(?:{alternation(lexicon.recent_periods)})(?!\w)", re.IGNORECASE)
            if lexicon.recent_periods
            else None
        )
        # "un rapport publié vendredi": the day the report came out, not the day of the event.
        self._issued = (
            re.compile(rf"(?<!\w)(?:{alternation(lexicon.issued)})\s+(?:\w+\s+)?$", re.IGNORECASE)
            if lexicon.issued
            else None
        )
        self._this_year = (
            re.compile(rf"(?<!\w)(?:{alternation(lexicon.this_year)})(?!\w)", re.IGNORECASE)
            if lexicon.this_year
            else None
        )
        # A month told by its place before the report: the month before ("le mois dernier") or
        # the report's own ("ce mois-ci", "الشهر الجاري"), told alone, with no day.
        last, this = (alternation(f).replace(r"\ ", r"[\s-]+") for f in (lexicon.last_month, lexicon.this_month))
        self._month_of_report = (
            re.compile(rf"(?<!\w)(?:(?P<last>{last})|(?P<this>{this}))(?!\w)", re.IGNORECASE)
            if lexicon.last_month or lexicon.this_month
            else None
        )
        self._month_alone = [
            re.compile(rf"(?<!\w){t.replace('{month}', rf'(?P<month>{glued}(?:{months}))')}(?!\w)", re.IGNORECASE)
            for t in lexicon.month_alone
        ]

    def read(self, piece: str, offset: int, text: str, where: array[int], published: str | None) -> DateRange | None:
        """The date a sentence (folded, at `offset`) gives its claim, its span verbatim from
        `text`: the most precise of those it names; None when it names none."""
        day = latest_day(published)
        best: DateRange | None = None
        for m in self._dates.finditer(piece):
            if self._issued is not None and self._issued.search(piece, max(0, m.start() - 40), m.start()):
                continue
            said = span(text, where, m.start() + offset, m.end() + offset)
            g = m.groupdict()
            found: DateRange | None = None
            if g["hmonth"]:
                # A Hijri date ("12 شوال 1436"): the Gregorian day of the tabular Islamic calendar.
                hmonth = lookup_int(self.lx.hijri_months, self.lx, g["hmonth"])
                when = hijri_to_gregorian(int(g["hyear"]), hmonth, int(g["hday"])) if hmonth else None
                if when is None:
                    continue
                found = DateRange(when.isoformat(), when.isoformat(), "day", said)
            elif g["nday"] or g["iday"]:
                # "12/3/2024", "12.03.2024": day first, as these languages write it; or the year
                # first ("2014/12/16", as Arabic papers also do).
                try:
                    when = (
                        date(int(g["nyear"]), int(g["nmonth"]), int(g["nday"]))
                        if g["nday"]
                        else date(int(g["iyear"]), int(g["imonth"]), int(g["iday"]))
                    )
                except ValueError:
                    continue
                found = DateRange(when.isoformat(), when.isoformat(), "day", said)
            elif g["day"] and g["month"]:
                month = self._month(g["month"], day)
                year = int(g["year"]) if g["year"] else (day.year if day else None)
                number = int(g["day"]) if g["day"].isdigit() else lookup_int(self.lx.day_ordinals, self.lx, g["day"])
                if month is None or year is None or number is None:
                    continue
                try:
                    when = date(year, month, number)
                except ValueError:
                    continue
                if not g["year"] and day is not None and when > day:
                    when = date(year - 1, month, number) if not (month == 2 and when.day == 29) else when
                found = DateRange(when.isoformat(), when.isoformat(), "day", said)
                opening = self._day_from.search(piece, max(0, m.start() - 15), m.start())
                if opening is not None and 0 < int(opening.group("first")) < when.day:
                    # "du 3 au 5 mars", "من 3 إلى 5 آذار": the days between.
                    said = span(text, where, opening.start() + offset, m.end() + offset)
                    first_day = when.replace(day=int(opening.group("first")))
                    found = DateRange(first_day.isoformat(), found.end, "range", said)
            elif g["month2"]:
                month = lookup_int(self.lx.months, self.lx, g["month2"])
                if month is None:
                    continue
                iso = f"{int(g['year2']):04d}-{month:02d}"
                found = DateRange(iso, iso, "month", said)
                opening = self._month_from.search(piece, max(0, m.start() - 30), m.start())
                start = lookup_int(self.lx.months, self.lx, opening.group("first")) if opening else None
                if opening is not None and start is not None and start < month:
                    said = span(text, where, opening.start() + offset, m.end() + offset)
                    found = DateRange(f"{int(g['year2']):04d}-{start:02d}", iso, "range", said)
            elif g["weekday"] and day is not None:
                weekday = lookup_int(self.lx.weekdays, self.lx, g["weekday"])
                if weekday is None:
                    continue
                back = (day.weekday() - weekday) % 7
                when = day - timedelta(days=back)
                found = DateRange(when.isoformat(), when.isoformat(), "day", said)
            elif g["relative"] and day is not None:
                when = day - timedelta(days=self.lx.relative_days.get(key(g["relative"]), 0))
                found = DateRange(when.isoformat(), when.isoformat(), "day", said)
            elif g["year3"] and best is None:
                last = self._year_to.match(piece, m.end())
                if last is not None and int(g["year3"]) < int(last.group(1)) <= int(g["year3"]) + 50:
                    # "entre 2019 y 2023", "de 2014 à 2016": the years between.
                    said = span(text, where, m.start() + offset, last.end() + offset)
                    found = DateRange(g["year3"], last.group(1), "range", said)
                else:
                    found = DateRange(g["year3"], g["year3"], "year", said)
            until = self._until(piece, m.end(), found) if found is not None and found.precision == "day" else None
            if found is not None and until is not None:
                # "منذ 17 يوليو حتى 19 منه", "du 3 au 5 mars": a period of days.
                found = DateRange(found.start, until.isoformat(), "range", said)
            elif found is not None and day is not None and self._opens_period(piece, m.start()):
                # "depuis mars 2015", "منذ آذار": from then until the report.
                found = DateRange(found.start, day.isoformat(), "range", said)
            if found is not None and (best is None or best.precision == "year"):
                best = found
        between = self._months_between.search(piece) if best is None and day is not None else None
        if between is not None and day is not None:
            opens, closes = (lookup_int(self.lx.months, self.lx, between.group(g)) for g in ("first", "last"))
            if opens is not None and closes is not None and opens != closes:
                year = day.year if closes <= day.month else day.year - 1
                said = span(text, where, between.start() + offset, between.end() + offset)
                return DateRange(
                    f"{year - (opens > closes):04d}-{opens:02d}", f"{year:04d}-{closes:02d}", "range", said
                )
        if (best is None or best.precision == "year") and day is not None:
            for pattern in self._month_alone:
                alone = pattern.search(piece)
                month = lookup_int(self.lx.months, self.lx, alone.group("month")) if alone else None
                if alone is None or month is None:
                    continue
                year = day.year if month <= day.month else day.year - 1  # "last April": the latest April
                iso = f"{year:04d}-{month:02d}"
                said = span(text, where, alone.start() + offset, alone.end() + offset)
                if self._opens_period(piece, alone.start("month")):
                    # "منذ مارس الماضي", "depuis mars": from that month to the report.
                    return DateRange(f"{iso}-01", day.isoformat(), "range", said)
                return DateRange(iso, iso, "month", said)
            told = self._month_of_report.search(piece) if self._month_of_report is not None else None
            if told is not None:
                first = day.replace(day=1)
                which = first if told.group("this") else (first - timedelta(days=1)).replace(day=1)
                iso = f"{which.year:04d}-{which.month:02d}"
                return DateRange(iso, iso, "month", span(text, where, told.start() + offset, told.end() + offset))
            this_year = self._this_year.search(piece) if self._this_year is not None else None
            if this_year is not None:
                # "depuis le début de l'année", "منذ بداية العام": from the report's first of January.
                said = span(text, where, this_year.start() + offset, this_year.end() + offset)
                return DateRange(f"{day.year:04d}-01-01", day.isoformat(), "range", said)
            period = self._periods.search(piece) if self._periods is not None else None
            if period is not None:
                # "la semaine dernière", "الأشهر الماضية": the days before the report.
                days = self.lx.recent_periods[key(period.group())]
                since = (day - timedelta(days=days)).isoformat()
                said = span(text, where, period.start() + offset, period.end() + offset)
                return DateRange(since, day.isoformat(), "range", said)
        return best

    def _month(self, name: str, day: date | None) -> int | None:
        """A month's number; the report's own month for "الشهر الجاري", "ce mois"."""
        if key(name) in self.lx.this_month or key(strip_glued(self.lx, key(name))) in self.lx.this_month:
            return day.month if day is not None else None
        return lookup_int(self.lx.months, self.lx, name)

    def _until(self, piece: str, end: int, found: DateRange) -> date | None:
        """The last day of a period whose first day was just read: a word of "until" and a
        day of the same month, or a day and a month ("au 5 mars"), right after it."""
        if self._until_day is None or found.start is None:
            return None
        m = self._until_day.match(piece, end)
        if m is None:
            return None
        first = date.fromisoformat(found.start)
        month = lookup_int(self.lx.months, self.lx, m.group("month")) if m.group("month") else first.month
        try:
            last = date(first.year, month or first.month, int(m.group("day")))
        except ValueError:
            return None
        return last if 0 < (last - first).days <= 366 else None

    def _opens_period(self, piece: str, start: int) -> bool:
        """Whether a word of a period ("depuis", "desde", "منذ") stands just before `start`."""
        if self.lx.since is None:
            return False
        # Wide enough for a long word of period ("depuis le début de la guerre en").
        before = piece[max(0, start - 60) : start]
        # At most an article between ("desde el 7 de octubre", "depuis le 3 mars").
        return any(len(before[m.end() :].strip(" ,'")) <= 3 for m in self.lx.since.finditer(before))

    def lede(
        self, text: str, folded: str, where: array[int], lede: list[tuple[int, int]], published: str | None
    ) -> DateRange | None:
        """The day the report's opening tells its news on: a day at most a month before publication."""
        if not published or len(published) < 10:
            return None
        day = date.fromisoformat(published[:10])
        for start, end in lede:
            found = self.read(folded[start:end], start, text, where, published)
            if found is None or found.precision not in ("day", "range") or found.start is None:
                continue
            if len(found.start) == 10 and 0 <= (day - date.fromisoformat(found.start)).days <= 31:
                return DateRange(found.start, found.end, found.precision, None)  # a day, or days ("17 to 19 July")
        return None


class ClauseDates:
    """The date each clause of a report states, read once, and the date a clause that states
    none takes from its sentence or the sentence before it in the same paragraph ("ووثق التقرير
    مقتل 18 طفلا خلال شهر نيسان. وأشار إلى أن قوات النظام قتلت 9 أطفال": April too), as the
    English extractor does."""

    def __init__(
        self,
        reader: DateReader,
        clauses: list[tuple[int, int]],
        sentences: list[tuple[int, int]],
        folded: str,
        text: str,
        where: array[int],
        published: str | None,
    ) -> None:
        self.reader, self.clauses, self.folded = reader, clauses, folded
        self.text, self.where, self.published = text, where, published
        self._sentence = [max(i for i, (a, _) in enumerate(sentences) if a <= start) for start, _ in clauses]
        self._read: dict[int, DateRange | None] = {}

    def stated(self, at: int) -> DateRange | None:
        """The date clause `at` states itself."""
        if at not in self._read:
            start, end = self.clauses[at]
            self._read[at] = self.reader.read(self.folded[start:end], start, self.text, self.where, self.published)
        return self._read[at]

    def of(self, at: int) -> DateRange | None:
        """The date clause `at` states, else the nearest one stated before it in its sentence or
        the one before, within its paragraph; None when there is none."""
        own = self.stated(at)
        if own is not None:
            return own
        start = self.clauses[at][0]
        for before in range(at - 1, -1, -1):
            if self._sentence[at] - self._sentence[before] > 1 or "\n" in self.folded[self.clauses[before][0] : start]:
                return None
            told = self.stated(before)
            if told is not None:
                return told
        return None


def hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """The Gregorian date of a day of the tabular (arithmetical) Islamic calendar, which
    official Hijri dates follow to within a day or two; None for an impossible date."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    # Days since the epoch (16 July 622, Julian), 30-year cycles of 10,631 days, 11 leap years.
    days = day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30
    julian_day = days + 1948439 - 1
    return date.fromordinal(julian_day - 1721425)


def published_of(document: Document) -> str | None:
    """The report's publication day, or the month or year it gives when it names no day
    (ingest keeps "2022-05" aside, in metadata["published_raw"]): still an upper bound."""
    if document.published:
        return document.published
    raw = document.metadata.get("published_raw") if document.metadata else None
    if isinstance(raw, str) and re.fullmatch(r"(?:19|20)\d\d(?:-(?:0[1-9]|1[0-2]))?", raw.strip()):
        return raw.strip()
    return None


def latest_day(published: str | None) -> date | None:
    """The publication day, or the last day a partial one may stand for ("2020-12" → 31 December)."""
    if not published:
        return None
    try:
        if len(published) >= 10:
            return date.fromisoformat(published[:10])
        year, _, month = published.partition("-")
        if month:
            return date(int(year), int(month), monthrange(int(year), int(month))[1])
        return date(int(year), 12, 31)
    except ValueError:
        return None


def spans_weeks(when: DateRange) -> bool:
    """A period the sentence states of four weeks or more ("de janvier à juin 2022", "over the
    past months"), not a few days ("du 3 au 5 mars")."""
    bounds = date_bounds(when) if when.precision == "range" and when.start and when.end else None
    return bounds is not None and (bounds[1] - bounds[0]).days >= 28
