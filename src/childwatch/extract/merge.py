"""Events within a report: the mentions of one event become one claim.

A report says the same thing in its headline, its lede and a later recap; each sentence
yields a claim, and this stage groups them. Two mentions of the same violation are one
event unless something *stated in their own sentences* tells them apart:

- hard differences, any one of which keeps them apart: a pattern against an event, a
  "second"/"another" attack, two figures of two aggregates, dates that do not overlap,
  two different towns, two different countries, two different single children;
- soft differences, which a shared figure, town or day outweighs: two named perpetrators,
  an undated mention against one dated to well before the report, a single placed child
  against a group.

What a claim only inherited from the report's context (a place, a country, an actor named
elsewhere) never tells mentions apart: it is the same guess for every sentence.

`compare` gives each decision with its reasons ("same count 132", "dates apart ...");
`explain` lists the decisions `merge_mentions` took, for tests and for debugging.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from childwatch.extract.dates import ranges_overlap
from childwatch.extract.numbers import TALLY, stated_count
from childwatch.records import Claim, DateRange, Span, Victims

__all__ = ["Decision", "compare", "explain", "merge_mentions"]

_FIGURE = re.compile(r"(?<![\d.,])\d+(?![\d.,]\d)")
_NEW_EVENT = re.compile(
    r"\b(?:second|another|new|separate|fresh|earlier|previous|similar)\s+(?:\w+\s+){0,2}?"
    r"(?:abductions?|kidnappings?|attacks?|raids?|strikes?|incidents?|bombings?|massacres?)\b",
    re.IGNORECASE,
)
_ADDS_VICTIMS = re.compile(
    r"\b(?:(?:was|were|is|are) also|also (?:killed|died|injured|wounded|lost)|alongside|along with|together with|"
    r"among (?:those|the) (?:killed|dead|victims|injured|wounded))\b",
    re.IGNORECASE,
)
# The event already told, named again: "in the strike", "the attack", "this bombing".
_THE_EVENT = re.compile(
    r"\b(?:the|this|that)\s+(?:\w+\s+)?(?:strike|airstrike|air strike|attack|bombing|bombardment|shelling|"
    r"incident|massacre|raid|explosion|blast)\b",
    re.IGNORECASE,
)
# Days told against the speaker's own day: inside a quotation, not the report's.
_DEICTIC = re.compile(r"(?:today|tonight|yesterday|this (?:morning|afternoon|evening))", re.IGNORECASE)
# A victim who died later of wounds from the event: the date told is of the death.
_DIED_OF_WOUNDS = re.compile(
    r"\b(?:succumbed|died|passed away|later died)\b[^.;]{0,60}?\b(?:injur(?:y|ies)|wounds?)\b", re.IGNORECASE
)
_PREDICATIVE = re.compile(r"\b(?:as|became|become|becomes|was|were|is|being|been|like)\s*$", re.IGNORECASE)
_INDEFINITE = re.compile(r"^(?:a|an|another|one)\b", re.IGNORECASE)
# Children already introduced, named again: "the girls who were abducted", "the boys' arrest".
# A general practice speaks of children at large, never of "the girls".
_DEFINITE_CHILDREN = re.compile(
    r"\b(?:the|these|those)\s+(?:\w+\s+)?(?:girls|boys|children|schoolgirls|schoolboys|pupils|students|"
    r"minors|kids)\b(?!\s+of\b)",
    re.IGNORECASE,
)


# A person described by what was done to them before: "the former child soldier", "ex-child fighters".
# An attack on a school told only by the pupils taken from it ("the school where the students
# were seized"): the sentence that tells the attack itself leads.
_TAKEN_FROM = re.compile(r"\b(?:abduct|kidnap|seiz|snatch|took\b|taken\b|herded\b)", re.IGNORECASE)
_FORMER = re.compile(r"(?:former|ex-)\s*", re.IGNORECASE)
_STATEMENT_DAY = re.compile(
    r"\b(?:statement|said|says|told|announced|reported|issued|published|released|posted|confirmed)\b"
    r"[^.;]{0,20}$",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Decision:
    """Whether two mentions were taken for one event, and why.

    `reasons` name what matched ("same count 276", "same place") or what told the
    mentions apart ("dates apart: 2023-10-09 / 2023-10-11"); `a` and `b` are the start
    offsets of the two mentions' evidence.
    """

    same: bool
    reasons: tuple[str, ...]
    a: int = -1
    b: int = -1


def merge_mentions(claims: list[Claim], published: str | None = None) -> list[Claim]:
    """Merge each claim into the earlier event it cannot be told apart from."""
    return _group(claims, published, None)


def explain(claims: list[Claim], published: str | None = None) -> list[Decision]:
    """The decisions `merge_mentions` takes on these claims (the claims are merged in place)."""
    log: list[Decision] = []
    _group(claims, published, log)
    return log


def _group(claims: list[Claim], published: str | None, log: list[Decision] | None) -> list[Claim]:
    kept = _gather(claims, published, log)
    if len(kept) == len(claims) or len({c.violation for c in kept}) == len(kept):
        return kept  # nothing merged, or one event per violation: nothing more can meet
    # An event that gathered its mentions may now meet another it could not meet mention by
    # mention (an undated headline figure, then the dated lede it shares the figure with).
    while True:
        again = _gather(kept, published, log)
        if len(again) == len(kept):
            return again
        kept = again


def _gather(claims: list[Claim], published: str | None, log: list[Decision] | None) -> list[Claim]:
    kept: list[Claim] = []
    for claim in claims:
        best: tuple[int, int, Claim] | None = None
        for i, k in enumerate(kept):
            if k.violation != claim.violation:
                continue
            decision = compare(k, claim, published)
            if log is not None:
                log.append(decision)
            if decision.same:
                rank = (_affinity(k, claim), i)
                if best is None or rank > best[:2]:
                    best = (rank[0], rank[1], k)
        if best is None:
            kept.append(claim)
        else:
            _absorb(best[2], claim)
    return kept


def compare(a: Claim, b: Claim, published: str | None = None) -> Decision:
    """Are `a` (an event so far) and `b` (a new mention) the same event? With the reasons."""

    def apart(reason: str) -> Decision:
        return Decision(False, (reason,), a.evidence.start, b.evidence.start)

    if a.violation != b.violation:
        return apart("violation differs")
    if a.evidence.start != b.evidence.start and _same_words(a.evidence.text) == _same_words(b.evidence.text):
        # A caption or paragraph printed twice: one mention, whatever it says. (One sentence read
        # twice, for two children each told with a verb of its own, is weighed as two mentions.)
        return Decision(True, ("the same sentence again",), a.evidence.start, b.evidence.start)
    if _announces_new(b.evidence.text):
        return apart("announced as a new event")
    if (a.kind == "pattern") != (b.kind == "pattern") and not _refers_back(a if a.kind == "pattern" else b):
        return apart("a pattern against an event")
    va, vb = a.victims, b.victims
    if va.count == 1 and vb.count == 1 and not _adds_victims(b):
        if _ages_apart(va, vb) or _differ(va.sex, vb.sex):
            return apart("two single children (age or sex differ)")
        if _introduced(b) and not (va.age_min is not None and va.age_min == vb.age_min):
            return apart("a new child introduced")  # "a boy", "another boy"
    for many, one in ((a, b), (b, a)):
        if many.kind == "aggregate" and one.victims.count == 1 and (many.victims.count or 2) > 1:
            return apart("a single child against a statistic")
    for x, y in ((va, vb), (vb, va)):
        # "hundreds of schoolgirls" and "eight girls" are not the same victims.
        if x.count_low is not None and y.count is not None and y.count < x.count_low / 2:
            return apart(f"{y.count} far below {x.qualifier or x.count_low}")
    if a.kind == "aggregate" and b.kind == "aggregate" and _differ(va.count, vb.count):
        return apart(f"two figures: {va.count} / {vb.count}")
    if a.kind == b.kind == "aggregate" and a.violation == "attack_school_hospital":
        # Tallies of schools or hospitals ("248 damaged", then "68 occupied"): the figure is in
        # the evidence, not among the children's.
        ta, tb = _tallies(a.evidence.text), _tallies(b.evidence.text)
        if ta and tb and ta.isdisjoint(tb):
            return apart(f"two tallies: {min(ta)} / {min(tb)}")
    da, db = _own_date(a), _own_date(b)
    if da is not None and db is not None and _dates_apart(da, a) and _dates_apart(db, b) and not ranges_overlap(da, db):
        return apart(f"dates apart: {da.start or da.end} / {db.start or db.end}")
    pa, pb = _own_place(a), _own_place(b)
    if pa is not None and pb is not None and _differ(pa, pb):
        return apart("different places")  # two towns of the gazetteer; a name it lacks tells nothing
    ca, cb = _own_country(a), _own_country(b)
    if _differ(ca, cb):
        return apart(f"different countries: {ca} / {cb}")

    matched: list[str] = []
    if va.count is not None and va.count == vb.count and va.count > 1:
        matched.append(f"same count {va.count}")
    if pa is not None and pa == pb:
        matched.append("same place")
    if da is not None and db is not None and da.precision == "day" and da.start == db.start:
        matched.append("same day")
    if a.source_id is not None and a.source_id == b.source_id and va.count is not None and va.count == vb.count:
        matched.append("same figure from the same source")
    if _named_here(a) and _named_here(b) and a.perpetrator_id is not None and a.perpetrator_id == b.perpetrator_id:
        matched.append("same perpetrator")

    soft: list[str] = []
    if _differ(a.perpetrator_id, b.perpetrator_id) and _named_here(a) and _named_here(b):
        soft.append(f"perpetrators differ: {a.perpetrator_id} / {b.perpetrator_id}")
    if _dated_apart(b, published) and not _dated_apart(a, published):
        # Background told after the news ("in 2014, ..."); the other way round, an undated
        # mention after a dated one refers back to it.
        soft.append("dated well before the report, after an undated mention")
    if (
        (va.count == 1) != (vb.count == 1)
        and (va.count is not None or va.qualifier)
        and (vb.count is not None or vb.qualifier)
        and (_placed_child(a) or _placed_child(b))
    ):
        soft.append("a placed single child against a group")
    if va.count == 1 and vb.count == 1 and _distinct(b) and not _distinct(a):
        soft.append("a single child described anew (age or place of its own)")
    strong = [m for m in matched if m != "same perpetrator"]
    if len(soft) > len(strong):
        return Decision(False, tuple(soft + matched), a.evidence.start, b.evidence.start)
    return Decision(
        True,
        tuple(matched + [f"outweighed: {s}" for s in soft]) or ("nothing tells them apart",),
        a.evidence.start,
        b.evidence.start,
    )


def _tallies(text: str) -> frozenset[int]:
    """The figures of a tally's size in an evidence (`numbers.TALLY`), years aside."""
    return frozenset(n for n in map(int, _FIGURE.findall(text)) if n >= TALLY and not 1900 <= n <= 2100)


