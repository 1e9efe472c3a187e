"""Are two claims (of one violation, from different documents) about the same incident?

`compare` scores the pair feature by feature, with the weights of `resolution.toml`, and
keeps the features that counted so that every merge can be explained. Some differences
are vetoes whatever else agrees: two perpetrators, two towns far apart, dates that cannot
overlap, two different victim groups. An equal number alone never merges two claims: a
count adds at most `same_count`, below the merge threshold.
"""

from __future__ import annotations

import math
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache

from childwatch.codebook.resolution import Settings
from childwatch.resolve.facts import ClaimFacts, content_words

# Date intervals narrower than this are "precise" (an event known to the day or month).
_PRECISE_DAYS = 31
_NEAR_KM = 25.0
# Reports of one event disagree on tolls, but not by an order of magnitude.
_COUNT_RATIO_VETO = 10
# Figures from this size up are rare enough that two reports agreeing on one say much.
_LARGE_COUNT = 50
# An event and a reported total (the two kinds of claim that give a figure of children).
_EVENT_OR_TOTAL = frozenset({"incident", "aggregate"})
# Reports of one day's news come out on the same day or the next.
_SAME_DAYS = 1
# "hundreds" (low 200) stands for up to five times its lower bound, "dozens" (24) for up to 120.
_VAGUE_SPAN = 5


@dataclass(slots=True)
class Comparison:
    score: float
    features: dict[str, float] = field(default_factory=dict)
    veto: str | None = None  # why the two can not be one incident

    @property
    def possible(self) -> bool:
        return self.veto is None


def distance_km(a: ClaimFacts, b: ClaimFacts) -> float | None:
    """Great-circle distance (haversine), from each claim's coordinates in radians and the
    cosine of its latitude, worked out once per claim (`ClaimFacts.radians`)."""
    ra, rb = a.radians, b.radians
    if ra is None or rb is None:
        return None
    if ra == rb:
        return 0.0  # one place (the formula gives exactly 0.0 too)
    lat1, lon1, cos1 = ra
    lat2, lon2, cos2 = rb
    h = math.sin((lat2 - lat1) / 2) ** 2 + cos1 * cos2 * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


# The weights as `compare` adds them (rounded to 3 places), for the weights dict they were
# rounded from: rounding each weight at every comparison cost a tenth of resolution's time.
_rounded_from: dict[str, float] | None = None
_rounded_weights: dict[str, float] = {}


@lru_cache(maxsize=4)
def _site_words(sites: frozenset[str]) -> frozenset[str]:
    """The codebook's kinds of site as evidence words are compared (stemmed)."""
    return content_words(" ".join(sites))


def _rounded(weights: dict[str, float]) -> dict[str, float]:
    global _rounded_from, _rounded_weights
    if weights is not _rounded_from:  # one set of settings in use at a time, as a rule
        _rounded_weights = {name: round(value, 3) for name, value in weights.items()}
        _rounded_from = weights
    return _rounded_weights


def _date_feature(a: ClaimFacts, b: ClaimFacts, s: Settings) -> tuple[str | None, str | None]:
    """(feature, veto) for the two claims' date intervals."""
    grace = s.date_gap_days
    # An event can not start after a report about it was published.
    for x, y in ((a, b), (b, a)):
        published = x.date_hi if x.date_lo is None else None
        if published is not None and y.date_lo is not None and y.date_lo > published + 1:
            return None, "dates apart"
    if None in (a.date_lo, a.date_hi, b.date_lo, b.date_hi):
        return None, None
    gap = max(a.date_lo - b.date_hi, b.date_lo - a.date_hi)  # type: ignore[operator]
    if a.date_hi - a.date_lo <= 1 and b.date_hi - b.date_lo <= 1:  # type: ignore[operator]
        grace = min(grace, s.day_gap_days)  # both known to the day: reports differ by a day or two, not a week
    if gap > grace:
        return None, "dates apart"
    precise = (a.date_hi - a.date_lo) <= _PRECISE_DAYS and (b.date_hi - b.date_lo) <= _PRECISE_DAYS  # type: ignore[operator]
    if gap <= 0:
        return ("dates_overlap_precise" if precise else "dates_overlap"), None
    return ("dates_overlap" if precise else None), None


def _count_feature(a: ClaimFacts, b: ClaimFacts) -> str | None:
    if (a.count is None) != (b.count is None):
        # "hundreds of schoolgirls" and "276 schoolgirls": a vague quantity the figure fits.
        vague, exact = (a, b) if a.count is None else (b, a)
        low = vague.count_low
        if low is not None and exact.count is not None and not (exact.one_child or exact.family):
            high = vague.count_high if vague.count_high is not None else low * _VAGUE_SPAN
            if low <= exact.count <= high:
                return "close_count"
            # "Dozens of pupils" and "four children": the figure is a small part of the
            # least the vague quantity means, as far apart as two figures would be.
            return "far_count" if 3 * exact.count < low or exact.count > 3 * high else None
        return None
    if a.count is None or b.count is None:
        return None
    if a.count == b.count:
        return "same_count" if a.count >= 2 else "same_count_one"
    if a.one_child or b.one_child or a.family or b.family:
        return None  # one child's (one family's) story of an event with a larger toll: neither for nor against
    low, high = sorted((a.count, b.count))
    ratio = high / max(low, 1)
    statistic = a.kind == b.kind == "aggregate"
    if statistic and ratio > 1.5:
        return "far_count_aggregate"
    if ratio <= 1.5:
        # Agreeing on a large figure says more than on a small one: few events of a
        # violation in a fortnight and a country involve hundreds of children.
        return "close_count_large" if low >= _LARGE_COUNT else "close_count"
    if ratio > 3:
        return "far_count"
    return None


