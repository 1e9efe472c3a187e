"""The kind of a claim read in a language other than English (an incident, a total or a
practice), and whether a word of denial governs its trigger, from the language file's words.

    from childwatch.extract.language_kinds import claim_kind, denied

    claim.kind = claim_kind(lexicon, sentence, claim)   # "incident" | "aggregate" | "pattern"
"""

from __future__ import annotations

import re

from childwatch.codebook.languages import LanguageLexicon, fold
from childwatch.extract.language_dates import spans_weeks
from childwatch.extract.numbers import TALLY
from childwatch.records import Claim

__all__ = ["claim_kind", "denied"]

_DIGITS = re.compile(r"\d+")


def claim_kind(lx: LanguageLexicon, piece: str, claim: Claim) -> str:
    """Whether the sentence `piece` tells an incident, a total or a practice."""
    if lx.aggregate_cues is not None and lx.aggregate_cues.search(piece) and not _on_a_day(lx, claim):
        return "aggregate"
    if (claim.victims.count or 0) > 1 and spans_weeks(claim.date):
        return "aggregate"  # "25 enfants tués entre janvier et mars": a total over a period
    if claim.trigger is not None and any(int(n) > 1 for n in _DIGITS.findall(claim.trigger.text)):
        return "aggregate"  # "تضررت 40 مدرسة": forty schools, a total
    if claim.violation == "attack_school_hospital" and _tally_before(claim):
        return "aggregate"  # "248 مدرسة قد تضررت", "plus de 300 écoles attaquées": a tally of them
    if lx.pattern_cues is not None and lx.pattern_cues.search(piece):
        return "pattern" if claim.victims.count is None else "aggregate"
    # Hundreds since a time, told as a figure or vaguely ("وقد خطفت مئات الأطفال منذ عام 2014").
    told = claim.victims.count if claim.victims.count is not None else claim.victims.count_low
    if told is not None and told >= 100 and lx.since and lx.since.search(piece):
        return "aggregate"
    return "incident"


def _on_a_day(lx: LanguageLexicon, claim: Claim) -> bool:
    """Whether the sentence itself dates what it tells to one day: a report's or a count's
    words ("وثقت الشبكة مقتل طفلين ... أمس", "selon le rapport, ... lundi") then tell one event;
    not the day it was said, between a word of saying and what was said ("أعلنت الوزارة أمس أن
    عدد ... بلغ")."""
    when, told, trigger = claim.date.span, claim.evidence, claim.trigger
    if claim.date.precision != "day" or when is None or not told.start <= when.start < told.end:
        return False
    if trigger is None or lx.source_cues is None or not lx.clause_openers or trigger.start < when.end:
        return True
    before, _ = fold(told.text[: when.start - told.start])
    between, _ = fold(told.text[when.end - told.start : trigger.start - told.start])
    opens = any(w in lx.clause_openers for w in re.findall(r"[\w']+", between))
    return not (opens and lx.source_cues.search(before))


def _tally_before(claim: Claim) -> bool:
    """A figure of ten or more just before the trigger (its schools or hospitals)."""
    if claim.trigger is None:
        return False
    at = claim.trigger.start - claim.evidence.start
    before = claim.evidence.text[max(0, at - 16) : max(0, at)]
    return any(int(n) >= TALLY for n in _DIGITS.findall(before))


def denied(unreal: re.Pattern[str], piece: str, start: int) -> bool:
    """A word of denial at most four words before the trigger at `start`, in its clause."""
    before = piece[max(0, start - 60) : start]
    return any(len(before[m.end() :].split()) <= 4 and "," not in before[m.end() :] for m in unreal.finditer(before))