def _adds_victims(claim: Claim) -> bool:
    """The mention names further victims of the event told before it: "her son was also killed",
    "killed alongside his daughter", "among those killed was a boy"."""
    return _ADDS_VICTIMS.search(claim.evidence.text) is not None


@lru_cache(maxsize=4096)
def _same_words(text: str) -> str:
    """A sentence's words, without case, spacing or closing punctuation."""
    return " ".join(text.lower().split()).rstrip(" .!?\"'”’")


@lru_cache(maxsize=4096)
def _announces_new(text: str) -> bool:
    return _NEW_EVENT.search(text) is not None


@lru_cache(maxsize=4096)
def _states_day(before_date: str) -> bool:
    return _STATEMENT_DAY.search(before_date) is not None


def _ages_apart(a: Victims, b: Victims) -> bool:
    """Two children's ages that cannot be one child's: "a teenager" (13-17) may be "14", not "9"."""
    if a.age_min is None or b.age_min is None:
        return False
    a_max = a.age_max if a.age_max is not None else a.age_min
    b_max = b.age_max if b.age_max is not None else b.age_min
    return a_max < b.age_min or b_max < a.age_min


def _narrower(a: Victims, b: Victims) -> bool:
    """One child's stated ages, `a` within `b` and closer: "14" in "13-17"."""
    if a.count != 1 or b.count != 1 or None in (a.age_min, a.age_max, b.age_min, b.age_max):
        return False
    return b.age_min <= a.age_min and a.age_max <= b.age_max and a.age_max - a.age_min < b.age_max - b.age_min  # type: ignore[operator]


