"""The merged view of an incident: who reported it, on whose word, and what it amounts to.

Outlets are the publications that carried a report; original sources are those the
reports attribute the claim to. Two papers quoting one observatory are one original
source; a syndicated copy adds an outlet but no source; an outlet's own unattributed
reporting is a source of its own. An incident is `corroborated` when two or more
independent original sources vouch for it, else `reported`.

Counts are never summed across reports (they are reports of one event): the view keeps
every stated figure with the sources behind it, the lowest and highest, and as best the
figure most sources give (ties: the latest report's, since tolls get revised).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from childwatch.resolve.facts import ClaimFacts
from childwatch.vocab import CORROBORATED, REPORTED

PRECISION_RANK = {"place": 0, "admin1": 1, "country": 2, None: 3}


@dataclass(slots=True)
class IncidentView:
    id: str
    violation: str
    kind: str
    status: str  # reported | corroborated
    perpetrator: str | None
    perpetrator_id: str | None
    count_best: int | None
    count_low: int | None
    count_high: int | None
    age_min: int | None
    age_max: int | None
    sex: str | None
    location: dict[str, Any]
    date_start: str | None
    date_end: str | None
    claims: int
    documents: int
    outlets: list[dict[str, Any]] = field(default_factory=list)
    sources: list[dict[str, Any]] = field(default_factory=list)
    counts: list[dict[str, Any]] = field(default_factory=list)
    first_published: str | None = None
    last_published: str | None = None


def _mode(values: Sequence[Any]) -> Any:
    """The most frequent value; ties go to the latest (values come in report order)."""
    known = [v for v in values if v is not None]
    if not known:
        return None
    if len(known) == 1:
        return known[0]
    counts = Counter(known)
    top = max(counts.values())
    return next(v for v in reversed(known) if counts[v] == top)


def _unattributed(key: str) -> bool:
    return key.startswith("unattributed:")


def _source_name(c: ClaimFacts) -> str:
    if c.source_key.startswith("unattributed:"):
        return f"unattributed (carried by {c.story_outlet or c.outlet or 'an aggregator'})"
    if c.source_key.startswith("outlet:") or (c.source_key.startswith("story:") and not c.source):
        return f"{c.story_outlet or c.outlet or 'unknown outlet'} (own reporting)"
    return c.source or c.source_key.split(":", 1)[-1]


def _narrowest_dates(members: Sequence[ClaimFacts]) -> tuple[str | None, str | None]:
    """The intersection of the stated date ranges if they agree, else the narrowest one."""
    bounded = [(m.date_lo, m.date_hi, m) for m in members if m.date_lo is not None and m.date_hi is not None]
    if not bounded:
        ends = [m.date_end for m in members if m.date_end]
        return None, min(ends) if ends else None
    lo = max(b[0] for b in bounded)
    hi = min(b[1] for b in bounded)
    narrowest = min(bounded, key=lambda b: (b[1] - b[0], b[2].order))[2]
    if lo <= hi:
        # Keep the claim's own (partial) notation when one claim spans exactly the intersection.
        for first, last, m in bounded:
            if (first, last) == (lo, hi):
                return m.date_start, m.date_end
        return narrowest.date_start, narrowest.date_end
    return narrowest.date_start, narrowest.date_end


def incident_view(incident_id: str, members: Sequence[ClaimFacts]) -> IncidentView:
    """Merge an incident's claims (any order) into one view."""
    members = sorted(members, key=lambda m: m.order)
    sources: dict[str, dict[str, Any]] = {}
    for m in members:
        entry = sources.setdefault(
            m.source_key,
            {"name": _source_name(m), "documents": [], "claims": [], "attributed": not _unattributed(m.source_key)},
        )
        if m.doc_id not in entry["documents"]:
            entry["documents"].append(m.doc_id)
        entry["claims"].append(m.claim_id)
    outlets: dict[str, dict[str, Any]] = {}
    for m in members:
        name = m.outlet or "unknown outlet"
        entry = outlets.setdefault(name, {"name": name, "documents": [], "copies": []})
        target = "copies" if m.story != m.doc_id else "documents"
        if m.doc_id not in entry[target]:
            entry[target].append(m.doc_id)
    figures: dict[int, set[str]] = {}
    for m in members:
        if m.count is not None:
            figures.setdefault(m.count, set()).add(m.source_key)
    counts = [{"count": n, "sources": sorted(sources[k]["name"] for k in keys)} for n, keys in sorted(figures.items())]
    # The tolls: one child told as a person ("the 13-year-old") is one of an event's victims,
    # not its toll, when other reports give one.
    tolls = [m for m in members if m.count is not None and not m.one_child]
    tolls = tolls or [m for m in members if m.count is not None]
    support = [(len(figures[m.count]), m.order, m.count) for m in tolls if m.count is not None]
    best = max(support)[2] if support else None
    lows = [m.count_low if m.count_low is not None else m.count for m in tolls if m.count is not None]
    highs = [m.count_high if m.count_high is not None else m.count for m in tolls if m.count is not None]
    placed = sorted(members, key=lambda m: PRECISION_RANK.get(m.precision, 3))
    top_rank = PRECISION_RANK.get(placed[0].precision, 3)
    best_place = _mode([m.place_id or m.place or m.admin1 or m.country for m in placed
                        if PRECISION_RANK.get(m.precision, 3) == top_rank])  # fmt: skip
    where = next((m for m in members if (m.place_id or m.place or m.admin1 or m.country) == best_place), placed[0])
    ages_min = [m.age_min for m in members if m.age_min is not None]
    ages_max = [m.age_max for m in members if m.age_max is not None]
    sexes = {m.sex for m in members if m.sex}
    date_start, date_end = _narrowest_dates(members)
    perpetrator_id = _mode([m.perpetrator_id for m in members])
    perpetrator = next((m.perpetrator for m in members if m.perpetrator_id == perpetrator_id), None)
    if perpetrator_id is None:
        perpetrator = _mode([m.perpetrator for m in members])
    published = sorted(m.published for m in members if m.published)
    return IncidentView(
        id=incident_id,
        violation=members[0].violation,
        kind=_mode([m.kind for m in members]),
        # Unattributed reports carried by an aggregator vouch for nothing independently.
        status=CORROBORATED if sum(not _unattributed(k) for k in sources) >= 2 else REPORTED,
        perpetrator=perpetrator,
        perpetrator_id=perpetrator_id,
        count_best=best,
        count_low=min(lows) if lows else None,
        count_high=max(highs) if highs else None,
        age_min=min(ages_min) if ages_min else None,
        age_max=max(ages_max) if ages_max else None,
        sex=sexes.pop() if len(sexes) == 1 else ("mixed" if sexes else None),
        location={
            "name": where.place,
            "admin1": where.admin1,
            "country": where.country or _mode([m.country for m in members]),
            "lat": where.lat,
            "lon": where.lon,
            "precision": where.precision,
            "place_id": where.place_id,
        },
        date_start=date_start,
        date_end=date_end,
        claims=len(members),
        documents=len({m.doc_id for m in members}),
        outlets=list(outlets.values()),
        sources=[{"key": k, **v} for k, v in sources.items()],
        counts=counts,
        first_published=published[0] if published else None,
        last_published=published[-1] if published else None,
    )
