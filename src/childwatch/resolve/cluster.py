"""Grouping claims into incidents, one block (violation × country) at a time.

Claims are taken in a fixed order (publication date, document, position). Each is
compared with the incidents that share a blocking key with it — its story (near-duplicate
group), place, distinctive names, months, perpetrator or source — and joins the best one
whose score reaches `merge_at`; otherwise it starts a new incident. A key holds only its
latest `max_candidates` incidents and each incident is compared through at most
`members_compared` of its claims, so each claim costs a bounded number of comparisons and
a block of n claims is resolved in O(n) time.

Incident ids are stable: a new incident is named after the claim that started it (its
document id and position), and when a block is resolved again from scratch, each incident
keeps a stored id when it holds most of that id's claims.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter, OrderedDict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from childwatch.resolve.compare import Comparison, compare
from childwatch.resolve.facts import ClaimFacts
from childwatch.resolve.settings import Settings


@dataclass(slots=True)
class Assignment:
    """Why a claim is in its incident: the claim it matched (None if it started the
    incident), the score and the features that counted."""

    claim_id: int
    incident_id: str
    matched: int | None = None
    score: float | None = None
    features: dict[str, float] = field(default_factory=dict)

    def why(self) -> dict[str, object]:
        if self.matched is None:
            return {"started": True}
        return {"matched_claim": self.matched, "score": self.score, "features": self.features}


@dataclass(slots=True)
class _Incident:
    key: int  # position in the block, until the final id is chosen
    members: list[ClaimFacts] = field(default_factory=list)
    docs: set[str] = field(default_factory=set)
    id: str | None = None  # an id already stored (incremental runs)
    merged_into: _Incident | None = None  # set by merge_new

    def sample(self, n: int) -> list[ClaimFacts]:
        """The first claim and the latest ones: enough to judge, bounded in cost."""
        if len(self.members) <= n:
            return self.members
        return [self.members[0], *self.members[-(n - 1) :]]


# Features that tie a claim to one event rather than to its perpetrator's activity at large.
_PARTICULARS = frozenset(
    {
        "same_count",
        "close_count",
        "same_place",
        "near_place",
        "same_admin1",
        "named_in_report",
        "shared_name",
        "dates_overlap",
        "dates_overlap_precise",
    }
)


def _counts_clash(a: list[ClaimFacts], b: list[ClaimFacts]) -> bool:
    """Whether any figure of one group is an order of magnitude off one of the other's."""
    counts_a = [m.count for m in a if m.count]
    counts_b = [m.count for m in b if m.count]
    if not counts_a or not counts_b:
        return False
    low, high = min(counts_a + counts_b), max(counts_a + counts_b)
    return high > 10 * low and (max(counts_a) > 10 * min(counts_b) or max(counts_b) > 10 * min(counts_a))


def incident_id_for(seed: ClaimFacts) -> str:
    """A new incident's id, derived from the claim that starts it (stable across runs)."""
    digest = hashlib.sha1(f"{seed.violation}|{seed.doc_id}|{seed.ordinal}".encode()).hexdigest()
    return f"inc-{digest[:12]}"


def blocking_keys(c: ClaimFacts, s: Settings) -> list[tuple[str, object]]:
    keys: list[tuple[str, object]] = [("story", c.story)]
    if c.place_id and c.precision == "place":
        keys.append(("place", c.place_id))
    keys += [("name", n) for n in sorted(c.names)]
    if c.perpetrator_id:
        keys.append(("perpetrator", c.perpetrator_id))
    if c.kind == "aggregate" and not c.source_key.startswith(("outlet:", "story:")):
        keys.append(("source", c.source_key))
    if c.date_lo is not None and c.date_hi is not None and c.date_hi - c.date_lo <= s.month_key_max_days:
        grace = s.date_gap_days
        first, last = date.fromordinal(c.date_lo - grace), date.fromordinal(c.date_hi + grace)
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            keys.append(("month", year * 100 + month))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


