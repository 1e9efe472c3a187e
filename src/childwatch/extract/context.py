"""What a whole document is about: its countries, places and actors, in reading order.

Sentence-level fields fall back on this context: "the group" is the armed group last
named, an event with no place named in its sentence happened where the report is set.
"""

from __future__ import annotations

import bisect
import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from itertools import accumulate

from childwatch.codebook.alternation import factor_alternation
from childwatch.codebook.gazetteer import Place
from childwatch.codebook.lexicon import Lexicon
from childwatch.extract.actors import ActorFinder, ActorMention
from childwatch.extract.places import PlaceFinder, PlaceMention
from childwatch.extract.tokens import Token, folded, word_trie

# "Israeli airstrikes", "Russia's war", "Nigerian troops": a state named by its actions.
_FORCE_NOUNS = (
    r"(?:attacks?|strikes?|air ?strikes?|shelling|bombardment|bombing|bombs|missiles?|drones?|artillery|"
    r"rockets?|warplanes|jets|aircraft|forces|troops|army|military|soldiers|offensive|invasion|war|raids?|"
    r"uavs?|planes|airplanes|helicopters?|gunships?|tanks?|snipers?|navy|naval|gunboats?|police|troopers|"
    r"fire|gunfire|actions|operations)"
)


@dataclass(slots=True)
class ResolvedPlace:
    mention: PlaceMention
    place: Place


@dataclass(slots=True)
class DocumentContext:
    text: str = ""  # the report's text, for what a sentence's readers look back at
    countries: Counter[str] = field(default_factory=Counter)
    places: list[ResolvedPlace] = field(default_factory=list)
    actors: list[ActorMention] = field(default_factory=list)
    demonyms: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, ISO2
    # Demonyms that name an actor ("Israeli strikes", "Russian forces"): who acted, not where.
    actor_demonyms: set[int] = field(default_factory=set)  # their starts
    unknown_places: list[PlaceMention] = field(default_factory=list)  # named, not in the gazetteer
    _actor_starts: list[int] = field(default_factory=list)
    _place_starts: list[int] = field(default_factory=list)
    # salient_actor's tally per `state`: actors are fixed once built, and recounting them for
    # every claim made extraction quadratic (a 300 KB report of many claims took minutes).
    _tallies: dict[bool | None, tuple[Counter[str], dict[str, ActorMention]]] = field(default_factory=dict)
    _by_kind: dict[bool | None, tuple[list[int], list[ActorMention]]] = field(default_factory=dict)

    @property
    def main_country(self) -> str | None:
        return self.countries.most_common(1)[0][0] if self.countries else None

    @property
    def dominant_country(self) -> str | None:
        """The main country when it clearly dominates the report (over 60% of the mentions)."""
        total = sum(self.countries.values())
        top = self.countries.most_common(1)
        return top[0][0] if top and top[0][1] > 0.6 * total else None

    def salient_place(self, country: str | None) -> ResolvedPlace | None:
        """The town (else province) the report names most often, in `country`."""
        for kind in ("place", "admin1"):
            counts = Counter(p.place.id for p in self.places if p.place.kind == kind and p.place.country == country)
            if counts:
                best = counts.most_common(1)[0][0]
                return next(p for p in self.places if p.place.id == best)
        return None

    def actors_between(self, start: int, end: int) -> list[ActorMention]:
        a = bisect.bisect_left(self._actor_starts, start)
        b = bisect.bisect_left(self._actor_starts, end)
        return self.actors[a:b]

    def places_between(self, start: int, end: int) -> list[ResolvedPlace]:
        a = bisect.bisect_left(self._place_starts, start)
        b = bisect.bisect_left(self._place_starts, end)
        return self.places[a:b]

    def last_actor_before(self, position: int, state: bool | None = None) -> ActorMention | None:
        """The most recent actor named before `position` (of the wanted kind, if given) that an act
        the sentence does not name may be told of: never a force only ever the actor where named
        (`Actor.named_only`, peacekeepers sent to protect)."""
        # Looked up among the mentions of that kind only: scanning back through all of them
        # for every claim was quadratic when the wanted kind was rare or absent.
        if state not in self._by_kind:
            kind = [m for m in self.actors if _inferable(m, state)]
            self._by_kind[state] = ([m.start for m in kind], kind)
        starts, mentions = self._by_kind[state]
        i = bisect.bisect_left(starts, position)
        return mentions[i - 1] if i else None

    def salient_actor(self, state: bool | None = None, share: float = 0.0) -> ActorMention | None:
        """The actor named most often (of the wanted kind), if it has at least `share` of the mentions."""
        if state not in self._tallies:
            counts = Counter(m.actor.id for m in self.actors if _inferable(m, state))
            first: dict[str, ActorMention] = {}
            for m in self.actors:
                first.setdefault(m.actor.id, m)
            self._tallies[state] = (counts, first)
        counts, first = self._tallies[state]
        if not counts:
            return None
        best, n = counts.most_common(1)[0]
        if n < share * sum(counts.values()):
            return None
        return first[best]


