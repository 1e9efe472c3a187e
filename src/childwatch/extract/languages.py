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
(`extract.merge`).
"""

from __future__ import annotations

import math
import re
from array import array
from calendar import monthrange
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from childwatch.codebook.gazetteer import Gazetteer, Place
from childwatch.codebook.languages import LanguageLexicon, ViolationWords, fold
from childwatch.codebook.loader import Codebook
from childwatch.extract.merge import merge_mentions
from childwatch.records import Claim, DateRange, Document, Location, Span, Victims

__all__ = ["LanguageExtractor"]

# A semicolon does not end a sentence: an attribution often follows one ("...; alertó la ONU").
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=\S)|\n\s*")
_DIGITS = r"\d{1,3}(?:[ .,]\d{3})+(?!\d)|\d+"
_LATIN_NAME = re.compile(
    r"[A-ZÀ-ÝĀ-Ž][\w'’-]*(?:\s+(?:(?:de|du|des|la|le|el|al|ad|as|ash|ar|d'|l')\s*)?[A-ZÀ-ÝĀ-Ž][\w'’-]*){0,3}"
)
_LEDE_SENTENCES = 3
_ORDER = {"place": 0, "admin1": 1, "country": 2}
_LARGE_CITY = 1_000_000


@dataclass(frozen=True, slots=True)
class _Found:
    """A match in the folded text, with the span of the report's own text it covers."""

    start: int  # folded offsets
    end: int
    value: str


@dataclass(frozen=True, slots=True)
class _PlaceFound:
    start: int
    end: int
    place: Place
    cued: bool  # after a word such as "à", "dans", "في"


