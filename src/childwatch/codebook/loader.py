"""Load the codebook (`actors.toml`, `sources.toml`) and validate it against its schema.

Every problem in every file is collected before anything is raised, so one run lists them
all, each as ``"actors.toml:LINE: problem"``, in one `CodebookError`. tomllib gives no
line numbers, so `load_table` finds them by scanning the text: the Nth ``[[actor]]``
header is the Nth entry, and a key's line is the first ``key =`` line inside that entry.

`load_table` is the reusable part: any codebook file made of ``[[table]]`` entries can be
checked with a `FieldSpec` schema, then the caller adds its own cross-entry checks::

    schema = {"key": FieldSpec(required=True), "window": FieldSpec("int")}
    problems: list[str] = []
    entries = load_table(path, "violation", schema, problems)
"""

from __future__ import annotations

import difflib
import re
import tomllib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache, cached_property
from pathlib import Path
from typing import Any, Literal

import pycountry

from childwatch.errors import CodebookError

DEFAULT_DIR = Path(__file__).resolve().parent

# A check takes one value (one item of a list) and returns a problem, or None when fine.
Check = Callable[[Any], str | None]


# ---- generic machinery ----------------------------------------------------------------


@dataclass(frozen=True)
class FieldSpec:
    """One key of a ``[[table]]`` entry.

    `type` is the TOML type; `choices` and `check` apply to a str, or to each item of a
    str_list. A list that is `required` must also be non-empty.
    """

    type: Literal["str", "str_list", "int", "bool"] = "str"
    required: bool = False
    choices: frozenset[str] | None = None
    check: Check | None = None


