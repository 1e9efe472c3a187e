"""Extraction for languages other than English, read with one language file's words.

    from childwatch.extract.languages import LanguageExtractor

    LanguageExtractor(load_language("fr"), codebook, gazetteer).extract(document)  # [Claim, ...]

English has its own, finer rules (`extract.Extractor`); every other language goes through
this one engine, whose only knowledge of the language is its file in `codebook/languages/`.
A sentence asserts a violation when one of its trigger words stands within a few words of
a child noun (or, for attacks on schools and hospitals, on its own). The claim takes from
the same sentence the figure before the child noun, ages, the place, the date, the actor
and the body quoted; what the sentence lacks comes from the report as the English
extractor takes it (the last place and source named before, the lede's day, the report's
country). Every value is in the codebook's vocabulary: actor and source ids and their
English names, the gazetteer's names for places, ISO codes; evidence stays verbatim in the
report's own language and script. Mentions of one event are then merged as in English
(`extract.merge`), grouped by the figures they state (`extract.language_events`).
"""

from __future__ import annotations

import re
from array import array
from collections import Counter

from childwatch.codebook.gazetteer import Gazetteer
from childwatch.codebook.languages import ChildWord, LanguageLexicon, ViolationWords, fold
from childwatch.codebook.loader import Codebook
from childwatch.extract.language_dates import ClauseDates, DateReader, published_of
from childwatch.extract.language_events import merge_by_figure
from childwatch.extract.language_kinds import claim_kind, denied
from childwatch.extract.language_places import PlaceReader
from childwatch.extract.language_sources import SourceReader
from childwatch.extract.language_victims import Child, VictimReader
from childwatch.extract.lexical import (
    NEVER,
    key,
    lookup,
    overlap,
    phrases,
    sentences,
    span,
    strip_glued,
    witnessed,
    words_between,
)
from childwatch.records import Claim, DateRange, Document, Span

__all__ = ["LanguageExtractor"]

_LEDE_SENTENCES = 3
# How far (in characters of the report) the actor of the event just told carries to a
# sentence that names none.
_CARRIED = 400
_WORD = re.compile(r"\w+")
_PHRASE_END = re.compile(r"[,;:«»\"()،؛]")  # where a phrase ends, for a verb of saying after an actor