class LanguageExtractor:
    """One language's compiled words, the codebook and the gazetteer; `extract` is pure per report."""

    def __init__(self, lexicon: LanguageLexicon, codebook: Codebook, gazetteer: Gazetteer) -> None:
        self.lx = lexicon
        self.codebook = codebook
        self.gazetteer = gazetteer
        glued = f"(?:{lexicon.prefix})?" if lexicon.prefix else ""
        articles = lexicon.articles
        self._actors = _phrases(lexicon.actors, glued, articles)
        self._state_forces = _phrases(dict.fromkeys(lexicon.state_forces, ""), glued, articles)
        self._described = _phrases(lexicon.described, glued, articles)
        # A state's forces named without the state ("les forces gouvernementales"): the force
        # listed first for the country the claim is placed in.
        self._state_force_of: dict[str, str] = {}
        for actor in codebook.actors:
            if actor.kind == "state_force" and actor.countries and actor.parent is None:
                self._state_force_of.setdefault(actor.countries[0], actor.id)
        self._sources = _phrases(lexicon.sources, glued, articles)
        self._countries = _phrases(lexicon.countries, glued, articles)
        self._demonyms = _phrases(lexicon.demonyms, glued, articles)
        words = sorted(
            {*lexicon.number_words, *lexicon.multipliers}, key=len, reverse=True
        )  # longest first: "dix-sept" before "dix"
        word_number = "|".join(re.escape(w) for w in words) or "(?!x)x"
        joiners = "|".join(re.escape(j) for j in lexicon.number_joiners)
        # A joiner may be glued to the next number word ("خمسة وعشرين"), or stand apart ("vingt et un").
        link = rf"(?:\s+(?:(?:{joiners})\s*)?|-)" if joiners else r"(?:\s+|-)"
        vague = "|".join(re.escape(v) for v in sorted({*lexicon.vague, *lexicon.approximate}, key=len, reverse=True))
        vague = vague or "(?!x)x"
        qualifiers = "|".join(re.escape(q) for q in sorted(lexicon.qualifiers, key=len, reverse=True)) or "(?!x)x"
        spelled = rf"(?:{glued}(?:{word_number}))(?:{link}(?:{word_number}))*"
        times = "|".join(re.escape(m) for m in sorted(lexicon.multipliers, key=len, reverse=True)) or "(?!x)x"
        # "300 mil niños", "1,1 millones": a figure in digits times a word.
        digits = rf"(?:{_DIGITS}|\d+[.,]\d{{1,2}})(?:\s+(?:{times}))?"
        number = rf"(?P<vague>{vague})|(?P<digits>{digits})|(?P<words>{spelled})"
        # A figure just before a child noun: "au moins 12 enfants", "onze jeunes enfants", "des dizaines d'élèves".
        # Words the language may put between a figure and its child noun ("trois morts parmi les
        # élèves", "ثلاثة من الأطفال"), else one word at most ("onze jeunes enfants").
        links = "|".join(lexicon.count_links)
        word = rf"{lexicon.word}\s+(?:d'|de\s+)?"  # "9 corps d'enfants"
        between = rf"(?:(?:{links})\s*|{word})?" if links else rf"(?:{word})?"
        self._count_before = re.compile(
            rf"(?:(?P<qualifier>{qualifiers})\s+)?(?<!\w)(?:{number})\s*{between}$",
            re.IGNORECASE,
        )
        self._number = re.compile(rf"^(?:{number})$", re.IGNORECASE)
        months = "|".join(re.escape(m) for m in sorted(lexicon.months, key=len, reverse=True)) or "(?!x)x"
        weekdays = "|".join(re.escape(w) for w in sorted(lexicon.weekdays, key=len, reverse=True)) or "(?!x)x"
        relative = "|".join(re.escape(r) for r in sorted(lexicon.relative_days, key=len, reverse=True)) or "(?!x)x"
        joins = "|".join(re.escape(c) for c in lexicon.date_connectors)
        gap = rf"\s+(?:(?:{joins})\s+)?" if joins else r"\s+"
        hijri = "|".join(re.escape(m) for m in sorted(lexicon.hijri_months, key=len, reverse=True)) or "(?!x)x"
        self._dates = re.compile(
            rf"(?<!\w)(?:(?P<hday>\d{{1,2}})\s+{glued}(?P<hmonth>{hijri})\s+(?P<hyear>1[34]\d\d)"
            rf"|(?P<day>\d{{1,2}})(?:er)?{gap}{glued}(?P<month>{months})(?:{gap}(?P<year>(?:19|20)\d\d))?"
            rf"|{glued}(?P<month2>{months}){gap}(?P<year2>(?:19|20)\d\d)"
            rf"|{glued}(?P<weekday>{weekdays})"
            rf"|(?P<relative>{relative})"
            rf"|(?P<year3>(?:19|20)\d\d))(?!\w)",
            re.IGNORECASE,
        )
        until = "|".join(re.escape(u) for u in sorted(lexicon.date_until, key=len, reverse=True))
        self._until_day = (
            re.compile(
                rf"\s*(?:\([^)]{{0,20}}\)\s*)?(?:{until})\s+(?P<day>\d{{1,2}})(?:er)?"
                rf"(?:{gap}{glued}(?P<month>{months}))?(?!\w)",
                re.IGNORECASE,
            )
            if until
            else None
        )
        ends = "|".join(re.escape(w) for w in (*lexicon.date_until, *lexicon.number_joiners))
        self._year_to = re.compile(rf"\s*(?:(?:{ends})\s*|[-–]\s*)((?:19|20)\d\d)(?!\w)" if ends else r"(?!x)x")
        self._month_alone = [
            re.compile(rf"(?<!\w){t.replace('{month}', rf'(?P<month>{glued}(?:{months}))')}(?!\w)", re.IGNORECASE)
            for t in lexicon.month_alone
        ]

    # ---- the report --------------------------------------------------------------------

    def extract(self, document: Document) -> list[Claim]:
        text = document.text
        folded, where = fold(text)
        sentences = self._clauses(folded, _sentences(folded))
        nations = Counter(
            self._lookup(table, m.group())
            for pattern, table in ((self._countries, self.lx.countries), (self._demonyms, self.lx.demonyms))
            for m in pattern.finditer(folded)
        )
        places = self._places(text, folded, where, nations)
        countries = Counter(p.place.country for p in places)
        if document.title:
            title_folded, title_where = fold(document.title)
            countries.update(p.place.country for p in self._places(document.title, title_folded, title_where, None))
        main_country = countries.most_common(1)[0][0] if countries else None
        published = _published(document)
        lede = self._lede_date(folded, sentences[:_LEDE_SENTENCES], published)
        actors_in_report = [
            (m.start(), m.end(), self._lookup(self.lx.actors, m.group()))
            for m in self._actors.finditer(folded)
            if not self._spoken_by(folded, m.start())
        ]
        claims: list[Claim] = []
        last_source: tuple[str, str | None, Span] | None = None
        for start, end in sentences:
            piece = folded[start:end]
            source = self._source(piece, start, text, where)
            if source is not None:
                last_source = source
            children = [
                (m.start() + start, m.end() + start, noun.sex, noun.count)
                for noun in self.lx.children
                for m in noun.pattern.finditer(piece)
            ]
            for rule in self.lx.violations:
                chosen = self._trigger(rule, folded, piece, start, children)
                if chosen is None:
                    continue
                trigger, near = chosen
                claim = Claim(
                    doc_id=document.id,
                    violation=rule.key,  # type: ignore[arg-type]  # a key the loader validated
                    kind="incident",
                    evidence=_span(text, where, start, end),
                    trigger=_span(text, where, trigger[0], trigger[1]),
                )
                claim.victims = self._victims(folded, piece, start, near, trigger)
                nation = self._demonyms.search(piece)
                claim.location = self._location(
                    [p for p in places if start <= p.start < end],
                    places,
                    start,
                    self._lookup(self.lx.demonyms, nation.group()) if nation else main_country,
                    text,
                    where,
                )
                self._perpetrator(claim, piece, start, text, where, trigger, actors_in_report)
                claim.date = self._date(piece, start, text, where, published) or (
                    lede if lede is not None else DateRange()
                )
                if source is not None or last_source is not None:
                    claim.source, claim.source_id, claim.source_span = source or last_source  # type: ignore[misc]
                claim.kind = self._kind(piece, claim)  # type: ignore[assignment]
                if claim.kind == "incident" and claim.date.start is None and claim.date.end is None:
                    # The report's date bounds an undated incident: it happened on or before it.
                    claim.date = DateRange(start=None, end=published)
                claims.append(claim)
        return _merge(claims, document.published)

    # ---- violations and victims ------------------------------------------------------------

    @staticmethod
    def _trigger(
        rule: ViolationWords,
        folded: str,
        piece: str,
        offset: int,
        children: list[tuple[int, int, str | None, int | None]],
    ) -> tuple[tuple[int, int], list[tuple[int, int, str | None, int | None]]] | None:
        """The trigger of a violation closest to a child noun, and the child nouns within the
        rule's window of it; None when the sentence does not assert the violation."""
        excluded = [(m.start(), m.end()) for m in rule.exclude.finditer(piece)] if rule.exclude else []
        best: tuple[int, tuple[int, int], list[tuple[int, int, str | None, int | None]]] | None = None
        for m in rule.triggers.finditer(piece):
            if any(a < m.end() and m.start() < b for a, b in excluded):
                continue
            trigger = (m.start() + offset, m.end() + offset)
            distances = [(_words_between(folded, trigger, (c[0], c[1])), c) for c in children]
            near = [c for d, c in distances if d <= rule.window]
            closest = min((d for d, _ in distances), default=10**6)
            if rule.needs_child and not near:
                continue
            if best is None or closest < best[0]:
                best = (closest, trigger, near)
        return (best[1], best[2]) if best is not None else None

    def _victims(
        self,
        folded: str,
        piece: str,
        offset: int,
        near: list[tuple[int, int, str | None, int | None]],
        trigger: tuple[int, int],
    ) -> Victims:
        victims = Victims()
        if not near:
            return victims
        near = sorted(near, key=lambda c: _words_between(folded, trigger, (c[0], c[1])))
        counted = False  # by a figure before the noun
        for start, _end, _sex, own in near:
            figure = self._count_before.search(folded[max(offset, start - 60) : start])
            if figure is not None:
                value = self._value(figure)
                vague = figure.group("vague") and _key(figure.group("vague")) in self.lx.vague
                if value is not None and vague:
                    # "des dizaines d'enfants": at least so many, no count (as English "dozens").
                    victims.count_low, victims.qualifier = value, _magnitude(value)
                    break
                if value is not None:
                    victims.count, counted = value, True
                    if figure.group("qualifier"):
                        victims.qualifier = self.lx.qualifiers.get(_key(figure.group("qualifier")))
                    elif figure.group("vague"):
                        victims.qualifier = "about"
                    break
            if own is not None:
                # Nouns that each state their number, joined ("طفل وطفلة", "un garçon et une fille"): their sum.
                victims.count = own + self._joined_counts(folded, start, near)
                break
        # A singular noun after a figure ("39 طفلاً": Arabic counts 11-99 with a singular) says no sex.
        sexes = {sex for _, _, sex, own in near if not (own == 1 and counted and (victims.count or 1) > 1)}
        if "mixed" in sexes or {"female", "male"} <= sexes:
            victims.sex = "mixed"  # "niños y niñas", "des garçons et des filles"
        elif len(sexes) == 1:
            victims.sex = "female" if "female" in sexes else "male" if "male" in sexes else None
        # The age told nearest the child noun ("a boy of 18 months ... his brother, aged four").
        child_at = near[0][0] - offset
        ages = sorted(
            (m for pattern in self.lx.ages for m in pattern.finditer(piece)), key=lambda m: abs(m.start() - child_at)
        )
        for m in ages:
            groups = m.groupdict()
            low = self._age(groups.get("min"))
            high = self._age(groups.get("max"))
            below = self._age(groups.get("below"))
            if groups.get("months"):
                months = self._age(groups["months"], most=216)
                low = high = months // 12 if months is not None else None
            if low is None and high is None and below is None:
                continue
            victims.age_min = low
            victims.age_max = high if high is not None else (below - 1 if below is not None else None)
            if high is None and below is None and low is not None and victims.count == 1:
                victims.age_max = low  # one child of one age
            break
        return victims

    def _joined_counts(self, folded: str, start: int, near: list[tuple[int, int, str | None, int | None]]) -> int:
        """The numbers stated by the child nouns that follow the one at `start`, each joined to
        the one before it by nothing but a joiner ("و", "et", "y")."""
        total = 0
        by_start = sorted(near)
        end = next(e for s, e, _, _ in by_start if s == start)
        for s, e, _sex, own in by_start:
            if s < end or own is None:
                continue
            gap = _key(folded[end:s])
            glued = not gap and any(folded.startswith(j, s) for j in self.lx.number_joiners)
            if gap not in self.lx.number_joiners and not glued:
                break  # "طفله الرضيع", "his child, the infant": one child named twice
            total += own
            end = e
        return total

    def _value(self, m: re.Match[str]) -> int | None:
        if m.group("vague"):
            key = _key(m.group("vague"))
            return self.lx.vague.get(key, self.lx.approximate.get(key))
        if m.group("digits"):
            figure, word = m.group("digits"), ""
            parts = figure.rsplit(None, 1)
            if len(parts) == 2 and _key(parts[1]) in self.lx.multipliers:
                figure, word = parts  # "300 mil"; but "1 000" is one figure
            factor = self.lx.multipliers.get(_key(word), 1) if word else 1
            if factor > 1 and re.fullmatch(r"\d+[.,]\d{1,2}", figure):
                return round(float(figure.replace(",", ".")) * factor)
            return int(re.sub(r"\D", "", figure)) * factor
        if m.group("words"):
            return self._words_value(m.group("words"))
        return None

    def _words_value(self, words: str) -> int | None:
        total = current = 0
        seen = False
        for word in re.split(r"[\s-]+", _key(words)):
            if self.lx.prefix and word not in self.lx.number_words and word not in self.lx.multipliers:
                # A glued conjunction or article ("وعشرين", "الأربع"); never cut from a number
                # word itself ("ألف" is not "ال" + "ف").
                for _glued, rest in self._variants(word)[1:]:
                    if rest in self.lx.number_words or rest in self.lx.multipliers:
                        word = rest
                        break
            if word in self.lx.number_joiners or not word:
                continue
            if word in self.lx.number_words:
                current += self.lx.number_words[word]
                seen = True
            elif word in self.lx.multipliers:
                factor = self.lx.multipliers[word]
                current = (current or 1) * factor
                if factor >= 1000:
                    total, current = total + current, 0
                seen = True
        return total + current if seen else None

    def _age(self, value: str | None, most: int = 18) -> int | None:
        if value is None:
            return None
        if value.isdigit():
            age = int(value)
        else:
            m = self._number.match(value)
            age = self._value(m) if m else None  # type: ignore[assignment]
        return age if age is not None and 0 <= age < most else None

    # ---- actors and sources ----------------------------------------------------------------

    def _lookup(self, table: dict[str, str], form: str) -> str:
        return _lookup(table, form, self.lx.articles)

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
        return next(a for a in groups if a[2] == best) if n >= 0.5 * sum(counts.values()) else None

    def _perpetrator(
        self,
        claim: Claim,
        piece: str,
        offset: int,
        text: str,
        where: array[int],
        trigger: tuple[int, int],
        actors_in_report: list[tuple[int, int, str]],
    ) -> None:
        def acting(pattern: re.Pattern[str]) -> list[re.Match[str]]:
            # Not "selon l'armée" (who speaks) nor "en Russie" (a place; "des combattants de
            # l'État islamique" do act).
            return [
                m
                for m in pattern.finditer(piece)
                if not self._spoken_by(piece, m.start())
                and not (self._countries.fullmatch(m.group()) and self._after_place_cue(piece, m.start()))
                and not self._targeted(piece, m.start())
            ]

        named = acting(self._actors)
        # "l'Armée de résistance du Seigneur" is a group, not "l'armée" of a state.
        states = [m for m in acting(self._state_forces) if not any(_overlap(m, a) for a in named)]
        found = named + states
        if found:
            for near in sorted(found, key=lambda m: abs(m.start() + offset - trigger[0])):
                try:
                    actor_id = self._lookup(self.lx.actors, near.group())
                except KeyError:  # a state's forces: the claim's country tells which
                    state = self._state_force_of.get(claim.location.country or "")
                    if state is None:
                        continue
                    actor_id = state
                actor = self.codebook.actor(actor_id)
                claim.perpetrator, claim.perpetrator_id = actor.name, actor.id
                claim.perpetrator_span = _span(text, where, near.start() + offset, near.end() + offset)
                return
            return
        if not found:
            described = acting(self._described)
            best = min(described, key=lambda m: abs(m.start() + offset - trigger[0])) if described else None
            refers = best is not None and _key(best.group()) in self.lx.refer_back
            # "les assaillants", or no one named or described: the armed group of the surrounding
            # discourse (named in the last 400 characters), else the one the report is about (as
            # in English, armed groups first: state forces are often named as responders).
            if best is None or refers:
                group = self._group_in_context(actors_in_report, offset)
                if group is not None:
                    actor = self.codebook.actor(group[2])
                    claim.perpetrator, claim.perpetrator_id = actor.name, actor.id
                    claim.perpetrator_span = _span(text, where, group[0], group[1])
                    return
            if best is not None:
                # Who the report says acted, in the codebook's English ("armed groups").
                claim.perpetrator = self._lookup(self.lx.described, best.group())
                claim.perpetrator_span = _span(text, where, best.start() + offset, best.end() + offset)
            return

    def _targeted(self, piece: str, start: int) -> bool:
        """Whether the words at `start` name whom an attack was against ("contra un campamento
        de las FARC", "ضد مواقع داعش"): a word of "against" at most four words before."""
        if self.lx.against is None:
            return False
        before = piece[max(0, start - 60) : start]
        return any(len(re.findall(r"\w+", before[m.end() :])) <= 4 for m in self.lx.against.finditer(before))

    def _spoken_by(self, piece: str, start: int) -> bool:
        """Whether the words at `start` name who speaks: a word of saying at most two words before."""
        if self.lx.source_cues is None:
            return False
        before = piece[max(0, start - 40) : start]
        for m in self.lx.source_cues.finditer(before):
            if self.lx.accusing is not None and self.lx.accusing.fullmatch(m.group()):
                continue  # "a accusé l'armée": the army is accused, not speaking
            between = re.findall(r"\w+", before[m.end() :])
            opens = any(w in self.lx.clause_openers or _strip(self.lx, w) in self.lx.clause_openers for w in between)
            if len(between) <= 2 and not opens:
                return True  # not "denunció que los hutíes...": what follows "que" is what was said
        return False

    def _source(self, piece: str, offset: int, text: str, where: array[int]) -> tuple[str, str | None, Span] | None:
        """The body a sentence quotes: a known form near a word of saying ("selon", "a déclaré")."""
        if self.lx.source_cues is None:
            return None
        windows = list(re.finditer(r"[^,:\"«»]+", piece))
        for i, window in enumerate(windows):
            if self.lx.source_cues.search(window.group()) is None:
                continue
            # The body is named in the words of saying, or just before them between commas
            # ("el Defensor del Pueblo, Carlos Camargo, informó que...").
            for near in (window, *reversed(windows[max(0, i - 2) : i])):
                source = self._source_in(near, offset, text, where)
                if source is not None:
                    return source
        return None

    def _source_in(
        self, window: re.Match[str], offset: int, text: str, where: array[int]
    ) -> tuple[str, str | None, Span] | None:
        """The first known body named in one comma-delimited window of a sentence."""
        m = self._sources.search(window.group())
        if m is None:
            return None
        form = self._lookup(self.lx.sources, m.group())
        try:
            source_id: str | None = self._lookup(self.lx.source_ids, m.group())
        except KeyError:
            source_id = None  # a source the codebook does not list ("witnesses"): named only
        s, e = m.start() + window.start() + offset, m.end() + window.start() + offset
        return form, source_id, _span(text, where, s, e)

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

    def _places(
        self, text: str, folded: str, where: array[int], named: Counter[str] | None = None
    ) -> list[_PlaceFound]:
        """Places named in the text; among places of one name, those in the country the
        report names most first. A village (under 100,000 people) counts only after a place
        word, and, when the report names countries, only in one of them: "Halle" is not read
        in a report about Syria."""
        prefer = named.most_common(1)[0][0] if named else None
        cue_ends = self._cue_ends(folded)
        found: list[_PlaceFound] = []
        # Words of an actor's name are not places ("Boko" of Boko Haram is a village somewhere).
        taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in self._actors.finditer(folded)]
        for m in self._countries.finditer(folded):
            if self._actors.fullmatch(m.group()) and not self._after_place_cue(folded, m.start()):
                continue  # "Israël a ciblé": the state acting, not the place
            place = self.gazetteer.country(self._lookup(self.lx.countries, m.group()))
            if place is not None:
                found.append(_PlaceFound(m.start(), m.end(), place, True))
                taken.append((m.start(), m.end()))
        for start, end in self._place_candidates(text, folded, where, cue_ends):
            if any(a < end and start < b for a, b in taken):
                continue
            name = folded[start:end]
            if _key(name) in self.lx.not_places:
                continue
            cued = start in cue_ends
            for glued, candidate in self._variants(name):
                here = cued or bool(glued and self.lx.place_cues and self.lx.place_cues.fullmatch(glued))
                if not here and not self.lx.capitalised_places:
                    continue  # no capitals to tell a name from a word: only after a place word
                if not self.lx.capitalised_places and len(candidate.replace(" ", "")) < 3:
                    continue  # "سن" (age) is some town's abbreviation, never a place here
                if not self.gazetteer.is_name(candidate):
                    continue
                hits = [p for p in self.gazetteer.lookup(candidate) if p.kind != "country"]
                if not hits:
                    continue
                best = min(hits, key=lambda p: p.country != prefer) if prefer else hits[0]
                small = best.kind == "place" and best.population < 100_000
                if not here and (not self.lx.capitalised_places or small):
                    # An unknown word that a village somewhere is named after; without capitals
                    # to tell names from words, only a place where the text puts something counts.
                    break
                # Outside the countries the report names: a village never; without capitals, only
                # a large city (many Arabic words are also some town's name).
                # A word cut from its glued letters ("بابا" → "ابا", Aba) names no city abroad.
                abroad = named is not None and bool(named) and best.country not in named
                uncapitalised = not self.lx.capitalised_places
                if abroad and (small or (uncapitalised and (glued or best.population < _LARGE_CITY))):
                    break
                found.append(_PlaceFound(start, end, best, here))
                taken.append((start, end))
                break
        found.sort(key=lambda p: p.start)
        return found

    def _variants(self, name: str) -> list[tuple[str, str]]:
        """The name as written, then without each run of letters the language glues before
        words ("وبحلب" → "بحلب", "حلب"), longest name first, with what was taken off."""
        out = [("", name)]
        if self.lx.prefix:
            glued = re.compile(self.lx.prefix)
            for k in range(1, min(5, len(name) - 2)):
                if glued.fullmatch(name[:k]):
                    out.append((name[:k], name[k:]))
        return out

    def _place_candidates(self, text: str, folded: str, where: array[int], cue_ends: set[int]) -> list[tuple[int, int]]:
        """Spans of the folded text that may name a place, longest first within each name:
        capitalised words, or, in a script without capitals, the words after a place word."""
        spans: list[tuple[int, int]] = []
        if self.lx.capitalised_places:
            starts = {w: i for i, w in enumerate(where)}
            for m in _LATIN_NAME.finditer(text):
                a, b = starts.get(m.start()), starts.get(m.end() - 1)
                if a is None or b is None:
                    continue
                tokens = [(t.start() + a, t.end() + a) for t in re.finditer(r"[\w'-]+", folded[a : b + 1])]
                spans.extend(_ngrams(tokens))
        else:
            tokens = [(t.start(), t.end()) for t in re.finditer(r"\w+", folded) if not t.group().isdigit()]
            for i, (start, end) in enumerate(tokens):
                if start in cue_ends or self._glued_cue(folded[start:end]):
                    spans.extend((start, tokens[j][1]) for j in range(min(i + 2, len(tokens) - 1), i - 1, -1))
        return spans

    @lru_cache(maxsize=20_000)  # noqa: B019  # one extractor per language, kept for the process
    def _glued_cue(self, word: str) -> bool:
        """Whether a place word is glued before the rest of `word` ("بحلب": ب, "in")."""
        return any(
            glued and self.lx.place_cues is not None and self.lx.place_cues.fullmatch(glued)
            for glued, _ in self._variants(word)[1:]
        )

    def _cue_ends(self, folded: str) -> set[int]:
        """Where a word may start that a place word ("à", "dans", "في") stands before."""
        if self.lx.place_cues is None:
            return set()
        # A quotation mark may open the name ("في “لحج – صبر”").
        cue = rf"(?:{self.lx.place_cues.pattern})\s+[\"']?\s*(?:l'|la\s+|le\s+)?"
        return {m.end() for m in re.finditer(cue, folded, re.I)}

    def _after_place_cue(self, folded: str, start: int) -> bool:
        if self.lx.place_cues is None:
            return False
        before = folded[max(0, start - 25) : start]
        return any(
            m.end() >= len(before.rstrip()) - 0 and before[m.end() :].strip() in ("", "l'", "la", "le")
            for m in self.lx.place_cues.finditer(before)
        )

    def _location(
        self,
        here: list[_PlaceFound],
        everywhere: list[_PlaceFound],
        offset: int,
        main_country: str | None,
        text: str,
        where: array[int],
    ) -> Location:
        """The most specific place the sentence names, with its span (so that merging tells two
        towns of one report apart), else the last one named before it, else the country."""
        if not here:
            before = [p for p in everywhere if p.start < offset and p.place.kind != "country"]
            country = main_country
            before = [p for p in before if country is None or p.place.country == country]
            if before:
                here = [before[-1]]  # the last place named before: where the report is
            elif country is not None:
                return Location(country=country, precision="country")
            else:
                return Location()
        best = min(here, key=lambda p: (_ORDER[p.place.kind], not p.cued, p.start))
        p = best.place
        loc = Location(country=p.country, lat=p.lat, lon=p.lon, precision=p.kind, place_id=p.id)
        loc.span = _span(text, where, best.start, best.end)
        if p.kind == "place":
            loc.name = p.name
            admin = next((q for q in here if q.place.kind == "admin1" and q.place.country == p.country), None)
            loc.admin1 = admin.place.name if admin else p.admin1
        elif p.kind == "admin1":
            loc.admin1 = p.name
        return loc

    # ---- dates and kinds -------------------------------------------------------------------

    def _date(self, piece: str, offset: int, text: str, where: array[int], published: str | None) -> DateRange | None:
        day = _latest_day(published)
        best: DateRange | None = None
        for m in self._dates.finditer(piece):
            span = _span(text, where, m.start() + offset, m.end() + offset)
            g = m.groupdict()
            found: DateRange | None = None
            if g["hmonth"]:
                # A Hijri date ("12 شوال 1436"): the Gregorian day of the tabular Islamic calendar.
                hmonth = _lookup_int(self.lx.hijri_months, self.lx, g["hmonth"])
                when = hijri_to_gregorian(int(g["hyear"]), hmonth, int(g["hday"])) if hmonth else None
                if when is None:
                    continue
                found = DateRange(when.isoformat(), when.isoformat(), "day", span)
            elif g["day"] and g["month"]:
                month = _lookup_int(self.lx.months, self.lx, g["month"])
                year = int(g["year"]) if g["year"] else (day.year if day else None)
                if month is None or year is None:
                    continue
                try:
                    when = date(year, month, int(g["day"]))
                except ValueError:
                    continue
                if not g["year"] and day is not None and when > day:
                    when = date(year - 1, month, int(g["day"])) if not (month == 2 and when.day == 29) else when
                found = DateRange(when.isoformat(), when.isoformat(), "day", span)
            elif g["month2"]:
                month = _lookup_int(self.lx.months, self.lx, g["month2"])
                if month is None:
                    continue
                iso = f"{int(g['year2']):04d}-{month:02d}"
                found = DateRange(iso, iso, "month", span)
            elif g["weekday"] and day is not None:
                weekday = _lookup_int(self.lx.weekdays, self.lx, g["weekday"])
                if weekday is None:
                    continue
                back = (day.weekday() - weekday) % 7
                when = day - timedelta(days=back)
                found = DateRange(when.isoformat(), when.isoformat(), "day", span)
            elif g["relative"] and day is not None:
                when = day - timedelta(days=self.lx.relative_days.get(_key(g["relative"]), 0))
                found = DateRange(when.isoformat(), when.isoformat(), "day", span)
            elif g["year3"] and best is None:
                last = self._year_to.match(piece, m.end())
                if last is not None and int(g["year3"]) < int(last.group(1)) <= int(g["year3"]) + 50:
                    # "entre 2019 y 2023", "de 2014 à 2016": the years between.
                    span = _span(text, where, m.start() + offset, last.end() + offset)
                    found = DateRange(g["year3"], last.group(1), "range", span)
                else:
                    found = DateRange(g["year3"], g["year3"], "year", span)
            until = self._until(piece, m.end(), found) if found is not None and found.precision == "day" else None
            if found is not None and until is not None:
                # "منذ 17 يوليو حتى 19 منه", "du 3 au 5 mars": a period of days.
                found = DateRange(found.start, until.isoformat(), "range", span)
            elif found is not None and day is not None and self._opens_period(piece, m.start()):
                # "depuis mars 2015", "منذ آذار": from then until the report.
                found = DateRange(found.start, day.isoformat(), "range", span)
            if found is not None and (best is None or best.precision == "year"):
                best = found
        if (best is None or best.precision == "year") and day is not None:
            for pattern in self._month_alone:
                alone = pattern.search(piece)
                month = _lookup_int(self.lx.months, self.lx, alone.group("month")) if alone else None
                if alone is None or month is None:
                    continue
                year = day.year if month <= day.month else day.year - 1  # "last April": the latest April
                iso = f"{year:04d}-{month:02d}"
                return DateRange(iso, iso, "month", _span(text, where, alone.start() + offset, alone.end() + offset))
        return best

    def _until(self, piece: str, end: int, found: DateRange) -> date | None:
        """The last day of a period whose first day was just read: a word of "until" and a
        day of the same month, or a day and a month ("au 5 mars"), right after it."""
        if self._until_day is None or found.start is None:
            return None
        m = self._until_day.match(piece, end)
        if m is None:
            return None
        first = date.fromisoformat(found.start)
        month = _lookup_int(self.lx.months, self.lx, m.group("month")) if m.group("month") else first.month
        try:
            last = date(first.year, month or first.month, int(m.group("day")))
        except ValueError:
            return None
        return last if 0 < (last - first).days <= 366 else None

    def _opens_period(self, piece: str, start: int) -> bool:
        """Whether a word of a period ("depuis", "desde", "منذ") stands just before `start`."""
        if self.lx.since is None:
            return False
        before = piece[max(0, start - 25) : start]
        # At most an article between ("desde el 7 de octubre", "depuis le 3 mars").
        return any(len(before[m.end() :].strip(" ,'")) <= 3 for m in self.lx.since.finditer(before))

    def _lede_date(self, folded: str, lede: list[tuple[int, int]], published: str | None) -> DateRange | None:
        """The day the report's opening tells its news on: a day at most a month before publication."""
        if not published or len(published) < 10:
            return None
        day = date.fromisoformat(published[:10])
        for start, end in lede:
            found = self._date(folded[start:end], start, folded, array("l", range(len(folded) + 1)), published)
            if found is None or found.precision not in ("day", "range") or found.start is None:
                continue
            if len(found.start) == 10 and 0 <= (day - date.fromisoformat(found.start)).days <= 31:
                return DateRange(found.start, found.end, found.precision, None)  # a day, or days ("17 to 19 July")
        return None

    def _kind(self, piece: str, claim: Claim) -> str:
        if self.lx.aggregate_cues is not None and self.lx.aggregate_cues.search(piece):
            return "aggregate"
        if self.lx.pattern_cues is not None and self.lx.pattern_cues.search(piece):
            return "pattern" if claim.victims.count is None else "aggregate"
        if (
            claim.victims.count is not None
            and claim.victims.count >= 100
            and self.lx.since
            and self.lx.since.search(piece)
        ):
            return "aggregate"
        return "incident"