def _differ(a: object, b: object) -> bool:
    return a is not None and b is not None and a != b


def _within(span: Span | None, claim: Claim) -> bool:
    """The span stands in one of the claim's own mentions (not in the report around them)."""
    if span is None:
        return False
    return any(m.start <= span.start < m.end for m in (claim.evidence, *claim.mentions))


def _refers_back(claim: Claim) -> bool:
    """A "pattern" whose violation word has definite children for its subject ("the girls who were
    abducted", "the boys' arrest") speaks of an event already told, not of a general practice."""
    if claim.trigger is None:
        return False
    text, base = claim.evidence.text, claim.evidence.start
    lo, hi = claim.trigger.start - base, claim.trigger.end - base
    return any(lo - 20 <= m.end() and m.start() <= hi + 5 for m in _DEFINITE_CHILDREN.finditer(text))


def _own_date(claim: Claim) -> DateRange | None:
    """The date the mention states (its own sentence or the one before), not the report's, and
    not the day of a statement about it ("in a statement issued on Monday, UNICEF said...")."""
    d = claim.date
    if d.span is None or not (d.start or d.end):
        return None
    if claim.trigger is not None and _FORMER.match(claim.trigger.text):
        return None  # "elected in 2010, the former child soldier": the date is of a later life
    offset = d.span.start - claim.evidence.start
    if 0 <= offset <= len(claim.evidence.text) and _states_day(claim.evidence.text[:offset]):
        return None
    if _DIED_OF_WOUNDS.search(claim.evidence.text):
        return None  # "wounded in the strike, he died of his injuries on 4 November": the day he died
    if (
        0 <= offset <= len(claim.evidence.text)
        and _DEICTIC.fullmatch(d.span.text)
        and _quoted(claim.evidence.text, offset)
    ):
        return None  # "he became a martyr today," a post said: the day of the post, which we do not know
    return d


