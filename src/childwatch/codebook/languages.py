"""The vocabulary of each language other than English we extract, from `codebook/languages/<code>.toml`.

    from childwatch.codebook.languages import load_language, supported_languages

    supported_languages()          # ("ar", "es", "fr"): one file each
    fr = load_language("fr")       # a compiled LanguageLexicon, or CodebookError naming every problem

English keeps its own, richer rules (`lexicon.toml`, `violations.toml`); every other language
is read by one engine (`extract.languages`) from one file of words, so adding a language is
adding a file. What a file holds (each section is documented in `fr.toml`):

- `children`: child nouns (with their sex, and the number a singular or dual noun itself
  states), age phrases;
- `numbers`: number words, multipliers, qualifiers ("au moins" → "at least"), approximate
  amounts ("une dizaine": about 10) and vague ones ("des dizaines": at least 20, no count);
- `dates`: month, weekday and relative-day words; words of a period ("depuis");
- `violations.<key>`: the words that assert each violation, and words that rule it out;
- `kind`: words of a practice (pattern) and of a total (aggregate);
- `actors`, `sources`: forms in this language of the codebook's actors and sources (by id),
  plus generic sources given in English ("témoins" → "witnesses");
- `places`: country names the registry's translations lack, words before a place.

Text and patterns are compared after `fold`: case, accents, Arabic short vowels and
tatweel, alef and yeh variants and Arabic-Indic digits do not matter, and offsets map back
to the report's own text, so evidence stays verbatim.
"""

from __future__ import annotations

import gettext
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from itertools import product
from pathlib import Path
from typing import Any

import pycountry

from childwatch.codebook.folding import fold, fold_pattern
from childwatch.codebook.loader import Codebook, load_codebook
from childwatch.errors import CodebookError
from childwatch.records import VIOLATIONS

__all__ = [
    "ChildWord",
    "LanguageLexicon",
    "ViolationWords",
    "fold",
    "fold_pattern",
    "load_language",
    "supported_languages",
]

LANGUAGES = Path(__file__).resolve().parent / "languages"


@dataclass(frozen=True, slots=True)
class ChildWord:
    pattern: re.Pattern[str]
    sex: str | None  # "female" | "male" | "mixed" ("niños y niñas") | None
    count: int | None  # the number the noun itself states: 1 for a singular, 2 for a dual
    age_min: int | None = None  # the ages the noun itself states ("adolescents": 13 to 17)
    age_max: int | None = None
    alone: bool = False  # read only where the clause names no other child ("Awa, 8 ans,")


@dataclass(frozen=True, slots=True)
class ViolationWords:
    key: str
    triggers: re.Pattern[str]
    exclude: re.Pattern[str] | None
    needs_child: bool
    window: int  # words between a trigger and a child noun


