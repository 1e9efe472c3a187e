"""The patterns and word tables behind `dates.find_dates`, kept apart so the rules read as data.

Each alternative is a named group (its name in CAPITALS), so `Match.lastgroup` says which
form matched. Prepositions and "early/mid/late" before a match are read by `BEFORE_RE`.

Rules for the ambiguous cases:

- Spans leave out prepositions that only introduce a date ("in", "on", "during", "of",
  "by"...), and keep words that change its meaning ("since", "between ... and", "from ...
  to", "early/mid/late", "last", "the past", "ago").
- A bare year (1900-2099) counts only after a date preposition ("in", "since", "during",
  "of", "by", "until", "before", "after", "from", "between", "for", "as of"), after
  early/mid/late or "the end of", as "2014's", as the subject of "was"/"saw", between a
  determiner and a lower-case word ("a 2012 report"), as the far end of a range or list
  whose first item counts ("between 2012 and 2014", "in 2014 and 2015"), or in "2014-2015".
  Mid-sentence, a plural noun after it, or a range to a number that is no year, makes it a
  count ("in 2000 cases", "from 2000 to 3000"). So "resolution 1612", "400 children" and
  "2,000 people" are not dates, and neither is a year standing alone between commas.
- A bare month name counts only with such a context ("in May", "late May", "last May"),
  or as the far end of a range; "May"/"March" must be capitalised.
- A month (and day) without a year is the most recent one not after `published`; a day up
  to 7 days after `published` stays in its year, because publication dates in feeds lag.
  "last May" is the most recent May strictly before the month of `published`.
- Numeric dates are day first, as ACLED and most of the world write them ("12/03/2016" is
  12 March); only when the second number cannot be a month is it month first ("03/29/2016").
- "early/mid/late May" and "the end of 2014" resolve to the whole month or year, with
  `part` set: the text does not say which days, so we don't invent them.
- "on Monday" is the most recent Monday on or before `published` (wires say "on Monday"
  for the day itself); "last Monday" is strictly before. "last week" is the 7 days before
  `published`; "this week" runs from its Monday to `published`; "the weekend" is the latest
  Saturday-Sunday not after `published`. "last night" is the day before, "overnight",
  "tonight" and "today" the day itself.
- "this month", "earlier this year" resolve to the unit (month, year), not a range; so does
  "N units ago" ("three months ago" is a month, "a week ago" a day).
- "since X" runs from X to `published` (end None when `published` is unknown).
- "the past N units" runs from `published` minus N units to `published`; "few", "several"
  and "recent" count as 3.
"""

from __future__ import annotations

import re

