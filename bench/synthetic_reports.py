"""Synthetic reports for the resolution benchmark (`resolve_bench.py`): documents with
their claims, and the event each claim reports (the ground truth), from a fixed seed.

Events are spread over 40 countries (a few much busier than the rest, as real conflicts
are), the 7 violations and ten years (2015-2024; `years` sets another span, ending in
2024, for an archive that grows in time rather than in density). Each is reported by 1-6 documents, most
by one or two, and every report words it its own way: another outlet, another sentence,
the count revised, the place or the date left out or given only to the month or the
year, another source quoted, the perpetrator unnamed. Some documents are roundups of two
or three events of one country; a few are syndicated copies of another document (the
same text under a credit line), as wire stories are.

Places are gazetteer-like (`gn:` ids, coordinates around their province's centre);
perpetrators, sources and outlets are invented (`grp_SY_3`, `src_xhr`,
`outletN.example.org`). Perpetrator names are made of words resolution ignores
("Northern Army", as codebook names are); place and province names are invented,
distinctive words, as real ones are. A claim's evidence is its sentence, a verbatim slice
of its document's text, and its fields' spans point into it.
"""

from __future__ import annotations

import hashlib
import random
from array import array
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import date

import numpy as np

from childwatch.records import VIOLATIONS, Claim, DateRange, Document, Location, Span, Victims

# (ISO alpha-2, name as written in reports, latitude, longitude): most reported first.
COUNTRIES = (
    ("SY", 35.0, 38.5), ("AF", 33.9, 67.7), ("YE", 15.6, 48.0), ("SO", 5.2, 46.2), ("CD", -2.9, 23.7),
    ("IQ", 33.0, 43.7), ("NG", 9.1, 8.7), ("UA", 48.4, 31.2), ("PS", 31.9, 35.2), ("SS", 7.9, 30.0),
    ("SD", 15.5, 30.2), ("ML", 17.6, -4.0), ("MM", 21.9, 95.9), ("CF", 6.6, 20.9), ("BF", 12.2, -1.6),
    ("LY", 26.3, 17.2), ("CO", 4.6, -74.3), ("PH", 12.9, 121.8), ("CM", 7.4, 12.4), ("NE", 17.6, 8.1),
    ("ET", 9.1, 40.5), ("MZ", -18.7, 35.5), ("HT", 18.9, -72.3), ("LB", 33.9, 35.9), ("IL", 31.0, 34.9),
    ("PK", 30.4, 69.3), ("TD", 15.5, 18.7), ("IN", 22.0, 79.0), ("TH", 15.9, 101.0), ("KE", 0.0, 37.9),
    ("UG", 1.4, 32.3), ("BI", -3.4, 29.9), ("MX", 23.6, -102.5), ("VE", 6.4, -66.6), ("BD", 23.7, 90.4),
    ("AM", 40.1, 45.0), ("AZ", 40.1, 47.6), ("GE", 42.3, 43.4), ("LK", 7.9, 80.8), ("RW", -1.9, 29.9),
)  # fmt: skip
VIOLATION_WEIGHTS = (0.15, 0.40, 0.07, 0.12, 0.12, 0.08, 0.06)  # in the order of records.VIOLATIONS
KINDS = ("incident", "aggregate", "pattern")
KIND_WEIGHTS = (0.85, 0.12, 0.03)
REPORTS_PER_EVENT = (0.30, 0.25, 0.15, 0.12, 0.10, 0.08)  # P(1 report), ... P(6 reports)
DOC_SIZES = (0.70, 0.20, 0.10)  # P(a document reports 1, 2, 3 events)
COPY_RATE = 0.04  # documents that get a syndicated copy
PLACES, PROVINCES, PERPETRATORS, SOURCES, OUTLETS = 500, 12, 20, 50, 300
LAST_DAY = date(2024, 12, 31).toordinal()
YEARS = 10  # the span of events, in whole years ending on LAST_DAY
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")  # fmt: skip
NUMBERS = ("no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")

# Words resolution treats as common (facts.stop_names), as it does codebook actor names.
_SIDES = ("Northern", "Southern", "Eastern", "Western", "Central", "Upper", "Lower", "National", "First",
          "Second", "Third")  # fmt: skip
