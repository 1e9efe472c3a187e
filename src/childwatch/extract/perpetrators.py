"""Who did it: the perpetrator of a sentence's claim, told apart from who speaks, who
responds and the side acted against."""

from __future__ import annotations

import re

from childwatch.extract.actors import ActorFinder, ActorMention
from childwatch.extract.context import DocumentContext
from childwatch.extract.facts import Located, SentenceFacts, gap
from childwatch.extract.numbers import NUMBER
from childwatch.extract.violations import Detection
from childwatch.records import Claim, Span

__all__ = ["assign_perpetrator"]

# An actor that is the subject of a verb of saying is a source here, not a perpetrator.
_SPEAKS = re.compile(
    r"^(?:\s+\w+){0,4}?\s+(?:said|says|told|reported|announced|confirmed|retracted|denied|stated|claimed|"
    r"spokesman|spokeswoman|spokesperson)\b",
    re.IGNORECASE,
)
# Responders, not perpetrators: "police at the scene returned fire", "soldiers rescued the girls".
_RESPONDS = re.compile(
    r"^(?:\s+[\w-]+){0,4}?\s+(?:returned fire|repelled|repulsed|pursued|rescued|freed|responded|intervened|"
    r"arrived|evacuated|gave chase|fought off|engaged the)\b",
    re.IGNORECASE,
)
# The side acted against, not the actor: "in response to Pakistani military offensives",
# "in retaliation for Israeli strikes", "fighting against the army".
_OPPOSED = re.compile(
    r"\b(?:in (?:response|reply) to|in retaliation (?:for|against)|against|fighting)\s+(?:the\s+)?$", re.IGNORECASE
)
# A force the sentence before shows striking: "Israeli warplanes struck a house. As a result,
# 25 people were killed"; "the military based in Laukkaing fired artillery rounds".
_STRIKES = re.compile(
    r"(?:\s+[\w-]+){0,4}?\s+(?:struck|shelled|bombed|fired|attacked|raided|opened fire|launched|targeted|"
    r"stormed|planted|carried out)\b",
    re.IGNORECASE,
)
_LOOK_BACK = 400  # characters: about the sentence before
_BY_ACTOR = re.compile(r"\bby\s+(?:the\s+)?(?:suspected\s+|alleged\s+)?$", re.IGNORECASE)
_BY_AGENT = re.compile(r"^\s*(?:\w+\s+){0,3}?by\s+(?:the\s+|suspected\s+|alleged\s+)*$", re.IGNORECASE)
# Among the victims, not the actor: a force counted in the list that begins with the children
# ("132 children, 10 staff members and three soldiers were dead"), or the parents of the
# children ("a school for soldiers' children").
_CHILD_BEFORE = re.compile(r"\b(?:child|children|boy|girl|teenage|under-?age|minor)[\s-]+$", re.IGNORECASE)
_LISTED = re.compile(r"^[\w\s,'-]{0,80}$")
_NUMBERED = re.compile(rf"\b(?:{NUMBER}|dozens|several)\s+(?:[\w-]+\s+)?$", re.IGNORECASE)
_WHOSE = re.compile(
    r"^(?:'s?|\u2019s?)\s+(?:own\s+)?(?:children|child|sons?|daughters?|kids|pupils|students|families)\b", re.IGNORECASE
)


