"""The gazetteer file's schema and the name normalisation shared by its builder
(`gazetteer_build`) and its reader (`gazetteer`): a name is stored under the key the
reader will look it up by."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path
from typing import Literal

SCHEMA_VERSION = 1  # bump when SCHEMA_SQL or the meaning of a key changes: files get rebuilt
GENERATOR = "childwatch.gazetteer"
SCHEMA_SQL = """
PRAGMA journal_mode = OFF;
PRAGMA synchronous = OFF;
CREATE TABLE meta (key TEXT PRIMARY KEY, value);
CREATE TABLE place (
    rank INTEGER PRIMARY KEY,  -- countries, then admin1, then places; by population within
    id TEXT NOT NULL UNIQUE, name TEXT NOT NULL, kind TEXT NOT NULL, country TEXT NOT NULL,
    admin1 TEXT, lat REAL NOT NULL, lon REAL NOT NULL, population INTEGER NOT NULL);
CREATE TABLE alias (key TEXT NOT NULL, place INTEGER NOT NULL, PRIMARY KEY (key, place)) WITHOUT ROWID;
CREATE TABLE admin1_key (country TEXT NOT NULL, key TEXT NOT NULL, place INTEGER NOT NULL,
    PRIMARY KEY (country, key, place)) WITHOUT ROWID;
"""  # meta holds JSON values, and name_hashes: the sorted key hashes is_name() searches
DEFAULT_PATH = Path(__file__).with_name("gazetteer.db")

PlaceKind = Literal["country", "admin1", "place"]

# Letters that NFKD does not split into base letter + mark.
_FOLD = str.maketrans(
    {
        "ı": "i",
        "ø": "o",
        "Ø": "o",
        "đ": "d",
        "Đ": "d",
        "ł": "l",
        "Ł": "l",
        "ħ": "h",
        "ŧ": "t",
        "æ": "ae",
        "Æ": "ae",
        "œ": "oe",
        "Œ": "oe",
        "ß": "ss",
        "þ": "th",
        "ð": "d",
    }
)
# Apostrophes and the ʿayn/hamza marks of Arabic transliteration vanish: Sa'dah = Sadah.
_APOSTROPHES = re.compile("['`´ʹʻʼʽʾʿˈ‘’′]")
_SEPARATORS = re.compile(r"[\W_]+")
# Arabic article spellings (sun-letter assimilation, French "el"): all compare as "al".
ARTICLES = frozenset(
    {"al", "el", "ar", "er", "as", "es", "ash", "esh", "ad", "ed", "adh", "an", "en", "at", "et", "ath", "az", "ez"}
)
# is_name answers are cached per raw string; the cache is dropped when it grows past this.


def place_tokens(name: str) -> list[str]:
    """The words of `name` as `normalise_place` sees them (articles already made "al")."""
    text = name.translate(_FOLD)
    if not text.isascii():
        text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    words = _SEPARATORS.sub(" ", _APOSTROPHES.sub("", text.casefold())).split()
    if len(words) > 1 and words[0] == "the":  # "The Gambia" = "Gambia"
        del words[0]
    for i in range(len(words) - 1):  # an article never ends a name, and "As" alone is a town
        if words[i] in ARTICLES:
            words[i] = "al"
    return words


def normalise_place(name: str) -> str:
    """The comparison key of a place name: "Deir ez-Zor", "DEIR AL ZOR", "Deir el Zor" all
    give "deiralzor"; "Sa'dah" and "Sadah" give "sadah"; "Türkiye" gives "turkiye"."""
    return "".join(place_tokens(name))


def without_article(name: str) -> str | None:
    """The key of `name` minus a leading Arabic article ("Al-Anbar" -> "anbar"), if it has one."""
    words = place_tokens(name)
    return "".join(words[1:]) if len(words) > 1 and words[0] == "al" else None


def strip_generic(words: list[str], generic: list[list[str]]) -> list[str]:
    """`words` minus administrative words (token lists from `place_tokens`) at either end:
    "Ninawa Governorate" and "Muhafazat Ninawa" both leave ["ninawa"]. Never empties."""
    changed = True
    while changed:
        changed = False
        for phrase in generic:
            n = len(phrase)
            if len(words) > n and words[:n] == phrase:
                words, changed = words[n:], True
            elif len(words) > n and words[-n:] == phrase:
                words, changed = words[:-n], True
    return words


def key_hash(key: str) -> int:
    """A stable signed 64-bit hash of a key; the builder stores these for `is_name`."""
    return int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True)