@dataclass(frozen=True, slots=True)
class LanguageLexicon:
    code: str
    name: str
    word: str  # the regex of one word of this language, as the folded text spells it
    children: tuple[ChildWord, ...]
    child_any: re.Pattern[str]
    ages: tuple[re.Pattern[str], ...]  # named groups: min, max, below (an upper bound, exclusive)
    among: re.Pattern[str] | None  # words that give the children's share of a toll told before ("dont")
    witnesses: re.Pattern[str] | None  # words before children who saw an act, not its victims ("devant")
    number_words: dict[str, int]
    multipliers: dict[str, int]
    number_joiners: tuple[str, ...]
    count_links: tuple[str, ...]  # folded patterns between a figure and its child noun ("morts parmi les")
    totals: re.Pattern[str] | None  # words after children before their figure ("s'élève à", "ارتفعت ... إلى")
    qualifiers: dict[str, str]  # folded phrase → English qualifier ("at least")
    vague: dict[str, int]  # folded phrase → a low figure, no count ("des dizaines" → at least 20)
    approximate: dict[str, int]  # folded phrase → an approximate count ("une dizaine" → about 10)
    months: dict[str, int]
    hijri_months: dict[str, int]  # months of the Islamic (Hijri) calendar, where reports date by it
    weekdays: dict[str, int]  # Monday = 0
    relative_days: dict[str, int]  # days before publication
    recent_periods: dict[str, int]  # a period up to publication, in days ("la semaine dernière" → 7)
    date_until: tuple[str, ...]  # words between the first and last day of a period ("au", "حتى", "al")
    day_ordinals: dict[str, int]  # days of the month in words ("الخامس عشر" → 15)
    this_month: tuple[str, ...]  # the report's own month ("الشهر الجاري"), read as a month name
    this_year: tuple[str, ...]  # since the start of the report's year ("depuis le début de l'année")
    last_month: tuple[str, ...]  # the month before the report's ("le mois dernier", "الشهر الماضي")
    issued: tuple[str, ...]  # words before the day a report was issued ("publié"): not the event's day
    date_connectors: tuple[str, ...]  # words allowed between day, month and year ("de", "del")
    month_alone: tuple[str, ...]  # folded templates with {month}: where a month without a year is a date
    since: re.Pattern[str] | None
    violations: tuple[ViolationWords, ...]
    pattern_cues: re.Pattern[str] | None
    aggregate_cues: re.Pattern[str] | None
    actors: dict[str, str]  # folded form → actor id
    state_forces: tuple[str, ...]  # folded forms naming a state's forces without naming the state
    described: dict[str, str]  # folded form → an unnamed perpetrator described in English ("armed groups")
    against: re.Pattern[str] | None  # words before whom an attack was against ("contre", "ضد")
    responding: re.Pattern[str] | None  # words after a responder, not who acted ("ont riposté")
    fought_back: re.Pattern[str] | None  # words before the side that fought the attackers back
    attacks: re.Pattern[str] | None  # attacks and troops a nationality word says whose ("une frappe russe")
    refer_back: frozenset[str]  # described forms that refer to a group the report names ("les assaillants")
    source_cues: re.Pattern[str] | None
    accusing: re.Pattern[str] | None  # verbs of saying whose object is the accused ("a accusé")
    clause_openers: tuple[str, ...]  # words after a verb of saying that open what was said ("que", "أن")
    source_of: tuple[str, ...]  # words between a role and whose it is ("porte-parole de", "المتحدث باسم")
    own_act: re.Pattern[str] | None  # words after saying that tell the speaker's own act ("avoir enlevé")
    sources: dict[str, str]  # folded form → the source's name in English (a codebook body's name)
    source_ids: dict[str, str]  # folded form → codebook source id, for bodies
    countries: dict[str, str]  # folded name → ISO alpha-2
    demonyms: dict[str, str]  # folded nationality word → ISO alpha-2, a country when no place is named
    place_cues: re.Pattern[str] | None
    settlements: re.Pattern[str] | None  # words before a town's name read as written if the gazetteer lacks it
    not_places: frozenset[str]
    backers: re.Pattern[str] | None  # words before a country that backs a side ("soutenu par"): no place
    clause_breaks: re.Pattern[str] | None  # words after a comma that open a clause telling another event
    unreal: re.Pattern[str] | None  # words just before a trigger that deny it or make it hypothetical
    articles: tuple[str, ...]  # spellings of the article a form may start with, the usual one first (ال, لل)
    prefix: str  # letters that may be glued before a word (Arabic: و, ف, ب, ل, ك, ال)
    capitalised_places: bool  # Latin script: a place name is capitalised


def _compile_words(forms: list[str], prefix: str, where: str, problems: list[str]) -> re.Pattern[str] | None:
    if not forms:
        return None
    for form in forms:
        try:
            re.compile(fold_pattern(form))
        except re.error as exc:
            problems.append(f"{where}: invalid pattern {form!r}: {exc}")
            return None
    alternation = "|".join(f"(?:{fold_pattern(f)})" for f in sorted(forms, key=len, reverse=True))
    glued = f"(?:{prefix})?" if prefix else ""
    # After an elided article a word still starts ("d'enfants", "l'école").
    return re.compile(rf"(?<![\w-]){glued}(?:{alternation})(?!\w)", re.IGNORECASE)


def _phrase_key(text: str) -> str:
    folded, _ = fold(text)
    return " ".join(re.sub(r"[^\w']+", " ", folded).split())