def _names_place_of(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Whether the place `a` states is one `b`'s report keeps mentioning."""
    return bool(a.place and a.place_stated and a.place in b.doc_names)


def _names_admin1_of(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Whether the province `a` states is one `b`'s report keeps mentioning."""
    return bool(a.admin1 and a.place_stated and a.admin1 in b.doc_names)


def _names_child_of(a: ClaimFacts, b: ClaimFacts, counted: AbstractSet[str]) -> bool:
    """Whether a child `a` names in full is one of `b`'s report's children too, or one whose
    every name `b`'s report keeps mentioning ("Malala Yousafzai": "Malala", "Yousafzai"),
    unless the two evidences share all those names (`counted`: `shared_name` has them)."""
    for child in a.children:
        words = set(child.split())
        if not words <= counted and (child in b.report_children or words <= b.doc_names | b.names):
            return True
    return False


def _same_days(a: ClaimFacts, b: ClaimFacts) -> bool:
    """Whether both claims are events, each its report's main story (told in its opening),
    in reports that came out within a day of each other. (Not totals: a toll of the war
    and one strike's victims are told in the same days, and the same words, too.)"""
    if not (a.lead and b.lead) or a.kind != "incident" or b.kind != "incident":
        return False
    if a.published_day is None or b.published_day is None:
        return False
    return abs(a.published_day - b.published_day) <= _SAME_DAYS


def compare(a: ClaimFacts, b: ClaimFacts, s: Settings) -> Comparison:
    """Score the pair; `veto` is set when the two can not be the same incident."""
    # Pairs are compared millions of times in a large run: the weights are rounded once
    # (`_rounded`) and each feature is added in place, in the same order as it always was
    # (the score is their sum, in that order).
    w = s.weights
    r = _rounded_weights if w is _rounded_from else _rounded(w)
    features: dict[str, float] = {}

    if a.doc_id == b.doc_id:
        return Comparison(-math.inf, veto="same document")
    # (One child told as a person, "the 13-year-old", is one of the event's victims, not its
    # toll: it can not be far from another report's figure.)
    # (Nor can one family's children, "four of his eight kids": `told_as_family`.)
    partial = a.one_child or b.one_child or a.family or b.family
    a_toll, b_toll = (None, None) if partial else (a.count, b.count)
    if a_toll and b_toll and max(a_toll, b_toll) > _COUNT_RATIO_VETO * min(a_toll, b_toll):
        return Comparison(-math.inf, veto=f"counts {a.count} and {b.count} far apart")
    # Two named perpetrators count strongly against one incident, but do not forbid it:
    # reports of one attack blame different groups ("bandits", then a group's claim of
    # responsibility), and the incident then shows the dispute. A perpetrator the
    # extractor inferred from the rest of the report (not stated with the claim) may
    # simply be wrong: it counts less.
    if a.perpetrator_id and b.perpetrator_id and a.perpetrator_id != b.perpetrator_id:
        stated = a.perpetrator_stated + b.perpetrator_stated
        name = ("other_perpetrator_inferred", "other_perpetrator", "other_perpetrator_stated")[stated]
        features[name] = r[name]
    if (
        a.kind != b.kind
        and a.kind in _EVENT_OR_TOTAL
        and b.kind in _EVENT_OR_TOTAL
        and a.count
        and b.count
        and max(a.count, b.count) > 1.5 * min(a.count, b.count)
    ):
        # One event and a reported total are one only when the extractor mislabelled one of
        # them, and then they give the same figure: otherwise the total would swell the event.
        return Comparison(-math.inf, veto=f"an event of {a.count if a.kind == 'incident' else b.count} and a total")
    if a.group and b.group and a.group.lower() != b.group.lower():
        return Comparison(-math.inf, veto="different victim groups")
    if a.country and b.country and a.country != b.country:
        # Two countries named with the claims are two events; a country the extractor
        # inferred (a dateline, a nationality word) may be the wrong one.
        if a.place_stated and b.place_stated:
            return Comparison(-math.inf, veto="different countries")
        features["other_country"] = r["other_country"]
    km = distance_km(a, b) if a.precision == "place" and b.precision == "place" else None
    if km is not None and km > s.max_km:
        if a.place_stated and b.place_stated:
            return Comparison(-math.inf, veto=f"places {km:.0f} km apart")
        if a.place_stated or b.place_stated:
            features["places_apart"] = r["places_apart"]
        # Both inferred from their reports (a background mention placed where the report
        # is datelined): neither says where it happened, so the distance says nothing.
    date_feature, veto = _date_feature(a, b, s)
    if veto:
        return Comparison(-math.inf, veto=veto)

    if a.story == b.story:
        features["same_story"] = r["same_story"]
    # Agreement on values both inferred from their reports' context says little: the
    # extractor fills a perpetrator or place from the report's main story, so two reports
    # about one region agree on them whatever the claims are about.
    if a.perpetrator_id and a.perpetrator_id == b.perpetrator_id and (a.perpetrator_stated or b.perpetrator_stated):
        features["same_perpetrator"] = r["same_perpetrator"]
    placed = a.place_stated or b.place_stated
    if placed and a.place_id and a.place_id == b.place_id and a.precision == "place":
        features["same_place"] = r["same_place"]
    elif placed and km is not None and km <= _NEAR_KM:
        features["near_place"] = r["near_place"]
    elif a.admin1 and b.admin1 and "places_apart" not in features:
        if a.admin1 == b.admin1:
            features["same_admin1"] = r["same_admin1"]
        elif a.place_stated and b.place_stated:
            features["other_admin1"] = r["other_admin1"]
        elif placed:
            # One of the two provinces was inferred from its report: it counts against, mildly.
            features["places_apart"] = r["places_apart"]
    if date_feature:
        features[date_feature] = r[date_feature]
    story_told = _same_days(a, b)
    if story_told and not date_feature:
        # The main story of two reports of the same days, one of them undated: a headline
        # ("a newborn killed in a strike on a maternity ward") is news of the day.
        features["reported_same_days"] = r["reported_same_days"]
    count_feature = _count_feature(a, b)
    if count_feature:
        features[count_feature] = r[count_feature]
    if a.age_min is not None and b.age_min is not None:
        a_hi = a.age_max if a.age_max is not None else 17
        b_hi = b.age_max if b.age_max is not None else 17
        name = "ages_overlap" if a.age_min <= b_hi and b.age_min <= a_hi else "ages_apart"
        features[name] = r[name]
    if {a.sex, b.sex} == {"male", "female"}:
        features["sexes_apart"] = r["sexes_apart"]
    elif a.sex == b.sex and a.sex in ("male", "female"):
        features["same_sex"] = r["same_sex"]
    if "pattern" in (a.kind, b.kind):
        features["pattern"] = r["pattern"]
    elif a.kind != b.kind:
        features["kinds_apart"] = r["kinds_apart"]
    if a.source_key == b.source_key and not a.source_key.startswith(("outlet:", "story:")):
        name = "same_source_aggregate" if a.kind == b.kind == "aggregate" else "same_source"
        features[name] = r[name]
    # (Not the place or province already compared above: one piece of evidence, counted once.)
    shared = (a.names & b.names) - {a.place, a.admin1, b.place, b.admin1}
    if shared:
        features["shared_name"] = round(min(w["shared_names_max"], w["shared_name"] * len(shared)), 3)
    # The place one claim states is one the other's report keeps mentioning ("Chibok").
    # (Places only: the names of presidents and spokesmen recur in every report.)
    if "same_place" not in features and (_names_place_of(a, b) or _names_place_of(b, a)):
        features["named_in_report"] = r["named_in_report"]
    elif "same_admin1" not in features and (_names_admin1_of(a, b) or _names_admin1_of(b, a)):
        # The province one claim states, which the other report keeps naming.
        features["named_in_report"] = r["named_in_report"]
    if (a.children or b.children) and (_names_child_of(a, b, shared) or _names_child_of(b, a, shared)):
        # One child named in both reports ("Malala Yousafzai" in one claim's evidence, her
        # names all through the other report): one victim, so one event.
        features["same_child"] = r["same_child"]
    if story_told and a.headline and b.headline:
        # Reports headlined alike lend each other evidence, even when one claim lacks the
        # place or perpetrator the other states. (Headlines, not openings: an opening is
        # often the claim's own evidence, whose wording is compared below.)
        common = len(a.headline & b.headline)
        if common:
            jaccard = common / (len(a.headline) + len(b.headline) - common)
            features["same_headline"] = round(min(w["same_headline_max"], w["same_headline"] * jaccard), 3)
    if a.words and b.words:
        both = a.words & b.words
        if both:  # Jaccard similarity: the union's size without building it
            jaccard = len(both) / (len(a.words) + len(b.words) - len(both))
            features["wording"] = round(min(w["wording_max"], w["wording"] * jaccard), 3)
            if a.violation not in s.sites_not_for and not both.isdisjoint(_site_words(s.sites)):
                # Both tell the event at a school (a maternity ward, a mosque): where most
                # events of a violation happen elsewhere, the kind of site is a fact in common.
                features["same_site_kind"] = r["same_site_kind"]
    return Comparison(round(sum(features.values()), 3), features)
