"""Places in the reports of a language read with its file: its country names, and the
gazetteer's names after a place word (or capitalised, in a Latin script), each claim placed
where its sentence says, else where the report is.

    reader = PlaceReader(load_language("ar"), gazetteer, actors, countries)
    found = reader.find(text, folded, where, named)   # [PlaceFound], in text order
    reader.location(here, found, offset, country, text, where)   # a claim's Location
"""

from __future__ import annotations

import re
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from childwatch.codebook.gazetteer import Gazetteer, Place
from childwatch.codebook.languages import LanguageLexicon, fold
from childwatch.extract.lexical import key, lookup, lookup_int, ngrams, span, variants
from childwatch.extract.romanise import romanise
from childwatch.records import Location

__all__ = ["PlaceFound", "PlaceReader"]

_PARTICLE = r"(?:de la|de los|del|de|du|des|la|le|el|al|ad|as|ash|ar|d'|l')"
_LATIN_NAME = re.compile(rf"[A-ZÀ-ÝĀ-Ž][\w'’-]*(?:\s+(?:{_PARTICLE}\s*)?[A-ZÀ-ÝĀ-Ž][\w'’-]*){{0,3}}")
# Between a word for a town and its name: a quotation mark, an article.
_BEFORE_NAME = re.compile(r"\s+[\"'«“]?\s*((?:l'|la\s+|le\s+|el\s+)?)")
_WORD = re.compile(r"\w+")
# After a dateline's city: the agency in brackets, a dash or a comma ("BAMAKO (AFP) -").
_DATELINE = re.compile(r"\s*(?:\([^)]{1,30}\)\s*)?[-–—,:]")
_DATELINE_DASH = re.compile(r"(?:,[^\n(.]{1,30})?\s*(?:\([^)]{1,30}\)\s*)?[-–—]\s")
_ORDER = {"place": 0, "admin1": 1, "country": 2}
# Outside the countries a report names, a place in a script without capitals must be a city
# this large to be read (many Arabic words are also some town's name).
_LARGE_CITY = 1_000_000
_CITY = 100_000  # no village is this large


@dataclass(frozen=True, slots=True)
class PlaceFound:
    start: int
    end: int
    place: Place
    cued: bool  # after a word such as "à", "dans", "في"