# ---- helpers -------------------------------------------------------------------------------


def _merge(claims: list[Claim], published: str | None) -> list[Claim]:
    """Mentions of one event merged as in English (`extract.merge`), except that two mentions
    stating different figures of children stay apart: the English rules that tell a second
    event from a recap ("another attack", "also killed") read English words only, so in
    other languages the figures are what tell "36 killed by government forces" from "two
    killed by al-Nusra" in the same report. An unfigured mention joins the first event."""
    figures: dict[int | None, list[Claim]] = {}
    for claim in claims:
        figures.setdefault(claim.victims.count, []).append(claim)
    unfigured = figures.pop(None, [])
    if not figures:
        return merge_mentions(unfigured, published)
    merged: list[Claim] = []
    for i, group in enumerate(figures.values()):
        merged.extend(merge_mentions(group + (unfigured if i == 0 else []), published))
    return sorted(merged, key=lambda c: c.evidence.start)


def hijri_to_gregorian(year: int, month: int, day: int) -> date | None:
    """The Gregorian date of a day of the tabular (arithmetical) Islamic calendar, which
    official Hijri dates follow to within a day or two; None for an impossible date."""
    if not (1 <= month <= 12 and 1 <= day <= 30):
        return None
    # Days since the epoch (16 July 622, Julian), 30-year cycles of 10,631 days, 11 leap years.
    days = day + math.ceil(29.5 * (month - 1)) + (year - 1) * 354 + (3 + 11 * year) // 30
    julian_day = days + 1948439 - 1
    return date.fromordinal(julian_day - 1721425)