def _inferable(mention: ActorMention, state: bool | None) -> bool:
    """An actor of the wanted kind that an act its sentence does not name may be told of."""
    actor = mention.actor
    return not actor.named_only and (state is None or (actor.kind == "state_force") == state)


def build_context(
    text: str, tokens: list[Token], lexicon: Lexicon, places: PlaceFinder, actors: ActorFinder
) -> DocumentContext:
    ctx = DocumentContext(text=text)
    mentions, acting = [], []
    found = places.find(text, tokens, ctx.unknown_places)
    for i, mention in enumerate(found):
        role = place_role(text, mention, lexicon)
        if role == "within":
            # "the X neighbourhood of Rafah": X is the event's place only as a place in the
            # country of the town named next (a neighbourhood the gazetteer knows), never as
            # the town abroad that shares its name.
            outer = found[i + 1] if i + 1 < len(found) and found[i + 1].start - mention.end < 60 else None
            inside = [c for c in mention.candidates if outer and c.country in {o.country for o in outer.candidates}]
            if inside:
                mentions.append(replace(mention, candidates=tuple(inside)))
        elif role == "event":
            mentions.append(mention)
        elif role == "actor":  # "Russia's forces", "Moscow's strikes": a state, by its actions
            acting.append(mention)
        elif role == "dateline":
            ctx.countries[mention.candidates[0].country] += 1  # where the reporter files from
    for m in _demonyms(text, tokens, lexicon):
        code = lexicon.demonyms.get(_SEPARATORS.sub(" ", folded(m.group())))
        if code is None:  # matched only through Unicode case folding; no demonym after all
            continue
        ctx.demonyms.append((m.start(), m.end(), code))
        if _FORCE_AFTER.match(text, m.end()) or _LED_AFTER.match(text, m.end()):
            # "Israeli airstrikes on Rafah", "the Saudi-led coalition": the attacker's (or its
            # leader's) nationality, not the event's country.
            ctx.actor_demonyms.add(m.start())
            continue
        ctx.countries[code] += 1
    # First pass: unambiguous places and demonyms set the country context...
    for mention in mentions:
        top = mention.candidates[0]
        # Towns do not vote here: a surname that is also a village abroad must not pull the
        # report into that country.
        if top.kind == "country" or (top.kind == "admin1" and len({c.country for c in mention.candidates}) == 1):
            ctx.countries[top.country] += 2 if top.kind == "country" else 1
    named = actors.find(text, tokens, set(ctx.countries))
    for a in named:
        if a.actor.kind == "state_force" or a.actor.named_only:
            # A state's forces act abroad too, and a mission's list is of the many places it
            # serves: neither country is where the report is set.
            continue
        for code in a.actor.countries[:1]:
            ctx.countries[code] += 1
    # ...then every place is resolved in that context.
    for mention in mentions:
        place = choose_place(mention, ctx.countries)
        if place is not None:
            ctx.places.append(ResolvedPlace(mention, place))
            if place.kind == "place":
                ctx.countries[place.country] += 1
    named.extend(_state_actions(text, ctx, mentions, actors, lexicon, named, acting))
    ctx.actors = sorted((a for a in named if not _describes_another(text, a)), key=lambda a: a.start)
    ctx._actor_starts = [a.start for a in ctx.actors]
    reach = _reach(ctx.actors)
    ctx.unknown_places = [u for u in ctx.unknown_places if not _overlapped(ctx._actor_starts, reach, u.start, u.end)]
    ctx._place_starts = [p.mention.start for p in ctx.places]
    return ctx


