"""find_dates: spans and resolved dates of the expressions news reports use."""

from __future__ import annotations

import pytest

from childwatch.extract.dates import DateMention, find_dates

PUB = "2015-07-06"  # a Monday

# (text, published, span text, date_start, date_end, precision)
SINGLE = [
    # Absolute dates.
    ("29 January 2016", PUB, "29 January 2016", "2016-01-29", "2016-01-29", "day"),
    ("January 29, 2016", PUB, "January 29, 2016", "2016-01-29", "2016-01-29", "day"),
    ("Jan. 29, 2016", PUB, "Jan. 29, 2016", "2016-01-29", "2016-01-29", "day"),
    ("the 29th of January 2016", PUB, "29th of January 2016", "2016-01-29", "2016-01-29", "day"),
    ("On 10 January 2021, in Sa Par Htar", PUB, "10 January 2021", "2021-01-10", "2021-01-10", "day"),
    ("abducted in March 2015.", PUB, "March 2015", "2015-03", "2015-03", "month"),
    ("recruited in 2014, the report said", PUB, "2014", "2014", "2014", "year"),
    ("In 2014 children were recruited", PUB, "2014", "2014", "2014", "year"),
    ("since 2013", PUB, "since 2013", "2013", "2015-07-06", "range"),
    ("between 2012 and 2014", PUB, "between 2012 and 2014", "2012", "2014", "range"),
    ("from 2011 to 2013", PUB, "from 2011 to 2013", "2011", "2013", "range"),
    ("the 2014-2015 school year", PUB, "2014-2015", "2014", "2015", "range"),
    ("the 2014-15 school year", PUB, "2014-15", "2014", "2015", "range"),
    ("during the war in the 1990s", PUB, "the 1990s", "1990", "1999", "range"),
    ("since the mid-2000s", PUB, "since the mid-2000s", "2000", "2015-07-06", "range"),
    # A day that names an event after "since the": a period from it ("since the October 7 attack").
    ("killed since the March 12 attack", PUB, "since the March 12", "2015-03-12", "2015-07-06", "range"),
    ("killed since the start of the war on March 12", PUB, "since the start of the war on March 12", "2015-03-12",
     "2015-07-06", "range"),
    ("Boko Haram attacks on 29/01, killing", "2016-01-29", "29/01", "2016-01-29", "2016-01-29", "day"),
    ("12/03/2016", PUB, "12/03/2016", "2016-03-12", "2016-03-12", "day"),
    ("03/29/2016", PUB, "03/29/2016", "2016-03-29", "2016-03-29", "day"),
    ("Date: 2016-01-29 23:43", PUB, "2016-01-29", "2016-01-29", "2016-01-29", "day"),
    ("between 11 and 13 March 2015", PUB, "between 11 and 13 March 2015", "2015-03-11", "2015-03-13",
     "range"),
    ("A 2012 report from Afghanistan", PUB, "2012", "2012", "2012", "year"),
    ("2014 was the deadliest year", PUB, "2014", "2014", "2014", "year"),
    ("in the summer of 2014", PUB, "the summer of 2014", "2014-06", "2014-08", "range"),
    # Relative to the publication date.
    ("in January", PUB, "January", "2015-01", "2015-01", "month"),
    ("in January", "2015-01-20", "January", "2015-01", "2015-01", "month"),
    ("in August", PUB, "August", "2014-08", "2014-08", "month"),
    ("last May", "2015-05-20", "last May", "2014-05", "2014-05", "month"),
    ("late May", PUB, "late May", "2015-05", "2015-05", "month"),
    ("in early June", PUB, "early June", "2015-06", "2015-06", "month"),
    ("since mid-June", PUB, "since mid-June", "2015-06", "2015-07-06", "range"),
    ("by the end of 2014", PUB, "the end of 2014", "2014", "2014", "year"),
    ("in late December last year", PUB, "late December last year", "2014-12", "2014-12", "month"),
    ("on 29 June", PUB, "29 June", "2015-06-29", "2015-06-29", "day"),
    ("on 10 July", PUB, "10 July", "2015-07-10", "2015-07-10", "day"),  # within the 7-day lag
    ("on 20 July", PUB, "20 July", "2014-07-20", "2014-07-20", "day"),
    ("last year", PUB, "last year", "2014", "2014", "year"),
    ("this year", PUB, "this year", "2015", "2015", "year"),
    ("last month", PUB, "last month", "2015-06", "2015-06", "month"),
    ("this month", PUB, "this month", "2015-07", "2015-07", "month"),
    ("earlier this month", PUB, "earlier this month", "2015-07", "2015-07", "month"),
    ("earlier this year", PUB, "earlier this year", "2015", "2015", "year"),
    ("since the start of the year", PUB, "since the start of the year", "2015", "2015-07-06", "range"),
    ("by the end of the month", PUB, "the end of the month", "2015-07", "2015-07", "month"),
    ("last week", PUB, "last week", "2015-06-29", "2015-07-05", "range"),
    ("this week", "2015-07-08", "this week", "2015-07-06", "2015-07-08", "range"),
    ("yesterday", PUB, "yesterday", "2015-07-05", "2015-07-05", "day"),
    ("today", PUB, "today", "2015-07-06", "2015-07-06", "day"),
    ("overnight", PUB, "overnight", "2015-07-06", "2015-07-06", "day"),
    ("last night", PUB, "last night", "2015-07-05", "2015-07-05", "day"),
    ("UNICEF said on Wednesday", PUB, "Wednesday", "2015-07-01", "2015-07-01", "day"),
    ("UNICEF said on Monday", PUB, "Monday", "2015-07-06", "2015-07-06", "day"),
    ("last Monday", PUB, "last Monday", "2015-06-29", "2015-06-29", "day"),
    ("snatched Sunday night from", PUB, "Sunday night", "2015-07-05", "2015-07-05", "day"),
    ("two years ago", PUB, "two years ago", "2013", "2013", "year"),
    ("three months ago", PUB, "three months ago", "2015-04", "2015-04", "month"),
    ("a week ago", PUB, "a week ago", "2015-06-29", "2015-06-29", "day"),
    ("in the past three months", PUB, "the past three months", "2015-04-06", "2015-07-06", "range"),
    ("over the past three months", PUB, "the past three months", "2015-04-06", "2015-07-06", "range"),
    ("in the last three months", PUB, "the last three months", "2015-04-06", "2015-07-06", "range"),
    ("the past few weeks", PUB, "the past few weeks", "2015-06-15", "2015-07-06", "range"),
    ("over the past year", PUB, "the past year", "2014-07-06", "2015-07-06", "range"),
    ("since January", PUB, "since January", "2015-01", "2015-07-06", "range"),
    ("Jan. 1 through March 23, 17 cases", PUB, "Jan. 1 through March 23", "2015-01-01", "2015-03-23",
     "range"),
    ("between January and March", PUB, "between January and March", "2015-01", "2015-03", "range"),
    ("from March to May 2014", PUB, "from March to May 2014", "2014-03", "2014-05", "range"),
    ("from December to February", "2015-03-10", "from December to February", "2014-12", "2015-02",
     "range"),
    ("from January until today", PUB, "from January until today", "2015-01", "2015-07-06", "range"),
    ("last summer", PUB, "last summer", "2014-06", "2014-08", "range"),
    ("over the weekend", PUB, "the weekend", "2015-07-04", "2015-07-05", "range"),
    ("On Monday, 29 January 2016, gunmen", PUB, "Monday, 29 January 2016", "2016-01-29", "2016-01-29",
     "day"),
    ("In March 12 children died", PUB, "March", "2015-03", "2015-03", "month"),
]


