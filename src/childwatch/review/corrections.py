"""The claim fields an analyst may correct, how a value typed in a form becomes a stored
one, and the checks a corrected claim must pass as a whole.

Field names are the dotted names of `bench/GUIDELINES.md` (``victims.count``,
``location.country``, ``date.start``...). A correction sets one or more `claims` columns
in the overlay (the extractor's values stay in `claims`): correcting ``perpetrator`` to
"Boko Haram" also sets its codebook id, and ``location`` (a place of the offline
gazetteer, by its id such as ``gn:2331447``, as the place picker sends it) sets the name,
admin1, country, coordinates and precision together, so the incident lands on the map.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import pycountry

from childwatch.codebook.gazetteer import Gazetteer
from childwatch.codebook.loader import load_codebook, normalise
from childwatch.errors import ReviewError
from childwatch.vocab import DATE_PRECISIONS, KINDS, VIOLATIONS

__all__ = ["CORRECTABLE_FIELDS", "FIELDS", "check_claim", "check_date_precision", "parse_value", "value_of"]

_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(field: str, value: Any) -> str | None:
    if _empty(value):
        return None
    text = str(value).strip()
    if len(text) > 300:
        raise ReviewError(f"{field}: at most 300 characters, please")
    return text


def _choice(choices: tuple[str, ...], required: bool = False) -> Callable[[str, Any], str | None]:
    def parse(field: str, value: Any) -> str | None:
        if _empty(value):
            if required:
                raise ReviewError(f"{field} cannot be empty: choose one of {', '.join(choices)}")
            return None
        text = str(value).strip()
        if text not in choices:
            raise ReviewError(f"{field}: {text!r} is not allowed; choose one of {', '.join(choices)}")
        return text

    return parse


def _whole(low: int, high: int | None) -> Callable[[str, Any], int | None]:
    def parse(field: str, value: Any) -> int | None:
        if _empty(value):
            return None
        try:
            if isinstance(value, bool):
                raise ValueError
            number = int(str(value).strip().replace(",", ""))
        except ValueError:
            raise ReviewError(f"{field}: {value!r} is not a whole number; give a number or leave it empty") from None
        if number < low or (high is not None and number > high):
            limit = f"{low} to {high}" if high is not None else f"{low} or more"
            raise ReviewError(f"{field}: {number} is out of range; give {limit}")
        return number

    return parse


def _degrees(limit: float) -> Callable[[str, Any], float | None]:
    def parse(field: str, value: Any) -> float | None:
        if _empty(value):
            return None
        try:
            number = float(str(value).strip())
        except ValueError:
            raise ReviewError(f"{field}: {value!r} is not a number of degrees, e.g. 12.5") from None
        if not -limit <= number <= limit:
            raise ReviewError(f"{field}: {number} is out of range; give -{limit:g} to {limit:g}")
        return number

    return parse


def _date(field: str, value: Any) -> str | None:
    if _empty(value):
        return None
    text = str(value).strip()
    ok = bool(_DATE.match(text))
    if ok:
        parts = [int(p) for p in text.split("-")]
        try:
            date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
        except ValueError:
            ok = False
    if not ok:
        raise ReviewError(f"{field}: {text!r} is not a date; write YYYY, YYYY-MM or YYYY-MM-DD")
    return text


def _country(field: str, value: Any) -> str | None:
    if _empty(value):
        return None
    text = str(value).strip()
    found = pycountry.countries.get(alpha_2=text.upper()) if len(text) == 2 else None
    if found is None:
        try:
            found = pycountry.countries.lookup(text)
        except LookupError:
            raise ReviewError(f"{field}: unknown country {text!r}; give an ISO code such as NG, or a name") from None
    return str(found.alpha_2)


def _flag(field: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0", ""):
        return False
    raise ReviewError(f"{field}: {value!r} is not yes or no")


@cache
def _names(kind: str) -> dict[str, tuple[str, str]]:
    """{normalised name, alias or id: (display name, id)} of codebook actors or sources."""
    book = load_codebook()
    entries = book.actors if kind == "actors" else book.sources
    found: dict[str, tuple[str, str]] = {}
    for e in entries:
        for form in (e.id, e.name, *e.aliases, *e.abbreviations):
            found.setdefault(normalise(form), (e.name, e.id))
    return found


def _named(kind: str) -> Callable[[str, Any], tuple[str | None, str | None]]:
    def parse(field: str, value: Any) -> tuple[str | None, str | None]:
        text = _text(field, value)
        if text is None:
            return None, None
        return _names(kind).get(normalise(text), (text, None))

    return parse


@cache
def gazetteer() -> Gazetteer:
    """The offline gazetteer, opened once per process (read-only, shared by threads)."""
    return Gazetteer.open()


_PLACE_COLUMNS = (
    "location_name",
    "location_admin1",
    "location_country",
    "location_lat",
    "location_lon",
    "location_precision",
    "location_place_id",
)


def _place(field: str, value: Any) -> tuple[Any, ...]:
    """A gazetteer id -> every location column; empty clears the place."""
    if _empty(value):
        return (None,) * len(_PLACE_COLUMNS)
    place = gazetteer().get(str(value).strip())
    if place is None:
        raise ReviewError(f"{field}: no place {str(value)[:40]!r} in the gazetteer; search it by name and pick it")
    # As the extractor stores them: a province is its admin1 alone, a country its code alone.
    admin1 = {"place": place.admin1, "admin1": place.name}.get(place.kind)
    name = place.name if place.kind == "place" else None
    return (name, admin1, place.country, place.lat, place.lon, place.kind, place.id)


@dataclass(frozen=True, slots=True)
class FieldSpec:
    name: str
    columns: tuple[str, ...]  # the `claims` columns it sets (two for a name and its codebook id)
    parse: Callable[[str, Any], Any]


FIELDS: Mapping[str, FieldSpec] = {
    f.name: f
    for f in (
        FieldSpec("violation", ("violation",), _choice(VIOLATIONS, required=True)),
        FieldSpec("kind", ("kind",), _choice(KINDS, required=True)),
        FieldSpec("perpetrator", ("perpetrator", "perpetrator_id"), _named("actors")),
        FieldSpec("victims.count", ("victims_count",), _whole(0, None)),
        FieldSpec("victims.count_low", ("victims_count_low",), _whole(0, None)),
        FieldSpec("victims.count_high", ("victims_count_high",), _whole(0, None)),
        FieldSpec("victims.age_min", ("victims_age_min",), _whole(0, 17)),
        FieldSpec("victims.age_max", ("victims_age_max",), _whole(0, 17)),
        FieldSpec("victims.sex", ("victims_sex",), _choice(("male", "female", "mixed"))),
        FieldSpec("victims.group", ("victims_group",), _text),
        FieldSpec("location", _PLACE_COLUMNS, _place),
        FieldSpec("location.name", ("location_name",), _text),
        FieldSpec("location.admin1", ("location_admin1",), _text),
        FieldSpec("location.country", ("location_country",), _country),
        FieldSpec("location.lat", ("location_lat",), _degrees(90)),
        FieldSpec("location.lon", ("location_lon",), _degrees(180)),
        FieldSpec("location.precision", ("location_precision",), _choice(("place", "admin1", "country"))),
        FieldSpec("date.start", ("date_start",), _date),
        FieldSpec("date.end", ("date_end",), _date),
        FieldSpec("date.precision", ("date_precision",), _choice(DATE_PRECISIONS)),
        FieldSpec("source", ("source", "source_id"), _named("sources")),
        FieldSpec("graphic", ("graphic",), _flag),
    )
}
CORRECTABLE_FIELDS = tuple(FIELDS)


def parse_value(field: str, value: Any) -> dict[str, Any]:
    """{column: stored value} for a correction of `field`; ReviewError for a bad field or value."""
    spec = FIELDS.get(field)
    if spec is None:
        raise ReviewError(f"{field!r} cannot be corrected; the fields are: {', '.join(CORRECTABLE_FIELDS)}")
    parsed = spec.parse(field, value)
    values = parsed if len(spec.columns) > 1 else (parsed,)
    return dict(zip(spec.columns, values, strict=True))


def value_of(field: str, row: Mapping[str, Any]) -> Any:
    """The field's (display) value in a claim row: the first of its columns; for a place
    picked from the gazetteer, its name, province and country together (a province or a
    country has no name of its own)."""
    if field == "location":
        return ", ".join(str(row[c]) for c in _PLACE_COLUMNS[:3] if row.get(c)) or None
    return row.get(FIELDS[field].columns[0])


def check_claim(row: Mapping[str, Any]) -> None:
    """The checks across fields of a corrected claim (`row` has `claims` column keys)."""
    low, count, high = row.get("victims_count_low"), row.get("victims_count"), row.get("victims_count_high")
    if low is not None and count is not None and low > count:
        raise ReviewError(f"victims.count_low ({low}) is above victims.count ({count}); correct one of them")
    if high is not None and count is not None and high < count:
        raise ReviewError(f"victims.count_high ({high}) is below victims.count ({count}); correct one of them")
    if low is not None and high is not None and low > high:
        raise ReviewError(f"victims.count_low ({low}) is above victims.count_high ({high})")
    a, b = row.get("victims_age_min"), row.get("victims_age_max")
    if a is not None and b is not None and a > b:
        raise ReviewError(f"victims.age_min ({a}) is above victims.age_max ({b}); correct one of them")
    start, end = row.get("date_start"), row.get("date_end")
    if start and end and start[: len(end)] > end:
        raise ReviewError(f"date.start ({start}) is after date.end ({end}); correct one of them")


# How a date is written at each precision; "range" takes any (a period from start to end).
_WRITTEN = {"day": (10, "YYYY-MM-DD"), "month": (7, "YYYY-MM"), "year": (4, "YYYY")}


def check_date_precision(row: Mapping[str, Any]) -> None:
    """A claim's dates written as its date precision says (`row` has `claims` column
    keys): to the day 2024-03-05, to the month 2024-03, to the year 2024; a range, any."""
    precision = row.get("date_precision")
    if precision not in _WRITTEN:
        return
    length, form = _WRITTEN[precision]
    for field, value in (("date.start", row.get("date_start")), ("date.end", row.get("date_end"))):
        if value and len(str(value)) != length:
            raise ReviewError(
                f"{field}: {value} is not written to the {precision} ({form}): write it so, "
                "or choose the precision it is written to (a period: range)"
            )