MONTHS = {
    "january": 1,
    "february": 2,
    "march": 3,
    "april": 4,
    "may": 5,
    "june": 6,
    "july": 7,
    "august": 8,
    "september": 9,
    "october": 10,
    "november": 11,
    "december": 12,
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "sept": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
# Meteorological seasons, northern hemisphere. Winter straddles two years, so it is left out.
SEASONS = {"spring": (3, 5), "summer": (6, 8), "autumn": (9, 11), "fall": (9, 11)}
# Articles and vague counts; number words are read by `numbers.parse_number`. Vague counts
# become 3 ("the past few weeks"): wide enough to hold what writers mean by them.
COUNTS = {
    "a": 1,
    "an": 1,
    "a couple of": 2,
    "couple of": 2,
    "a few": 3,
    "few": 3,
    "several": 3,
}
# Prepositions that make a bare year or month a date ("in 2014", "since May"). "on", "at",
# "over" and "within" are recognised (and left out of spans) but are not enough on their
# own: "over 2000 children".
DATE_CONTEXT = frozenset(
    {
        "in",
        "since",
        "during",
        "of",
        "by",
        "until",
        "till",
        "through",
        "throughout",
        "before",
        "after",
        "from",
        "between",
        "for",
        "as of",
    }
)
# Prepositions whose meaning belongs to the date, so they stay in the span (when used).
SPANNED = frozenset({"since", "from", "between"})

_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
_ABBR = "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec"
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
# Months are case-sensitive: that alone rules out "children may be" and "a march".
# An abbreviation must be followed by a day or a year wherever it is used.
_MON = rf"(?:(?:{_FULL})\b|(?:{_ABBR})\b\.?)"
_DAY = r"(?:3[01]|[12]\d|0?[1-9])(?:st|nd|rd|th)?\b(?![:.]\d)"
# A year is 1900-2099, not inside a bigger number, amount or code ("2,015", "$2015",
# "No.2015", "1-2015") and not followed by more digits, a percent or a decimal.
_YEAR = r"(?:19|20)\d\d"
_YS = r"(?<![\w.,/$£€#])(?<!\d-)"
_YE = r"(?![\d%]|[.,/]\d)"
_DS = r"(?<![\w.,:/$£€#–-])"
_NUM = r"\d{1,3}|(?:a\s+)?(?:couple\s+of|few)|several|an?|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|eighteen|twenty|thirty"  # noqa: E501
_UNIT = r"hours?|days?|weeks?|months?|years?|decades?"
_TO = r"\s*(?:-|–|to|through)\s*"

# A preposition and/or a part-of-period word just before a date: "in late", "by the end of".
BEFORE_RE = re.compile(
    r"(?:\b(?P<pre>(?i:in|on|at|over|since|during|of|by|until|till|through|throughout|before|after"
    r"|from|between|for|within|as\s+of))\s+)?"
    r"(?P<part>\b(?i:(?:the\s+)?(?P<part_of>end|beginning|start|middle)\s+of\s+"
    r"|(?:the\s+)?(?P<part_w>early|mid|late)(?:-|\s+)))?$"
    # Or a determiner, which makes a year attributive: "a 2012 report", "the group's 2014 attack".
    r"|(?P<det>\b(?i:a|an|the|its|their|his|her)\s+|'s\s+)$"
)

# Three regexes rather than one: each begins with something the regex engine can scan for
# quickly (a digit, a keyword, "ago"), which makes the whole search about 20 times faster.
# Where their matches overlap, dates.py keeps the longest.
_NUMERIC = [
    # ISO 2016-01-29.
    rf"(?P<ISO>{_YS}(?P<iso_y>{_YEAR})-(?P<iso_m>0[1-9]|1[0-2])-(?P<iso_d>0[1-9]|[12]\d|3[01])(?!\d))",
    # 12/03/2016, 12.03.2016, 12-03-2016: day first unless that cannot be (see dates.py).
    rf"(?P<NUMY>{_DS}(?P<n_a>\d{{1,2}})(?P<n_sep>[/.-])(?P<n_b>\d{{1,2}})(?P=n_sep)(?P<n_y>{_YEAR})(?!\d))",
    # 29/01 (ACLED style). Two digits each, so "24/7" and "9/11" stay out.
    rf"(?P<NUM>{_DS}(?P<s_a>\d\d)/(?P<s_b>\d\d)(?![\d/]|[.,]\d))",
    # 11-13 March (2015), "between 11 and 13 March".
    rf"(?P<DRM>{_DS}(?P<dr_d1>{_DAY})(?:{_TO}|\s+and\s+)(?P<dr_d2>{_DAY})(?:\s+of)?\s+(?P<dr_m>{_MON})"
    rf"(?:,?\s+(?P<dr_y>{_YEAR}){_YE})?)",
    # 29 January (2016), 29th of January.
    rf"(?P<DM>{_DS}(?P<a_d>{_DAY})(?:\s+of)?\s+(?P<a_m>{_MON})(?:,?\s+(?P<a_y>{_YEAR}){_YE})?)",
    # 1990s, 1990's.
    rf"(?P<DECADE>{_YS}(?P<dec>(?:19|20)\d)0'?s\b)",
    # 2014-2015, 2014-15, 2014/15.
    rf"(?P<YR>{_YS}(?P<yr1>{_YEAR})\s*(?:-|–|/)\s*(?P<yr2>{_YEAR}|\d\d){_YE})",
    rf"(?P<YEAR>{_YS}(?P<y>{_YEAR}){_YE}(?P<y_poss>'s)?)",
]
_WORDS = [
    # March 11-13 (, 2015).
    rf"(?P<MDR>(?P<mr_m>{_MON})\s+(?P<mr_d1>{_DAY})\s*(?:-|–)\s*(?P<mr_d2>{_DAY})"
    rf"(?:,?\s+(?P<mr_y>{_YEAR}){_YE})?)",
    # January 29 (, 2016), Jan. 29.
    rf"(?P<MD>(?P<b_m>{_MON})\s+(?P<b_d>{_DAY})(?:,?\s+(?P<b_y>{_YEAR}){_YE})?)",
    # March 2015, March of 2015.
    rf"(?P<MY>(?P<c_m>{_MON}),?\s+(?:of\s+)?(?P<c_y>{_YEAR}){_YE})",
    # (the) summer (of) 2014.
    rf"(?P<SEASON>(?i:(?:the\s+)?(?P<se>spring|summer|autumn|fall))(?:\s+of)?\s+(?P<se_y>{_YEAR}){_YE})",
    r"(?P<RSEASON>(?i:(?P<rse_rel>last|this)\s+(?P<rse>spring|summer|autumn|fall))\b)",
    r"(?P<DECADE>(?i:the)\s+(?P<dec>(?:19|20)\d)0'?s\b)",
    # December last year.
    rf"(?P<MLY>(?P<ml_m>{_FULL})\s+(?P<ml_rel>(?i:last|this))\s+(?i:year)\b)",
    # last May, this January, in May: full names only, the context is checked in dates.py.
    rf"(?P<MONTH>(?:(?P<m_rel>(?i:last|this|next))\s+)?(?P<m>{_FULL})\b)",
    # the past three months, the last year, the past few weeks, the past 24 hours.
    rf"(?P<PAST>(?i:the\s+(?:past|last|previous|preceding)\s+(?:(?P<past_n>{_NUM})\s+)?"
    rf"(?P<past_u>{_UNIT}))\b)",
    r"(?P<RECENT>(?i:recent\s+(?P<rec_u>days|weeks|months|years)\b))",
    r"(?P<WEEKEND>(?i:(?P<we_rel>the|last|this)\s+weekend)\b)",
    # "since the start of the year", "by the end of the month": of the report, as "this year".
    r"(?P<UNIT>(?i:(?P<u_rel>last|this|earlier\s+this|later\s+this|(?<=of\s)the)\s+(?P<u_u>year|month|week))\b)",
    # "Sunday school" is no date.
    rf"(?P<WEEKDAY>(?:(?P<wd_rel>(?i:last|this|next))\s+)?(?P<wd>{_WEEKDAY})\b(?!\s+school)"
    rf"(?:\s+(?i:night|morning|afternoon|evening)\b)?)",
    r"(?P<DAYWORD>(?i:(?P<dw>yesterday|today|tonight|overnight|last\s+night"
    r"|this\s+(?:morning|afternoon|evening)|earlier\s+today))\b)",
]
# The words a _WORDS alternative can begin with; months and weekdays keep their capital.
_FIRST = (
    rf"(?:{_FULL}|{_ABBR}|{_WEEKDAY}|(?i:the|last|this|next|earlier|later|recent|spring|summer"
    r"|autumn|fall|yesterday|today|tonight|overnight))\b"
)

NUMERIC_RE = re.compile(r"(?=\d)(?:" + "|".join(_NUMERIC) + ")")
WORD_RE = re.compile(rf"\b(?={_FIRST})(?:" + "|".join(_WORDS) + ")")
# Run only when the text contains "ago": its first word ("a", "two") is too common to scan for.
AGO_RE = re.compile(rf"(?P<AGO>\b(?i:(?P<ago_n>{_NUM})\s+(?P<ago_u>{_UNIT})\s+ago)\b)")

# A count, not a year, when a plural noun follows: "in 2000 cases", "of 2014 children".
# Function words that end in -s are not nouns.
COUNT_AFTER = re.compile(
    r"\s+(?:(?!(?:was|has|is|as|this|its|his|us|thus|less|across|unless|perhaps|whereas|besides"
    r"|always|towards|afterwards|nevertheless|nonetheless|yes|plus|alongside|sometimes)\b)[a-z]+s"
    r"|people|children|men|women|youth|staff|personnel|police)\b"
)
COUNT_RANGE_AFTER = re.compile(r"\s*(?:-|–|to|and|or)\s*(?!(?:19|20)\d\d(?!\d))\d")
# After a determiner, a year followed by a lower-case word is attributive ("a 2012 report").
ATTRIBUTE_AFTER = re.compile(r"\s+[a-z]")
# A bare year that is the subject of "was"/"saw" is a year ("2014 was the deadliest").
YEAR_SUBJECT = re.compile(r"\s+(?:was|saw|has\s+been|had\s+been|is|will\s+be)\b")
# What may stand between the two ends of a range, and between items of a list.
RANGE_GAP = re.compile(r"\s*(?:(?P<dash>-|–|—)|(?i:(?P<word>to|until|till|through|thru|and)))\s*")
LIST_GAP = re.compile(r"\s*(?:,\s*(?i:(?:and|or)\s+)?|(?i:and|or)\s+)")
WEEKDAY_GAP = re.compile(r",?\s*(?:the\s+)?")