# Where a report was filed: "ABUJA, Nigeria (AP) -", "DOHA, Qatar —", "GENEVA -" at a
# paragraph's start. The reporter's city, not the event's.
_DATELINE_AFTER = re.compile(r"(?:,\s*[A-Z][\w.'’ -]{1,40})?\s*(?:\([^)]{1,40}\)\s*)?[-–—:]")
# "the Britain-based Syrian Observatory", "a London-based group": an organisation's seat.
_BASED_AFTER = re.compile(r"[-–]\s*based\b", re.IGNORECASE)
# "the international criminal court in The Hague", "a group based in London": a body's seat.
# ... or where someone lives: "Hani, who lives in Virginia, learned that a strike killed ...".
# (These look-backs run for every place named; their words are grouped by first letter,
# codebook.alternation, which makes them twice as fast.)
_SEAT_BEFORE = re.compile(
    r"\b(?:"
    + factor_alternation(
        r"courts?|tribunals?|headquarters|headquartered|based|embassy|consulate|lives|living|lived|resides|residing"
    )
    + r")\s+(?:in|at)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# "said in Washington", "told reporters in The Hague", "a conference in Geneva": where
# something was said, not where it happened.
_SAID_IN_BEFORE = re.compile(
    r"\b(?:"
    + factor_alternation(
        r"said|says|told\s+\w+|speaking|spoke|statement|conference|briefing|summit|talks|meeting|"
        r"addressing|announced|headquarter(?:s|ed)"
    )
    + r")\s+(?:\w+\s+){0,3}?(?:in|from|at)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# The words these two end with, before white space (as tokens.folded reads them).
_SEAT_ENDS = ("in", "at", "the")
_SAID_ENDS = ("in", "from", "at", "the")

# ...but "said an attack in Egypt killed...": the place of what was said about.
_EVENT_BETWEEN = re.compile(
    r"\b(?:attacks?|strikes?|airstrikes?|raids?|bombings?|shelling|explosions?|blasts?|ambush|assault|"
    r"massacre|fighting|clashes|children|boys|girls|pupils|students|people|civilians)\b",
    re.IGNORECASE,
)

_FORCE_AFTER = re.compile(rf"(?:['’]s)?\s+(?:\w+\s+)?{_FORCE_NOUNS}\b", re.IGNORECASE)
_LED_AFTER = re.compile(r"[-–]\s*(?:led|backed|funded|sponsored|supported|allied)\b", re.IGNORECASE)
_FORCES_OF = re.compile(rf"['’]s\s+(?:\w+\s+)?{_FORCE_NOUNS}\b", re.IGNORECASE)
# "as Moscow unleashed another wave of missiles": a capital acting for its state.
_ACTS_AFTER = re.compile(
    r"\s+(?:unleashed|launched|fired|shelled|bombed|pounded|struck|attacked|targeted|invaded|deployed|"
    r"stepped\s+up|escalated|sent\s+(?:troops|forces|drones|missiles))\b",
    re.IGNORECASE,
)
_SAYS_AFTER = re.compile(
    r"\s+(?:said|says|claimed|claims|denied|denies|accused|insisted|announced|vowed|warned|responded)\b",
    re.IGNORECASE,
)
_BORDER_AFTER = re.compile(r"\s+(?:border|frontier)\b", re.IGNORECASE)
_KIN = (
    r"(?:sons?|daughters?|wife|wives|husband|brothers?|sisters?|mother|father|parents|children|kids|"
    r"grand(?:son|daughter|child|children|mother|father)s?|nephews?|nieces?|cousins?|uncle|aunt|"
    r"family|relatives|friends?|widow|baby|infant|twins|siblings?|in-laws)"
)
# A person, not a town, though the gazetteer knows the name: "Nadia's grandson", "Samar's two
# daughters", "the Hamdan family", "his son Jamil", "29-year-old Samar".
_PERSON_AFTER = re.compile(
    rf"(?:['‘’]s\s+(?:[\w-]+\s+){{0,2}}?{_KIN}\b|\s+(?:family|clan|household)\b|\s+\(\d{{1,3}}(?:\s+years?\s+old)?\))",
    re.IGNORECASE,
)
# ... or one's kin ("a sibling of Janan"), or who posted something ("images posted by Al Khalil").
# ... or where one comes from, told beside one's name: "Khadija, from Khemisset, was killed",
# "a woman named Kulthum, from Sefrou in Morocco, was also killed", "a Tiflet native".
_FROM_BESIDE = re.compile(r",\s*(?:originally\s+)?from\s+(?:[A-Z][\w'’-]*\s+in\s+)?$")
_FROM_BESIDE_END = re.compile(r"(?:\s+in\s+[A-Z][\w'’-]*)?,")
_NATIVE_AFTER = re.compile(r"\s+natives?\b")
_PERSON_BEFORE = re.compile(
    r"\b(?:"
    + factor_alternation(
        rf"{_KIN}|named|known as|(?:husband|wife|mother|father) (?:of|to)|years?[- ]old|aged \d{{1,3}}|"
        r"(?:son|daughter|sibling|brother|sister|nephew|niece|cousin|uncle|aunt|widow|grand(?:son|daughter|child)) of|"
        r"(?:posted|shared|tweeted|uploaded|written|published) by"
    )
    + r"),?\s+(?:the\s+)?$",
    re.IGNORECASE,
)
# A neighbourhood or street named after another place, inside a town the sentence names next:
# "the El Geneina neighbourhood of Rafah", "the Americana area west of Beit Lahia".
_WITHIN_AFTER = re.compile(
    r"\s+(?:neighbou?rhood|quarter|district|suburb|area|street|road|square|roundabout|junction),?\s+"
    r"(?:of|in|west|east|north|south|near)\b",
    re.IGNORECASE,
)


def place_role(text: str, mention: PlaceMention, lexicon: Lexicon) -> str:
    """What a named place is to the report: "event" (where things may have happened),
    "dateline" (where it was filed), "seat" (an organisation's base), "statement" (where
    something was said), "actor" (a state or capital standing for its government or
    forces: "Moscow's strikes", "Kyiv said"), "border" ("near the Congo border": the
    other side of it) or "demonym" ("Somali insurgents", not Ethiopia's Somali Region)."""
    line_start = text.rfind("\n", 0, mention.start) + 1
    at_top = mention.start < 300 and not text[line_start : mention.start].strip()
    if at_top and (mention.text.isupper() or _DATELINE_AFTER.match(text, mention.end)):
        return "dateline"
    # The look-backs for a seat and for a statement end with "in", "at" or "from" (or "the")
    # and white space right before the place: where the text there does not (two places in
    # three), they cannot match, and their searches through 40 and 80 characters are spared.
    before = text[max(0, mention.start - 80) : mention.start]
    bare = before.rstrip()
    last = folded(bare[-4:]) if len(bare) < len(before) else ""
    if _BASED_AFTER.match(text, mention.end) or (
        last.endswith(_SEAT_ENDS) and _SEAT_BEFORE.search(text, max(0, mention.start - 40), mention.start)
    ):
        return "seat"
    # Only a city stands for its state ("Kyiv said", "Moscow's strikes"): a country or
    # province named so still tells where the story is, and "officials in Zamfara State
    # said" is where they are.
    kind = mention.candidates[0].kind
    if not mention.after_preposition and (
        ((_FORCES_OF.match(text, mention.end) or _ACTS_AFTER.match(text, mention.end)) and kind != "country")
        or (_SAYS_AFTER.match(text, mention.end) and kind == "place")
    ):
        return "actor"
    if _BORDER_AFTER.match(text, mention.end) or mention.text.lower().endswith(" border"):
        return "border"
    if _PERSON_AFTER.match(text, mention.end) or _PERSON_BEFORE.search(text, max(0, mention.start - 30), mention.start):
        return "person"
    if (
        _FROM_BESIDE_END.match(text, mention.end)
        and _FROM_BESIDE.search(text, max(0, mention.start - 40), mention.start)
    ) or _NATIVE_AFTER.match(text, mention.end):
        return "person"
    if _WITHIN_AFTER.match(text, mention.end):
        return "within"
    if mention.text.lower() in lexicon.demonyms and kind != "country":
        return "demonym"
    said = (
        _SAID_IN_BEFORE.search(text, max(0, mention.start - 80), mention.start) if last.endswith(_SAID_ENDS) else None
    )
    if said is not None and not _EVENT_BETWEEN.search(said.group()):
        return "statement"
    return "event"


# An actor named only to describe something else: "Gaza's Hamas-run health ministry" (a
# source), "ADF, a group with ties to the Islamic State", "an al-Qaeda-linked militia".
_MODIFIER_AFTER = re.compile(r"[-–]\s*(?:run|controlled|led|backed|affiliated|linked|allied|aligned|held|appointed)\b")
_TIES_BEFORE = re.compile(
    r"\b(?:ties|links|linked|connections|affiliated|allied|loyal|allegiance|affiliate|offshoot|splinter|faction)"
    r"\s+(?:of|to|with)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


def _describes_another(text: str, mention: ActorMention) -> bool:
    return bool(
        _MODIFIER_AFTER.match(text, mention.end) or _TIES_BEFORE.search(text, max(0, mention.start - 40), mention.start)
    )


# (Compiled once: through re.search, each call paid for the cache look-up and the flag's enum.)
_INSTITUTIONAL_END = re.compile(r"\b(?:state|province|governorate|region|oblast)$", re.IGNORECASE)
_SEPARATORS = re.compile(r"[\s-]+")


def choose_place(mention: PlaceMention, countries: Counter[str]) -> Place | None:
    """The candidate that fits the document's countries best; None for a doubtful town."""
    institutional = _INSTITUTIONAL_END.search(mention.text)
    best, best_score = None, float("-inf")
    # A country's name is the country, never a town named after it ("Egypt", not Egypt, Arizona,
    # in a report that names the US often).
    country_named = any(c.kind == "country" for c in mention.candidates)
    for rank, place in enumerate(mention.candidates):
        if country_named and place.kind == "place":
            continue
        score = countries.get(place.country, 0) * 3.0 - rank * 0.5
        if place.kind == "country":
            score += 4
        elif place.kind == "admin1":
            score += 3 + (4 if institutional else 0)
        else:
            score += min(place.population, 5_000_000) / 1_000_000
        if score > best_score:
            best, best_score = place, score
    if best is None:
        return None
    if (
        best.kind == "place"
        and not countries.get(best.country)
        and not (mention.after_preposition and (best.population >= 100_000 or not countries))
    ):
        return None  # a small town in a country the report never mentions: a name, not a place
    return best


# Per lexicon: the demonyms' pattern, and the first words of the demonyms when all are plain words.
_DEMONYM_CACHE: dict[int, tuple[re.Pattern[str], frozenset[str] | None]] = {}


def _demonym_regex(lexicon: Lexicon) -> tuple[re.Pattern[str], frozenset[str] | None]:
    key = id(lexicon)
    if key not in _DEMONYM_CACHE:
        if all(re.fullmatch(r"[a-z]+(?: [a-z]+)*", d) for d in lexicon.demonyms):
            # Plain words: factored by prefix, after a check of the first letter (the plain
            # alternation, tried at every word boundary, was 8% of extraction).
            trie = word_trie(lexicon.demonyms, r"[\s-]", ignorecase=True)
            firsts = frozenset(d.split(" ")[0] for d in lexicon.demonyms)
            _DEMONYM_CACHE[key] = (re.compile(rf"\b{trie}\b", re.IGNORECASE), firsts)
        else:
            alternatives = sorted((d.replace(" ", r"[\s-]") for d in lexicon.demonyms), key=len, reverse=True)
            _DEMONYM_CACHE[key] = (re.compile(rf"\b(?:{'|'.join(alternatives)})\b", re.IGNORECASE), None)
    return _DEMONYM_CACHE[key]


def _demonyms(text: str, tokens: list[Token], lexicon: Lexicon) -> Iterator[re.Match[str]]:
    """The matches of the demonyms' pattern in `text` (`tokens` are all of its words), in order.
    Of plain words, the pattern is tried only at the words that start a demonym, not at every
    character of the report (its scan was 4% of extraction): a match starts at a word boundary
    before a letter, which is where a token starts, and that token is the demonym's first word,
    as re.IGNORECASE reads it (tokens.folded; the normal form, for a word in ASCII)."""
    regex, firsts = _demonym_regex(lexicon)
    if firsts is None:
        yield from regex.finditer(text)
        return
    end = 0
    for token in tokens:
        if token.start >= end and (token.norm in firsts or (not token.text.isascii() and folded(token.text) in firsts)):
            m = regex.match(text, token.start)
            if m is not None:
                yield m
                end = m.end()


def _state_actions(
    text: str,
    ctx: DocumentContext,
    mentions: list[PlaceMention],
    actors: ActorFinder,
    lexicon: Lexicon,
    named: list[ActorMention],
    acting: Sequence[PlaceMention],
) -> list[ActorMention]:
    taken = sorted((a.start, a.end) for a in named)
    starts, reach = [a for a, _ in taken], list(accumulate((b for _, b in taken), max))
    found: list[ActorMention] = []
    spans = [(s, e, code) for s, e, code in ctx.demonyms]
    spans += [(m.start, m.end, m.candidates[0].country) for m in mentions if m.candidates[0].kind == "country"]
    # A capital for its state ("Moscow's forces"): the country of the place it names.
    spans += [(m.start, m.end, m.candidates[0].country) for m in acting]
    for start, end, code in spans:
        m = _FORCE_AFTER.match(text, end, end + 40)
        actor = actors.state_force_of(code)
        if not m or actor is None or _overlapped(starts, reach, start, start + 1):
            continue  # inside a named actor
        i = bisect.bisect_left(starts, start)
        if i < len(starts) and starts[i] < m.end():
            continue  # a named actor starts within it
        found.append(ActorMention(start, m.end(), actor, text[start : m.end()]))
    return found


def _reach(mentions: Sequence[ActorMention]) -> list[int]:
    """The furthest end among the first i+1 of `mentions` (sorted by start), for `_overlapped`."""
    return list(accumulate((m.end for m in mentions), max))


def _overlapped(starts: list[int], reach: list[int], start: int, end: int) -> bool:
    """Whether one of the spans (their sorted `starts`, and `reach` from `_reach`) overlaps
    [start, end): a look-up by bisection, where testing every span for every mention was
    quadratic in long reports."""
    i = bisect.bisect_left(starts, end)  # the spans that start before `end`...
    return i > 0 and reach[i - 1] > start  # ...one of which ends after `start`
