"""The extractor's vocabulary, compiled from `codebook/violations.toml` and `lexicon.toml`."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from childwatch.codebook.alternation import factor_alternation
from childwatch.errors import CodebookError
from childwatch.records import VIOLATIONS

CODEBOOK = Path(__file__).resolve().parent


def _compile(pattern: str, where: str, problems: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    if flags & re.IGNORECASE and not flags & re.ASCII:
        try:  # the same matches, found faster (alternation.py); an error is reported as written
            return re.compile(rf"(?<![\w-])(?:{factor_alternation(pattern)})(?![^\W\d])", flags)
        except re.error:
            pass
    try:
        # A word may be glued to a figure where markup was stripped ("killed19", "children6"):
        # a digit after it still ends it.
        return re.compile(rf"(?<![\w-])(?:{pattern})(?![^\W\d])", flags)
    except re.error as exc:
        problems.append(f"{where}: invalid pattern {pattern!r}: {exc}")
        return re.compile(r"(?!x)x")


def _any(patterns: list[str], where: str, problems: list[str]) -> re.Pattern[str] | None:
    if not patterns:
        return None
    for p in patterns:  # validate one by one so errors name the culprit
        _compile(p, where, problems)
    return _compile("|".join(f"(?:{p})" for p in patterns), where, problems)


@dataclass(frozen=True, slots=True)
class ViolationRules:
    key: str
    window: int
    needs_child: bool
    inherent: re.Pattern[str] | None
    triggers: re.Pattern[str] | None
    exclude: re.Pattern[str] | None


@dataclass(frozen=True, slots=True)
class ChildNoun:
    pattern: re.Pattern[str]
    sex: str | None
    age_min: int | None
    age_max: int | None
    adults_near: re.Pattern[str] | None = None  # words near the noun that make it name adults


@dataclass(frozen=True, slots=True)
class Lexicon:
    violations: tuple[ViolationRules, ...]
    child_nouns: tuple[ChildNoun, ...]
    child_any: re.Pattern[str]  # every noun pattern at once: matches wherever one of them does
    age_adjective: re.Pattern[str]
    groups: re.Pattern[str]
    witnesses: re.Pattern[str]  # words before children who saw an act, not its victims
    # Nouns after a possessive child noun that make it a cause or an institution ("girls'
    # education", "children's rights"): no child there is anyone's victim.
    causes: re.Pattern[str]
    qualifiers: tuple[str, ...]
    vague: dict[str, int]
    armed_group_refs: tuple[str, ...]
    state_force_refs: tuple[str, ...]
    unresolved_refs: tuple[str, ...]
    armed_men: tuple[str, ...]  # nouns after a community's name that make its militia ("Pokot militias")
    generic_descriptions: tuple[str, ...]  # aliases any war has: an actor's only in a report set where it is
    # After an actor's word, the rest of a school's or hospital's name (" Public School")
    facility_name: re.Pattern[str]
    attribution_verbs: tuple[str, ...]
    pattern_cues: re.Pattern[str]
    aggregate_cues: re.Pattern[str]
    graphic: re.Pattern[str]
    demonyms: dict[str, str]  # normalised adjective -> ISO alpha-2


def _read(name: str, problems: list[str]) -> dict[str, Any]:
    path = CODEBOOK / name
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        problems.append(f"{name}: {exc}")
        return {}


@cache
def load_lexicon() -> Lexicon:
    """Read and compile both files; every problem is reported at once as a CodebookError."""
    problems: list[str] = []
    vdata = _read("violations.toml", problems)
    ldata = _read("lexicon.toml", problems)
    rules = []
    seen = set()
    for i, v in enumerate(vdata.get("violation", []), 1):
        where = f"violations.toml: violation #{i} ({v.get('key')})"
        key = v.get("key")
        if key not in VIOLATIONS:
            problems.append(f"{where}: key must be one of {', '.join(VIOLATIONS)}")
            continue
        if key in seen:
            problems.append(f"{where}: duplicate key")
        seen.add(key)
        unknown = set(v) - {"key", "window", "needs_child", "inherent", "triggers", "exclude"}
        if unknown:
            problems.append(f"{where}: unknown field(s) {', '.join(sorted(unknown))}")
        rules.append(
            ViolationRules(
                key=key,
                window=int(v.get("window", 10)),
                needs_child=bool(v.get("needs_child", True)),
                inherent=_any(v.get("inherent", []), where, problems),
                triggers=_any(v.get("triggers", []), where, problems),
                exclude=_any(v.get("exclude", []), where, problems),
            )
        )
    for key in set(VIOLATIONS) - seen:
        problems.append(f"violations.toml: no rules for violation {key!r}")

    children = ldata.get("children", {})
    nouns = []
    for n in children.get("nouns", []):
        nouns.append(
            ChildNoun(
                pattern=_compile(n["pattern"], "lexicon.toml: children.nouns", problems),
                sex=n.get("sex") or None,
                age_min=n.get("age_min"),
                age_max=n.get("age_max"),
                adults_near=_compile(n["adults_near"], "lexicon.toml: children.nouns.adults_near", problems)
                if n.get("adults_near")
                else None,
            )
        )
    child_any = _compile(
        "|".join(n["pattern"] for n in children.get("nouns", [])) or "x^", "lexicon.toml: children.nouns", problems
    )
    adjectives = "|".join(a["pattern"] for a in children.get("age_adjectives", [])) or "x^"
    groups = "|".join(re.escape(g) for g in children.get("groups", [])) or "x^"
    counts = ldata.get("counts", {})
    coref = ldata.get("coreference", {})
    kind = ldata.get("kind", {})
    graphic = ldata.get("graphic", {}).get("terms", [])
    lexicon = Lexicon(
        violations=tuple(rules),
        child_nouns=tuple(nouns),
        child_any=child_any,
        age_adjective=_compile(adjectives, "lexicon.toml: children.age_adjectives", problems),
        groups=_compile(groups, "lexicon.toml: children.groups", problems, flags=0),
        witnesses=_compile(
            "|".join(children.get("witnesses", [])) or "x^", "lexicon.toml: children.witnesses", problems
        ),
        # Matched right after the noun (`match(text, end)`), so not through `_compile`, whose
        # guard against a word character before would refuse the apostrophe glued to it.
        causes=re.compile(r"['\u2019]s?\s+(?:" + ("|".join(children.get("causes", [])) or "x^") + r")\b", re.I),
        qualifiers=tuple(counts.get("qualifiers", [])),
        vague={str(k): int(v) for k, v in counts.get("vague", {}).items()},
        armed_group_refs=tuple(coref.get("armed_group", [])),
        state_force_refs=tuple(coref.get("state_force", [])),
        unresolved_refs=tuple(coref.get("unresolved", [])),
        armed_men=tuple(coref.get("armed_men", [])),
        generic_descriptions=tuple(coref.get("generic", [])),
        # Capitalised words of the name between ("Army Public School and Degree College"), or none;
        # matched right after the actor's word, so not wrapped by _compile (escaped words: no errors).
        facility_name=re.compile(
            r"(?:\s+(?:[A-Z][\w'’.-]*|and|of|for))*?\s+(?i:"
            + ("|".join(re.escape(f) for f in coref.get("facility_nouns", [])) or "x^")
            + r")\b"
        ),
        attribution_verbs=tuple(ldata.get("attribution", {}).get("verbs", [])),
        pattern_cues=_any(kind.get("pattern_cues", []), "lexicon.toml: kind.pattern_cues", problems)
        or re.compile("x^"),
        aggregate_cues=_any(kind.get("aggregate_cues", []), "lexicon.toml: kind.aggregate_cues", problems)
        or re.compile("x^"),
        graphic=_any(graphic, "lexicon.toml: graphic.terms", problems) or re.compile("x^"),
        demonyms={k.replace("-", " ").lower(): str(v).upper() for k, v in ldata.get("demonyms", {}).items()},
    )
    if problems:
        raise CodebookError(problems)
    return lexicon