class PlaceReader:
    """One language's place words and country names with the gazetteer."""

    def __init__(
        self, lexicon: LanguageLexicon, gazetteer: Gazetteer, actors: re.Pattern[str], countries: re.Pattern[str]
    ) -> None:
        self.lx = lexicon
        self.gazetteer = gazetteer
        self._actors = actors
        self._countries = countries
        # A place word, then where a name may start: after an article, or a quotation mark
        # opening it ("في “لحج – صبر”").
        self._cue = (
            re.compile(rf"(?:{lexicon.place_cues.pattern})\s+[\"']?\s*(?:l'|la\s+|le\s+)?", re.IGNORECASE)
            if lexicon.place_cues is not None
            else None
        )

    def find(
        self,
        text: str,
        folded: str,
        where: array[int],
        named: Counter[str] | None = None,
        actors: list[re.Match[str]] | None = None,
        countries: list[re.Match[str]] | None = None,
        lands: frozenset[str] = frozenset(),
    ) -> list[PlaceFound]:
        """Places named in the text; among places of one name, those in the country the
        report names most first. A village (under 100,000 people) counts only after a place
        word, and, when the report names countries, only in one of them: "Halle" is not read
        in a report about Syria. `actors` and `countries`: the matches of those patterns in
        `folded`, when the caller has them already; `lands`: where the actors it names act."""
        cue_ends = self._cue_ends(folded)
        villages = self._after_settlement(folded)
        candidates = self._place_candidates(text, folded, where, cue_ends)
        # The countries of the provinces the report names count as named too ("Suárez, Cauca"
        # is in Colombia, though the report never says "Colombia"); where it names neither, the
        # countries of the cities it names after a place word, where one country is sure ("في
        # دمشق"): then "حي الميدان" is a quarter of a Syrian town, not Medan in Indonesia.
        named = Counter(named or ()) + self._provinces_countries(folded, candidates, cue_ends, cities=False)
        if not named:
            towns = [c for c in candidates if c[0] not in villages]
            named = self._provinces_countries(folded, towns, cue_ends, cities=True)
        prefer = named.most_common(1)[0][0] if named else None
        found: list[PlaceFound] = []
        # Words of an actor's name are not places ("Boko" of Boko Haram is a village somewhere).
        acting = self._actors.finditer(folded) if actors is None else actors
        taken: list[tuple[int, int]] = [(m.start(), m.end()) for m in acting]
        for m in self._countries.finditer(folded) if countries is None else countries:
            if self._actors.fullmatch(m.group()) and not self.after_cue(folded, m.start()):
                continue  # "Israël a ciblé": the state acting, not the place
            code = lookup(self.lx.countries, m.group(), self.lx.articles)
            place = self.gazetteer.country(code)
            # A territory the report's language names like a country, which the gazetteer knows as
            # a part of it ("الضفة الغربية", "Cisjordanie": the West Bank, in Palestine).
            written = text[where[m.start()] : where[m.end() - 1] + 1]
            spellings = [s for glued, c in variants(self.lx, m.group()) for s in (written[len(glued) :], c)]
            named_alike = self._names(*spellings)
            province = [p for p in named_alike if p.kind != "country" and p.country == code]
            if province and not any(p.kind == "country" for p in named_alike):
                place = province[0]  # (not "Colombia", a town of Huila as well as the country)
            # A province whose name ends with the country's ("جنوب لبنان", "أقصى شمال الكاميرون").
            start = m.start()
            for s0, e0, _partial in sorted(c for c in candidates if c[1] == m.end() and c[0] < m.start()):
                said = text[where[s0] : where[e0 - 1] + 1]
                wider = [p for p in self._names(said, folded[s0:e0]) if p.country == code]
                if wider and wider[0].kind != "country":
                    place, start = wider[0], s0
                    break
            if place is not None:
                found.append(PlaceFound(start, m.end(), place, True))
                taken.append((start, m.end()))
        for start, end, partial in candidates:
            if any(a < end and start < b for a, b in taken):
                continue
            name = folded[start:end]
            if key(name) in self.lx.not_places or lookup_int(self.lx.months, self.lx, name) is not None:
                continue  # "في نيسان": in April, not a town called Nissan
            cued = start in cue_ends
            if partial and not cued:
                continue
            for glued, candidate in variants(self.lx, name):
                here = cued or bool(glued and self.lx.place_cues and self.lx.place_cues.fullmatch(glued))
                if not here and not self.lx.capitalised_places:
                    continue  # no capitals to tell a name from a word: only after a place word
                if not self.lx.capitalised_places and len(candidate.replace(" ", "")) < 3:
                    continue  # "سن" (age) is some town's abbreviation, never a place here
                # The gazetteer compares names its own way; the report's own spelling first
                # (folding wrote ى as ي and أ as ا, which the gazetteer's Arabic names keep).
                written = text[where[start + len(glued)] : where[end - 1] + 1]
                looked = next((c for c in (written, candidate) if self.gazetteer.is_name(c)), None)
                if looked is None:
                    continue
                hits = [p for p in self.gazetteer.lookup(looked) if p.kind != "country"]
                if not hits:
                    continue
                if start in villages:
                    # "قرية دوما جنوب نابلس", "le village de X": a village, not a city of its name.
                    hits = [p for p in hits if p.kind != "place" or p.population < _CITY]
                    if not hits:
                        break
                    # Villages of one name: the one where the report's actors act ("settlers").
                    hits.sort(key=lambda p: p.country not in lands)
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
                if small and not named and lands and best.country not in lands:
                    # Where the report names no country, the lands of the actors it names stand
                    # in: "des soldats maliens à Moura" is not Moura in Portugal.
                    break
                uncapitalised = not self.lx.capitalised_places
                if abroad and (small or (uncapitalised and (glued or best.population < _LARGE_CITY))):
                    break
                if abroad and not uncapitalised and key(fold(best.name)[0]) != key(candidate):
                    break  # a city abroad under another of its names: "à Boni" (Mali) is not Bonn
                found.append(PlaceFound(start, end, best, here))
                taken.append((start, end))
                break
        found.sort(key=lambda p: p.start)
        return found

    @staticmethod
    def _as_written(
        town: tuple[int, int], admin: Place | None, country: str | None, text: str, where: array[int]
    ) -> Location:
        """A town the gazetteer lacks, by its name as the report writes it, in Latin letters
        when written in Arabic (`romanise`); its span quotes the report."""
        start, end = town
        return Location(
            name=romanise(text[where[start] : where[end - 1] + 1]),
            admin1=admin.name if admin else None,
            country=admin.country if admin else country,
            precision="place",
            span=span(text, where, start, end),
        )

    def _after_settlement(self, folded: str) -> set[int]:
        """Where names start after a word for a village, a quarter or a camp ("قرية", "village de")."""
        if self.lx.settlements is None:
            return set()
        starts: set[int] = set()
        for m in self.lx.settlements.finditer(folded):
            if self.lx.articles and any(a in m.group() for a in self.lx.articles):
                continue  # "في القرية أمس": the village told before; a name follows "قرية" bare
            after = _BEFORE_NAME.match(folded, m.end())
            if after is not None:
                starts.update((after.start(1), after.end()))
        return starts

    def _names(self, *spellings: str) -> list[Place]:
        """The gazetteer's places of the first spelling it knows, the report's own first."""
        for name in spellings:
            if self.gazetteer.is_name(name):
                return self.gazetteer.lookup(name)
        return []

    def _provinces_countries(
        self, folded: str, candidates: list[tuple[int, int, bool]], cue_ends: set[int], cities: bool
    ) -> Counter[str]:
        """The countries of the admin1 divisions (provinces, governorates) the text names, and
        with `cities` of the cities it names after a place word, where the name's cities are
        in one country."""
        countries: Counter[str] = Counter()
        for start, end, partial in candidates:
            name = folded[start:end]
            if partial or key(name) in self.lx.not_places or lookup_int(self.lx.months, self.lx, name) is not None:
                continue  # "في آب" (in August) is not Yemen's Ibb governorate
            if not self.lx.capitalised_places and start not in cue_ends:
                continue
            if self.gazetteer.is_name(name):
                places = [p for p in self.gazetteer.lookup(name) if p.kind != "country"]
                admin1 = {p.country for p in places if p.kind == "admin1"}
                if cities and not admin1 and start in cue_ends:
                    # The one city of the name ("نابلس": Nablus, not the villages called Naples);
                    # a name that only villages bear says nothing.
                    admin1 = {p.country for p in places if p.population >= _CITY}
                if len(admin1) == 1:
                    countries[admin1.pop()] += 1
        return countries

    def _place_candidates(
        self, text: str, folded: str, where: array[int], cue_ends: set[int]
    ) -> list[tuple[int, int, bool]]:
        """Spans of the folded text that may name a place, longest first within each name:
        capitalised words, or, in a script without capitals, the words after a place word;
        each with whether it is part of a longer run of capitalised words (a person's name,
        "Adama Fomba", is not the Ethiopian city of Adama unless a place word says so)."""
        spans: list[tuple[int, int, bool]] = []
        if self.lx.capitalised_places:
            starts = {w: i for i, w in enumerate(where)}
            for m in _LATIN_NAME.finditer(text):
                a, b = starts.get(m.start()), starts.get(m.end() - 1)
                if a is None or b is None or (_DATELINE.match(text, m.end()) and _opens_line(text, m)):
                    continue  # "OUAGADOUGOU (AFP) -": where the report was filed, not where it happened
                tokens = [(t.start() + a, t.end() + a) for t in re.finditer(r"[\w'-]+", folded[a : b + 1])]
                whole = (tokens[0][0], tokens[-1][1]) if tokens else None
                # Capitalised words only, no particle ("Adama Fomba", not "Franja de Gaza").
                person_like = len(tokens) > 1 and all(folded[s] != text[where[s]] for s, _ in tokens)
                spans.extend((s, e, person_like and (s, e) != whole) for s, e in ngrams(tokens))
        else:
            tokens = [(t.start(), t.end()) for t in re.finditer(r"\w+", folded) if not t.group().isdigit()]
            for i, (start, end) in enumerate(tokens):
                if start in cue_ends or self._glued_cue(folded[start:end]):
                    last = min(i + 2, len(tokens) - 1)
                    spans.extend((start, tokens[j][1], False) for j in range(last, i - 1, -1))
        return spans

    @lru_cache(maxsize=20_000)  # noqa: B019  # one extractor per language, kept for the process
    def _glued_cue(self, word: str) -> bool:
        """Whether a place word is glued before the rest of `word` ("بحلب": ب, "in")."""
        return any(
            glued and self.lx.place_cues is not None and self.lx.place_cues.fullmatch(glued)
            for glued, _ in variants(self.lx, word)[1:]
        )

    def _cue_ends(self, folded: str) -> set[int]:
        """Where a word may start that a place word ("à", "dans", "في") stands before."""
        if self._cue is None:
            return set()
        return {m.end() for m in self._cue.finditer(folded)}

    def after_cue(self, folded: str, start: int) -> bool:
        """Whether a place word stands right before `start` ("en Russie", "في حلب")."""
        if self.lx.place_cues is None:
            return False
        before = folded[max(0, start - 25) : start]
        tail = len(before.rstrip())
        return any(m.end() >= tail for m in self.lx.place_cues.finditer(before))

    def unknown(self, text: str, folded: str, where: array[int], found: list[PlaceFound]) -> list[tuple[int, int]]:
        """Names the gazetteer lacks after a word for a town ("le village de Bourasso",
        "قرية العيسوية"): spans of the folded text, to be given as written."""
        if self.lx.settlements is None:
            return []
        spans = []
        cues = self.lx.place_cues
        starts = {w: i for i, w in enumerate(where)} if self.lx.capitalised_places else {}
        for m in self.lx.settlements.finditer(folded):
            if self.lx.articles and any(a in m.group() for a in self.lx.articles):
                continue  # "في القرية أمس": the village told before; a name follows "قرية" bare
            after = _BEFORE_NAME.match(folded, m.end())
            if after is None:
                continue
            at = after.end()
            if self.lx.capitalised_places and text[where[after.start(1)]].isupper():
                at = after.start(1)  # a capitalised article is the name's own ("La Palmichosa")
            if self.lx.capitalised_places:
                written = _LATIN_NAME.match(text, where[at]) if at < len(where) else None
                last = starts.get(written.end() - 1) if written else None
                if last is None:
                    continue
                end = last + 1
            else:
                word = _WORD.match(folded, at)
                if word is None:
                    continue
                end = word.end()
            name = folded[at:end]
            if name.isdigit() or key(name) in self.lx.not_places or (cues and cues.fullmatch(name)):
                continue  # "قرية شمالي الكاميرون": a village in the north, not one called "north"
            if any(p.start < end and at < p.end for p in found) or self._actors.match(folded, at):
                continue
            spans.append((at, end))
        return spans

    def location(
        self,
        clause: tuple[int, int],
        everywhere: list[PlaceFound],
        unknown: Sequence[tuple[int, int]],
        main_country: str | None,
        text: str,
        where: array[int],
    ) -> Location:
        """The most specific place the clause names, with its span (so that merging tells two
        towns of one report apart); a town the gazetteer lacks by its name as written, in the
        province and country the clause names; else the last place named before it, else the
        place the report names most, else the country."""
        start, end = clause
        here = [p for p in everywhere if start <= p.start < end]
        town = next((u for u in unknown if start <= u[0] < end), None)
        if town is not None and not any(p.place.kind == "place" for p in here):
            admin = next((p.place for p in here if p.place.kind == "admin1"), None)
            country = admin.country if admin else next((p.place.country for p in here), None) or main_country
            return self._as_written(town, admin, country, text, where)
        if not here:
            country = main_country
            known = [p for p in everywhere if p.place.kind != "country" and country in (None, p.place.country)]
            before = [p for p in known if p.start < start]
            town = next((u for u in reversed(unknown) if u[0] < start), None)
            if town is not None and (not before or before[-1].start < town[0]):
                # The town the gazetteer lacks, named last before: where the report is.
                near = [p for p in everywhere if p.start < town[0] + 200 and town[0] <= p.start]
                admin = next((p.place for p in near if p.place.kind == "admin1"), None)
                return self._as_written(town, admin, main_country, text, where)
            if before:
                here = [before[-1]]  # the last place named before: where the report is
            elif known:
                # Named only later ("... in a village near Nablus"): the place named most.
                counts = Counter(p.place.id for p in known)
                here = [max(known, key=lambda p: (counts[p.place.id], -p.start))]
            elif country is not None:
                return Location(country=country, precision="country")
            else:
                return Location()
        provinces = {(q.place.country, q.place.name) for q in here if q.place.kind == "admin1"}

        def rank(p: PlaceFound) -> tuple[bool, int, bool, bool, int]:
            # A place in the report's country before one abroad ("À Paris, l'Unicef a dénoncé la
            # mort de trois enfants à Gao"); a town in the province the sentence names first
            # ("Tumaco (Nariño)").
            abroad = main_country is not None and p.place.country != main_country
            outside = bool(provinces) and p.place.kind == "place" and (p.place.country, p.place.admin1) not in provinces
            return (abroad, _ORDER[p.place.kind], outside, not p.cued, p.start)

        best = min(here, key=rank)
        p = best.place
        loc = Location(country=p.country, lat=p.lat, lon=p.lon, precision=p.kind, place_id=p.id)
        loc.span = span(text, where, best.start, best.end)
        if p.kind == "place":
            loc.name = p.name
            # The province the sentence names with the town, when the town is in it or the
            # gazetteer does not say where the town is ("dans les territoires de Rutshuru ...,
            # accuse Kinshasa": Kinshasa speaks; Rutshuru stays in North Kivu).
            province = next(
                (
                    q
                    for q in here
                    if q.place.kind == "admin1" and q.place.country == p.country and p.admin1 in (None, q.place.name)
                ),
                None,
            )
            loc.admin1 = province.place.name if province else p.admin1
        elif p.kind == "admin1":
            loc.admin1 = p.name
        return loc


def _opens_line(text: str, m: re.Match[str]) -> bool:
    """A name that opens a line near the top: a dateline's city, in capitals ("BAMAKO,") or,
    as agencies also write it, capitalised before a dash ("Bamako (AFP) -", "Goma, 3 mai -")."""
    line = text.rfind("\n", 0, m.start()) + 1
    if m.start() >= 300 or text[line : m.start()].strip() or len(m.group()) <= 2:
        return False
    return m.group().isupper() or _DATELINE_DASH.match(text, m.end()) is not None