def _quoted(text: str, offset: int) -> bool:
    """Whether `offset` falls inside a quotation of `text` (curly quotes, else straight ones)."""
    before = text[:offset]
    if before.count("“") > before.count("”"):
        return True
    return before.count('"') % 2 == 1


def _dates_apart(d: DateRange, claim: Claim) -> bool:
    """Whether the mention's date may tell it apart from another event: one its own sentence
    states does; one borrowed from the sentence before does not when the mention refers back
    to the event told ("killed alongside her son", "died in the strike"), for that date may
    be another death's told there, or the post's that reported this one ("her husband was
    killed in the 2014 war.", "a relative posted on 25 October.")."""
    return _within(d.span, claim) or not (_adds_victims(claim) or _THE_EVENT.search(claim.evidence.text))


def _own_place(claim: Claim) -> str | None:
    """The gazetteer town the mention's own sentence names."""
    loc = claim.location
    if loc.precision == "place" and loc.place_id is not None and _within(loc.span, claim):
        return loc.place_id
    return None


def _own_country(claim: Claim) -> str | None:
    loc = claim.location
    return loc.country if _within(loc.span, claim) else None


def _strength(claim: Claim) -> float:
    """How fully a mention states its claim: the fullest one becomes the evidence."""
    return (
        claim.confidence
        - 0.5 * (claim.kind == "pattern")
        - 0.25 * _headline(claim)
        + 0.3 * stated_count(claim.victims)
        - 0.1 * (claim.violation == "attack_school_hospital" and _told_by_pupils_taken(claim))
        + 0.2 * (claim.location.precision == "place" and _within(claim.location.span, claim))
    )



def _told_by_pupils_taken(claim: Claim) -> bool:
    return claim.trigger is not None and _TAKEN_FROM.search(claim.trigger.text) is not None


def _affinity(a: Claim, b: Claim) -> int:
    """How much two compatible claims share: the same figure, the same town, the same actor."""
    score = 0
    if a.victims.count is not None and a.victims.count == b.victims.count:
        score += 3
    if a.location.place_id is not None and a.location.place_id == b.location.place_id:
        score += 1
    if a.perpetrator_id is not None and a.perpetrator_id == b.perpetrator_id:
        score += 1
    if a.kind == b.kind:
        score += 1
    return score


def _introduced(claim: Claim) -> bool:
    """The single victim is introduced here ("a boy was shot"), not described ("as a child soldier")."""
    span = claim.victims.count_span
    if span is None or not _INDEFINITE.match(span.text):
        return False
    before = claim.evidence.text[max(0, span.start - claim.evidence.start - 15) : span.start - claim.evidence.start]
    return not _PREDICATIVE.search(before)