def supported_languages() -> tuple[str, ...]:
    """The languages other than English that have a file, by ISO 639-1 code."""
    return tuple(sorted(p.stem for p in LANGUAGES.glob("*.toml")))


@cache
def load_language(code: str) -> LanguageLexicon:
    """The compiled lexicon of one language; every problem in its file is reported at once."""
    path = LANGUAGES / f"{code}.toml"
    name = f"languages/{code}.toml"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CodebookError([f"{name}: no such file: reports in {code!r} are not extracted"]) from None
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CodebookError([f"{name}: {exc}"]) from None
    problems: list[str] = []
    lexicon = _build(code, name, data, load_codebook(), problems)
    if problems:
        raise CodebookError(problems)
    return lexicon


_TOP = {
    "language", "name", "prefix", "articles", "word", "endings", "clause_breaks", "unreal", "capitalised_places",
    "children",
    "numbers", "dates", "violations", "kind", "actors", "forces", "sources", "places",
}  # fmt: skip


_DATE_KEYS = frozenset({"months", "hijri_months", "weekdays", "connectors", "relative", "periods", "month_alone",
                        "until", "since", "ordinals", "this_month", "this_year", "last_month", "issued"})  # fmt: skip

# The keys each table may hold (a misspelt one would otherwise be ignored without a word).
_TABLE_KEYS = {
    "children": frozenset({"nouns", "ages", "among", "witnesses"}),
    "numbers": frozenset({"words", "multipliers", "joiners", "links", "qualifiers", "approximate", "vague", "totals"}),
    "dates": _DATE_KEYS,
    "kind": frozenset({"pattern", "aggregate"}),
    "forces": frozenset({"described", "refer_back", "state", "against", "attacks", "responding", "fought_back"}),
    "sources": frozenset({"cues", "accusing", "clause", "of", "own_act", "bodies", "named"}),
    "places": frozenset({"countries", "demonyms", "cues", "settlements", "not_places", "backers"}),
}


def _table(data: dict[str, Any], key: str, name: str, problems: list[str]) -> dict[str, Any]:
    value = data.get(key, {})
    if not isinstance(value, dict):
        problems.append(f"{name}: [{key}] must be a table")
        return {}
    return value


def _strings(table: dict[str, Any], key: str, where: str, problems: list[str]) -> list[str]:
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        problems.append(f"{where}.{key}: must be a list of non-empty strings")
        return []
    return list(value)


def _ints(table: dict[str, Any], key: str, where: str, problems: list[str]) -> dict[str, int]:
    value = table.get(key, {})
    if not isinstance(value, dict) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value.values()):
        problems.append(f"{where}.{key}: must map words to whole numbers")
        return {}
    return {_phrase_key(k): v for k, v in value.items()}