@pytest.mark.parametrize(("text", "published", "span", "start", "end", "precision"), SINGLE)
def test_finds_and_resolves(text: str, published: str, span: str, start: str, end: str,
                            precision: str) -> None:
    found = find_dates(text, published)
    assert [(m.text, m.date_start, m.date_end, m.precision) for m in found] == [(span, start, end, precision)]
    m = found[0]
    assert text[m.start:m.end] == m.text


NOT_DATES = [
    "400 children were recruited",
    "2,000 people fled",
    "Security Council resolution 1612 on children",
    "under resolution 1612 (2005)",
    "children may be recruited",
    "a march through the city",
    "the Mar Elias church",
    "at 06:30 local time",
    "a 14-year-old boy",
    "The attack resulted in 2000 casualties",
    "from 2000 to 3000 people",
    "over 2000 children",
    "open 24/7",
    "after the 9/11 attacks",
    "a 2000-pound bomb",
    "on 31 February 2015",
    "Maj. Gen. Chris Olukolade said",
    "April Smith said",
    "the late President",
    "children attending Sunday school",
    "two infants born 10 days ago",  # an age, not the day of anything told
    "a baby born “three weeks ago” was among them",
]


@pytest.mark.parametrize("text", NOT_DATES)
def test_ignores_non_dates(text: str) -> None:
    assert find_dates(text, PUB) == []


