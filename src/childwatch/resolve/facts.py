"""What resolution knows of a claim: `ClaimFacts`, built from a stored claim and its
document, with dates as day intervals, the outlet and original source as keys, and the
distinctive names and content words of its evidence.

Kept compact (slots, no text but the evidence's words) because a resolution run holds a
whole block of claims (one violation in one continent) in memory.
"""

from __future__ import annotations

import calendar
import math
import re
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache
from typing import Any
from urllib.parse import urlsplit

import pycountry

from childwatch.codebook.lexicon import load_lexicon
from childwatch.codebook.loader import Actor, Source, load_codebook
from childwatch.codebook.resolution import Settings, fold, load_settings

_CAPITALISED = re.compile(r"(?<![\w.'’-])([A-Z][a-z]+(?:[-'’][A-Z]?[a-z]+)?)")
_WORD = re.compile(r"[a-z]{4,}")
_DETERMINERS = ("the ", "a ", "an ", "two ", "three ", "four ", "several ", "some ", "one ", "other ")


@dataclass(slots=True)
class ClaimFacts:
    """One stored claim as resolution sees it (see `facts_from_row`)."""

    claim_id: int
    doc_id: str
    ordinal: int
    story: str  # the first document of its near-duplicate group (its own id if none)
    published: str | None
    outlet: str | None  # outlet display name
    story_outlet: str | None  # the outlet of `story`: a copy's reporting is the original's
    violation: str
    kind: str
    perpetrator_id: str | None
    perpetrator: str | None
    count: int | None
    count_low: int | None
    count_high: int | None
    age_min: int | None
    age_max: int | None
    sex: str | None
    group: str | None
    place_id: str | None
    place: str | None
    admin1: str | None
    country: str | None
    lat: float | None
    lon: float | None
    precision: str | None
    date_start: str | None
    date_end: str | None
    date_lo: int | None  # proleptic ordinal of the first possible day; None: open
    date_hi: int | None
    source: str | None
    source_key: str  # who vouches for it, independently of who carried it
    names: frozenset[str]  # distinctive names in the evidence
    doc_names: frozenset[str]  # the names its report mentions most
    place_stated: bool  # the place is named in the claim's own evidence, not inferred
    perpetrator_stated: bool  # named (not described) in the claim's own evidence
    words: frozenset[str]
    incident_id: str | None  # the assignment stored before this run
    confidence: float = 0.5
    # The content words of its report's headline, and whether the claim is told in the
    # report's opening (`OPENING_CHARS`): a news report tells its main story in its
    # headline and opening, and two reports telling one story in the same days are about
    # one event (`compare`).
    headline: frozenset[str] = frozenset()
    lead: bool = False
    # Its count of one is a child told as a person ("the 13-year-old", "a boy", "his son"),
    # not a figure ("one child", "at least one"): one child's story of an event says
    # nothing of how many the event took (`told_as_person`).
    one_child: bool = False
    # Its count is one family's children ("four of his eight kids"): likewise part of the
    # event's victims, not its toll (`told_as_family`).
    family: bool = False
    # The children its evidence names by a full name ("Amina Bello": two words or more) among
    # the children's names found in its report: a child named in two reports is one victim.
    children: frozenset[str] = frozenset()
    report_children: frozenset[str] = frozenset()  # ...and all those its report names
    # (latitude, longitude, cos(latitude)) in radians, for `compare.distance_km`: worked
    # out once here rather than at each of the claim's comparisons. None without both.
    radians: tuple[float, float, float] | None = field(init=False, default=None, repr=False, compare=False)
    published_day: int | None = field(init=False, default=None, repr=False, compare=False)  # as an ordinal

    def __post_init__(self) -> None:
        self.published_day = _first_day(self.published[:10]) if self.published else None
        if self.lat is not None and self.lon is not None:
            lat = math.radians(self.lat)
            self.radians = (lat, math.radians(self.lon), math.cos(lat))

    @property
    def order(self) -> tuple[str, str, int]:
        """The order claims are resolved in: by publication, then document, then position."""
        return (self.published or "9999", self.doc_id, self.ordinal)