_FORCES = ("Army", "Forces", "Militants", "Rebels", "Fighters", "Security Forces", "Police", "Insurgents")
_UNNAMED = ("gunmen", "unidentified attackers", "an armed group", "fighters", "armed men", "militiamen")
_FREE_SOURCES = ("residents", "witnesses", "a local official", "medical sources", "a teacher", "relatives")
_SYLLABLES = ("ba", "da", "ka", "ma", "na", "ra", "sa", "ta", "za", "lu", "mi", "ko", "ri", "te", "go", "bu",
              "he", "ji", "fa", "wo", "qa", "ni", "dul", "kar", "sin", "tam", "bor", "gel", "hum", "zar")  # fmt: skip
_PAPERS = ("Times", "Herald", "Courier", "Ledger", "Post", "Tribune", "Observer", "Gazette", "Monitor",
           "Dispatch", "Chronicle", "Wire", "Standard", "Review", "Echo")  # fmt: skip
# Per violation: active verb phrases around the victims ("killed" ... ), the passive participle,
# and the noun of a statistic.
_ACTIVE = {
    "recruitment_use": ("recruited", "forcibly conscripted", "enlisted", "used as fighters"),
    "killing_maiming": ("killed", "wounded", "killed and injured", "maimed"),
    "sexual_violence": ("raped", "sexually assaulted", "sexually abused"),
    "attack_school_hospital": ("attacked a school attended by", "shelled a hospital treating",
                               "struck a primary school with", "raided a clinic caring for"),
    "abduction": ("abducted", "kidnapped", "seized", "took away"),
    "denial_humanitarian_access": ("blocked aid meant for", "cut off food deliveries to", "turned back medicine for"),
    "detention_torture": ("detained", "arrested", "tortured", "held incommunicado"),
}  # fmt: skip
_PASSIVE = {
    "recruitment_use": "recruited", "killing_maiming": "killed", "sexual_violence": "raped",
    "attack_school_hospital": "caught up in an attack on their school", "abduction": "abducted",
    "denial_humanitarian_access": "denied aid", "detention_torture": "detained",
}  # fmt: skip
_STATISTIC = {
    "recruitment_use": "child recruitment", "killing_maiming": "children killed or maimed",
    "sexual_violence": "sexual violence against children", "attack_school_hospital": "attacks on schools and hospitals",
    "abduction": "abductions of children", "denial_humanitarian_access": "denial of humanitarian access",
    "detention_torture": "detention of children",
}  # fmt: skip
_DETAILS = ("late at night", "during a raid", "in a dawn attack", "as families fled", "near the market",
            "after clashes", "on the outskirts", "in an overnight assault", "while they walked home", "")  # fmt: skip
_STATISTIC_ENDS = (".", ", in its annual report.", ", in a statement.", ", a report released this week said.",
                   " in figures seen by this newspaper.", ", in a briefing to donors.", ", up from a year earlier.",
                   ", calling it a grave concern.", ".")  # fmt: skip


@dataclass(frozen=True, slots=True)
class Place:
    id: str
    name: str
    province: int
    lat: float
    lon: float


@dataclass(slots=True)
class Country:
    code: str
    lat: float
    lon: float
    provinces: list[tuple[str, float, float]]  # (name, lat, lon)
    places: list[Place]
    perpetrators: list[tuple[str, str]]  # (id, name)


def _zipf(n: int, s: float) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1) ** s
    return weights / weights.sum()


