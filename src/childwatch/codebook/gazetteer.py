"""Offline place-name lookup over the SQLite gazetteer that `gazetteer_build` writes.

    gaz = Gazetteer.open()               # builds the default file on first use
    gaz.lookup("Ar-Raqqah")              # countries first, then admin1, then places
    gaz.lookup("Palmyra", country="SY")  # only Syrian candidates
    gaz.is_name("Maiduguri")             # True: cheap enough to call on every n-gram
    gaz.search("kandah")                 # names starting so, for a place picker

Names are compared by `normalise_place`, so case, diacritics, apostrophes, hyphens,
spaces and Arabic article spellings (Al-/Ar-/As-/El-...) do not matter.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from childwatch.codebook import gazetteer_build
from childwatch.codebook.gazetteer_schema import (
    DEFAULT_PATH,
    GENERATOR,
    SCHEMA_VERSION,
    PlaceKind,
    key_hash,
    normalise_place,
    place_tokens,
    strip_generic,
    without_article,
)
from childwatch.errors import CodebookError

_IS_NAME_CACHE_MAX = 200_000


@dataclass(frozen=True, slots=True)
class Place:
    """One gazetteer entry. `admin1` is the admin1 name (its own name for admin1 rows)."""

    id: str  # "cc:IQ", "a1:IQ:15", "gn:99072", or "x:SD:darfur" for places.toml entries
    name: str
    kind: PlaceKind
    country: str  # ISO 3166 alpha-2
    admin1: str | None
    lat: float
    lon: float
    population: int


_COLUMNS = "p.id, p.name, p.kind, p.country, p.admin1, p.lat, p.lon, p.population"
# Row numbers were assigned in result order (countries, admin1, places by population), so
# ordering by row number is the ranking.
_LOOKUP_SQL = f"SELECT {_COLUMNS} FROM alias a JOIN place p ON p.rowid = a.place WHERE a.key = ? ORDER BY a.place"
# Distinct places with a name starting with a key, best ranked first (row order is rank).
_PREFIX_SQL = (
    f"SELECT {_COLUMNS} FROM place p WHERE p.rowid IN"
    " (SELECT a.place FROM alias a WHERE a.key >= ? AND a.key < ?) ORDER BY p.rowid LIMIT ?"
)
_ADMIN1_SQL = (
    f"SELECT {_COLUMNS} FROM admin1_key k JOIN place p ON p.rowid = k.place"
    " WHERE k.country = ? AND k.key = ? ORDER BY k.place LIMIT 1"
)


class Gazetteer:
    """Read-only access to a built gazetteer file; one instance can serve many threads."""

    def __init__(self, conn: sqlite3.Connection, path: Path, meta: dict[str, Any], hashes: array[int]) -> None:
        self.path = path
        self._conn = conn
        self._hashes = hashes
        self._generic = [place_tokens(w) for w in meta["admin1_generic"]]
        self._directions = frozenset(meta["directions"])
        self.max_words: int = meta["max_words"]  # longest alias, in words
        self.counts: dict[str, int] = meta["counts"]
        self._is_name_cache: dict[str, bool] = {}
        self._lookup_cached = lru_cache(maxsize=65_536)(self._lookup_uncached)

    @classmethod
    def open(cls, path: Path | None = None) -> Gazetteer:
        """Open the gazetteer at `path` (default: next to this module), building it first if
        the file is missing or was written by an older version of the builder."""
        target = Path(path) if path is not None else DEFAULT_PATH
        if not target.exists():
            _rebuild(target, "missing")
        meta = _read_meta(target)
        if meta.get("schema") != SCHEMA_VERSION:
            _rebuild(target, f"schema {meta.get('schema')}, expected {SCHEMA_VERSION}")
            meta = _read_meta(target)
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        blob = conn.execute("SELECT value FROM meta WHERE key = 'name_hashes'").fetchone()[0]
        hashes: array[int] = array("q")
        hashes.frombytes(blob)
        if sys.byteorder == "big":
            hashes.byteswap()
        return cls(conn, target, meta, hashes)

    def close(self) -> None:
        self._conn.close()

    def lookup(self, name: str, country: str | None = None) -> list[Place]:
        """Every place called `name`: countries first, then admin1, then places by population.
        With `country` (ISO alpha-2), only that country's candidates."""
        places = self._lookup_cached(name)
        if country is not None:
            code = country.upper()
            return [p for p in places if p.country == code]
        return list(places)

    def search(self, text: str, limit: int = 10) -> list[Place]:
        """Places whose name (or any alias) starts with `text`, for type-ahead: exact
        names first, then countries, admin1 and places by population. Fewer than two
        letters find nothing (every place would match)."""
        key = normalise_place(text)
        if len(key) < 2 or limit < 1:
            return []
        found = {p.id: p for p in self.lookup(text)}
        # The upper bound: the key with its last character raised by one (keys are
        # casefolded ASCII letters and digits, see normalise_place).
        upper = key[:-1] + chr(ord(key[-1]) + 1)
        for row in self._conn.execute(_PREFIX_SQL, (key, upper, limit)).fetchall():
            found.setdefault(row[0], Place(*row))
        return list(found.values())[:limit]

    def is_name(self, text: str) -> bool:
        """True if `lookup(text)` would find something; answered from memory."""
        hit = self._is_name_cache.get(text)
        if hit is None:
            hit = self._has_key(normalise_place(text))
            if not hit:
                bare = without_article(text)
                hit = bare is not None and self._has_key(bare)
            if len(self._is_name_cache) >= _IS_NAME_CACHE_MAX:
                self._is_name_cache.clear()
            self._is_name_cache[text] = hit
        return hit

    def country(self, code: str) -> Place | None:
        """The country with ISO alpha-2 `code`, or None."""
        return self.get(f"cc:{code.upper()}")

    def get(self, place_id: str) -> Place | None:
        """The place with this gazetteer id, or None."""
        row = self._conn.execute(f"SELECT {_COLUMNS} FROM place p WHERE p.id = ?", (place_id,)).fetchone()
        return Place(*row) if row else None

    def admin1_of(self, country: str, name: str) -> Place | None:
        """The admin1 (or reporting region) of `country` called `name`. Also accepts forms
        the general lookup leaves out: bare "Plateau", "Shan-North", "Ninawa Governorate"."""
        code = country.upper()
        words = place_tokens(name)
        for candidate in (words, self._strip_generic(words)):
            for key in ("".join(candidate), "".join(candidate[1:]) if candidate[:1] == ["al"] else ""):
                if key:
                    row = self._conn.execute(_ADMIN1_SQL, (code, key)).fetchone()
                    if row:
                        return Place(*row)
        return None

    def _strip_generic(self, words: list[str]) -> list[str]:
        """`words` minus administrative words and an ACLED-style trailing direction
        ("Shan-North", "Bago-East")."""
        words = strip_generic(words, self._generic)
        return words[:-1] if len(words) > 1 and words[-1] in self._directions else words

    def _has_key(self, key: str) -> bool:
        if not key:
            return False
        wanted = key_hash(key)
        i = bisect_left(self._hashes, wanted)
        return i < len(self._hashes) and self._hashes[i] == wanted

    def _lookup_uncached(self, name: str) -> tuple[Place, ...]:
        key = normalise_place(name)
        rows = self._conn.execute(_LOOKUP_SQL, (key,)).fetchall() if key else []
        if not rows:
            bare = without_article(name)
            if bare:
                rows = self._conn.execute(_LOOKUP_SQL, (bare,)).fetchall()
        return tuple(Place(*row) for row in rows)


def _rebuild(target: Path, why: str) -> None:
    print(f"childwatch: building the gazetteer at {target} ({why}; takes about 15 s, once)", file=sys.stderr)
    gazetteer_build.build(target)


def _read_meta(target: Path) -> dict[str, Any]:
    try:
        conn = sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
        try:
            rows = conn.execute("SELECT key, value FROM meta WHERE key != 'name_hashes'").fetchall()
        finally:
            conn.close()
        meta = {str(k): json.loads(v) for k, v in rows}
    except (sqlite3.DatabaseError, TypeError, ValueError) as exc:
        raise CodebookError(
            [
                f"{target}: not a readable gazetteer ({exc}); delete it and it will be rebuilt,"
                " or run `python -m childwatch.codebook.gazetteer_build`"
            ]
        ) from exc
    if meta.get("generator") != GENERATOR:
        raise CodebookError([f"{target}: this SQLite file is not a childwatch gazetteer; pass another path"])
    return meta