def day_interval(start: str | None, end: str | None) -> tuple[int | None, int | None]:
    """(first day, last day) as ordinals for partial ISO dates; None where unknown."""
    return _first_day(start), _last_day(end if end else start if start else None)


def _parts(value: str) -> tuple[int, int | None, int | None] | None:
    try:
        bits = [int(b) for b in value.split("-")]
    except ValueError:
        return None
    if not bits or not 1 <= bits[0] <= 9999:
        return None
    return bits[0], bits[1] if len(bits) > 1 else None, bits[2] if len(bits) > 2 else None


# Dates recur across claims (a day, a month): each read once (bounded caches).
@lru_cache(maxsize=1 << 15)
def _first_day(value: str | None) -> int | None:
    parts = _parts(value) if value else None
    if parts is None:
        return None
    year, month, day = parts
    try:
        return date(year, month or 1, day or 1).toordinal()
    except ValueError:
        return None


@lru_cache(maxsize=1 << 15)
def _last_day(value: str | None) -> int | None:
    parts = _parts(value) if value else None
    if parts is None:
        return None
    year, month, day = parts
    month = month or 12
    try:
        return date(year, month, day or calendar.monthrange(year, month)[1]).toordinal()
    except ValueError:
        return None


def outlet_name(url: str | None, outlet: str | None, settings: Settings) -> str | None:
    """The outlet's display name: a codebook outlet if its domain, name or alias is known."""
    host = _url_host(url) if url and "://" in url else ""
    candidates = [host] if host else []
    if host.count(".") > 1:  # edition.cnn.com -> cnn.com
        candidates.append(host.split(".", 1)[1])
    if outlet:
        candidates.append(fold(outlet))
    for key in candidates:
        if key in settings.outlets:
            return settings.outlets[key]
    if outlet and outlet.strip():
        return outlet.strip()
    return host or None


def _url_host(url: str) -> str:
    """The folded host name of `url`, parsed once per site: from the url up to the first
    "/" after "://", which holds its whole network location (urlsplit alone cost a tenth
    of reading a claim)."""
    end = url.find("/", url.find("://") + 3)
    return _host(url if end < 0 else url[:end])


@lru_cache(maxsize=1 << 12)
def _host(site: str) -> str:
    return fold(urlsplit(site).hostname or "")


def source_key(
    source: str | None,
    source_id: str | None,
    story: str,
    story_outlet: str | None,
    settings: Settings,
    country: str | None = None,
) -> str:
    """Who vouches for the claim. Two papers quoting one observatory share a key; a state
    body named in other words ("the Nigerian army", "the west African nation's military")
    is keyed as that body of the country its name gives, else of the claim's `country`;
    people named only by what they are ("residents") are keyed per story; a claim the
    outlet makes on its own is keyed by the outlet of the story's first document, unless
    that outlet is an aggregator ("unattributed": no original source we can name)."""
    if source_id:
        return f"id:{source_id}"
    if source and source.strip():
        name = fold(source)
        for word in _DETERMINERS:
            if name.startswith(word):
                name = name[len(word) :]
        words = name.split()
        if words and (words[-1] in settings.per_report or " ".join(words[-2:]) in settings.per_report):
            return f"story:{story}:{name}"
        body = _state_body(source, words, settings, country)
        return body or f"name:{name}"
    if story_outlet in settings.aggregators:
        return f"unattributed:{story}"  # carried by an aggregator: whose reporting is unknown
    return f"outlet:{fold(story_outlet)}" if story_outlet else f"story:{story}"


_ACRONYM = re.compile(r"\b[A-Z][A-Z.]{1,}\b")


