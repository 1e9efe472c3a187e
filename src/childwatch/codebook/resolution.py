"""The resolution settings: `codebook/resolution.toml`, validated when loaded."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from childwatch.errors import CodebookError

PATH = Path(__file__).resolve().parent / "resolution.toml"

THRESHOLDS = {
    "merge_at": float,
    "min_fit": float,
    "max_candidates": int,
    "members_compared": int,
    "max_km": float,
    "date_gap_days": int,
    "day_gap_days": int,
    "month_key_max_days": int,
}
WEIGHTS = (
    "same_story", "same_perpetrator", "same_place", "near_place", "same_admin1", "other_admin1",
    "dates_overlap_precise", "dates_overlap", "same_count", "same_count_one", "close_count", "far_count",
    "far_count_aggregate", "ages_overlap", "ages_apart", "sexes_apart", "same_sex", "kinds_apart", "pattern",
    "same_source", "same_source_aggregate", "shared_name", "shared_names_max", "wording", "wording_max",
    "other_perpetrator", "places_apart", "named_in_report", "well_reported", "well_reported_max", "other_country",
    "other_perpetrator_stated", "other_perpetrator_inferred", "close_count_large", "reported_same_days",
    "same_headline", "same_headline_max", "same_child", "same_site_kind",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class Settings:
    merge_at: float
    min_fit: float
    max_candidates: int
    members_compared: int
    max_km: float
    date_gap_days: int
    day_gap_days: int
    month_key_max_days: int
    weights: dict[str, float]
    outlets: dict[str, str]  # folded name, alias or domain -> outlet display name
    aggregators: frozenset[str]  # display names of outlets that carry others' reports
    per_report: frozenset[str]  # source words that name people, not bodies
    bodies: dict[str, str]  # folded last words of a source -> the kind of state body they name
    common_names: frozenset[str]  # capitalised words that name nothing in particular
    stopwords: frozenset[str]  # content words too common to compare wording by
    sites: frozenset[str]  # kinds of site an event is told at ("school"), as written in the codebook
    sites_not_for: frozenset[str]  # violations that are attacks on such sites


def fold(text: str) -> str:
    """Lower case, single spaces, no "www." — how outlet names and domains are compared."""
    text = " ".join(text.lower().split())
    return text[4:] if text.startswith("www.") else text


@cache
def load_settings(path: Path = PATH) -> Settings:
    """Read and check `resolution.toml`; every problem is reported at once."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise CodebookError([f"{path}: {exc}"]) from exc
    problems: list[str] = []
    thresholds = data.get("thresholds", {})
    values: dict[str, Any] = {}
    for key, kind in THRESHOLDS.items():
        value = thresholds.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool) or value < 0:
            problems.append(f"{path}: [thresholds] {key} must be a number ≥ 0 (found {value!r})")
            value = 0
        values[key] = kind(value)
    raw_weights = data.get("weights", {})
    weights: dict[str, float] = {}
    for key in WEIGHTS:
        value = raw_weights.get(key)
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"{path}: [weights] {key} must be a number (found {value!r})")
            value = 0.0
        weights[key] = float(value)
    problems += [f"{path}: [weights] {key} is not a known feature" for key in raw_weights if key not in WEIGHTS]
    outlets: dict[str, str] = {}
    aggregators: set[str] = set()
    for i, entry in enumerate(data.get("outlet", []), 1):
        name = entry.get("name")
        if not isinstance(name, str) or not name.strip():
            problems.append(f"{path}: outlet #{i} has no name")
            continue
        if not isinstance(entry.get("aggregator", False), bool):
            problems.append(f"{path}: outlet {name!r}: aggregator must be true or false")
        elif entry.get("aggregator", False):
            aggregators.add(name)
        for form in [name, *entry.get("domains", []), *entry.get("aliases", [])]:
            key = fold(str(form))
            if outlets.get(key, name) != name:
                problems.append(f"{path}: outlet {name!r}: {form!r} already names {outlets[key]!r}")
            outlets[key] = name
    per_report = data.get("provenance", {}).get("per_report", [])
    if not isinstance(per_report, list) or not all(isinstance(w, str) for w in per_report):
        problems.append(f"{path}: [provenance] per_report must be a list of words")
        per_report = []
    bodies: dict[str, str] = {}
    for kind, words in data.get("provenance", {}).get("bodies", {}).items():
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            problems.append(f"{path}: [provenance.bodies] {kind} must be a list of words")
            continue
        for word in words:
            if bodies.get(fold(word), kind) != kind:
                problems.append(f"{path}: [provenance.bodies] {word!r} is listed under {bodies[fold(word)]!r} too")
            bodies[fold(word)] = kind
    lists: dict[str, frozenset[str]] = {}
    for key in ("common", "stopwords"):
        value = data.get("names", {}).get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            problems.append(f"{path}: [names] {key} must be a list of words")
            value = []
        lists[key] = frozenset(value)
    for key in ("words", "not_for"):
        value = data.get("sites", {}).get(key, [])
        if not isinstance(value, list) or not all(isinstance(w, str) for w in value):
            problems.append(f"{path}: [sites] {key} must be a list of words")
            value = []
        lists[f"sites.{key}"] = frozenset(value)
    if problems:
        raise CodebookError(problems)
    return Settings(
        **values,
        weights=weights,
        outlets=outlets,
        aggregators=frozenset(aggregators),
        per_report=frozenset(fold(w) for w in per_report),
        bodies=bodies,
        common_names=lists["common"],
        stopwords=lists["stopwords"],
        sites=lists["sites.words"],
        sites_not_for=lists["sites.not_for"],
    )