class LanguageExtractor:
    """One language's compiled words, the codebook and the gazetteer; `extract` is pure per report."""

    def __init__(self, lexicon: LanguageLexicon, codebook: Codebook, gazetteer: Gazetteer) -> None:
        self.lx = lexicon
        self.codebook = codebook
        self.gazetteer = gazetteer
        glued = f"(?:{lexicon.prefix})?" if lexicon.prefix else ""
        articles = lexicon.articles
        self._actors = phrases(lexicon.actors, glued, articles)
        self._state_forces = phrases(dict.fromkeys(lexicon.state_forces, ""), glued, articles)
        self._described = phrases(lexicon.described, glued, articles)
        # A state's forces named without the state ("les forces gouvernementales"): the force
        # listed first for the country the claim is placed in.
        # (Unless the codebook names another's forces for that country: `Actor.unnamed_in`.)
        self._state_force_of: dict[str, str] = {}
        self._unnamed_in: dict[str, str] = {}
        for actor in codebook.actors:
            if actor.kind == "state_force" and actor.countries and actor.parent is None:
                self._state_force_of.setdefault(actor.countries[0], actor.id)
            for country in actor.unnamed_in:
                self._unnamed_in.setdefault(country, actor.id)
        self._countries = phrases(lexicon.countries, glued, articles)
        self._demonyms = phrases(lexicon.demonyms, glued, articles)
        # Troops or an attack, then a nationality word ("une frappe aérienne russe", "les forces
        # armées burkinabè", "غارة جوية روسية"): that state's forces, and not where it happened.
        troops = [p.pattern for p in (self._state_forces, lexicon.attacks) if p is not None and p is not NEVER]
        self._forces_of_nation = (
            re.compile(
                rf"(?:{'|'.join(troops)})\s+(?:[\w'-]+\s+){{0,2}}?(?P<nation>{self._demonyms.pattern})", re.IGNORECASE
            )
            if troops and lexicon.demonyms
            else NEVER
        )
        self.places = PlaceReader(lexicon, gazetteer, self._actors, self._countries)
        self.sources = SourceReader(lexicon, codebook, gazetteer, self._countries, self._actors, self._demonyms)
        self.dates = DateReader(lexicon)
        self.counts = VictimReader(lexicon)

    # ---- the report --------------------------------------------------------------------

    def extract(self, document: Document) -> list[Claim]:
        text = document.text
        folded, where = fold(text)
        split = sentences(folded)
        clauses = self._clauses(folded, split)
        # Nationality words that say whose forces acted ("غارة روسية", "l'armée israélienne") say
        # nothing of where.
        # (Actors and country names are looked for once: the largest patterns of a language.)
        actor_matches = list(self._actors.finditer(folded))
        # A news agency's country says who reports, never where ("وكالة الأنباء السعودية").
        agencies = self.sources.news_agencies(folded)
        # Nor a country that backs a side ("le M23, soutenu par le Rwanda", "المدعومة من إيران").
        backing = [m.end() for m in self.lx.backers.finditer(folded)] if self.lx.backers else []
        country_matches, backers = [], []
        for m in self._countries.finditer(folded):
            if self.lx.capitalised_places and text[where[m.start()]].islower():
                continue  # "una granada": a grenade, not Grenada
            if any(0 <= m.start() - b <= 4 for b in backing):
                backers.append(m)
            elif not any(a.start() <= m.start() < a.end() for a in agencies):
                country_matches.append(m)
        forces = list(self._forces_of_nation.finditer(folded))
        acting = {m.start("nation") for m in forces}
        # Nor do those in the name of an actor or an agency, or a backer's name.
        named = actor_matches + agencies + backers
        demonyms = [
            m
            for m in self._demonyms.finditer(folded)
            if m.start() not in acting and not any(a.start() <= m.start() < a.end() for a in named)
        ]
        nations = Counter(self._lookup(self.lx.countries, m.group()) for m in country_matches)
        nations.update(self._lookup(self.lx.demonyms, m.group()) for m in demonyms)
        ids = [i for m in actor_matches for i in self._lookup(self.lx.actors, m.group()).split("|")]
        acts = [self.codebook.actor(i) for i in ids]
        # Where the actors act, named or by their forces' nationality ("des soldats maliens").
        lands = frozenset(c for actor in acts for c in actor.countries)
        lands |= {self._lookup(self.lx.demonyms, m.group("nation")) for m in forces}
        places = self.places.find(text, folded, where, nations, named, country_matches, lands)
        unknown = self.places.unknown(text, folded, where, places)
        countries = Counter(p.place.country for p in places)
        if document.title:
            title_folded, title_where = fold(document.title)
            countries.update(p.place.country for p in self.places.find(document.title, title_folded, title_where, None))
        # Nationality words count too: a report about Syria may name only Russia and China,
        # as powers at the Security Council, and "Syrian" ten times.
        countries.update(self._lookup(self.lx.demonyms, m.group()) for m in demonyms)
        main_country = countries.most_common(1)[0][0] if countries else None
        published = published_of(document)
        lede = self.dates.lede(text, folded, where, clauses[:_LEDE_SENTENCES], published)
        dated = ClauseDates(self.dates, clauses, split, folded, text, where, published)
        actors_in_report = [
            (m.start(), m.end(), self.codebook.actor_in(self._lookup(self.lx.actors, m.group()), main_country).id)
            for m in actor_matches
            if not self._spoken_by(folded, m.start(), m.end()) and not self._speaks(folded, m.end())
        ]
        claims: list[Claim] = []
        last_source: tuple[str, str | None, Span] | None = None
        towns = frozenset(text[where[a] : where[b - 1] + 1] for a, b in unknown)
        sources = [self.sources.find(folded[start:end], start, text, where, towns) for start, end in clauses]
        for at, (start, end) in enumerate(clauses):
            piece = folded[start:end]
            source = sources[at]
            if source is not None:
                last_source = source
            # Named by none so far, a report is often attributed in the next sentence ("...
            # killed children. The Action Group said in a statement that...").
            following = sources[at + 1] if last_source is None and at + 1 < len(sources) else None
            nouns = [
                (m.start() + start, m.end() + start, noun)
                for noun in self.lx.children
                for m in noun.pattern.finditer(piece)
            ]
            # Children who saw the act ("devant ses élèves") are not its victims.
            nouns = [n for n in nouns if not witnessed(self.lx.witnesses, piece, n[0] - start)]
            if any(noun.alone for _, _, noun in nouns) and not all(noun.alone for _, _, noun in nouns):
                nouns = [n for n in nouns if not n[2].alone]  # "dix enfants, dont Awa, 8 ans,": one of them
            children = [(a, b, noun.sex, noun.count) for a, b, noun in nouns]
            names = [(m.start(), m.end()) for m in actor_matches if m.start() < end and start < m.end()]
            # The children's share of a toll told earlier in the sentence, however far ("el número de
            # muertos ... supera los 3 mil, de los cuales 853 son niños"): near any trigger before it.
            shares = self._shares(piece, start, children)
            aged = {
                (a, b): (noun.age_min, noun.age_max)
                for a, b, noun in nouns
                if noun.age_min is not None or noun.age_max is not None
            }
            for rule in self.lx.violations:
                chosen = self._trigger(rule, folded, piece, start, children, names, shares, self.lx.unreal)
                if chosen is None:
                    continue
                # One claim, or one per child for single children each with a verb of its own.
                verbs = self._triggers(rule, piece, start, names, self.lx.unreal) if len(chosen[1]) > 1 else []
                for trigger, near in self.counts.per_child(folded, piece, start, verbs, chosen):
                    claim = Claim(
                        doc_id=document.id,
                        violation=rule.key,  # type: ignore[arg-type]  # a key the loader validated
                        kind="incident",
                        evidence=span(text, where, start, end),
                        trigger=span(text, where, trigger[0], trigger[1]),
                    )
                    # "quatre enfants, dont un nourrisson": the share is one of the children told
                    # before it, not their number (the verb may stand nearer the share, as in French).
                    whole = [c for c in near if c not in shares and any(c[1] <= s[0] for s in shares)]
                    counted = [c for c in near if c not in shares] if whole else near
                    claim.victims = self.counts.victims(folded, piece, start, counted, trigger)
                    if claim.victims.age_min is None and claim.victims.age_max is None:
                        # The ages a noun itself states ("adolescents": 13 to 17), as English "teenagers";
                        # not when other children are told with them ("niños, niñas y adolescentes").
                        ages = [aged.get((c[0], c[1])) for c in near]
                        if len(set(ages)) == 1 and ages[0] is not None:
                            claim.victims.age_min, claim.victims.age_max = ages[0]
                    claim.location = self.places.location(
                        (start, end),
                        places,
                        unknown,
                        self._country_said(demonyms, nouns, start, end, main_country),
                        text,
                        where,
                    )
                    told = next((c for c in reversed(claims) if c.evidence.end <= where[start]), None)
                    self._perpetrator(claim, piece, start, text, where, trigger, actors_in_report, told, children)
                    stated = dated.of(at)
                    claim.date = stated or (lede if lede is not None else DateRange())
                    attributed = source or last_source or following
                    if attributed is not None:
                        claim.source, claim.source_id, claim.source_span = attributed
                    claim.kind = claim_kind(self.lx, piece, claim)  # type: ignore[assignment]
                    if stated is None and claim.kind != "incident":
                        claim.date = DateRange()  # the lede's day is an event's, not a total's (as in English)
                    if claim.date.start is None and claim.date.end is None:
                        # The report's date bounds whatever it tells undated, an event or a total or
                        # a practice: each happened, or was counted, on or before it.
                        claim.date = DateRange(start=None, end=published)
                    claims.append(claim)
        return merge_by_figure(claims, document.published, self.lx.among)

    # ---- violations and victims ------------------------------------------------------------

    @staticmethod
    def _trigger(
        rule: ViolationWords,
        folded: str,
        piece: str,
        offset: int,
        children: list[Child],
        names: list[tuple[int, int]],
        shares: list[Child],
        unreal: re.Pattern[str] | None = None,
    ) -> tuple[tuple[int, int], list[Child]] | None:
        """The trigger of a violation closest to a child noun, and the child nouns within the
        rule's window of it; None when the sentence does not assert the violation. A word of an
        actor's name is no trigger ("هيئة تحرير الشام", "Front de libération du Macina")."""
        best: tuple[int, tuple[int, int], list[Child]] | None = None
        for trigger in LanguageExtractor._triggers(rule, piece, offset, names, unreal):
            distances = [(words_between(folded, trigger, (c[0], c[1])), c) for c in children]
            near = [c for d, c in distances if d <= rule.window or (c in shares and trigger[1] <= c[0])]
            closest = min((d for d, _ in distances), default=10**6)
            if rule.needs_child and not near:
                continue
            if best is None or closest < best[0]:
                best = (closest, trigger, near)
        return (best[1], best[2]) if best is not None else None

    @staticmethod
    def _triggers(
        rule: ViolationWords,
        piece: str,
        offset: int,
        names: list[tuple[int, int]],
        unreal: re.Pattern[str] | None = None,
    ) -> list[tuple[int, int]]:
        """The rule's trigger words in the sentence (document offsets), but those its
        exclusions cover, those wholly inside an actor's name ("bombardements israéliens
        ... une école" is not) and those a word of denial stands just before ("aucun cas de
        recrutement", "لم يصب أي طفل")."""
        excluded = [(m.start(), m.end()) for m in rule.exclude.finditer(piece)] if rule.exclude else []
        return [
            (m.start() + offset, m.end() + offset)
            for m in rule.triggers.finditer(piece)
            if not any(a < m.end() and m.start() < b for a, b in excluded)
            and not any(a <= m.start() + offset and m.end() + offset <= b for a, b in names)
            and not (unreal is not None and denied(unreal, piece, m.start()))
        ]

    def _shares(self, piece: str, offset: int, children: list[Child]) -> list[Child]:
        """The child nouns at most four words after a word of share ("dont", "de los cuales",
        "بينهم"): the children among a toll the sentence told before."""
        if self.lx.among is None:
            return []
        ends = [m.end() + offset for m in self.lx.among.finditer(piece)]
        return [
            c for c in children if any(c[0] >= e and len(piece[e - offset : c[0] - offset].split()) <= 4 for e in ends)
        ]

    def _lookup(self, table: dict[str, str], form: str) -> str:
        return lookup(table, form, self.lx.articles)

    def _country_said(
        self,
        demonyms: list[re.Match[str]],
        nouns: list[tuple[int, int, ChildWord]],
        start: int,
        end: int,
        main: str | None,
    ) -> str | None:
        """The country a clause that names no place is in: the children's nationality ("طفل
        فلسطيني", "enfants syriens"), else the report's country, else any nationality it names
        (not "des mercenaires russes" in a report about Mali)."""
        here = [m for m in demonyms if start <= m.start() < end]
        of_children = [m for m in here if any(0 <= m.start() - b <= 2 for _, b, _ in nouns)]
        chosen = of_children[0] if of_children else (None if main is not None else next(iter(here), None))
        return self._lookup(self.lx.demonyms, chosen.group()) if chosen is not None else main

    def _group_in_context(self, actors: list[tuple[int, int, str]], offset: int) -> tuple[int, int, str] | None:
        """The armed group named last within 400 characters before `offset`, else the one named
        in at least half of the report's mentions of armed groups."""
        groups = [a for a in actors if self.codebook.actor(a[2]).kind != "state_force"]
        recent = [a for a in groups if a[1] <= offset and offset - a[1] < 400]
        if recent:
            return recent[-1]
        counts = Counter(a[2] for a in groups)
        if not counts:
            return None
        best, n = counts.most_common(1)[0]
        # Named twice at least: one background mention ("a region where groups linked to the
        # Islamic State operate") does not make the report about that group.
        return next(a for a in groups if a[2] == best) if n >= 2 and n >= 0.5 * sum(counts.values()) else None

    def _perpetrator(
        self,
        claim: Claim,
        piece: str,
        offset: int,
        text: str,
        where: array[int],
        trigger: tuple[int, int],
        actors_in_report: list[tuple[int, int, str]],
        previous: Claim | None,
        children: list[Child],
    ) -> None:
        def acting(pattern: re.Pattern[str]) -> list[re.Match[str]]:
            # Not "selon l'armée" (who speaks) nor "en Russie" (a place; "des combattants de
            # l'État islamique" do act), nor a word of the children's own noun ("enfants soldats").
            return [
                m
                for m in pattern.finditer(piece)
                if not any(c[0] <= m.start() + offset < c[1] for c in children)
                and not self._spoken_by(piece, m.start(), m.end())
                and not self._speaks(piece, m.end())
                and not (self._countries.fullmatch(m.group()) and self.places.after_cue(piece, m.start()))
                and not self._targeted(piece, m.start())
                and not self._responded(piece, m.start(), m.end())
            ]

        named = acting(self._actors)
        nations = [m for m in acting(self._forces_of_nation) if not any(overlap(m, a) for a in named)]
        # "l'Armée de résistance du Seigneur" is a group, not "l'armée" of a state.
        states = [m for m in acting(self._state_forces) if not any(overlap(m, a) for a in named + nations)]
        found = named + nations + states
        if found:
            for near in sorted(found, key=lambda m: abs(m.start() + offset - trigger[0])):
                try:
                    actor_id = self._lookup(self.lx.actors, near.group())
                except KeyError:  # a state's forces: the nationality word, else the claim's country
                    if near.re is self._forces_of_nation:
                        state = self._state_force_of.get(self._lookup(self.lx.demonyms, near.group("nation")) or "")
                    else:
                        country = claim.location.country or ""
                        state = self._unnamed_in.get(country) or self._state_force_of.get(country)
                    if state is None:
                        continue
                    actor_id = state
                actor = self.codebook.actor_in(actor_id, claim.location.country)
                claim.perpetrator, claim.perpetrator_id = actor.name, actor.id
                claim.perpetrator_span = span(text, where, near.start() + offset, near.end() + offset)
                return
            # A state's forces in a report that says of no country: as described ("security forces").
            for near in sorted(found, key=lambda m: abs(m.start() + offset - trigger[0])):
                try:
                    claim.perpetrator = self._lookup(self.lx.described, near.group())
                except KeyError:
                    continue
                claim.perpetrator_span = span(text, where, near.start() + offset, near.end() + offset)
                return
            return
        described = acting(self._described)
        best = min(described, key=lambda m: abs(m.start() + offset - trigger[0])) if described else None
        refers = best is not None and key(best.group()) in self.lx.refer_back
        # "les assaillants", or no one named or described: the armed group of the surrounding
        # discourse (named in the last 400 characters), else the one the report is about (as
        # in English, armed groups first: state forces are often named as responders).
        if best is None or refers:
            if previous is not None and previous.perpetrator_id and where[offset] - previous.evidence.end < _CARRIED:
                # "Cette frappe a tué 93 personnes": the event the report has just told, by the
                # actor it was given (who passed the tests of who acted), not any group nearby.
                claim.perpetrator, claim.perpetrator_id = previous.perpetrator, previous.perpetrator_id
                claim.perpetrator_span = previous.perpetrator_span
                return
            group = self._group_in_context(actors_in_report, offset)
            if group is not None:
                actor = self.codebook.actor(group[2])
                claim.perpetrator, claim.perpetrator_id = actor.name, actor.id
                claim.perpetrator_span = span(text, where, group[0], group[1])
                return
        if best is not None:
            # Who the report says acted, in the codebook's English ("armed groups").
            claim.perpetrator = self._lookup(self.lx.described, best.group())
            claim.perpetrator_span = span(text, where, best.start() + offset, best.end() + offset)

    def _targeted(self, piece: str, start: int) -> bool:
        """Whether the words at `start` name whom an attack was against ("contra un campamento
        de las FARC", "ضد مواقع داعش"): a word of "against" at most four words before."""
        if self.lx.against is None:
            return False
        before = piece[max(0, start - 60) : start]
        return any(len(_WORD.findall(before[m.end() :])) <= 4 for m in self.lx.against.finditer(before))

    def _responded(self, piece: str, start: int, end: int) -> bool:
        """Whether the actor at [start, end) answered the attack rather than made it: a word of
        responding at most four words after ("l'armée a riposté", "pour retrouver les élèves"),
        or of fighting back just before ("repoussés par l'armée", "وتصدت قوات الأمن")."""
        after = piece[end : end + 60]
        if self.lx.responding is not None:
            for m in self.lx.responding.finditer(after):
                if len(_WORD.findall(after[: m.start()])) <= 4:
                    return True
        before = piece[max(0, start - 60) : start]
        return self.lx.fought_back is not None and any(
            len(_WORD.findall(before[m.end() :])) <= 1 for m in self.lx.fought_back.finditer(before)
        )

    def _speaks(self, piece: str, end: int) -> bool:
        """Whether the words ending at `end` name who speaks: a word of saying at most two words
        after ("les autorités nigérianes ont assuré que...", "l'armée a déclaré"), not one whose
        object is the accused."""
        if self.lx.source_cues is None:
            return False
        # In the same phrase: "القوات الحكومية»، وثقت فيه" is another clause's verb.
        after = _PHRASE_END.split(piece[end : end + 40], maxsplit=1)[0]
        m = self.lx.source_cues.search(after)
        if m is None or (self.lx.accusing is not None and self.lx.accusing.fullmatch(m.group())):
            return False
        return len(_WORD.findall(after[: m.start()])) <= 2 and not self._own_act(piece, end + m.end())

    def _own_act(self, piece: str, at: int) -> bool:
        """Whether what a speaker says, from `at`, is its own act ("Boko Haram a annoncé avoir
        enlevé...", "أعلن تنظيم داعش مسؤوليته عن..."): then it is who acted too."""
        return self.lx.own_act is not None and self.lx.own_act.match(piece[at : at + 40].lstrip()) is not None

    def _spoken_by(self, piece: str, start: int, end: int) -> bool:
        """Whether the words at [start, end) name who speaks: a word of saying at most two words
        before, unless what follows them tells their own act."""
        if self.lx.source_cues is None or self._own_act(piece, end):
            return False
        before = piece[max(0, start - 40) : start]
        for m in self.lx.source_cues.finditer(before):
            if self.lx.accusing is not None and self.lx.accusing.fullmatch(m.group()):
                continue  # "a accusé l'armée": the army is accused, not speaking
            between = _WORD.findall(before[m.end() :])
            openers = self.lx.clause_openers
            opens = any(w in openers or strip_glued(self.lx, w) in openers for w in between)
            if len(between) <= 2 and not opens:
                return True  # not "denunció que los hutíes...": what follows "que" is what was said
            said_by = before[m.end() :]
            if len(between) <= 4 and not opens and "," not in said_by and self._owner_follows(said_by):
                return True  # "selon le porte-parole de l'armée": the army's spokesperson speaks
        return False

    def _owner_follows(self, text: str) -> bool:
        """Whether `text` ends with a word between a role and whose it is ("porte-parole de")."""
        tail = key(text.rstrip())
        return any(tail.endswith(" " + of) or tail.endswith(" " + of.rstrip("'")) for of in self.lx.source_of)

    # ---- places ----------------------------------------------------------------------------

    def _clauses(self, folded: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """Sentences cut where a clause of another event opens (", tandis que", "، أما")."""
        if self.lx.clause_breaks is None:
            return sentences
        out = []
        for start, end in sentences:
            cut = start
            for m in self.lx.clause_breaks.finditer(folded, start, end):
                before = folded[cut : m.start()].rstrip()
                if before.endswith((",", ";")) and before.strip(" ,;"):
                    out.append((cut, m.start()))
                    cut = m.start()
            out.append((cut, end))
        return out
