"""Where a claim's event happened: a place its own sentence names for it, else one the report
gives (its country's most-named town, a village it sets the scene in), never a place named for
another event or for the state that struck."""

from __future__ import annotations

import re

from childwatch.codebook.loader import Actor
from childwatch.extract.context import DocumentContext
from childwatch.extract.facts import SentenceFacts, owned_by_trigger
from childwatch.extract.violations import Detection
from childwatch.records import Claim, Location, Span

__all__ = ["locate"]

# Nouns of events (not themselves violations against children) that own the place named
# right after them: in "asked about bombings in Abuja, which came the same day as the mass
# abduction of schoolgirls", Abuja is where the bombings were.
_OTHER_EVENT_BEFORE = re.compile(
    r"\b(?:bombings?|blasts?|explosions?|clashes|battles?|protests?|rall(?:y|ies)|elections?|"
    r"summit|conference|talks|visit|meeting|ceremony|funerals?|trial|hearing)\s+(?:in|at|near|outside)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_CHILD_AFTER = re.compile(r"\s+(?:\w+\s+)?(?:children|child|girls|boys|minors|schoolchildren|schoolgirls|schoolboys)\b")


def _named_for_another_event(position: int, text: str) -> bool:
    return bool(_OTHER_EVENT_BEFORE.search(text, max(0, position - 40), position))


def locate(facts: SentenceFacts, ctx: DocumentContext, claim: Claim, detection: Detection) -> Location:
    here = ctx.places_between(facts.start, facts.end)
    here = [p for p in here if not _named_for_another_event(p.mention.start - facts.start, facts.text)]
    actor_span = claim.perpetrator_span
    acting_state = False
    if actor_span is not None:
        # "as Russia used hospitals as targets": the state named as the actor is not where it
        # happened (the ward was in Ukraine).
        unplaced = [p for p in here if not (actor_span.start <= p.mention.start and p.mention.end <= actor_span.end)]
        acting_state = len(unplaced) < len(here)
        here = unplaced
    owned = [p for p in here if owned_by_trigger(p.mention.start, detection, facts)]
    here = owned or here
    order = {"place": 0, "admin1": 1, "country": 2}
    unknowns = [u for u in ctx.unknown_places if facts.start <= u.start < facts.end]
    unknown = next((u for u in unknowns if u.settlement), None) or next(iter(unknowns), None)
    towns = [p for p in here if p.place.kind == "place"]
    if unknown is not None and unknown.settlement:
        # "in Sa Par Htar village (Minbya Township, Mrauk-U District)": the village named as
        # such is the place; the towns named for their township or district contain it.
        towns = [p for p in towns if not p.mention.unit]
    if unknown is not None and not towns:
        # A town the gazetteer lacks, named after "in"/"at": its name, and the province and
        # country the sentence or the report gives.
        admin = next((p for p in here if p.place.kind == "admin1"), None)
        country = next((p.place.country for p in here), None) or ctx.dominant_country or ctx.main_country
        # Else the province of a town that contains it ("village of Ye township"), else that
        # of the place the report names most in that country.
        province = admin.mention.text if admin else next((p.place.admin1 for p in here if p.place.admin1), None)
        if province is None and country is not None:
            salient = ctx.salient_place(country)
            province = salient.place.admin1 if salient is not None else None
        return Location(
            name=unknown.text,
            admin1=province,
            country=admin.place.country if admin else country,
            precision="place",
            span=Span(unknown.start, unknown.end, unknown.text),
        )
    if here:
        best = min(here, key=lambda p: (order[p.place.kind], -p.mention.after_preposition))
        p = best.place
        loc = Location(
            country=p.country,
            lat=p.lat,
            lon=p.lon,
            precision=p.kind if p.kind != "place" else "place",
            place_id=p.id,
            span=Span(best.mention.start, best.mention.end, best.mention.text),
        )
        if p.kind == "place":
            loc.name = best.mention.text
            loc.admin1 = p.admin1
            admin = next((q for q in here if q.place.kind == "admin1" and q.place.country == p.country), None)
            if admin:
                loc.admin1 = admin.mention.text
        elif p.kind == "admin1":
            loc.admin1 = best.mention.text
        return loc
    code = ctx.dominant_country
    nations = [(s, e, c) for s, e, c in ctx.demonyms if facts.start <= s < facts.end and s not in ctx.actor_demonyms]
    # The children's own nationality ("the abduction of Ukrainian children") before any other.
    nations.sort(key=lambda d: not _CHILD_AFTER.match(facts.text, d[1] - facts.start))
    if nations and (code is None or acting_state):
        # (The report's main country counts the acting state's name: "a Ukrainian ward" says more.)
        code = nations[0][2]
    if code is None and claim.perpetrator_id:
        actor = next((m.actor for m in ctx.actors if m.actor.id == claim.perpetrator_id), None)
        # A group's home country; never a state's, whose forces strike abroad too.
        if actor and len(actor.countries) == 1 and actor.kind != "state_force":
            code = actor.countries[0]
    if code is None:
        code = ctx.main_country
    group = _group_named_here(claim, ctx, facts)
    if code is not None and group is not None and group.countries and code not in group.countries:
        # A group the sentence names that never acts in the report's country: the event is in
        # its lands ("the Pakistan Taliban tried to kill her" told in a report set in Nigeria).
        code = group.countries[0]
    salient = ctx.salient_place(code) if code else None
    earlier = [u for u in ctx.unknown_places if u.start < facts.start]
    scene = next((u for u in earlier if u.settlement), None) or next((u for u in earlier if u.unit), None)
    if (
        scene is not None
        and code is not None
        and code == ctx.dominant_country
        and (salient is None or salient.place.kind != "place" or (scene.settlement and salient.mention.unit))
    ):
        # Nothing named here, and the report set its scene in a village or town it names as
        # such, else in a township ("On 8 May, in Kyaung Ywar village (Ye township) ... A child
        # was injured."): there, within the province of the report's most-named place, unless
        # that is a known town, or (against a township) a town named as itself.
        return Location(
            name=scene.text,
            admin1=salient.place.admin1 if salient is not None else None,
            country=code,
            precision="place",
            span=Span(scene.start, scene.end, scene.text),
        )
    if salient is not None:
        # Nothing named here: the event is set where the report is set (its most-named town).
        p = salient.place
        loc = Location(
            country=p.country,
            lat=p.lat,
            lon=p.lon,
            precision=p.kind,
            place_id=p.id,
            span=Span(salient.mention.start, salient.mention.end, salient.mention.text),
        )
        loc.admin1 = p.admin1
        if p.kind == "place":
            loc.name = salient.mention.text
        return loc
    return Location(country=code, precision="country" if code else None)


def _group_named_here(claim: Claim, ctx: DocumentContext, facts: SentenceFacts) -> Actor | None:
    """The non-state perpetrator, if the claim's own sentence names it."""
    span = claim.perpetrator_span
    if claim.perpetrator_id is None or span is None or not facts.start <= span.start < facts.end:
        return None
    named = [m.actor for m in ctx.actors_between(span.start, span.end + 1) if m.actor.id == claim.perpetrator_id]
    return named[0] if named and named[0].kind != "state_force" else None
