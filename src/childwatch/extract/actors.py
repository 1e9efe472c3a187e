"""Armed groups and forces named in a text, and what descriptions like "the group" refer to."""

from __future__ import annotations

import re
from dataclasses import dataclass

from childwatch.codebook.alternation import factor_alternation
from childwatch.codebook.lexicon import Lexicon
from childwatch.codebook.loader import Actor, Codebook
from childwatch.extract.tokens import PhraseIndex, Token, index_entries, normalise, words


@dataclass(frozen=True, slots=True)
class ActorMention:
    start: int
    end: int
    actor: Actor
    text: str


@dataclass(frozen=True, slots=True)
class Reference:
    """A description ("the militants", "troops") that stands for an actor named elsewhere."""

    start: int
    end: int
    text: str
    state: bool  # refers to state forces rather than to an armed group
    unresolved: bool  # named only generically ("bandits"): stays unknown


_TITLE_BEFORE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Dr|Prof|professor|president|spokes(?:man|woman|person)|minister|director|chairman|"
    r"chairwoman|chair|officer|judge|senator|ambassador|secretary|governor|mayor|correspondent|reporter|"
    r"journalist|researcher|analyst|author|lawyer|attorney|dean|provost|principal|pastor|bishop)\.?\s+$",
    re.IGNORECASE,
)


class ActorFinder:
    def __init__(self, codebook: Codebook, lexicon: Lexicon) -> None:
        self.index: PhraseIndex[Actor] = index_entries(codebook.actors)
        for actor in codebook.actors:
            community = actor.name.removesuffix(" militia")
            if actor.kind == "militia" and community != actor.name:
                named = {normalise(a) for a in (actor.name, *actor.aliases)}
                for noun in lexicon.armed_men:
                    if normalise(f"{community} {noun}") not in named:
                        self.index.add(f"{community} {noun}", actor)
        # Descriptions (the lexicon's coreference words and its generic aliases): an actor's only
        # in a report set in one of its countries.
        self._generic = {
            normalise(r) for r in (*lexicon.armed_group_refs, *lexicon.state_force_refs, *lexicon.generic_descriptions)
        }
        self._demonyms = set(lexicon.demonyms)
        self._facility = lexicon.facility_name
        self._state_forces: dict[str, Actor] = {}
        self._unnamed: dict[str, Actor] = {}
        for actor in codebook.actors:
            if actor.kind == "state_force" and actor.countries and "police" not in actor.name.lower():
                self._state_forces.setdefault(actor.countries[0], actor)
            for country in actor.unnamed_in:
                self._unnamed.setdefault(country, actor)
        # Each list grouped by first letter (codebook.alternation): tried at every word of a sentence.
        unresolved, group, state = (
            factor_alternation(words(refs))
            for refs in (lexicon.unresolved_refs, lexicon.armed_group_refs, lexicon.state_force_refs)
        )
        self._refs = re.compile(
            rf"\b(?:(?P<unresolved>{unresolved})|(?P<group>{group})|(?P<state>{state}))\b", re.IGNORECASE
        )

    def state_force_of(self, country: str) -> Actor | None:
        """The main state force of a country: its military rather than its police."""
        return self._state_forces.get(country)

    def unnamed_force_in(self, country: str) -> Actor | None:
        """The force a report set in `country` means by "the army", no state named: the
        country's own (`state_force_of`), unless the codebook says another's (`unnamed_in`)."""
        return self._unnamed.get(country) or self._state_forces.get(country)

    def find(self, text: str, tokens: list[Token], countries: set[str] | None = None) -> list[ActorMention]:
        """Actors named in `tokens` (of `text`); an alias shared by two actors goes to the one
        whose countries the document is about."""
        out = []
        for m in self.index.find(tokens):
            candidates = m.payload
            actor: Actor | None = candidates[0]
            if len(candidates) == 1 and " ".join(t.norm for t in tokens[m.first : m.last]) in self._generic:
                actor = candidates[0] if set(candidates[0].countries) & (countries or set()) else None
            elif len(candidates) > 1:
                # "government forces", "PDF", "al-Shabaab": whose depends on where the report is set;
                # a generic description stays unresolved, a proper name goes to its first owner.
                matched = " ".join(t.norm for t in tokens[m.first : m.last])
                fallback = None if matched in self._generic else candidates[0]
                actor = next((a for a in candidates if set(a.countries) & (countries or set())), fallback)
            if actor is None or self._surname(text, tokens, m.first, m.last) or self._facility.match(text, m.end):
                continue  # (a facility: "Army Public School", "Police Secondary School", "a military hospital")
            out.append(ActorMention(m.start, m.end, actor, text[m.start : m.end]))
        return out

    def _surname(self, text: str, tokens: list[Token], first: int, last: int) -> bool:
        """A one-word name that ends a person's name after a title or role ("university president
        James Wagner", "spokesman Ali Hamas"): a surname, not the group."""
        if last - first != 1 or first == 0:
            return False
        before, word = tokens[first - 1], tokens[first]
        return (
            text[before.end : word.start] == " "
            and before.text[:1].isupper()
            and before.text[1:].islower()
            and word.text[1:].islower()
            and before.norm not in self._demonyms
            and _TITLE_BEFORE.search(text, max(0, before.start - 30), before.start) is not None
        )

    def references(self, text: str, offset: int = 0) -> list[Reference]:
        out = []
        for m in self._refs.finditer(text):
            if self._facility.match(text, m.end()):
                continue  # "the Police Secondary School": a place, not the police
            out.append(
                Reference(
                    offset + m.start(),
                    offset + m.end(),
                    m.group(),
                    state=m.group("state") is not None,
                    unresolved=m.group("unresolved") is not None,
                )
            )
        return out