def _build(code: str, name: str, data: dict[str, Any], codebook: Codebook, problems: list[str]) -> LanguageLexicon:
    if data.get("language") != code:
        problems.append(f"{name}: language = {data.get('language')!r}, expected {code!r} (the file's name)")
    for key in sorted(set(data) - _TOP):
        problems.append(f"{name}: unknown key {key!r}")
    for table, keys in _TABLE_KEYS.items():
        value = data.get(table)
        if isinstance(value, dict):
            for key in sorted(set(value) - keys):
                problems.append(f"{name}: [{table}]: unknown key {key!r} (one of {', '.join(sorted(keys))})")
    prefix = str(data.get("prefix", ""))
    try:
        re.compile(prefix)
    except re.error as exc:
        problems.append(f"{name}: prefix: invalid pattern: {exc}")
        prefix = ""
    word = fold_pattern(str(data.get("word", r"[^\W\d_]+(?:['-][^\W\d_]+)*")))

    def words(forms: list[str], where: str) -> re.Pattern[str] | None:
        return _compile_words(forms, prefix, f"{name}: {where}", problems)

    children_t = _table(data, "children", name, problems)
    forces_t = _table(data, "forces", name, problems)
    children: list[ChildWord] = []
    for i, noun in enumerate(children_t.get("nouns", []), 1):
        where = f"{name}: children.nouns #{i}"
        if not isinstance(noun, dict) or not isinstance(noun.get("pattern"), str):
            problems.append(f"{where}: needs a pattern")
            continue
        if noun.get("sex") not in (None, "female", "male", "mixed"):
            problems.append(f"{where}: sex must be female, male or mixed")
        pattern = _compile_words([noun["pattern"]], prefix, where, problems)
        stated = [noun.get("age_min"), noun.get("age_max")]
        if any(a is not None and not (isinstance(a, int) and 0 <= a < 18) for a in stated):
            problems.append(f"{where}: age_min and age_max must be ages under 18")
            stated = [None, None]
        if pattern is not None:
            alone = bool(noun.get("alone", False))
            children.append(ChildWord(pattern, noun.get("sex"), noun.get("count"), stated[0], stated[1], alone))
    child_any = words(
        [n["pattern"] for n in children_t.get("nouns", []) if isinstance(n, dict) and "pattern" in n], "children.nouns"
    )
    if child_any is None:
        problems.append(f"{name}: children.nouns: at least one child noun is needed")
        child_any = re.compile("(?!x)x")
    ages = []
    for form in _strings(children_t, "ages", f"{name}: children", problems):
        try:
            # Whole words, unless the pattern starts or ends with a sign: "احمد-4سنوات" glues the age to the name.
            ages.append(re.compile(rf"(?:(?<!\w)|(?=\W))(?:{fold_pattern(form)})(?:(?!\w)|(?<=\W))", re.IGNORECASE))
        except re.error as exc:
            problems.append(f"{name}: children.ages: invalid pattern {form!r}: {exc}")

    numbers_t = _table(data, "numbers", name, problems)
    dates_t = _table(data, "dates", name, problems)
    violations_t = _table(data, "violations", name, problems)
    rules = []
    for key, spec in violations_t.items():
        where = f"violations.{key}"
        if key not in VIOLATIONS:
            problems.append(f"{name}: [{where}]: not a violation (one of {', '.join(VIOLATIONS)})")
            continue
        unknown = set(spec) - {"triggers", "exclude", "needs_child", "window"}
        if unknown:
            problems.append(f"{name}: [{where}]: unknown field(s) {', '.join(sorted(unknown))}")
        triggers = words(_strings(spec, "triggers", f"{name}: {where}", problems), where)
        if triggers is None:
            problems.append(f"{name}: [{where}]: needs triggers")
            continue
        rules.append(
            ViolationWords(
                key=key,
                triggers=triggers,
                exclude=words(_strings(spec, "exclude", f"{name}: {where}", problems), f"{where}.exclude"),
                needs_child=bool(spec.get("needs_child", True)),
                window=int(spec.get("window", 12)),
            )
        )
    kind_t = _table(data, "kind", name, problems)
    # Word endings one form takes in another case ("ون" / "ين": "مسلحون", "مسلحين").
    endings = [tuple(_phrase_key(e) for e in pair) for pair in data.get("endings", []) if isinstance(pair, list)]

    actors: dict[str, str] = {}
    for form, actor_id in _table(data, "actors", name, problems).items():
        # A list: the word names one of several actors, the one acting where the claim is.
        named_ids = [str(i) for i in actor_id] if isinstance(actor_id, list) else [str(actor_id)]
        missing = [i for i in named_ids if not _is_actor(codebook, i)]
        if missing or not named_ids:
            problems.append(f"{name}: actors: {form!r} names {missing or named_ids!r}, not actor ids of actors.toml")
            continue
        actors[_phrase_key(form)] = "|".join(named_ids)
    sources_t = _table(data, "sources", name, problems)
    sources: dict[str, str] = {}
    source_ids: dict[str, str] = {}
    for form, source_id in _table(sources_t, "bodies", f"{name}: sources", problems).items():
        try:
            body = codebook.source(str(source_id))
        except KeyError:
            problems.append(f"{name}: sources.bodies: {form!r} names {source_id!r}, not a source id of sources.toml")
            continue
        sources[_phrase_key(form)] = body.name
        source_ids[_phrase_key(form)] = body.id
    for form, english in _table(sources_t, "named", f"{name}: sources", problems).items():
        sources[_phrase_key(form)] = str(english)

    places_t = _table(data, "places", name, problems)
    countries = {**_registry_countries(code), **_country_codes(places_t, "countries", name, problems)}
    demonyms = _country_codes(places_t, "demonyms", name, problems)

    return LanguageLexicon(
        code=code,
        name=str(data.get("name", code)),
        word=word,
        children=tuple(children),
        child_any=child_any,
        ages=tuple(ages),
        among=words(_strings(children_t, "among", f"{name}: children", problems), "children.among"),
        witnesses=words(_strings(children_t, "witnesses", f"{name}: children", problems), "children.witnesses"),
        number_words=_ints(numbers_t, "words", f"{name}: numbers", problems),
        multipliers=_ints(numbers_t, "multipliers", f"{name}: numbers", problems),
        number_joiners=tuple(_phrase_key(j) for j in _strings(numbers_t, "joiners", f"{name}: numbers", problems)),
        count_links=_patterns(
            _strings(numbers_t, "links", f"{name}: numbers", problems), f"{name}: numbers.links", problems
        ),
        totals=words(_strings(numbers_t, "totals", f"{name}: numbers", problems), "numbers.totals"),
        qualifiers={_phrase_key(k): str(v) for k, v in numbers_t.get("qualifiers", {}).items()},
        vague=_ints(numbers_t, "vague", f"{name}: numbers", problems),
        approximate=_ints(numbers_t, "approximate", f"{name}: numbers", problems),
        months=_ints(dates_t, "months", f"{name}: dates", problems),
        hijri_months=_ints(dates_t, "hijri_months", f"{name}: dates", problems),
        weekdays=_ints(dates_t, "weekdays", f"{name}: dates", problems),
        relative_days=_ints(dates_t, "relative", f"{name}: dates", problems),
        recent_periods=_ints(dates_t, "periods", f"{name}: dates", problems),
        date_until=tuple(_phrase_key(u) for u in _strings(dates_t, "until", f"{name}: dates", problems)),
        day_ordinals=_ints(dates_t, "ordinals", f"{name}: dates", problems),
        this_month=tuple(_phrase_key(u) for u in _strings(dates_t, "this_month", f"{name}: dates", problems)),
        this_year=tuple(_phrase_key(u) for u in _strings(dates_t, "this_year", f"{name}: dates", problems)),
        last_month=tuple(_phrase_key(u) for u in _strings(dates_t, "last_month", f"{name}: dates", problems)),
        issued=tuple(_phrase_key(u) for u in _strings(dates_t, "issued", f"{name}: dates", problems)),
        date_connectors=tuple(_phrase_key(c) for c in _strings(dates_t, "connectors", f"{name}: dates", problems)),
        month_alone=_templates(_strings(dates_t, "month_alone", f"{name}: dates", problems), name, problems),
        since=words(_strings(dates_t, "since", f"{name}: dates", problems), "dates.since"),
        violations=tuple(rules),
        pattern_cues=words(_strings(kind_t, "pattern", f"{name}: kind", problems), "kind.pattern"),
        aggregate_cues=words(_strings(kind_t, "aggregate", f"{name}: kind", problems), "kind.aggregate"),
        actors=_with_endings(actors, endings),
        described=_with_endings(
            {_phrase_key(k): str(v) for k, v in _table(data, "forces", name, problems).get("described", {}).items()},
            endings,
        ),
        against=words(
            _strings(_table(data, "forces", name, problems), "against", f"{name}: forces", problems), "forces.against"
        ),
        attacks=words(
            _strings(_table(data, "forces", name, problems), "attacks", f"{name}: forces", problems), "forces.attacks"
        ),
        responding=words(_strings(forces_t, "responding", f"{name}: forces", problems), "forces.responding"),
        fought_back=words(_strings(forces_t, "fought_back", f"{name}: forces", problems), "forces.fought_back"),
        refer_back=frozenset(
            _phrase_key(f)
            for f in _strings(_table(data, "forces", name, problems), "refer_back", f"{name}: forces", problems)
        ),
        state_forces=tuple(
            _phrase_key(f)
            for f in _strings(_table(data, "forces", name, problems), "state", f"{name}: forces", problems)
        ),
        accusing=words(_strings(sources_t, "accusing", f"{name}: sources", problems), "sources.accusing"),
        clause_openers=tuple(_phrase_key(c) for c in _strings(sources_t, "clause", f"{name}: sources", problems)),
        source_of=tuple(_phrase_key(c) for c in _strings(sources_t, "of", f"{name}: sources", problems)),
        own_act=words(_strings(sources_t, "own_act", f"{name}: sources", problems), "sources.own_act"),
        source_cues=words(_strings(sources_t, "cues", f"{name}: sources", problems), "sources.cues"),
        sources=_with_endings(sources, endings),
        source_ids=_with_endings(source_ids, endings),
        countries=countries,
        demonyms=demonyms,
        place_cues=words(_strings(places_t, "cues", f"{name}: places", problems), "places.cues"),
        settlements=words(_strings(places_t, "settlements", f"{name}: places", problems), "places.settlements"),
        not_places=frozenset(_phrase_key(w) for w in _strings(places_t, "not_places", f"{name}: places", problems)),
        backers=words(_strings(places_t, "backers", f"{name}: places", problems), "places.backers"),
        clause_breaks=words(_strings(data, "clause_breaks", name, problems), "clause_breaks"),
        unreal=words(_strings(data, "unreal", name, problems), "unreal"),
        articles=tuple(fold_pattern(a) for a in _strings(data, "articles", name, problems)),
        prefix=prefix,
        capitalised_places=bool(data.get("capitalised_places", True)),
    )