def _state_body(source: str, words: list[str], settings: Settings, country: str | None) -> str | None:
    kind = next(
        (settings.bodies[" ".join(words[-n:])] for n in (3, 2, 1) if " ".join(words[-n:]) in settings.bodies), None
    )
    if kind is None or _ACRONYM.search(source):
        return None  # not a state body, or an international one ("UN officials", "AU troops")
    named = _countries_named(source)
    if len(named) > 1:
        return None
    code = next(iter(named), None) or country
    return f"body:{code}:{kind}" if code else None


def _countries_named(text: str) -> set[str]:
    """The countries a source's name gives by a demonym or a country name ("Nigerian",
    "Nigeria's")."""
    demonyms = load_lexicon().demonyms
    found = {demonyms[w.lower()] for w in re.findall(r"[A-Z][a-z]+", text) if w.lower() in demonyms}
    for match in re.finditer(r"[A-Z][a-z]+(?: [A-Z][a-z]+)*", text):
        entry = pycountry.countries.get(name=match.group())
        if entry is not None:
            found.add(str(entry.alpha_2))
    return found


@cache
def stop_names() -> frozenset[str]:
    """Capitalised words that do not tell one incident from another."""
    words = set(load_settings().common_names)
    words.update(calendar.month_name[1:])
    words.update(calendar.month_abbr[1:])
    book = load_codebook()
    entries: list[Actor | Source] = [*book.actors, *book.sources]
    for entry in entries:
        for form in (entry.name, *entry.aliases, *entry.abbreviations):
            words.update(w.capitalize() for w in re.findall(r"[A-Za-z]+", form))
    for country in pycountry.countries:
        words.update(w.capitalize() for w in re.findall(r"[A-Za-z]+", country.name))
    for demonym in load_lexicon().demonyms:
        words.update(w.capitalize() for w in demonym.split())
    return frozenset(words)


_SENTENCE_MARKS = frozenset(".!?:\"“”'‘’—–-")


def _names(text: str) -> Iterator[str]:
    stop = stop_names()
    for match in _CAPITALISED.finditer(text):
        start = match.start()
        before = text[start - 3 if start > 3 else 0 : start].rstrip()
        if not before or before[-1] in _SENTENCE_MARKS:  # a sentence's first word says little
            continue
        word = match.group(1)
        if word.endswith(("'s", "’s")):
            word = word[:-2]
        if len(word) >= 3 and word not in stop:
            yield word


def distinctive_names(text: str) -> frozenset[str]:
    """Capitalised words of `text` that may name a particular place, person or school."""
    return frozenset(_names(text))


def report_names(text: str, top: int = 12) -> list[str]:
    """The distinctive names a report mentions at least twice, most mentioned first."""
    counts = Counter(_names(text))
    return [name for name, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top] if n >= 2]


def _stated(span: Any, ranges: list[tuple[int, int]]) -> bool:
    """Whether a field's span [start, end, text] lies within the claim's evidence."""
    if not span:
        return False
    start, end = int(span[0]), int(span[1])
    return any(lo <= start and end <= hi for lo, hi in ranges)


_SUFFIXES = ("ings", "ing", "ed", "es", "s")


@lru_cache(maxsize=1 << 16)  # a report's words recur across reports: stem each once
def _stem(word: str) -> str:
    """A crude suffix stripper: "kidnapped", "kidnapping", "kidnaps" -> "kidnapp"/"kidnap"."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:-1] if len(word) > 4 and word[-1] == word[-2] else word


def content_words(text: str) -> frozenset[str]:
    """The evidence's words that carry meaning, stemmed so that word forms compare equal."""
    stop = load_settings().stopwords
    return frozenset(_stem(w) for w in _WORD.findall(text.lower()) if w not in stop)


# A claim whose evidence starts in its report's first characters is told in the opening.
OPENING_CHARS = 600


@lru_cache(maxsize=1 << 12)  # a report's claims are read one after another: its title once
def headline_words(title: str) -> frozenset[str]:
    """The content words of a report's title (stemmed, as `content_words`)."""
    return content_words(title)