def assign_perpetrator(
    claim: Claim, facts: SentenceFacts, ctx: DocumentContext, detection: Detection, actors: ActorFinder
) -> None:
    """The actor of the sentence's act: one it names (not a speaker, responder or the side acted
    against), else a description it uses, else the actor of the surrounding discourse."""
    # A body only mentioned, not speaking, may be the actor: it is a source only if no one acts.
    speakers = [(a.start, a.end) for a in facts.attributions if not a.bare]
    named = [
        m
        for m in ctx.actors_between(facts.start, facts.end)
        if not any(a <= m.start and m.end <= b for a, b in speakers)
        and not _SPEAKS.match(facts.text[m.end - facts.start :])
        and not _RESPONDS.match(facts.text[m.end - facts.start :])
        and not _OPPOSED.search(facts.text, max(0, m.start - facts.start - 30), m.start - facts.start)
    ]
    chosen: ActorMention | None = None
    t = detection.trigger.start
    # An actor far from the trigger is usually doing something else in the sentence
    # ("the military said ... the girls were abducted").
    near = [m for m in named if abs(m.start - t) < 90 or _BY_ACTOR.search(facts.text[: m.start - facts.start])]
    named = near or named
    if named:
        chosen = min(named, key=lambda m: abs(m.start - t))
    else:
        # The description nearest the trigger, one in the agent slot ("seized by gunmen") first:
        # "the military received a report ... the girls were seized by gunmen".
        for ref in sorted(facts.references, key=lambda r: (not _agent_slot(r, detection, facts), gap(r, t))):
            after = facts.text[ref.end - facts.start :]
            if _SPEAKS.match(after) or _RESPONDS.match(after) or _WHOSE.match(after) or _co_victim(ref, claim, facts):
                continue
            if _within(ref, detection) or _CHILD_BEFORE.search(facts.text, 0, ref.start - facts.start):
                continue  # "soldiers" of "child soldiers": the victims, named by what was done to them
            if ref.unresolved:
                return
            chosen = ctx.last_actor_before(ref.start, state=ref.state) or ctx.salient_actor(state=ref.state)
            if chosen is None and ref.state:
                # "the military", "soldiers", never named: the forces of the country the report is set in.
                home = ctx.dominant_country
                force = actors.unnamed_force_in(home) if home else None
                chosen = ActorMention(ref.start, ref.end, force, ref.text) if force else None
            if chosen:
                claim.perpetrator_span = Span(ref.start, ref.end, ref.text)
                break
    if chosen is None:
        # No one named or described: the actor of the surrounding discourse (named in the last
        # two sentences), else the one the whole report is about.
        # Armed groups first: state forces are often named as responders in such reports.
        # Armed groups first: state forces are often named as responders in such reports; but
        # not over a state force the sentence before shows striking.
        recent = ctx.last_actor_before(facts.start, state=False)
        striking = _striking_force(ctx, facts.start, actors)
        # (A group named after the force that struck is what it struck at: "military forces
        # fired artillery rounds at suspected PDF bases. A 12-year-old was injured".)
        struck_at = striking is not None and recent is not None and striking.end <= recent.start
        if recent is not None and facts.start - recent.end < _LOOK_BACK and not struck_at:
            chosen = recent
        else:
            chosen = striking or ctx.salient_actor(state=False, share=0.5)
        if chosen is None:
            recent = ctx.last_actor_before(facts.start)
            chosen = recent if recent is not None and facts.start - recent.end < _LOOK_BACK else None
    if chosen is None:
        return
    claim.perpetrator = chosen.actor.name
    claim.perpetrator_id = chosen.actor.id
    if claim.perpetrator_span is None:
        claim.perpetrator_span = Span(chosen.start, chosen.end, chosen.text)


def _striking_force(ctx: DocumentContext, position: int, actors: ActorFinder) -> ActorMention | None:
    """The state force named, or described ("the military"), as striking just before `position`."""
    start = max(0, position - _LOOK_BACK)
    text = ctx.text
    named = [m for m in ctx.actors_between(start, position) if m.actor.kind == "state_force"]
    for m in reversed(named):
        if _STRIKES.match(text, m.end):
            return m
    home = ctx.dominant_country
    force = actors.unnamed_force_in(home) if home else None
    if force is None or named:
        return None  # a state force named nearby, not striking: its description is no one else
    for ref in reversed(actors.references(text[start:position], start)):
        if ref.state and not ref.unresolved and _STRIKES.match(text, ref.end):
            return ActorMention(ref.start, ref.end, force, ref.text)
    return None


def _within(ref: Located, detection: Detection) -> bool:
    """The description is a word of the violation's own words or of its victims'."""
    spans = [detection.trigger, *(c.span for c in detection.victims)]
    return any(s.start <= ref.start and ref.end <= s.end for s in spans)


def _co_victim(ref: Located, claim: Claim, facts: SentenceFacts) -> bool:
    """The description is counted in the list that the claim's children begin."""
    counted = claim.victims.count_span
    if counted is None or counted.end > ref.start:
        return False
    between = facts.text[counted.end - facts.start : ref.start - facts.start]
    return bool(_LISTED.match(between) and ("," in between or " and " in between) and _NUMBERED.search(between))


def _agent_slot(ref: Located, detection: Detection, facts: SentenceFacts) -> bool:
    """The description is the agent of the trigger: "abducted by gunmen", "taken by the militants"."""
    between = facts.text[detection.trigger.end - facts.start : ref.start - facts.start]
    return 0 <= len(between) <= 40 and bool(_BY_AGENT.search(between))
