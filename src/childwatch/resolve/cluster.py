"""Grouping claims into incidents, one block (one violation in one continent) at a time.

Claims are taken in a fixed order (publication date, document, position). Each is
compared with the incidents that share a blocking key with it — its story (near-duplicate
group), place, distinctive names, months, perpetrator or source — and joins the best one
whose score reaches `merge_at`; otherwise it starts a new incident. A second pass
(`merge_new`) then merges the incidents of this run that turn out to be one.

The work per claim is bounded, whatever the size or density of the block: a key holds
only its latest `max_candidates` incidents; a claim is compared with at most
`CANDIDATES` of those, the most strongly linked first (a shared story or place says more
than a shared month); each incident is compared through at most `members_compared` of
its claims; and the second pass re-judges a claim only against incidents that changed
since it was first judged. A block of n claims is resolved in O(n) time.

Incident ids are stable: a new incident is named after the claim that started it (its
document id and position), and when a block is resolved again from scratch, each incident
keeps a stored id when it holds most of that id's claims.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from childwatch.codebook.resolution import Settings
from childwatch.resolve.compare import Comparison, compare
from childwatch.resolve.facts import ClaimFacts, ClaimKeys

Key = tuple[str, object]
Match = tuple[Comparison, ClaimFacts]  # the best comparison with an incident, and with whom

# How strongly sharing a key suggests one event: a syndicated copy most, a month least
# (in a busy block many events share a month, and a month alone rarely makes a match).
KEY_WEIGHTS = {"story": 8, "name": 3, "place": 3, "topic": 2, "source": 2, "perpetrator": 1, "month": 1}
# A claim is compared with at most this many candidates (and never more than the
# setting `max_candidates`). The right incident is nearly always among the few most
# strongly linked; going further costs time and mostly finds wrong matches.
CANDIDATES = 8
# Claims placed between two calls of `resolve_block`'s progress callback.
TICK = 20_000


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
    changed: int = 0  # the resolver's clock when its members last changed
    loaded: bool = True  # False: a stored incident known by its keys only, until it is judged
    low: int | None = None  # its members' lowest and highest (non-zero) figures
    high: int | None = None

    def add(self, claim: ClaimFacts, clock: int) -> None:
        self.members.append(claim)
        self.docs.add(claim.doc_id)
        self.changed = clock
        if claim.count and not claim.one_child:  # (one child's story is no toll: see compare)
            self.low = claim.count if self.low is None else min(self.low, claim.count)
            self.high = claim.count if self.high is None else max(self.high, claim.count)

    def sample(self, n: int) -> list[ClaimFacts]:
        """The first claim and the latest ones: enough to judge, bounded in cost."""
        if len(self.members) <= n:
            return self.members
        return [self.members[0], *self.members[-(n - 1) :]]


@dataclass(slots=True)
class StoredClaims:
    """A block's resolved claims for an incremental run: their keys, in the order claims
    are resolved in, and how to load the claims of some incidents whole (by id)."""

    keys: Iterable[ClaimKeys]
    load: Callable[[Sequence[str]], Iterable[ClaimFacts]]
    stale: Sequence[str] = ()  # incidents whose stored view is out of date: load them too


@dataclass(slots=True)
class _Look:
    """What judging a claim found (kept for `merge_new`): the clock then, the candidates
    judged and those the claim matched."""

    at: int
    candidates: tuple[int, ...]
    matches: tuple[tuple[int, Match], ...]  # (incident key, match): few, often none

    def match(self, key: int) -> Match | None:
        return next((m for k, m in self.matches if k == key), None)


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


def _counts_clash(a: _Incident, b: _Incident) -> bool:
    """Whether any figure of one incident is an order of magnitude off one of the other's
    (from each one's lowest and highest, so in constant time)."""
    if a.low is None or b.low is None or a.high is None or b.high is None:
        return False
    low, high = min(a.low, b.low), max(a.high, b.high)
    return high > 10 * low and (a.high > 10 * b.low or b.high > 10 * a.low)


def incident_id_for(seed: ClaimFacts) -> str:
    """A new incident's id, derived from the claim that starts it (stable across runs)."""
    digest = hashlib.sha1(f"{seed.violation}|{seed.doc_id}|{seed.ordinal}".encode()).hexdigest()
    return f"inc-{digest[:12]}"


def blocking_keys(c: ClaimFacts | ClaimKeys, s: Settings) -> list[Key]:
    keys: list[Key] = [("story", c.story)]
    if c.place_id and c.precision == "place":
        keys.append(("place", c.place_id))
    keys += [("name", n) for n in sorted(c.names)]
    if c.perpetrator_id:
        keys.append(("perpetrator", c.perpetrator_id))
    if c.kind == "aggregate" and not c.source_key.startswith(("outlet:", "story:")):
        keys.append(("source", c.source_key))
    keys += [("topic", n) for n in sorted(c.doc_names - c.names)]
    lo, hi = c.date_lo, c.date_hi
    if lo is None and hi is not None:
        lo = hi - s.date_gap_days  # undated: it happened on or before its report (see _date_feature)
    if lo is not None and hi is not None and hi - lo <= s.month_key_max_days:
        grace = s.date_gap_days
        first, last = date.fromordinal(lo - grace), date.fromordinal(hi + grace)
        year, month = first.year, first.month
        while (year, month) <= (last.year, last.month):
            # By country too: a month alone links every claim of a violation worldwide.
            keys.append(("month", (c.country, year * 100 + month)))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return keys


class BlockResolver:
    """Resolves the claims of one block; existing incidents first (`add_existing`), then
    new claims one by one (`resolve`), then a second look at new incidents (`merge_new`)."""

    def __init__(self, settings: Settings) -> None:
        self.s = settings
        self._load: Callable[[Sequence[str]], Iterable[ClaimFacts]] | None = None  # see add_stored
        self.cap = min(settings.max_candidates, CANDIDATES)
        self.incidents: list[_Incident] = []
        # Blocking key -> its latest incidents (by `_Incident.key`), least recently touched
        # first (a dict keeps insertion order). A block's claims are all held at once: what
        # is kept per claim is kept small, and equal keys are one object (_shared_keys).
        self._index: dict[Key, dict[int, None]] = {}
        self._keys: dict[int, tuple[Key, ...]] = {}  # claim id -> its blocking keys
        self._shared_keys: dict[Key, Key] = {}
        self._clock = 0  # counts changes to incidents, to tell which changed since when
        self._looks: dict[int, _Look] = {}  # claim id -> what judging it found
        self.assignments: list[tuple[ClaimFacts, _Incident, Comparison | None, ClaimFacts | None]] = []
        self._linked: dict[int, Match] = {}  # merge_new: claim id -> its link

    def keys_of(self, claim: ClaimFacts) -> tuple[Key, ...]:
        keys = self._keys.get(claim.claim_id)
        if keys is None:
            shared = self._shared_keys
            keys = self._keys[claim.claim_id] = tuple(shared.setdefault(k, k) for k in blocking_keys(claim, self.s))
        return keys

    def _join(self, incident: _Incident, claim: ClaimFacts) -> None:
        self._clock += 1
        incident.add(claim, self._clock)
        for key in self.keys_of(claim):
            self._touch(key, incident)

    def _touch(self, key: Key, incident: _Incident) -> None:
        slot = self._index.setdefault(key, {})
        slot.pop(incident.key, None)  # most recently used last
        slot[incident.key] = None
        if len(slot) > self.s.max_candidates:
            del slot[next(iter(slot))]

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

    def add_stored(self, stored: StoredClaims, wanted: set[Key]) -> None:
        """Stored incidents known by their claims' keys only (incremental runs): the index
        gets what `add_existing` would give it, but only for the `wanted` keys (the new
        claims': the only ones they will read), and an incident's claims are loaded whole
        only when it is first judged (`_ensure_loaded`)."""
        self._load = stored.load
        by_id: dict[str, _Incident] = {}
        for claim in stored.keys:
            incident = by_id.get(claim.incident_id)
            if incident is None:
                incident = _Incident(len(self.incidents), id=claim.incident_id, loaded=False)
                by_id[claim.incident_id] = incident
                self.incidents.append(incident)
            for key in blocking_keys(claim, self.s):
                if key in wanted:
                    self._touch(key, incident)
        self._ensure_loaded([by_id[i] for i in stored.stale if i in by_id])

    def _ensure_loaded(self, incidents: Iterable[_Incident]) -> None:
        """Load the claims of those incidents known by their keys only."""
        todo = {i.id: i for i in incidents if not i.loaded and i.id is not None}
        if not todo or self._load is None:
            return
        for claim in sorted(self._load(sorted(todo)), key=lambda c: c.order):
            incident = todo.get(claim.incident_id or "")
            if incident is not None:
                incident.add(claim, incident.changed)  # loading changes nothing: keep its clock
        for incident in todo.values():
            incident.loaded = True

    def _candidates(self, claim: ClaimFacts) -> list[_Incident]:
        """The incidents sharing keys with the claim, the most strongly linked first (then
        the newest), at most `self.cap` of them."""
        weight: dict[int, int] = {}
        get, index = weight.get, self._index
        for key in self.keys_of(claim):
            slot = index.get(key)
            if slot:
                w = KEY_WEIGHTS[key[0]]
                for key_of_incident in slot:
                    weight[key_of_incident] = get(key_of_incident, 0) + w
        # (weight, key) pairs, largest first: the heaviest, then the newest incident. (No two
        # pairs are equal, so a sort gives the order heapq.nlargest would, and quicker for
        # the few dozen incidents a claim's keys hold.)
        top = sorted(zip(weight.values(), weight.keys(), strict=True), reverse=True)[: self.cap]
        ranked = [self.incidents[k] for _, k in top]
        self._ensure_loaded(ranked)
        return ranked

    def _judge(self, claim: ClaimFacts, incident: _Incident) -> Match | None:
        """The claim's best comparison with the incident if it may join it, else None."""
        # A report's own claims are compared with the other reports' only: two claims
        # of one report join one incident when each matches the others' (the extractor
        # split one incident's mentions), never on their own say-so.
        sample = [m for m in incident.sample(self.s.members_compared) if m.doc_id != claim.doc_id]
        if not sample:
            return None
        comparisons: list[Match] = []
        vetoed = 0
        for member in sample:
            comparison = compare(claim, member, self.s)
            if comparison.veto:
                if comparison.veto.startswith("counts"):
                    return None  # a toll an order of magnitude off any report of it is another event
                # A veto by most of the incident keeps the claim out (decided as soon as it is
                # certain: the remaining comparisons could not change it).
                vetoed += 1
                if vetoed * 2 > len(sample):
                    return None
            comparisons.append((comparison, member))
        top, member = max(comparisons, key=lambda cm: cm[0].score)
        # So does a veto by the best match, or a poor fit with the incident as a whole
        # (against chaining: a claim that matches one member but disagrees with the rest).
        if not top.possible:
            return None
        possible = [c.score for c, _ in comparisons if c.possible]
        if sum(possible) / len(possible) < self.s.min_fit:
            return None
        bonus = self._well_reported(claim, incident, top, comparisons)
        if bonus:
            top = Comparison(round(top.score + bonus, 3), {**top.features, "well_reported": bonus})
        return (top, member) if top.score >= self.s.merge_at else None

    def _well_reported(
        self, claim: ClaimFacts, incident: _Incident, top: Comparison, comparisons: list[Match]
    ) -> float:
        """A passing reference ("the hundreds of schoolgirls Boko Haram kidnapped") most
        likely means the incident many reports of this perpetrator are about: a bonus growing
        with the number of reports, for a claim that names the same perpetrator, whose
        figures do not disagree, and that shares one particular (a fitting figure, the place,
        the dates, a name) with some report of it: the perpetrator alone is not enough."""
        reports = len(incident.docs) - (claim.doc_id in incident.docs)
        if reports < 3 or not claim.perpetrator_stated or "same_perpetrator" not in top.features:
            return 0.0
        if "far_count" in top.features or "far_count_aggregate" in top.features:
            return 0.0
        if not any(_PARTICULARS.intersection(c.features) for c, _ in comparisons):
            return 0.0
        w = self.s.weights
        return round(min(w["well_reported_max"], w["well_reported"] * math.log2(reports)), 3)

    def _matches(self, claim: ClaimFacts, exclude: _Incident | None = None) -> Iterator[tuple[_Incident, Match]]:
        """Each candidate incident the claim may join, with its best comparison. A claim
        judged before (`resolve`) is judged again only against incidents that changed since
        or were not among its candidates then: the others would give the same answer."""
        look = self._looks.get(claim.claim_id)
        for incident in self._candidates(claim):
            if incident is exclude or incident.merged_into is not None:
                continue
            if look is not None and incident.changed <= look.at and incident.key in look.candidates:
                match = look.match(incident.key)
            else:
                match = self._judge(claim, incident)
            if match is not None:
                yield incident, match

    def resolve(self, claim: ClaimFacts) -> None:
        candidates = self._candidates(claim)
        matches = tuple((i.key, m) for i in candidates if (m := self._judge(claim, i)) is not None)
        self._looks[claim.claim_id] = _Look(self._clock, tuple(i.key for i in candidates), matches)
        best: tuple[_Incident, Match] | None = None
        for key, match in matches:  # in candidate order: the first of equal scores wins
            if best is None or match[0].score > best[1][0].score:
                best = (self.incidents[key], match)
        if best is None:
            incident = _Incident(len(self.incidents))
            self.incidents.append(incident)
            self.assignments.append((claim, incident, None, None))
        else:
            incident, (comparison, member) = best
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
                for other, (comparison, member) in self._matches(claim, exclude=incident):
                    if _counts_clash(incident, other):
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
            self._absorb(target, incident)
            self._linked[claim.claim_id] = (comparison, member)  # why the two incidents merged
        self.incidents = [i for i in self.incidents if i.merged_into is None]

    def _absorb(self, target: _Incident, incident: _Incident) -> None:
        """Move every claim of `incident` to `target`, keys included."""
        incident.merged_into = target
        self._clock += 1
        for moved in incident.members:
            target.add(moved, self._clock)
            for key in self.keys_of(moved):
                self._index.get(key, {}).pop(incident.key, None)
                self._touch(key, target)
        incident.members = []
        incident.changed = self._clock

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
    stored: StoredClaims | None = None,
    tick: Callable[[int], None] | None = None,
) -> tuple[list[Assignment], dict[str, list[ClaimFacts]]]:
    """Assign `new` claims to the incidents of `existing` claims (or of `stored` ones,
    loaded as needed) or to new incidents.

    Returns the assignments of the new claims and the members of every incident loaded
    (with `existing`: every incident the block now has), by id. `taken` holds the
    incident ids in use, and grows. For a block resolved from scratch, `previous` holds
    the stored ids' sizes (see `finish`). `tick`, if given, is called with the number of
    new claims placed so far, every `TICK` claims (a block can take minutes).
    """
    new = sorted(new, key=lambda c: c.order)
    resolver = BlockResolver(settings)
    resolver.add_existing(existing)
    if stored is not None:
        resolver.add_stored(stored, {key for claim in new for key in resolver.keys_of(claim)})
    taken.update(i.id for i in resolver.incidents if i.id)
    for n, claim in enumerate(new, 1):
        resolver.resolve(claim)
        if tick is not None and n % TICK == 0:
            tick(n)
    resolver.merge_new()
    assignments = list(resolver.finish(taken, previous))
    members = {i.id: i.members for i in resolver.incidents if i.id is not None and i.loaded}
    return assignments, members