class _Sentence:
    """A sentence built piece by piece, keeping the span of the pieces that fill fields."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.size = 0
        self.spans: dict[str, tuple[int, int]] = {}

    def add(self, text: str, field: str | None = None) -> None:
        if field:
            self.spans[field] = (self.size, self.size + len(text))
        self.parts.append(text)
        self.size += len(text)

    def text(self) -> str:
        return "".join(self.parts)


class SyntheticReports:
    """Documents and claims about synthetic events; `batches` yields the corpus, `more`
    a further batch of new reports (of known events and of new ones), and `truth` holds
    each claim's event, in the order of (document id, ordinal)."""

    def __init__(self, claims: int, seed: int = 20261122, years: int = YEARS) -> None:
        self.seed = seed
        self.first_day = date(date.fromordinal(LAST_DAY).year + 1 - years, 1, 1).toordinal()
        self.np = np.random.default_rng(seed)
        self.rng = random.Random(seed)
        self.world = self._world()
        self.truth = array("i")  # event of each claim, in (doc id, ordinal) order
        self.claim_docs = array("i")  # document number of each claim, same order
        self.documents = 0
        self.outlets = [f"{self._word(2).capitalize()} {self.rng.choice(_PAPERS)}" for _ in range(OUTLETS)]
        self.sources = self._acronyms(SOURCES)
        self.event_arrays: dict[str, np.ndarray] = {}
        mean = float(np.dot(np.arange(1, 7), REPORTS_PER_EVENT)) * (1 + COPY_RATE)
        self._target = claims
        self._new_events(max(1, round(claims / mean)))

    # --- the world: places, provinces, perpetrators ---------------------------------------

    def _word(self, syllables: int) -> str:
        return "".join(self.rng.choice(_SYLLABLES) for _ in range(syllables))

    def _acronyms(self, n: int) -> list[str]:
        found: list[str] = []
        while len(found) < n:
            word = "".join(self.rng.choice("ABCDEFGHKLMNPRSTUVWXZ") for _ in range(self.rng.randint(3, 5)))
            if word not in found:
                found.append(word)
        return found

    def _world(self) -> list[Country]:
        from childwatch.resolve.facts import stop_names  # the words resolution ignores

        stop, taken = stop_names(), set()

        def name(syllables: int) -> str:
            while True:
                word = self._word(syllables).capitalize()
                syllables += self.rng.random() < 0.05  # when short names run out
                if word not in stop and word not in taken:
                    taken.add(word)
                    return word

        world = []
        for ci, (code, lat, lon) in enumerate(COUNTRIES):
            provinces = [
                (name(3), lat + self.rng.gauss(0, 1.5), lon + self.rng.gauss(0, 1.5)) for _ in range(PROVINCES)
            ]
            places = []
            for pi in range(PLACES):
                province = self.rng.randrange(PROVINCES)
                _, plat, plon = provinces[province]
                places.append(
                    Place(
                        f"gn:{1_000_000 + ci * 10_000 + pi}",
                        name(self.rng.choice((2, 3))),
                        province,
                        round(plat + self.rng.gauss(0, 0.4), 4),
                        round(plon + self.rng.gauss(0, 0.4), 4),
                    )
                )
            combos = [f"{side} {force}" for side in _SIDES for force in _FORCES]
            self.rng.shuffle(combos)
            perpetrators = [(f"grp_{code}_{i}", combos[i]) for i in range(PERPETRATORS)]
            world.append(Country(code, lat, lon, provinces, places, perpetrators))
        return world

    # --- events ---------------------------------------------------------------------------

    def _new_events(self, n: int) -> np.ndarray:
        """Draw `n` events; returns their numbers."""
        g = self.np
        kind = g.choice(3, n, p=KIND_WEIGHTS)
        incident_count = np.clip(np.rint(g.lognormal(1.0, 1.0, n)), 1, 300)
        aggregate_count = np.clip(np.rint(g.lognormal(4.0, 1.0, n)), 5, 5000)
        count = np.where(kind == 1, aggregate_count, incident_count)
        count[(kind == 2) | (g.random(n) < 0.1)] = -1
        ages = g.random(n) < 0.2
        age_min = np.where(ages, g.integers(5, 13, n), -1)
        new = {
            "country": g.choice(len(COUNTRIES), n, p=_zipf(len(COUNTRIES), 0.8)),
            "violation": g.choice(len(VIOLATIONS), n, p=VIOLATION_WEIGHTS),
            "kind": kind,
            "day": g.integers(self.first_day, LAST_DAY + 1, n),
            "place": g.choice(PLACES, n, p=_zipf(PLACES, 0.7)),
            "perpetrator": np.where(g.random(n) < 0.15, -1, g.choice(PERPETRATORS, n, p=_zipf(PERPETRATORS, 1.0))),
            "count": count.astype(np.int64),
            "source": np.where(g.random(n) < 0.3, -1, g.integers(0, SOURCES, n)),
            "age_min": age_min,
            "age_max": np.where(ages, age_min + g.integers(2, 6, n), -1),
            "sex": g.choice(3, n, p=(0.7, 0.15, 0.15)),  # unstated, male, female
            "period": g.choice(3, n, p=(0.4, 0.3, 0.3)),  # statistics: a month, a half-year, a year
        }
        start = len(self.event_arrays.get("kind", ()))
        for key, values in new.items():
            old = self.event_arrays.get(key)
            self.event_arrays[key] = values if old is None else np.concatenate([old, values])
        return np.arange(start, start + n)

    def _event(self, e: int) -> dict[str, int]:
        return {key: int(values[e]) for key, values in self.event_arrays.items()}

    def _reports(self, events: np.ndarray, per_event: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(event, publication day) of each report of `events`, `per_event` reports each."""
        g = self.np
        report_event = np.repeat(events, per_event)
        a = self.event_arrays
        kind, day = a["kind"][report_event], a["day"][report_event]
        period_days = np.choose(a["period"][report_event], (31, 182, 365))
        lag = np.minimum(g.geometric(0.35, len(report_event)) - 1, 60)
        lag_statistic = period_days + g.geometric(0.05, len(report_event))
        published = np.where(kind == 0, day + lag, day + lag_statistic)
        return report_event, published

    # --- documents --------------------------------------------------------------------------

    def batches(self, docs_per_batch: int = 1000) -> Iterator[list[tuple[Document, list[Claim]]]]:
        """The corpus, in batches of documents (with their syndicated copies)."""
        events = np.arange(len(self.event_arrays["kind"]))
        per_event = self.np.choice(np.arange(1, 7), len(events), p=REPORTS_PER_EVENT)
        yield from self._documents(*self._reports(events, per_event), docs_per_batch)

    def more(self, fraction: float = 0.01) -> list[tuple[Document, list[Claim]]]:
        """About `fraction` more reports: half of known events, half of new events."""
        n = max(2, round(self._target * fraction / (1 + COPY_RATE)))
        known = self.np.integers(0, len(self.event_arrays["kind"]), n // 2)
        fresh = self._new_events(max(1, n // 4))
        per_fresh = self.np.choice((1, 2, 3), len(fresh), p=(0.5, 0.3, 0.2))
        events = np.concatenate([known, fresh])
        per_event = np.concatenate([np.ones(len(known), dtype=np.int64), per_fresh])
        return [item for batch in self._documents(*self._reports(events, per_event), 10**9) for item in batch]

    def _documents(
        self, report_event: np.ndarray, published: np.ndarray, docs_per_batch: int
    ) -> Iterator[list[tuple[Document, list[Claim]]]]:
        # Reports of one country published within a week of each other become roundups.
        country = self.event_arrays["country"][report_event]
        order = np.lexsort((self.np.random(len(report_event)), published, country))
        sizes = self.np.choice((1, 2, 3), len(order), p=DOC_SIZES)
        batch: list[tuple[Document, list[Claim]]] = []
        i = 0
        while i < len(order):
            group = [int(order[i])]
            i += 1
            while (
                len(group) < sizes[i - 1]
                and i < len(order)
                and country[order[i]] == country[group[0]]
                and published[order[i]] - published[group[0]] <= 7
            ):
                if report_event[order[i]] in {report_event[r] for r in group}:
                    break  # one report mentions an event once
                group.append(int(order[i]))
                i += 1
            events = [int(report_event[r]) for r in group]
            day = int(max(published[r] for r in group))
            doc = self._document(events, min(day, LAST_DAY + 400))
            batch.append(doc)
            if self.rng.random() < COPY_RATE:
                batch.append(self._copy(*doc))
            if len(batch) >= docs_per_batch:
                yield batch
                batch = []
        if batch:
            yield batch

    def _new_doc(
        self, text: str, outlet: int, day: int, claims_of: list[tuple[int, Claim]]
    ) -> tuple[Document, list[Claim]]:
        number = self.documents
        self.documents += 1
        doc_id = f"doc-{number:08d}"
        raw = text.encode()
        published = date.fromordinal(day).isoformat()
        doc = Document(
            id=doc_id,
            text=text,
            raw=raw,
            sha256=hashlib.sha256(raw).hexdigest(),
            origin=f"synthetic/{self.seed}/{doc_id}.json",
            media_type="application/json",
            url=f"https://outlet{outlet}.example.org/{published[:4]}/{published[5:7]}/report-{number}",
            outlet=self.outlets[outlet],
            published=published,
            language="en",
        )
        claims = []
        for event, claim in claims_of:
            claim.doc_id = doc_id
            claims.append(claim)
            self.truth.append(event)
            self.claim_docs.append(number)
        return doc, claims

    def _document(self, events: list[int], day: int) -> tuple[Document, list[Claim]]:
        outlet = self.rng.choices(range(OUTLETS), cum_weights=_OUTLET_CUMULATIVE)[0]
        sentences, claims_of, offset = [], [], 0
        for event in events:
            sentence, claim = self._claim(self._event(event), offset)
            sentences.append(sentence)
            claims_of.append((event, claim))
            offset += len(sentence) + 1
        return self._new_doc(" ".join(sentences), outlet, day, claims_of)

    def _copy(self, doc: Document, claims: list[Claim]) -> tuple[Document, list[Claim]]:
        """A syndicated copy: the same text under another outlet's credit line."""
        outlet = self.rng.choices(range(OUTLETS), cum_weights=_OUTLET_CUMULATIVE)[0]
        credit = f"({doc.outlet}) "
        events = self.truth[len(self.truth) - len(claims) :]
        copied = [(event, _shifted(c, len(credit))) for event, c in zip(events, claims, strict=True)]
        day = date.fromisoformat(doc.published or "2015-01-01").toordinal() + self.rng.randint(0, 1)
        return self._new_doc(credit + doc.text, outlet, day, copied)

    # --- one claim --------------------------------------------------------------------------

    def _claim(self, ev: dict[str, int], offset: int) -> tuple[str, Claim]:
        r = self.rng
        country = self.world[ev["country"]]
        violation = VIOLATIONS[ev["violation"]]
        kind = KINDS[ev["kind"]]
        place = country.places[ev["place"]]
        province, plat, plon = country.provinces[place.province]
        perpetrator = country.perpetrators[ev["perpetrator"]] if ev["perpetrator"] >= 0 and r.random() < 0.8 else None
        count: int | None = ev["count"] if ev["count"] > 0 else None
        if count and r.random() < 0.35:  # revised, or left out
            count = None if r.random() < 0.3 else max(1, count + r.choice((-1, 1)) * r.randint(1, max(1, count // 3)))
        if ev["source"] >= 0 and (kind != "incident" or r.random() < 0.55):
            source: tuple[str, str | None] | None = (
                self.sources[ev["source"]],
                f"src_{self.sources[ev['source']].lower()}",
            )
        elif kind == "incident" and r.random() < 0.35:
            source = (r.choice(_FREE_SOURCES), None)
        else:
            source = None

        # Where and when, as precisely as this report has it.
        if kind == "incident":
            where = r.choices(("place", "admin1", "country"), (0.82, 0.12, 0.06))[0]
            when = r.choices(("day", "month", "year", None), (0.62, 0.22, 0.06, 0.10))[0]
        else:
            where = r.choice(("admin1", "country")) if kind == "aggregate" else "country"
            when = ("month", "range", "year")[ev["period"]] if kind == "aggregate" else "since"
        day = ev["day"] + (r.choice((-1, 1)) if when == "day" and r.random() < 0.08 else 0)
        start, end, date_phrase = _dates(day, when)
        if where == "place":
            location = Location(place.name, province, country.code, place.lat, place.lon, "place", place.id)
        elif where == "admin1":
            location = Location(province, province, country.code, round(plat, 4), round(plon, 4), "admin1",
                                f"adm:{country.code}.{place.province}")  # fmt: skip
        else:
            location = Location(None, None, country.code, country.lat, country.lon, "country", f"cty:{country.code}")
        victims = Victims(count=count, age_min=ev["age_min"] if ev["age_min"] >= 0 and r.random() < 0.5 else None)
        if victims.age_min is not None:
            victims.age_max = ev["age_max"]
        noun = _victim_noun(ev["sex"], violation, r)
        victims.sex = {"boys": "male", "girls": "female"}.get(noun)

        s = _Sentence()
        if kind == "incident":
            self._incident_sentence(s, violation, perpetrator, count, noun, victims, location, date_phrase, source)
        else:
            self._statistic_sentence(s, kind, violation, perpetrator, count, noun, location, date_phrase, source)
        text = s.text()
        claim = Claim(
            doc_id="",
            violation=violation,  # type: ignore[arg-type]
            kind=kind,  # type: ignore[arg-type]
            evidence=Span(offset, offset + len(text), text),
            perpetrator=perpetrator[1] if perpetrator else None,
            perpetrator_id=perpetrator[0] if perpetrator else None,
            victims=victims,
            location=location,
            date=DateRange(start, end, when if when in ("day", "month", "year") else "range" if when else None),  # type: ignore[arg-type]
            source=source[0] if source else None,
            source_id=source[1] if source else None,
            confidence=round(r.uniform(0.5, 0.95), 2),
        )

        def span(field: str) -> Span | None:
            if field not in s.spans:
                return None
            lo, hi = s.spans[field]
            return Span(offset + lo, offset + hi, text[lo:hi])

        claim.perpetrator_span, claim.source_span, claim.trigger = span("perpetrator"), span("source"), span("trigger")
        claim.victims.count_span, claim.victims.age_span = span("count"), span("age")
        claim.location.span, claim.date.span = span("location"), span("date")
        return text, claim

    def _incident_sentence(
        self,
        s: _Sentence,
        violation: str,
        perpetrator: tuple[str, str] | None,
        count: int | None,
        noun: str,
        victims: Victims,
        location: Location,
        date_phrase: str,
        source: tuple[str, str | None] | None,
    ) -> None:
        r = self.rng
        actor = perpetrator[1] if perpetrator else r.choice(_UNNAMED)
        where = {"place": "in ", "admin1": "in ", "country": ""}[location.precision or "country"]
        passive = r.random() < 0.3 and count is not None

        def victims_phrase() -> None:
            if count is None:
                s.add(f"several {noun}")
            else:
                s.add(r.choice(("", "at least ", "")))
                s.add(_number(count, r), "count")
                s.add(f" {noun}")
            if victims.age_min is not None:
                s.add(" ")
                s.add(f"aged {victims.age_min} to {victims.age_max}", "age")

        def place_phrase() -> None:
            if location.precision == "place":
                s.add(where)
                s.add(location.name or "", "location")
                if r.random() < 0.3:
                    s.add(f", {location.admin1} province,")
            elif location.precision == "admin1":
                s.add(where)
                s.add(location.name or "", "location")
                s.add(" province")
            else:
                s.add("in the north of the country")

        lead = r.random() < 0.3 and date_phrase
        if lead:
            s.add(date_phrase[0].upper() + date_phrase[1:], "date")
            s.add(", ")
        if passive:
            victims_phrase()
            s.add(" were ")
            s.add(_PASSIVE[violation], "trigger")
            s.add(" ")
            place_phrase()
            s.add(" by ")
            s.add(actor, "perpetrator" if perpetrator else None)
        else:
            s.add(actor if lead else actor[0].upper() + actor[1:], "perpetrator" if perpetrator else None)
            s.add(" ")
            s.add(r.choice(_ACTIVE[violation]), "trigger")
            s.add(" ")
            victims_phrase()
            s.add(" ")
            place_phrase()
        detail = r.choice(_DETAILS)
        if detail:
            s.add(f" {detail}")
        if date_phrase and not lead:
            s.add(" ")
            s.add(date_phrase, "date")
        if source:
            according = r.random() < 0.5
            s.add(", according to " if according else ", ")
            s.add(source[0], "source")
            s.add("." if according else " said.")
        else:
            s.add(".")
        first = next(i for i, part in enumerate(s.parts) if part)
        s.parts[first] = s.parts[first][0].upper() + s.parts[first][1:]

    def _statistic_sentence(
        self,
        s: _Sentence,
        kind: str,
        violation: str,
        perpetrator: tuple[str, str] | None,
        count: int | None,
        noun: str,
        location: Location,
        date_phrase: str,
        source: tuple[str, str | None] | None,
    ) -> None:
        r = self.rng
        if source:
            s.add(source[0], "source")
        else:
            s.add(r.choice(("Monitors", "Aid workers", "Rights groups", "Observers")))
        if kind == "aggregate":
            s.add(r.choice((" documented ", " verified ", " recorded ", " confirmed ", " counted ")))
            s.add(_number(count, r) if count else r.choice(("dozens of", "scores of")), "count" if count else None)
            s.add(r.choice((" cases of ", " incidents of ", " separate cases of ")))
            s.add(_STATISTIC[violation], "trigger")
        else:
            s.add(r.choice((" said children had been ", " warned that children were being ", " reported children ")))
            s.add(_PASSIVE[violation], "trigger")
            s.add(r.choice((" repeatedly", " routinely", " systematically", " again and again")))
        if perpetrator:
            s.add(" by ")
            s.add(perpetrator[1], "perpetrator")
        if location.precision == "admin1":
            s.add(" in ")
            s.add(location.name or "", "location")
            s.add(" province")
        else:
            s.add(" across the country")
        s.add(" ")
        s.add(date_phrase, "date")
        s.add(r.choice(_STATISTIC_ENDS))


_OUTLET_CUMULATIVE = np.cumsum(_zipf(OUTLETS, 0.9)).tolist()


def _number(n: int, r: random.Random) -> str:
    return NUMBERS[n] if 0 < n <= 10 and r.random() < 0.6 else str(n)


def _victim_noun(sex: int, violation: str, r: random.Random) -> str:
    if violation == "sexual_violence" or sex == 2:
        return r.choice(("girls", "children", "girls"))
    if violation == "recruitment_use" or sex == 1:
        return r.choice(("boys", "children", "boys"))
    return r.choice(("children", "children", "students", "minors", "schoolchildren"))


def _dates(day: int, when: str | None) -> tuple[str | None, str | None, str]:
    """(start, end, phrase) of a report's date, as precise as `when`."""
    d = date.fromordinal(day)
    month = MONTHS[d.month - 1]
    if when == "day":
        return d.isoformat(), None, f"on {d.day} {month} {d.year}"
    if when == "month":
        return f"{d.year}-{d.month:02d}", None, f"in {month} {d.year}"
    if when == "year":
        return str(d.year), None, f"in {d.year}"
    if when == "range":
        first = 1 if d.month <= 6 else 7
        return (
            f"{d.year}-{first:02d}",
            f"{d.year}-{first + 5:02d}",
            f"between {MONTHS[first - 1]} and {MONTHS[first + 4]} {d.year}",
        )
    if when == "since":
        return str(d.year), str(min(d.year + 1, 2024)), f"since {d.year}"
    return None, None, ""


def _shifted(claim: Claim, by: int) -> Claim:
    """A copy of `claim` with every span moved `by` characters (a credit line in front)."""

    def move(span: Span | None) -> Span | None:
        return None if span is None else Span(span.start + by, span.end + by, span.text)

    v = claim.victims
    return Claim(
        doc_id=claim.doc_id,
        violation=claim.violation,
        kind=claim.kind,
        evidence=move(claim.evidence) or claim.evidence,
        perpetrator=claim.perpetrator,
        perpetrator_id=claim.perpetrator_id,
        perpetrator_span=move(claim.perpetrator_span),
        victims=replace(
            v,
            count_span=move(v.count_span),
            age_span=move(v.age_span),
            sex_span=move(v.sex_span),
            group_span=move(v.group_span),
        ),
        location=replace(claim.location, span=move(claim.location.span)),
        date=replace(claim.date, span=move(claim.date.span)),
        source=claim.source,
        source_id=claim.source_id,
        source_span=move(claim.source_span),
        confidence=claim.confidence,
        trigger=move(claim.trigger),
    )