class BlockResolver:
    """Resolves the claims of one block; existing incidents first (`add_existing`), then
    new claims one by one (`resolve`)."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self.incidents: list[_Incident] = []
        self._index: dict[tuple[str, object], OrderedDict[int, None]] = {}
        self.assignments: list[tuple[ClaimFacts, _Incident, Comparison | None, ClaimFacts | None]] = []
        self._linked: dict[int, tuple[Comparison, ClaimFacts]] = {}  # merge_new: claim id -> its link

    def _join(self, incident: _Incident, claim: ClaimFacts) -> None:
        incident.members.append(claim)
        incident.docs.add(claim.doc_id)
        for key in blocking_keys(claim, self.s):
            self._touch(key, incident)

    def _touch(self, key: tuple[str, object], incident: _Incident) -> None:
        slot = self._index.setdefault(key, OrderedDict())
        slot.pop(incident.key, None)  # most recently used last
        slot[incident.key] = None
        if len(slot) > self.s.max_candidates:
            slot.popitem(last=False)

    def add_existing(self, claims: Iterable[ClaimFacts]) -> None:
        """Claims already assigned to stored incidents (kept as they are)."""
        by_id: dict[str, _Incident] = {}
        for claim in sorted(claims, key=lambda c: c.order):
            assert claim.incident_id is not None
            incident = by_id.get(claim.incident_id)
            if incident is None:
                incident = _Incident(len(self.incidents), id=claim.incident_id)
                by_id[claim.incident_id] = incident
                self.incidents.append(incident)
            self._join(incident, claim)

    def _candidates(self, claim: ClaimFacts) -> list[_Incident]:
        hits: Counter[int] = Counter()
        for key in blocking_keys(claim, self.s):
            for key_of_incident in self._index.get(key, ()):
                hits[key_of_incident] += 1
        ranked = sorted(hits, key=lambda k: (-hits[k], -k))[: self.s.max_candidates]
        return [self.incidents[k] for k in ranked]

    def best_match(self, claim: ClaimFacts) -> tuple[_Incident, Comparison, ClaimFacts] | None:
        best: tuple[_Incident, Comparison, ClaimFacts] | None = None
        for incident, comparison, member in self._matches(claim):
            if best is None or comparison.score > best[1].score:
                best = (incident, comparison, member)
        return best

    def _matches(
        self, claim: ClaimFacts, exclude: _Incident | None = None
    ) -> Iterator[tuple[_Incident, Comparison, ClaimFacts]]:
        """Each candidate incident the claim may join, with its best comparison."""
        for incident in self._candidates(claim):
            if incident is exclude or incident.merged_into is not None:
                continue
            # A report's own claims are compared with the other reports' only: two claims
            # of one report join one incident when each matches the others' (the extractor
            # split one incident's mentions), never on their own say-so.
            sample = [m for m in incident.sample(self.s.members_compared) if m.doc_id != claim.doc_id]
            if not sample:
                continue
            comparisons = [(compare(claim, m, self.s), m) for m in sample]
            if any(c.veto and c.veto.startswith("counts") for c, _ in comparisons):
                continue  # a toll an order of magnitude off any report of it is another event
            vetoed = sum(1 for c, _ in comparisons if not c.possible)
            top, member = max(comparisons, key=lambda cm: cm[0].score)
            # A veto by the best match, or by most of the incident, keeps the claim out; so
            # does a poor fit with the incident as a whole (against chaining: a claim that
            # matches one member but disagrees with the rest).
            if not top.possible or vetoed * 2 > len(comparisons):
                continue
            possible = [c.score for c, _ in comparisons if c.possible]
            if sum(possible) / len(possible) < self.s.min_fit:
                continue
            bonus = self._well_reported(claim, incident, top, comparisons)
            if bonus:
                top = Comparison(round(top.score + bonus, 3), {**top.features, "well_reported": bonus})
            if top.score >= self.s.merge_at:
                yield incident, top, member

    def _well_reported(
        self, claim: ClaimFacts, incident: _Incident, top: Comparison, comparisons: list[tuple[Comparison, ClaimFacts]]
    ) -> float:
        """A passing reference ("the hundreds of schoolgirls Boko Haram kidnapped") most
        likely means the incident many reports of this perpetrator are about: a bonus growing
        with the number of reports, for a claim that names the same perpetrator, whose
        figures do not disagree, and that shares one particular (a fitting figure, the place,
        the dates, a name) with some report of it: the perpetrator alone is not enough."""
        reports = len(incident.docs - {claim.doc_id})
        if reports < 3 or not claim.perpetrator_stated or "same_perpetrator" not in top.features:
            return 0.0
        if "far_count" in top.features or "far_count_aggregate" in top.features:
            return 0.0
        if not any(_PARTICULARS.intersection(c.features) for c, _ in comparisons):
            return 0.0
        w = self.s.weights
        return round(min(w["well_reported_max"], w["well_reported"] * math.log2(reports)), 3)

    def resolve(self, claim: ClaimFacts) -> None:
        match = self.best_match(claim)
        if match is None:
            incident = _Incident(len(self.incidents))
            self.incidents.append(incident)
            self.assignments.append((claim, incident, None, None))
        else:
            incident, comparison, member = match
            self.assignments.append((claim, incident, comparison, member))
        self._join(incident, claim)

    def merge_new(self) -> None:
        """A second look at the incidents this run started: one may match an incident
        that only took shape after it (claims come in publication order, and a vague
        early report is recognised only once better ones arrive). Each is merged into
        the best incident it now matches, under the same rules as a single claim."""
        # Smallest first, so that a stray report joins the incident it belongs to before that
        # incident takes its own second look.
        for incident in sorted(self.incidents, key=lambda i: len(i.members)):
            if incident.id is not None or not incident.members or incident.merged_into is not None:
                continue
            best: tuple[_Incident, Comparison, ClaimFacts, ClaimFacts] | None = None
            for claim in incident.members:
                for other, comparison, member in self._matches(claim, exclude=incident):
                    if _counts_clash(incident.members, other.members):
                        continue
                    if best is None or comparison.score > best[1].score:
                        best = (other, comparison, member, claim)
            if best is None:
                continue
            target, comparison, member, claim = best
            if target.id is None and len(target.members) < len(incident.members):
                # The larger of two new incidents absorbs the smaller: it keeps its first claim,
                # which names the merged incident and heads the sample its claims are judged by.
                incident, target, claim, member = target, incident, member, claim
            incident.merged_into = target
            for moved in incident.members:
                target.members.append(moved)
                target.docs.add(moved.doc_id)
                for key in blocking_keys(moved, self.s):
                    self._index.get(key, OrderedDict()).pop(incident.key, None)
                    self._touch(key, target)
            incident.members = []
            self._linked[claim.claim_id] = (comparison, member)  # why the two incidents merged
        self.incidents = [i for i in self.incidents if i.merged_into is None]

    def finish(self, taken: set[str], previous: dict[str, int] | None) -> Iterator[Assignment]:
        """Name the incidents and yield every new assignment.

        With `previous` ({stored id: its number of claims}, for a block resolved from
        scratch), an incident keeps a stored id when it holds more than half of that id's
        claims, so at most one incident can keep it and an unchanged grouping keeps all.
        Any other incident is named after its first claim; `taken` (ids in use) grows.
        """
        for incident in sorted(self.incidents, key=lambda i: (-len(i.members), i.key)):
            if incident.id is not None:
                continue
            if previous:
                held = Counter(m.incident_id for m in incident.members if m.incident_id)
                for old, n in sorted(held.items(), key=lambda kv: (-kv[1], kv[0])):
                    if 2 * n > previous.get(old, 0) and old not in taken:
                        incident.id = old
                        break
            if incident.id is None:
                base = incident_id_for(incident.members[0])
                incident.id, n = base, 1
                while incident.id in taken or (previous and incident.id in previous):
                    n += 1
                    incident.id = f"{base}-{n}"
            taken.add(incident.id)
        for claim, incident, comparison, member in self.assignments:
            while incident.merged_into is not None:  # merged by merge_new, maybe more than once
                incident = incident.merged_into
            comparison, member = self._linked.get(claim.claim_id, (comparison, member))
            assert incident.id is not None
            if comparison is None or member is None:
                yield Assignment(claim.claim_id, incident.id)
            else:
                yield Assignment(claim.claim_id, incident.id, member.claim_id, comparison.score, comparison.features)


def resolve_block(
    existing: Iterable[ClaimFacts],
    new: Iterable[ClaimFacts],
    settings: Settings,
    taken: set[str],
    *,
    previous: dict[str, int] | None = None,
) -> tuple[list[Assignment], dict[str, list[ClaimFacts]]]:
    """Assign `new` claims to the incidents of `existing` claims or to new incidents.

    Returns the assignments of the new claims and the members of every incident the
    block now has (by id). `taken` holds the incident ids in use, and grows. For a block
    resolved from scratch, `previous` holds the stored ids' sizes (see `finish`).
    """
    resolver = BlockResolver(settings)
    resolver.add_existing(existing)
    taken.update(i.id for i in resolver.incidents if i.id)
    for claim in sorted(new, key=lambda c: c.order):
        resolver.resolve(claim)
    resolver.merge_new()
    assignments = list(resolver.finish(taken, previous))
    members = {i.id: i.members for i in resolver.incidents if i.id is not None}
    return assignments, members