def _magnitude(low: int) -> str:
    """The English word for a vague amount, as the English extractor records it."""
    return "several" if low < 10 else "dozens" if low < 100 else "hundreds" if low < 1000 else "thousands"


def _published(document: Document) -> str | None:
    """The report's publication day, or the month or year it gives when it names no day
    (ingest keeps "2022-05" aside, in metadata["published_raw"]): still an upper bound."""
    if document.published:
        return document.published
    raw = document.metadata.get("published_raw") if document.metadata else None
    if isinstance(raw, str) and re.fullmatch(r"(?:19|20)\d\d(?:-(?:0[1-9]|1[0-2]))?", raw.strip()):
        return raw.strip()
    return None


def _latest_day(published: str | None) -> date | None:
    """The publication day, or the last day a partial one may stand for ("2020-12" → 31 December)."""
    if not published:
        return None
    try:
        if len(published) >= 10:
            return date.fromisoformat(published[:10])
        year, _, month = published.partition("-")
        if month:
            return date(int(year), int(month), monthrange(int(year), int(month))[1])
        return date(int(year), 12, 31)
    except ValueError:
        return None


def _key(text: str) -> str:
    return " ".join(re.sub(r"[^\w']+", " ", text.lower()).split())


def _strip(lx: LanguageLexicon, key: str) -> str:
    """A form without the letters glued before it (Arabic "وبحلب" → "حلب")."""
    if not lx.prefix:
        return key
    return re.sub(rf"^(?:{lx.prefix})", "", key, count=1, flags=re.IGNORECASE) or key


