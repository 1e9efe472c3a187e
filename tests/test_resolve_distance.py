"""Distances between claims: worked out from each claim's radians (computed once per claim,
for speed) and equal to the plain haversine formula on their coordinates."""

from __future__ import annotations

import math
from typing import Any

from childwatch.resolve.compare import distance_km
from test_resolve import facts


def haversine(a: Any, b: Any) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(h)))


def test_distance_is_the_haversine_formula_to_the_last_bit() -> None:
    places = [(11.85, 13.16), (10.52, 7.44), (-1.68, 29.23), (36.34, 43.13), (0.0, 0.0), (-33.9, 151.2)]
    for lat1, lon1 in places:
        for lat2, lon2 in places:
            a, b = facts(lat=lat1, lon=lon1), facts(lat=lat2, lon=lon2)
            assert distance_km(a, b) == haversine(a, b)


def test_same_place_is_zero_and_missing_coordinates_none() -> None:
    here = facts(lat=11.85, lon=13.16)
    assert distance_km(here, facts(lat=11.85, lon=13.16)) == 0.0
    assert distance_km(here, facts(lat=None, lon=13.16)) is None
    assert facts(lat=None, lon=None).radians is None
