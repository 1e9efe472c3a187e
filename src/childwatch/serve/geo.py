"""The dashboard map, drawn server-side as SVG from the outlines `mapbuild.py` made.

Countries are shaded by their incident count and incidents with coordinates are drawn
as points linking to their page. The view fits the countries and points in the data
(the whole world when there are none), and only outlines inside it are sent.

Outlines are plate carrée in hundredths of a degree; x is scaled by cos(latitude) of
the view's centre in an SVG transform, which keeps a regional view in proportion.
Points are placed in the scaled space directly, so circles stay round.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from childwatch.serve.mapbuild import DEFAULT_OUT

LEVELS = 5
WORLD = (-170.0, -57.0, 180.0, 80.0)  # lon/lat box of the world view (no Antarctica)
MIN_SPAN = (24.0, 14.0)  # degrees: never zoom closer than this
PAD = 0.12


@dataclass(frozen=True, slots=True)
class Shape:
    code: str
    name: str
    d: str
    count: int
    level: int  # 0 = no incidents, 1..LEVELS = shading class


@dataclass(frozen=True, slots=True)
class Point:
    x: float
    y: float
    r: float
    href: str
    label: str
    violation: str


@dataclass(slots=True)
class MapView:
    available: bool
    view_box: str = "0 0 100 50"
    scale_x: float = 1.0
    stroke: float = 1.0
    shapes: list[Shape] = field(default_factory=list)
    points: list[Point] = field(default_factory=list)
    legend: list[tuple[int, str]] = field(default_factory=list)  # (level, "1-3 incidents")


@lru_cache(maxsize=4)
def load_outlines(path: Path = DEFAULT_OUT) -> dict[str, Any] | None:
    """The built outlines, or None when `make setup` has not built them yet."""
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))["countries"]
    except (OSError, ValueError, KeyError):
        return None
    return data


def _level(n: int, top: int) -> int:
    if n <= 0 or top <= 0:
        return 0
    # Log scale: one country with hundreds of incidents must not wash out the rest.
    return max(1, math.ceil(LEVELS * math.log1p(n) / math.log1p(top)))


def _legend(top: int) -> list[tuple[int, str]]:
    """(level, "lo–hi") for each level some count in 1..top falls in."""
    out = []
    lower = 1
    for level in range(1, LEVELS + 1):
        # The largest n with _level(n) == level; the epsilon absorbs float error at the edges.
        upper = top if level == LEVELS else math.floor(math.expm1(level * math.log1p(top) / LEVELS) + 1e-9)
        if upper >= lower:
            out.append((level, f"{lower}" if upper == lower else f"{lower}–{upper}"))
            lower = upper + 1
    return out


def _fit(boxes: Iterable[tuple[float, float, float, float]]) -> tuple[float, float, float, float]:
    boxes = list(boxes)
    if not boxes:
        return WORLD
    x0, y0 = min(b[0] for b in boxes), min(b[1] for b in boxes)
    x1, y1 = max(b[2] for b in boxes), max(b[3] for b in boxes)
    w, h = max(x1 - x0, MIN_SPAN[0]), max(y1 - y0, MIN_SPAN[1])
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    w, h = w * (1 + 2 * PAD), h * (1 + 2 * PAD)
    return (max(-180.0, cx - w / 2), max(-85.0, cy - h / 2), min(180.0, cx + w / 2), min(85.0, cy + h / 2))


def _overlaps(a: list[float], b: tuple[float, float, float, float]) -> bool:
    return a[0] <= b[2] and b[0] <= a[2] and a[1] <= b[3] and b[1] <= a[3]


def build_map(
    by_country: Mapping[str, int],
    points: Iterable[Mapping[str, Any]] = (),
    outlines: Mapping[str, Any] | None = None,
) -> MapView:
    """The map model: `by_country` {ISO alpha-2: incidents}; `points` dicts with lat, lon,
    incident_id and optionally violation, count_best, place."""
    if outlines is None:
        outlines = load_outlines()
    if not outlines:
        return MapView(available=False)
    counts = {k.upper(): int(v) for k, v in by_country.items() if v and len(k) == 2}
    located = [p for p in points if p.get("lat") is not None and p.get("lon") is not None]
    boxes = [tuple(outlines[c]["bbox"]) for c in counts if c in outlines]
    boxes += [(float(p["lon"]), float(p["lat"]), float(p["lon"]), float(p["lat"])) for p in located]
    view = _fit(boxes)
    k = max(0.3, math.cos(math.radians((view[1] + view[3]) / 2)))
    top = max(counts.values(), default=0)
    shapes = [
        Shape(code, entry["name"], entry["d"], counts.get(code, 0), _level(counts.get(code, 0), top))
        for code, entry in outlines.items()
        if _overlaps(entry["bbox"], view)
    ]
    width = (view[2] - view[0]) * 100 * k
    radius = width / 280
    drawn = []
    for p in located:
        n = p.get("count_best") or 0
        r = radius * (1 + min(1.5, math.log10(1 + int(n)) / 2))
        place = p.get("place") or ""
        what = str(p.get("violation") or "incident").replace("_", " ")
        label = f"{p['incident_id']}: {what}" + (f", {place}" if place else "") + (f", {n} children" if n else "")
        drawn.append(
            Point(
                round(float(p["lon"]) * 100 * k, 1),
                round(-float(p["lat"]) * 100, 1),
                round(r, 1),
                f"/incidents/{p['incident_id']}",
                label,
                str(p.get("violation") or ""),
            )
        )
    view_box = f"{view[0] * 100 * k:.0f} {-view[3] * 100:.0f} {width:.0f} {(view[3] - view[1]) * 100:.0f}"
    return MapView(True, view_box, round(k, 4), round(width / 700, 2), shapes, drawn, _legend(top))
