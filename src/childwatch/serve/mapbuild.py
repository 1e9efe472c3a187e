"""Builds the offline country outlines of the dashboard map from the npm package
`world-atlas` (Natural Earth 1:50m admin-0 boundaries as TopoJSON; ISC licence).

The Makefile fetches the package tarball with `npm pack` at setup time; this script
reads it from disk and writes a compact JSON file of simplified SVG paths, one per
country, keyed by ISO 3166 alpha-2. Nothing is fetched when the app runs.

    python -m childwatch.serve.mapbuild world-atlas-2.0.2.tgz [--out FILE]

Coordinates are plate carrée in hundredths of a degree (x = lon*100, y = -lat*100),
written as integers with relative moves, so a country costs a few hundred bytes. The
map scales x by cos(latitude) of the view at render time (see `geo.py`), which is
close enough for a regional view and needs no projection library.

Simplification runs on TopoJSON arcs, not rings: neighbours share each border arc, so
simplifying an arc once keeps shared borders identical and leaves no slivers or gaps.
"""

from __future__ import annotations

import argparse
import itertools
import json
import math
import sys
import tarfile
from pathlib import Path
from typing import Any

import pycountry

DEFAULT_OUT = Path(__file__).with_name("countries.json")
MEMBER = "package/countries-50m.json"
TOLERANCE = 0.04  # degrees (~4 km): invisible at dashboard size, shrinks 50m data ~6x
MIN_RING_AREA = 0.02  # square degrees; smaller islands vanish at dashboard size
# Natural Earth leaves these without an ISO numeric id; Kosovo has a user-assigned code.
_BY_NAME = {"Kosovo": "XK"}

Point = tuple[float, float]


def _decode_arcs(topology: dict[str, Any]) -> list[list[Point]]:
    """Quantized, delta-encoded arcs -> absolute (lon, lat) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas-Peucker, iterative (arcs can be long), always keeping both ends."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = points[first], points[last]
        dx, dy = x2 - x1, y2 - y1
        norm = math.hypot(dx, dy)
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            dist = math.hypot(px - x1, py - y1) if norm == 0 else abs(dy * px - dx * py + x2 * y1 - y2 * x1) / norm
            if dist > worst:
                worst, index = dist, i
        if worst > tolerance and index > 0:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [p for p, k in zip(points, keep, strict=True) if k]


def _ring(arcs: list[list[Point]], indices: list[int]) -> list[Point]:
    ring: list[Point] = []
    for i in indices:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        ring.extend(arc if not ring else arc[1:])  # consecutive arcs share an end point
    return ring


def _area(ring: list[Point]) -> float:
    return abs(sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True))) / 2


def _path(rings: list[list[Point]]) -> str:
    """SVG path data in hundredths of a degree, relative moves between integer points."""
    parts = []
    cx = cy = 0
    for ring in rings:
        pts = [(round(x * 100), round(-y * 100)) for x, y in ring]
        dedup = [pts[0], *(p for prev, p in itertools.pairwise(pts) if p != prev)]
        if len(dedup) < 3:
            continue
        x0, y0 = dedup[0]
        moves = " ".join(f"{x - px} {y - py}" for (px, py), (x, y) in itertools.pairwise(dedup))
        parts.append(f"m{x0 - cx} {y0 - cy}l{moves}z")
        cx, cy = x0, y0  # after z the current point is the ring's start
    return "".join(parts)


def _code(geometry: dict[str, Any]) -> str | None:
    name = (geometry.get("properties") or {}).get("name", "")
    numeric = geometry.get("id")
    if numeric:
        country = pycountry.countries.get(numeric=str(numeric).zfill(3))
        if country is not None:
            return str(country.alpha_2)
    return _BY_NAME.get(name)


def build(topology: dict[str, Any], *, tolerance: float = TOLERANCE) -> dict[str, Any]:
    """{"countries": {CC: {"name", "bbox": [minx, miny, maxx, maxy] (lon/lat), "d"}}}.

    Countries without an ISO code (disputed areas) are kept under their name so that the
    map has no holes; they are never shaded.
    """
    arcs = [simplify(a, tolerance) for a in _decode_arcs(topology)]
    countries: dict[str, Any] = {}
    for geometry in topology["objects"]["countries"]["geometries"]:
        kind = geometry.get("type")
        if kind == "Polygon":
            polygons = [geometry["arcs"]]
        elif kind == "MultiPolygon":
            polygons = geometry["arcs"]
        else:
            continue
        rings = [_ring(arcs, ring) for polygon in polygons for ring in polygon]
        rings = [r for r in rings if len(r) >= 3]
        if not rings:
            continue
        # Small islands go, but a small country keeps its largest ring so it still shows.
        largest = max(rings, key=_area)
        rings = [r for r in rings if r is largest or _area(r) >= MIN_RING_AREA]
        name = (geometry.get("properties") or {}).get("name", "")
        key = _code(geometry) or name
        xs = [x for r in rings for x, _ in r]
        ys = [y for r in rings for _, y in r]
        bbox = [round(min(xs), 2), round(min(ys), 2), round(max(xs), 2), round(max(ys), 2)]
        entry = countries.setdefault(key, {"name": name, "bbox": bbox, "d": ""})
        if entry["d"]:  # a second geometry for one code (rare): widen the box
            old = entry["bbox"]
            entry["bbox"] = [min(old[0], bbox[0]), min(old[1], bbox[1]), max(old[2], bbox[2]), max(old[3], bbox[3])]
        entry["d"] += _path(rings)
    return {"source": "world-atlas countries-50m (Natural Earth)", "countries": countries}


def read_package(path: Path) -> dict[str, Any]:
    """The countries TopoJSON from the npm tarball (or from an unpacked .json file)."""
    if path.suffix == ".json":
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return data
    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile(MEMBER)
        if member is None:
            raise SystemExit(f"{path}: no {MEMBER} inside; is this the world-atlas 2.x package?")
        data = json.loads(member.read().decode("utf-8"))
        return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("package", type=Path, help="world-atlas-*.tgz from `npm pack world-atlas`")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output JSON (default: {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    if not args.package.exists():
        print(f"{args.package}: not found (run `make setup`, which fetches it with npm pack)", file=sys.stderr)
        return 2
    result = build(read_package(args.package))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    temp = args.out.with_suffix(".part")
    temp.write_text(json.dumps(result, separators=(",", ":")), encoding="utf-8")
    temp.replace(args.out)
    print(f"{len(result['countries'])} country outlines -> {args.out} ({args.out.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
