"""Several mentions of one thing in one document become one claim.

Two claims of the same violation merge unless something the text says tells them apart:
different counts, different places, different dates, different perpetrators, different
ages, or a pattern against an event.
"""

from __future__ import annotations

import re
from datetime import date

from childwatch.records import Claim

_NEW_EVENT = re.compile(
    r"\b(?:second|another|new|separate|fresh|earlier|previous|similar)\s+(?:\w+\s+){0,2}?"
    r"(?:abductions?|kidnappings?|attacks?|raids?|strikes?|incidents?|bombings?|massacres?)\b",
    re.IGNORECASE,
)
_PREDICATIVE = re.compile(r"\b(?:as|became|become|becomes|was|were|is|being|been|like)\s*$", re.IGNORECASE)
_INDEFINITE = re.compile(r"^(?:a|an|another|one)\b", re.IGNORECASE)


def merge_mentions(claims: list[Claim], published: str | None = None) -> list[Claim]:
    """Merge each claim into the latest earlier claim it cannot be told apart from."""
    kept: list[Claim] = []
    for claim in claims:
        target = None
        if not _NEW_EVENT.search(claim.evidence.text):
            fits = [(i, k) for i, k in enumerate(kept) if _same(k, claim, published)]
            if fits:
                target = max(fits, key=lambda ik: (_affinity(ik[1], claim), ik[0]))[1]
        if target is None:
            kept.append(claim)
        else:
            _absorb(target, claim)
    return kept


def _differ(a: object, b: object) -> bool:
    return a is not None and b is not None and a != b


def _same(a: Claim, b: Claim, published: str | None = None) -> bool:
    if a.violation != b.violation:
        return False
    if (a.kind == "pattern") != (b.kind == "pattern"):
        return False
    va, vb = a.victims, b.victims
    # Reports restate one event with other figures ("more than 100", "129", "about 230"), so
    # differing group counts do not separate claims; one child against a group does.
    if (
        (va.count == 1) != (vb.count == 1)
        and (va.count is not None or va.qualifier)
        and (vb.count is not None or vb.qualifier)
        and (_distinct(a) or _distinct(b))
    ):
        return False  # one named or placed child against a group: two claims
    if va.count == 1 and vb.count == 1:
        if _differ(va.age_min, vb.age_min) or _differ(va.sex, vb.sex):
            return False
        if _introduced(b) and not (va.age_min is not None and va.age_min == vb.age_min):
            return False  # "a boy", "another boy": a new child, not the one already claimed
    for x, y in ((va, vb), (vb, va)):
        # "hundreds of schoolgirls" and "eight girls" are not the same victims.
        if x.count_low is not None and y.count is not None and y.count < x.count_low / 2:
            return False
    if _dated_apart(a, published) != _dated_apart(b, published):
        return False
    if a.kind == "aggregate" and b.kind == "aggregate" and _differ(va.count, vb.count):
        return False
    if _differ(a.perpetrator_id, b.perpetrator_id) and _named_here(a) and _named_here(b):
        return False
    la, lb = a.location, b.location
    if la.precision == "place" and lb.precision == "place" and _differ(la.place_id, lb.place_id):
        return False  # two different towns of the gazetteer (a name it lacks tells nothing apart)
    if _differ(la.country, lb.country):
        return False
    da, db = a.date, b.date
    return not (da.span is not None and db.span is not None and _differ((da.start or "")[:7], (db.start or "")[:7]))


def _strength(claim: Claim) -> float:
    """How fully a mention states its claim: the fullest one becomes the evidence."""
    return (
        claim.confidence
        + 0.3 * (claim.victims.count is not None)
        + 0.2
        * (
            claim.location.precision == "place"
            and claim.location.span is not None
            and claim.evidence.start <= claim.location.span.start < claim.evidence.end
        )
    )


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
    if claim.date.span is None or not claim.date.start:
        return False
    if published is None:
        return False  # undated report (CNN archive): years alone do not tell events apart
    try:
        start = date.fromisoformat((claim.date.start + "-01-01")[:10])
        return (date.fromisoformat(published[:10]) - start).days > 92
    except ValueError:
        return False


def _named_here(claim: Claim) -> bool:
    """The perpetrator is named in the claim's own sentence, not inferred from context."""
    span = claim.perpetrator_span
    return span is not None and claim.evidence.start <= span.start < claim.evidence.end


def _distinct(claim: Claim) -> bool:
    """A single victim with something of its own: an age or a place stated in the sentence."""
    if claim.victims.count != 1:
        return False
    here = claim.evidence
    placed = claim.location.span is not None and here.start <= claim.location.span.start < here.end
    return claim.victims.age_min is not None or placed


def _absorb(target: Claim, other: Claim) -> None:
    """Fill the target's missing fields from another mention of the same claim."""
    if _strength(other) > _strength(target):
        # The fuller statement leads; the first one stays as a further mention.
        target.mentions.append(target.evidence)
        target.evidence, target.trigger, target.kind = other.evidence, other.trigger, other.kind
        if other.victims.count is not None:
            target.victims.count, target.victims.qualifier = other.victims.count, other.victims.qualifier
            target.victims.count_span = other.victims.count_span
        if other.source is not None:
            target.source, target.source_id, target.source_span = other.source, other.source_id, other.source_span
        if other.date.span is not None:
            target.date = other.date
    else:
        target.mentions.append(other.evidence)
    tv, ov = target.victims, other.victims
    if tv.count is None and ov.count is not None:
        tv.count, tv.qualifier, tv.count_span = ov.count, ov.qualifier, ov.count_span
    if tv.age_min is None and ov.age_min is not None:
        tv.age_min, tv.age_max, tv.age_span = ov.age_min, ov.age_max, ov.age_span
    if tv.sex is None and ov.sex is not None:
        tv.sex, tv.sex_span = ov.sex, ov.sex_span
    if tv.group is None and ov.group is not None:
        tv.group, tv.group_span = ov.group, ov.group_span
    if target.perpetrator is None and other.perpetrator is not None:
        target.perpetrator, target.perpetrator_id = other.perpetrator, other.perpetrator_id
        target.perpetrator_span = other.perpetrator_span
    rank = {"place": 0, "admin1": 1, "country": 2, None: 3}
    if rank[other.location.precision] < rank[target.location.precision]:
        target.location = other.location
    if target.date.span is None and other.date.span is not None:
        target.date = other.date
    if target.source is None and other.source is not None:
        target.source, target.source_id, target.source_span = other.source, other.source_id, other.source_span
    target.graphic = target.graphic or other.graphic
    target.confidence = max(target.confidence, other.confidence)