def _is_actor(codebook: Codebook, actor_id: str) -> bool:
    try:
        codebook.actor(actor_id)
    except KeyError:
        return False
    return True


def _with_endings(table: dict[str, str], endings: list[tuple[str, ...]]) -> dict[str, str]:
    """The table with each form also spelt with the other endings of its words' endings."""
    if not endings:
        return table
    out = dict(table)
    for form, value in table.items():
        options = []
        for word in form.split():
            stem = [
                (word[: -len(e)], pair) for pair in endings for e in pair if word.endswith(e) and len(word) > len(e) + 1
            ]
            options.append([word, *(root + other for root, pair in stem for other in pair)])
        for words in product(*options):
            out.setdefault(" ".join(words), value)
    return out


def _country_codes(table: dict[str, Any], part: str, name: str, problems: list[str]) -> dict[str, str]:
    """A table of forms (country names, nationality words) to ISO 3166 alpha-2 codes."""
    codes = {}
    for form, cc in _table(table, part, f"{name}: places", problems).items():
        if not (isinstance(cc, str) and re.fullmatch(r"[A-Z]{2}", cc)):
            problems.append(f"{name}: places.{part}: {form!r} = {cc!r} is not an ISO 3166 alpha-2 code")
            continue
        codes[_phrase_key(form)] = cc
    return codes