def _shared(value: str | None) -> str | None:
    """One copy of a value many claims of a block repeat (a violation, a place, a date):
    a block is held in memory whole, and most of a claim's fields are such values."""
    return None if value is None else sys.intern(value)


# A figure of one in a count's words, not the number of an age ("a 1-year-old").
_ONE = re.compile(r"\b(?:one|single|lone|only|1)\b(?![- ](?:year|month|week|day)s?[- ]old)", re.IGNORECASE)


def told_as_person(count: int | None, kind: str, span: Any) -> bool:
    """Whether a count of one is a child told as a person (the words of its span hold no
    figure): "The 13-year-old was ordered outside" in a report of a mass abduction."""
    if count != 1 or kind != "incident" or not span or len(span) < 3:
        return False
    return not _ONE.search(str(span[2]))


# A possessive in a count's words ("four of his eight kids") or just before them ("a mother
# whose three sons").
_POSSESSIVE = r"\b(?:his|her|their|my|our|whose)"
_FAMILY = re.compile(rf"{_POSSESSIVE}\b", re.IGNORECASE)
_FAMILY_BEFORE = re.compile(rf"{_POSSESSIVE}\s+$", re.IGNORECASE)


def told_as_family(count: int | None, span: Any, evidence: str, evidence_start: int | None) -> bool:
    """Whether a count is told as one family's children ("four of his eight kids were
    taken"): a part of an event's victims, as a parent tells it, not the event's toll."""
    if not count or not span or len(span) < 3:
        return False
    if _FAMILY.search(str(span[2])):
        return True
    at = int(span[0]) - (evidence_start or 0)
    return 0 < at <= len(evidence) and bool(_FAMILY_BEFORE.search(evidence[max(0, at - 12) : at]))


_NO_CHILDREN: frozenset[str] = frozenset()


def named_children(names: Iterable[str] | None, evidence: str | None = None) -> frozenset[str]:
    """The children's full names (two words or more: a first name alone is shared by many)
    of a report, or those of them that `evidence` holds."""
    found = [n for n in names or () if len(n.split()) >= 2 and (evidence is None or n in evidence)]
    return frozenset(sys.intern(n) for n in found) if found else _NO_CHILDREN


def facts_from_row(row: Mapping[str, Any], settings: Settings) -> ClaimFacts:
    """`row` holds the claim's columns plus `published`, `url`, `outlet`, `story`,
    `story_url` and `story_outlet_name` of its document and its story's first document,
    and optionally its document's `title` and `child_names`."""
    story = row["story"] or row["doc_id"]
    outlet = outlet_name(row["url"], row["outlet"], settings)
    story_outlet = outlet_name(row["story_url"], row["story_outlet_name"], settings) if row["story"] else outlet
    lo, hi = day_interval(row["date_start"], row["date_end"])
    evidence = row["evidence_text"] or ""
    spans = row["spans"] or {}
    ranges = [(row["evidence_start"], row["evidence_end"])]
    ranges += [(int(m[0]), int(m[1])) for m in spans.get("mentions", [])]
    return ClaimFacts(
        claim_id=row["id"],
        doc_id=row["doc_id"],
        ordinal=row["ordinal"],
        story=story,
        published=_shared(row["published"]),
        outlet=_shared(outlet),
        story_outlet=_shared(story_outlet),
        violation=sys.intern(row["violation"]),
        kind=sys.intern(row["kind"]),
        perpetrator_id=_shared(row["perpetrator_id"]),
        perpetrator=_shared(row["perpetrator"]),
        count=row["victims_count"],
        count_low=row["victims_count_low"],
        count_high=row["victims_count_high"],
        age_min=row["victims_age_min"],
        age_max=row["victims_age_max"],
        sex=_shared(row["victims_sex"]),
        group=_shared(row["victims_group"]),
        place_id=_shared(row["location_place_id"]),
        place=_shared(row["location_name"]),
        admin1=_shared(row["location_admin1"]),
        country=_shared(row["location_country"]),
        lat=row["location_lat"],
        lon=row["location_lon"],
        precision=_shared(row["location_precision"]),
        date_start=_shared(row["date_start"]),
        date_end=_shared(row["date_end"]),
        date_lo=lo,
        date_hi=hi,
        source=_shared(row["source"]),
        source_key=sys.intern(
            source_key(row["source"], row["source_id"], story, story_outlet, settings, row["location_country"])
        ),
        names=distinctive_names(evidence),
        doc_names=frozenset(row.get("doc_names") or ()),
        place_stated=_stated(spans.get("location"), ranges),
        # "the militants", "gunmen": a description the extractor resolved, not a name.
        perpetrator_stated=_stated(spans.get("perpetrator"), ranges)
        and any(ch.isupper() for ch in str(spans["perpetrator"][2])),
        words=content_words(evidence),
        incident_id=row["incident_id"],
        confidence=row["confidence"] if row["confidence"] is not None else 0.5,
        headline=headline_words(row["title"]) if row.get("title") else frozenset(),
        lead=row["evidence_start"] is not None and row["evidence_start"] < OPENING_CHARS,
        one_child=told_as_person(row["victims_count"], row["kind"], spans.get("victims.count")),
        family=told_as_family(row["victims_count"], spans.get("victims.count"), evidence, row["evidence_start"]),
        children=named_children(row.get("child_names"), evidence),
        report_children=named_children(row.get("child_names")),
    )


