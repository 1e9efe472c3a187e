"""Evidence highlighting: a document text and field spans -> plain segments, each with
the fields that cover it, for a template to wrap in <mark>.

Nothing here builds HTML. The template escapes every segment (Jinja autoescape), so a
document containing `<script>` or attribute tricks is shown literally, whatever spans
point into it. Spans overlap (the evidence sentence holds the perpetrator, the count
...), so the text is cut at every span boundary and each piece lists all its fields.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

# field name (as in export.claim_record's "spans") -> (css key, label in the legend).
# victims.* share one colour: a monitor reads them as "who was harmed".
FIELD_STYLES: dict[str, tuple[str, str]] = {
    "evidence": ("evidence", "claim sentence"),
    "mentions": ("evidence", "claim sentence"),
    "trigger": ("trigger", "violation words"),
    "perpetrator": ("perpetrator", "perpetrator"),
    "victims.count": ("victims", "children (count, age, sex, group)"),
    "victims.age": ("victims", "children (count, age, sex, group)"),
    "victims.sex": ("victims", "children (count, age, sex, group)"),
    "victims.group": ("victims", "children (count, age, sex, group)"),
    "location": ("location", "place"),
    "date": ("date", "date"),
    "source": ("source", "source"),
}
_SEARCH_WINDOW = 200  # how far from its stated offset a shifted span is looked for


@dataclass(frozen=True, slots=True)
class Segment:
    text: str
    styles: tuple[str, ...] = ()  # css keys, e.g. ("evidence", "perpetrator")
    labels: tuple[str, ...] = ()  # human labels, for the title attribute

    @property
    def marked(self) -> bool:
        return bool(self.styles)


def _style(field: str) -> tuple[str, str] | None:
    if field in FIELD_STYLES:
        return FIELD_STYLES[field]
    head = field.split(".", 1)[0]
    return FIELD_STYLES.get(head)


def _locate(text: str, span: Mapping[str, Any]) -> tuple[int, int] | None:
    """The span's [start, end) in `text`, trusting offsets only when they still hold.

    Offsets can drift when the text shown is not the text extracted from (pseudonymised
    names have other lengths); then the span's own text is searched near its offset.
    """
    try:
        start, end = int(span["start"]), int(span["end"])
    except (KeyError, TypeError, ValueError):
        return None
    quoted = span.get("text")
    if 0 <= start < end <= len(text) and (not quoted or text[start:end] == quoted):
        return start, end
    if not quoted:
        return None
    lo = max(0, start - _SEARCH_WINDOW)
    found = text.find(quoted, lo, min(len(text), max(start, 0) + len(quoted) + _SEARCH_WINDOW))
    if found < 0:
        return None
    return found, found + len(quoted)


def segments(text: str, spans: Iterable[Mapping[str, Any]]) -> list[Segment]:
    """Cut `text` at span boundaries; each segment carries the styles of the spans over it."""
    placed: list[tuple[int, int, str, str]] = []
    for span in spans:
        style = _style(str(span.get("field", "")))
        where = _locate(text, span)
        if style is None or where is None:
            continue
        placed.append((where[0], where[1], style[0], style[1]))
    cuts = sorted({0, len(text), *(s for s, _, _, _ in placed), *(e for _, e, _, _ in placed)})
    out: list[Segment] = []
    for a, b in itertools.pairwise(cuts):
        if a == b:
            continue
        over = [(style, label) for s, e, style, label in placed if s <= a and b <= e]
        styles = tuple(dict.fromkeys(style for style, _ in over))
        labels = tuple(dict.fromkeys(label for _, label in over))
        out.append(Segment(text[a:b], styles, labels))
    return out


def legend(spans: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    """(css key, label) of the styles used, in a fixed order, for the legend."""
    used = {s[0] for s in (_style(str(span.get("field", ""))) for span in spans) if s}
    seen: dict[str, str] = {}
    for key, label in FIELD_STYLES.values():
        if key in used and key not in seen:
            seen[key] = label
    return list(seen.items())


def window(text: str, spans: Iterable[Mapping[str, Any]], margin: int = 400) -> tuple[int, int]:
    """The stretch of `text` around the claim's spans worth showing first (with context)."""
    located = [w for w in (_locate(text, s) for s in spans) if w]
    if not located:
        return 0, min(len(text), 2 * margin)
    start = max(0, min(a for a, _ in located) - margin)
    end = min(len(text), max(b for _, b in located) + margin)
    return start, end