def _lookup(table: dict[str, str], form: str, articles: tuple[str, ...] = ()) -> str:
    """The value of the form a match found: its key, else the longest key it ends with (a
    glued prefix), with the article spelt either way ("للمرصد" is "ل" + "المرصد")."""
    key = _key(form)
    if key in table:
        return table[key]
    for k in sorted(table, key=len, reverse=True):
        if key.endswith(k):
            return table[k]
        if articles and k.startswith(articles[0]):
            rest = k[len(articles[0]) :]
            if any(key.endswith(a + rest) for a in articles[1:]):
                return table[k]
    raise KeyError(form)


def _lookup_int(table: dict[str, int], lx: LanguageLexicon, form: str) -> int | None:
    key = _key(form)
    return table.get(key, table.get(_strip(lx, key)))


def _phrases(table: dict[str, str], glued: str, articles: tuple[str, ...] = ()) -> re.Pattern[str]:
    """One pattern for every form of a table, longest first, as whole words; a form that
    starts with the article may start with any of its spellings."""
    forms = sorted(table, key=len, reverse=True)
    if not forms:
        return re.compile("(?!x)x")
    article = f"(?:{'|'.join(re.escape(a) for a in articles)})" if articles else ""

    def spelt(form: str) -> str:
        # Words of a form may be written apart or hyphenated ("Haut-Commissariat").
        if articles and form.startswith(articles[0]):
            return article + r"[\s-]+".join(re.escape(w) for w in form[len(articles[0]) :].split())
        return r"[\s-]+".join(re.escape(w) for w in form.split())

    alternation = "|".join(spelt(f) for f in forms)
    return re.compile(rf"(?<![\w-]){glued}(?:{alternation})(?!\w)", re.IGNORECASE)


def _sentences(folded: str) -> list[tuple[int, int]]:
    out = []
    start = 0
    for m in _SENTENCE_END.finditer(folded):
        if folded[start : m.start()].strip():
            out.append((start, m.start()))
        start = m.end()
    if folded[start:].strip():
        out.append((start, len(folded)))
    return out


def _overlap(a: re.Match[str], b: re.Match[str]) -> bool:
    return a.start() < b.end() and b.start() < a.end()


def _words_between(folded: str, a: tuple[int, int], b: tuple[int, int]) -> int:
    lo, hi = (a[1], b[0]) if a[0] <= b[0] else (b[1], a[0])
    if hi <= lo:
        return 0
    return len(re.findall(r"\w+", folded[lo:hi]))


def _ngrams(tokens: list[tuple[int, int]], most: int = 3) -> list[tuple[int, int]]:
    spans = []
    for i in range(len(tokens)):
        for n in range(most, 0, -1):
            if i + n <= len(tokens):
                spans.append((tokens[i][0], tokens[i + n - 1][1]))
    return spans


def _span(text: str, where: array[int], start: int, end: int) -> Span:
    a = where[start]
    b = where[end - 1] + 1 if end > start else a
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return Span(a, b, text[a:b])