@dataclass(slots=True)
class ClaimKeys:
    """What blocking (`cluster.blocking_keys`) needs of a claim already resolved: enough
    to place new claims among a block's stored incidents without loading every claim whole."""

    claim_id: int
    incident_id: str
    story: str
    place_id: str | None
    precision: str | None
    country: str | None
    names: frozenset[str]  # its distinctive names (maybe only those of interest: see `names_among`)
    doc_names: frozenset[str]  # the names its report mentions most (as in ClaimFacts)
    perpetrator_id: str | None
    kind: str
    source_key: str  # as in ClaimFacts where it is a blocking key (an outlet's own reporting is not)
    date_lo: int | None
    date_hi: int | None


def names_among(wanted: Iterable[str]) -> Callable[[str], frozenset[str]]:
    """`distinctive_names` restricted to `wanted`, and quick for a text that mentions none
    of them (one regular expression search): for placing new claims among many stored
    ones, when only the new claims' names matter."""
    chosen = frozenset(wanted)
    mention = re.compile("|".join(re.escape(n) for n in sorted(chosen))) if chosen else None

    def names(text: str) -> frozenset[str]:
        if mention is None or not mention.search(text):
            return frozenset()
        return distinctive_names(text) & chosen

    return names


def keys_from_row(
    row: Mapping[str, Any], settings: Settings, names: Callable[[str], frozenset[str]] = distinctive_names
) -> ClaimKeys:
    """`row` holds the claim's blocking columns plus `story` (see `store.resolution.block_keys`);
    `names` finds the distinctive names of its evidence (see `names_among`)."""
    story = row["story"] or row["doc_id"]
    lo, hi = day_interval(row["date_start"], row["date_end"])
    return ClaimKeys(
        claim_id=row["id"],
        incident_id=row["incident_id"],
        story=story,
        place_id=row["location_place_id"],
        precision=row["location_precision"],
        country=row["location_country"],
        names=names(row["evidence_text"] or ""),
        doc_names=frozenset(row.get("doc_names") or ()),
        perpetrator_id=row["perpetrator_id"],
        kind=row["kind"],
        # Without the story's outlet: it only names an outlet's own reporting, never a key.
        source_key=source_key(row["source"], row["source_id"], story, None, settings, row["location_country"]),
        date_lo=lo,
        date_hi=hi,
    )