def _patterns(forms: list[str], where: str, problems: list[str]) -> tuple[str, ...]:
    out = []
    for form in forms:
        try:
            re.compile(fold_pattern(form))
        except re.error as exc:
            problems.append(f"{where}: invalid pattern {form!r}: {exc}")
            continue
        out.append(fold_pattern(form))
    return tuple(out)


def _templates(forms: list[str], name: str, problems: list[str]) -> tuple[str, ...]:
    out = []
    for form in forms:
        if "{month}" not in form:
            problems.append(f"{name}: dates.month_alone: {form!r} must contain {{month}}")
            continue
        try:
            re.compile(fold_pattern(form).replace("{month}", "x"))
        except re.error as exc:
            problems.append(f"{name}: dates.month_alone: invalid pattern {form!r}: {exc}")
            continue
        out.append(fold_pattern(form))
    return tuple(out)


def _registry_countries(code: str) -> dict[str, str]:
    """Country names in this language from pycountry's translations (a registry package):
    the official name, the common name, and the short form before a comma
    ("Congo, The Democratic Republic of the" is translated whole)."""
    try:
        translation = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[code])
    except OSError:
        return {}
    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            english = getattr(country, attr, None)
            if not english:
                continue
            local = translation.gettext(english)
            for form in {local, local.split(",")[0]}:
                key = _phrase_key(form)
                if key and len(key) > 2:
                    names.setdefault(key, country.alpha_2)
    return names