@pytest.mark.parametrize("text", [
    "in January", "last year", "on Monday", "29/01", "between January and March", "two years ago",
    "the past three months", "yesterday", "late May", "on 29 June",
])
def test_relative_needs_published(text: str) -> None:
    assert find_dates(text, None) == []


@pytest.mark.parametrize(("text", "start", "end", "precision"), [
    ("in March 2015", "2015-03", "2015-03", "month"),
    ("29 January 2016", "2016-01-29", "2016-01-29", "day"),
    ("in 2015", "2015", "2015", "year"),
    ("since 2013", "2013", None, "range"),
    ("from March to May 2014", "2014-03", "2014-05", "range"),
])
def test_absolute_without_published(text: str, start: str, end: str | None, precision: str) -> None:
    [m] = find_dates(text, None)
    assert (m.date_start, m.date_end, m.precision, m.relative) == (start, end, precision, False)


def test_relative_flag_says_published_was_used() -> None:
    assert [m.relative for m in find_dates("In March 2015, in January and since 2013", PUB)] == [
        False, True, True]


def test_part_of_period_is_kept() -> None:
    assert [m.part for m in find_dates("late May, in early 2014, mid-June, the end of 2013, in May", PUB)] \
        == ["late", "early", "mid", "late", None]


def test_offset_shifts_spans() -> None:
    text = "Gunmen abducted 12 girls in March 2015 and more last week."
    plain = find_dates(text, PUB)
    shifted = find_dates(text, PUB, offset=1000)
    assert [m.text for m in shifted] == ["March 2015", "last week"]
    assert [(m.start - 1000, m.end - 1000) for m in shifted] == [(m.start, m.end) for m in plain]
    assert all(text[m.start:m.end] == m.text for m in plain)


def test_results_in_text_order() -> None:
    text = "Since 2013, and again last year and on 10 January 2015, then yesterday."
    found = find_dates(text, PUB)
    assert [m.text for m in found] == ["Since 2013", "last year", "10 January 2015", "yesterday"]
    assert [m.start for m in found] == sorted(m.start for m in found)


def test_overlapping_matches_keep_the_longest() -> None:
    # "January 2016" and "2016" also match inside the full date.
    assert find_dates("on 29 January 2016", PUB) == [
        DateMention(3, 18, "29 January 2016", "2016-01-29", "2016-01-29", "day", False)]


def test_list_of_years_shares_its_context() -> None:
    assert [m.text for m in find_dates("a peak in 1998 and 1999, then 2003", PUB)] == ["1998", "1999"]


def test_bad_published_date_is_reported() -> None:
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        find_dates("last year", "06/07/2015")


def test_timestamp_published_is_read_as_its_day() -> None:
    [m] = find_dates("yesterday", "2015-07-06T10:00:00Z")
    assert m.date_start == "2015-07-05"