@dataclass(frozen=True)
class Entry:
    """One ``[[table]]`` entry: its values that passed the schema, and where it stands."""

    file: str
    line: int  # of the [[table]] header
    values: Mapping[str, Any]
    valid: bool  # False when any key of this entry had a problem
    lines: tuple[str, ...] = ()  # the entry's own source lines, header first

    def line_of(self, key: str | None = None, text: str | None = None) -> int:
        """The line of `key` in this entry (of `text` within or after it, when given)."""
        start = 0
        if key is not None:
            pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*[=.]""")
            start = next((i for i, ln in enumerate(self.lines) if pattern.match(ln)), 0)
        if text is not None:
            for i in range(start, len(self.lines)):
                if text in self.lines[i]:
                    return self.line + i
        return self.line + start

    def where(self, key: str | None = None, text: str | None = None) -> str:
        return f"{self.file}:{self.line_of(key, text)}"


def load_table(
    path: Path,
    table: str,
    schema: Mapping[str, FieldSpec],
    problems: list[str] | None = None,
) -> list[Entry]:
    """Read the ``[[table]]`` entries of a TOML file and check each against `schema`.

    Problems go to `problems` when given (the caller raises once, after its own checks);
    otherwise a `CodebookError` is raised here if there are any. Entries with problems
    are still returned (`valid=False`, bad values dropped) so cross-entry checks can run.
    """
    own: list[str] = []
    entries = _read_table(path, table, schema, own)
    if problems is not None:
        problems.extend(own)
    elif own:
        raise CodebookError(own)
    return entries


def _read_table(path: Path, table: str, schema: Mapping[str, FieldSpec], problems: list[str]) -> list[Entry]:
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        problems.append(f"{name}:0: cannot be read ({exc.strerror or exc}); is the codebook installed?")
        return []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        problems.append(_syntax_problem(name, str(exc), text))
        return []
    lines = text.splitlines()
    header = re.compile(rf"^\s*\[\[\s*{re.escape(table)}\s*\]\]\s*(#.*)?$")
    starts = [i for i, ln in enumerate(lines) if header.match(ln)]
    for key in data:
        if key != table:
            top = re.compile(rf"""^\s*(\[\[?\s*)?["']?{re.escape(key)}["']?\s*[=.\]]""")
            line = next((i + 1 for i, ln in enumerate(lines) if top.match(ln)), 1)
            problems.append(f"{name}:{line}: unexpected top-level key '{key}' (write [[{table}]] entries)")
    raw = data.get(table, [])
    if not isinstance(raw, list) or not all(isinstance(r, dict) for r in raw):
        problems.append(f"{name}:1: '{table}' must be written as [[{table}]] tables")
        return []
    if not raw:
        problems.append(f"{name}:1: no [[{table}]] entries")

    entries = []
    for n, values in enumerate(raw):
        # A header inside a multi-line string could shift the count; fall back to line 1.
        start = starts[n] if n < len(starts) and len(starts) == len(raw) else 0
        end = starts[n + 1] if n + 1 < len(starts) and len(starts) == len(raw) else len(lines)
        probe = Entry(name, start + 1, {}, True, tuple(lines[start:end]))
        entries.append(_check_entry(probe, values, table, schema, problems))
    return entries


def _check_entry(
    probe: Entry, values: dict[str, Any], table: str, schema: Mapping[str, FieldSpec], problems: list[str]
) -> Entry:
    found: list[str] = []
    kept: dict[str, Any] = {}
    for key, value in values.items():
        spec = schema.get(key)
        if spec is None:
            close = difflib.get_close_matches(key, schema, n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(schema)}"
            found.append(f"{probe.where(key)}: unknown key '{key}' in [[{table}]] ({hint})")
            continue
        before = len(found)
        good = _check_value(probe, key, value, spec, found)
        if good is not None:
            kept[key] = good
        elif len(found) == before:
            kept[key] = value
    for key, spec in schema.items():
        if spec.required and key not in values:
            found.append(f"{probe.where()}: [[{table}]] entry has no '{key}' (it is required)")
    problems.extend(found)
    return Entry(probe.file, probe.line, kept, not found, probe.lines)


def _check_value(entry: Entry, key: str, value: Any, spec: FieldSpec, found: list[str]) -> list[str] | None:
    """Report what is wrong with `value`; for a list, return the items that passed."""
    here = entry.where(key)
    if spec.type in ("int", "bool"):
        # bool is a subclass of int: `window = true` must not pass as an integer.
        if type(value) is not {"int": int, "bool": bool}[spec.type]:
            found.append(f"{here}: '{key}' must be {spec.type}, not {type(value).__name__}")
        return None
    if spec.type == "str" and not isinstance(value, str):
        found.append(f"{here}: '{key}' must be a string, not {type(value).__name__}")
        return None
    if spec.type == "str_list" and not (isinstance(value, list) and all(isinstance(v, str) for v in value)):
        found.append(f"{here}: '{key}' must be a list of strings")
        return None
    items = value if isinstance(value, list) else [value]
    if spec.required and not items:
        found.append(f"{here}: '{key}' is empty")
    good: list[str] = []
    for item in items:
        where = entry.where(key, item) if item.strip() else here
        if not item.strip():
            found.append(f"{where}: empty string in '{key}'")
        elif item.casefold() in {g.casefold() for g in good}:
            found.append(f"{where}: '{item}' is listed twice in '{key}'")
        elif spec.choices is not None and item not in spec.choices:
            found.append(f"{where}: '{key}' is '{item}', expected one of: {', '.join(sorted(spec.choices))}")
        elif spec.check is not None and (problem := spec.check(item)):
            found.append(f"{where}: {problem}")
        else:
            good.append(item)
    return good if isinstance(value, list) else None


def _syntax_problem(name: str, message: str, text: str) -> str:
    m = re.search(r"\s*\(at line (\d+), column \d+\)$", message)
    if m:
        return f"{name}:{m.group(1)}: TOML syntax error: {message[: m.start()]}"
    line = text.count("\n") + 1
    return f"{name}:{line}: TOML syntax error: {re.sub(r' [(]at end of document[)]$', '', message)}"


# ---- reusable checks -----------------------------------------------------------------


def is_snake_id(value: str) -> str | None:
    if not re.fullmatch(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*", value):
        return f"id '{value}' must be snake_case (lower-case letters, digits, single underscores)"
    return None


def is_country(value: str) -> str | None:
    if not (re.fullmatch(r"[A-Z]{2}", value) and pycountry.countries.get(alpha_2=value)):
        return f"'{value}' is not an ISO 3166 alpha-2 country code (e.g. 'SY', 'NG', 'CD')"
    return None


def is_abbreviation(value: str) -> str | None:
    # Abbreviations are matched case-sensitively, so they must be written as they appear
    # in capitals; a mixed-case form like "FAMa" belongs in aliases.
    if not re.fullmatch(r"[A-Z0-9]+(?:[-/&][A-Z0-9]+)*", value) or value.isdigit():
        return f"abbreviation '{value}' must be capitals and digits (move mixed-case forms to aliases)"
    return None


def is_regex(value: str) -> str | None:
    try:
        re.compile(value)
    except re.error as exc:
        return f"invalid regular expression {value!r}: {exc}"
    return None


def normalise(text: str) -> str:
    """The form names are compared in: accents dropped, case folded, punctuation as spaces.

    "al-Shabaab", "Al Shabaab" and "AL-SHABAAB" are one form; matchers should use this too.
    """
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[^\w]+|_", " ", text).split())


# ---- the codebook --------------------------------------------------------------------

ACTOR_KINDS = frozenset({"armed_group", "state_force", "militia", "coalition", "criminal_gang"})
SOURCE_KINDS = frozenset({"un", "ngo", "monitor", "government", "court", "media"})
RELIABILITY = frozenset("ABCDEF")

ACTOR_SCHEMA: Mapping[str, FieldSpec] = {
    "id": FieldSpec(required=True, check=is_snake_id),
    "name": FieldSpec(required=True),
    "aliases": FieldSpec("str_list"),
    "abbreviations": FieldSpec("str_list", check=is_abbreviation),
    "kind": FieldSpec(required=True, choices=ACTOR_KINDS),
    "countries": FieldSpec("str_list", required=True, check=is_country),
    "parent": FieldSpec(check=is_snake_id),
    "unnamed_in": FieldSpec("str_list", check=is_country),
    "named_only": FieldSpec("bool"),
    "note": FieldSpec(),
}
SOURCE_SCHEMA: Mapping[str, FieldSpec] = {
    "id": FieldSpec(required=True, check=is_snake_id),
    "name": FieldSpec(required=True),
    "aliases": FieldSpec("str_list"),
    "abbreviations": FieldSpec("str_list", check=is_abbreviation),
    "kind": FieldSpec(required=True, choices=SOURCE_KINDS),
    "country": FieldSpec(check=is_country),
    "reliability": FieldSpec(choices=RELIABILITY),
    "note": FieldSpec(),
}


@dataclass(frozen=True)
class Actor:
    """An armed group or force. `countries` lists where it acts (for state forces, its
    own country first); the extractor tells apart actors sharing an alias by country."""

    id: str
    name: str
    aliases: tuple[str, ...]  # matched case-insensitively, as whole words
    abbreviations: tuple[str, ...]  # matched case-sensitively
    kind: str
    countries: tuple[str, ...]
    parent: str | None = None
    # Where a report's "the army" or "the military", no state named, means this force rather
    # than the state force of the country itself (a territory whose own forces are police).
    unnamed_in: tuple[str, ...] = ()
    # Only ever the actor of a sentence that names it, never the one an unnamed act is
    # inferred to be from the story around it: a force sent to protect (peacekeepers) is
    # named in most reports of violence as the one responding.
    named_only: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Source:
    """An original source that reports quote (a UN body, an NGO, a ministry, a court)."""

    id: str
    name: str
    aliases: tuple[str, ...]
    abbreviations: tuple[str, ...]
    kind: str
    country: str | None = None
    reliability: str | None = None  # A (reliable) .. F (cannot be judged); None: not graded
    note: str | None = None


@dataclass(frozen=True)
class Codebook:
    actors: tuple[Actor, ...]
    sources: tuple[Source, ...]

    @cached_property
    def _actors(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    @cached_property
    def _sources(self) -> dict[str, Source]:
        return {s.id: s for s in self.sources}

    def actor(self, id: str) -> Actor:
        """The actor with this id; KeyError (naming actors.toml) when there is none."""
        if id not in self._actors:
            raise KeyError(f"no actor with id '{id}' in the codebook (see actors.toml)")
        return self._actors[id]

    def actor_in(self, ids: str, country: str | None) -> Actor:
        """One of the actors of `ids`, "|"-joined where a language's word names any of them
        ("طيران التحالف", the coalition's aircraft: the Saudi-led one in Yemen, the US-led one
        in Syria): the first that acts in `country`, else the first."""
        options = [self.actor(i) for i in ids.split("|")]
        return next((a for a in options if country in a.countries), options[0])

    def source(self, id: str) -> Source:
        """The source with this id; KeyError (naming sources.toml) when there is none."""
        if id not in self._sources:
            raise KeyError(f"no source with id '{id}' in the codebook (see sources.toml)")
        return self._sources[id]


def load_codebook(directory: Path | None = None) -> Codebook:
    """Load and validate `actors.toml` and `sources.toml` from `directory` (default: the
    shipped codebook, loaded once per process). Raises `CodebookError` listing every
    problem found, each as 'file:line: problem'."""
    if directory is None:
        return _default_codebook()
    return _load(Path(directory))


@cache
def _default_codebook() -> Codebook:
    return _load(DEFAULT_DIR)


def _load(directory: Path) -> Codebook:
    problems: list[str] = []
    actor_entries = load_table(directory / "actors.toml", "actor", ACTOR_SCHEMA, problems)
    source_entries = load_table(directory / "sources.toml", "source", SOURCE_SCHEMA, problems)
    _check_ids(actor_entries, problems)
    _check_ids(source_entries, problems)
    _check_parents(actor_entries, problems)
    # An actor whose countries were rejected is left out of the collision check (None);
    # a source without a country counts as present everywhere (empty set).
    _check_forms(actor_entries, lambda v: set(v.get("countries", ())) or None, problems)
    _check_forms(source_entries, lambda v: {v["country"]} if "country" in v else set(), problems)
    if problems:
        raise CodebookError(sorted(problems, key=_problem_order))
    return Codebook(
        actors=tuple(_build(Actor, e.values) for e in actor_entries),
        sources=tuple(_build(Source, e.values) for e in source_entries),
    )


def _build(cls: type[Actor] | type[Source], values: Mapping[str, Any]) -> Any:
    fields: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in values.items()}
    return cls(**{"aliases": (), "abbreviations": (), **fields})


def _problem_order(problem: str) -> tuple[str, int]:
    file, _, rest = problem.partition(":")
    line = rest.partition(":")[0]
    return (file, int(line) if line.isdigit() else 0)


def _check_ids(entries: list[Entry], problems: list[str]) -> None:
    first: dict[str, Entry] = {}
    for e in entries:
        id = e.values.get("id")
        if id is None:
            continue
        if id in first:
            problems.append(f"{e.where('id')}: duplicate id '{id}' (first at line {first[id].line_of('id')})")
        else:
            first[id] = e


def _check_parents(entries: list[Entry], problems: list[str]) -> None:
    parents = {e.values["id"]: e.values.get("parent") for e in entries if "id" in e.values}
    for e in entries:
        parent = e.values.get("parent")
        if parent is None:
            continue
        if parent not in parents:
            problems.append(f"{e.where('parent')}: parent '{parent}' is not the id of any [[actor]]")
            continue
        seen, node = {e.values.get("id")}, parent
        while node is not None:
            if node in seen:
                problems.append(f"{e.where('parent')}: parent chain of '{e.values.get('id')}' loops")
                break
            seen.add(node)
            node = parents.get(node)


def _check_forms(
    entries: list[Entry], countries_of: Callable[[Mapping[str, Any]], set[str] | None], problems: list[str]
) -> None:
    """Each name, alias and abbreviation, normalised, must point to one entry per country.

    The extractor disambiguates a shared form by the country of the report, so two entries
    may share one only if their countries do not overlap ("al-Shabaab" is al_shabaab in
    Somalia and Ansar al-Sunna in Mozambique). An entry without countries (a source with
    no `country`) counts as present everywhere.
    """
    owner: dict[str, list[tuple[Entry, set[str]]]] = {}
    for e in entries:
        v, where = e.values, countries_of(e.values)
        mine: dict[str, str] = {}
        forms = [("name", v["name"])] if "name" in v else []
        forms += [("aliases", a) for a in v.get("aliases", ())]
        forms += [("abbreviations", a) for a in v.get("abbreviations", ())]
        for key, form in forms:
            if key == "aliases" and re.fullmatch(r"[A-Z0-9]{2,6}", form) and not form.isdigit():
                problems.append(
                    f"{e.where(key, form)}: alias '{form}' looks like an abbreviation: "
                    "move it to abbreviations so it is matched case-sensitively"
                )
            n = normalise(form)
            if not n:
                continue
            if n in mine:
                problems.append(f"{e.where(key, form)}: '{form}' is the same as '{mine[n]}' once normalised")
                continue
            mine[n] = form
            if where is None:
                continue
            for other, there in owner.get(n, ()):
                if where and there and not where & there:
                    continue
                shared = ", ".join(sorted(where & there)) or "everywhere"
                problems.append(
                    f"{e.where(key, form)}: '{form}' also names '{other.values.get('id')}' "
                    f"(line {other.line}) in the same country ({shared}); keep it on one of them"
                )
            owner.setdefault(n, []).append((e, where))
