"""Mentions of one event in a report in a language other than English, merged.

    from childwatch.extract.language_events import merge_by_figure

    merge_by_figure(claims, published, among)  # [Claim, ...], one per event

The English rules of `extract.merge` tell a second event from a recap by English words
("another attack", "also killed"); in other languages, the figures do: two mentions that
state different figures of children stay apart ("36 killed by government forces", "two
killed by al-Nusra"), and an unfigured mention joins the first event. A single child told
as one of a group named before ("L'un d'eux, un garçon de 8 ans, a succombé", "أحدهم")
belongs to that group's event, not to an event of its own.
"""

from __future__ import annotations

import re

from childwatch.codebook.folding import fold
from childwatch.extract.merge import merge_mentions
from childwatch.records import Claim

# How far into its sentence a word of share may open a mention of one of a group.
_OPENING = 40


def merge_by_figure(claims: list[Claim], published: str | None, among: re.Pattern[str] | None) -> list[Claim]:
    """Each claim merged into the earlier mention of its event, mentions being grouped by the
    figure of children they state; `among`: the language's words of share ("parmi eux")."""
    figures: dict[int | None, list[Claim]] = {}
    groups: dict[str, int] = {}  # the last figure of more than one child told, by violation
    for claim in claims:
        count = claim.victims.count
        if count == 1 and claim.violation in groups and (_one_of_them(claim, among) or _named_with_age(claim)):
            count = groups[claim.violation]
        elif count is not None and count > 1:
            groups[claim.violation] = count
        figures.setdefault(count, []).append(claim)
    unfigured = figures.pop(None, [])
    if not figures:
        return merge_mentions(unfigured, published)
    merged: list[Claim] = []
    for i, group in enumerate(figures.values()):
        merged.extend(merge_mentions(group + (unfigured if i == 0 else []), published))
    return sorted(merged, key=lambda c: c.evidence.start)


def _one_of_them(claim: Claim, among: re.Pattern[str] | None) -> bool:
    """Whether the mention opens with a word of share: the child is one of a group told before."""
    if among is None:
        return False
    folded, _ = fold(claim.evidence.text[: _OPENING + 20])
    m = among.search(folded)
    return m is not None and m.start() <= _OPENING and len(folded[: m.start()].split()) <= 3


def _named_with_age(claim: Claim) -> bool:
    """A child told by name and age after a group ("Awa, 8 ans, a succombé"): one of the group,
    as a report names the victims of the event it told; `merge_mentions` still keeps it apart
    when its own place or day differs."""
    return claim.victims.age_min is not None and bool(_AGE_BETWEEN_COMMAS.search(claim.evidence.text))


_AGE_BETWEEN_COMMAS = re.compile(r"\w[,،]\s*(?:de\s+)?\d{1,2}\s*\w+\s*[,،]")