def _dated_apart(claim: Claim, published: str | None) -> bool:
    """Dated by its own sentence to well before the report: background, a separate event."""
    if claim.date.span is None or not claim.date.start or not _dates_apart(claim.date, claim):
        return False
    if published is None:
        return False  # undated report (CNN archive): years alone do not tell events apart
    try:
        start = date.fromisoformat((claim.date.start + "-01-01")[:10])
        return (date.fromisoformat(published[:10]) - start).days > 92
    except ValueError:
        return False


def _named_here(claim: Claim) -> bool:
    """The perpetrator is named in the claim's own sentences, not inferred from context, and not
    as the one who speaks ("..., says the military"): an asserting body tells no events apart."""
    span, source = claim.perpetrator_span, claim.source_span
    if source is not None and span is not None and span.start < source.end and source.start < span.end:
        return False
    return _within(span, claim)


def _placed_child(claim: Claim) -> bool:
    """A single victim placed by its own sentence ("a boy was shot in Jowhar")."""
    return claim.victims.count == 1 and _within(claim.location.span, claim)


def _headline(claim: Claim) -> bool:
    """A headline or caption (no closing punctuation): the sentence that tells it leads instead."""
    return not claim.evidence.text.rstrip().endswith((".", "!", "?", '"', "”", "'", "’"))


def _distinct(claim: Claim) -> bool:
    """A single victim with something of its own: an age or a place stated in its sentence."""
    return claim.victims.count == 1 and (claim.victims.age_min is not None or _within(claim.location.span, claim))


_PRECISION = {"day": 0, "range": 1, "month": 2, "year": 3, None: 4}


def _absorb(target: Claim, other: Claim) -> None:
    """Give the event the most specific value of each field its mentions state."""
    if _strength(other) > _strength(target):
        # The fuller statement leads; the first one stays as a further mention.
        target.mentions.append(target.evidence)
        target.mentions.extend(other.mentions)
        target.evidence, target.trigger = other.evidence, other.trigger
        if other.kind != "pattern":
            target.kind = other.kind
        if other.victims.count is not None:
            target.victims.count, target.victims.qualifier = other.victims.count, other.victims.qualifier
            target.victims.count_span = other.victims.count_span
        if other.source is not None:
            target.source, target.source_id, target.source_span = other.source, other.source_id, other.source_span
        if _own_date(other) is not None:
            target.date = other.date
    else:
        target.mentions.append(other.evidence)
        target.mentions.extend(other.mentions)
    target.mentions.sort(key=lambda m: m.start)
    if target.kind == "pattern" and other.kind != "pattern":
        target.kind = other.kind  # a back-reference ("the girls who were abducted") to an event
    tv, ov = target.victims, other.victims
    if ov.count is not None and (tv.count is None or ov.count > tv.count):
        # One event's mentions: "a boy" in one sentence, "four children" in the next; the
        # larger figure counts them all (figures far apart never met, see `compare`).
        tv.count, tv.qualifier, tv.count_span = ov.count, ov.qualifier, ov.count_span
    if ov.age_min is not None and (tv.age_min is None or _narrower(ov, tv)):
        # "a teenager" (13-17) then "Aisha, 14": the child's own age.
        tv.age_min, tv.age_max, tv.age_span = ov.age_min, ov.age_max, ov.age_span
    if tv.sex is None and ov.sex is not None:
        tv.sex, tv.sex_span = ov.sex, ov.sex_span
    if tv.group is None and ov.group is not None:
        tv.group, tv.group_span = ov.group, ov.group_span
    if other.perpetrator is not None and (
        target.perpetrator is None or (_named_here(other) and not _named_here(target))
    ):
        target.perpetrator, target.perpetrator_id = other.perpetrator, other.perpetrator_id
        target.perpetrator_span = other.perpetrator_span
    rank = {"place": 0, "admin1": 1, "country": 2, None: 3}
    if rank[other.location.precision] < rank[target.location.precision] or (
        _within(other.location.span, other)
        and not _within(target.location.span, target)
        and rank[other.location.precision] <= rank[target.location.precision]
    ):
        target.location = other.location
    if _own_date(other) is not None and (
        target.date.span is None or _PRECISION[other.date.precision] < _PRECISION[target.date.precision]
    ):
        target.date = other.date
    if target.source is None and other.source is not None:
        target.source, target.source_id, target.source_span = other.source, other.source_id, other.source_span
    target.graphic = target.graphic or other.graphic
    target.confidence = max(target.confidence, other.confidence)
