"""What the review forms offer to choose from: places of the offline gazetteer by name,
incidents by id, place, perpetrator or date (for merge and move), and the codebook's
armed groups for the perpetrator's type-ahead.

    places(gaz, "kandah")               # [{"id": "a1:AF:23", "label": "Kandahar (province), Afghanistan", ...}]
    incidents(store, "Goma 2022-06")    # incidents matching every word
"""

from __future__ import annotations

from functools import cache
from typing import Any, cast

import pycountry
from sqlalchemy import Table, and_, func, or_, select

from childwatch.codebook.gazetteer import Gazetteer
from childwatch.codebook.loader import load_codebook
from childwatch.read.shown import pseudonymise_document_ids
from childwatch.store import Store
from childwatch.store.models import IncidentRow

INCIDENTS = cast(Table, IncidentRow.__table__)
MAX_PICKS = 20
KIND_WORDS = {"place": "", "admin1": "province", "country": "country"}


@cache
def country_name(code: str | None) -> str:
    if not code:
        return ""
    found = pycountry.countries.get(alpha_2=code)
    return str(getattr(found, "common_name", None) or found.name) if found else code


def places(gaz: Gazetteer, text: str, limit: int = 10, *, country: str | None = None) -> list[dict[str, Any]]:
    """Gazetteer places whose name starts with `text`, each with its province and country
    in words, for a picker: the `id` is what a `location` correction takes. Places in
    `country` (the report's, usually) come first."""
    limit = min(max(limit, 1), MAX_PICKS)
    found = gaz.search(text[:100], limit * 5 if country else limit)
    if country:
        found.sort(key=lambda p: p.country != country.upper())  # stable: the ranking holds within
    out = []
    for p in found[:limit]:
        kind = KIND_WORDS.get(p.kind, "")
        within = [p.admin1 if p.kind == "place" else None, country_name(p.country) if p.kind != "country" else None]
        label = p.name + (f" ({kind})" if kind else "") + "".join(f", {w}" for w in within if w)
        out.append(
            {
                "id": p.id, "name": p.name, "kind": p.kind, "admin1": p.admin1, "country": p.country,
                "country_name": country_name(p.country), "lat": p.lat, "lon": p.lon, "label": label,
            }
        )  # fmt: skip
    return out


def _words(text: str) -> list[str]:
    return [w for w in text.replace(",", " ").split() if w][:6]


def incidents(
    store: Store, text: str, *, exclude: str | None = None, violation: str | None = None, limit: int = 10
) -> list[dict[str, Any]]:
    """Incidents matching every word of `text` in their id, place, province, country,
    perpetrator or dates, most reported first: for the merge and move pickers, which
    offer only incidents of the claim's or incident's own `violation` (nothing else can
    be merged with it)."""
    words = _words(text[:200])
    if not words:
        return []
    columns = (
        INCIDENTS.c.id, INCIDENTS.c.location_name, INCIDENTS.c.location_admin1, INCIDENTS.c.location_country,
        INCIDENTS.c.perpetrator, INCIDENTS.c.date_start, INCIDENTS.c.date_end, INCIDENTS.c.violation,
    )  # fmt: skip
    each = [
        or_(*(func.lower(func.coalesce(c, "")).contains(w.lower(), autoescape=True) for c in columns)) for w in words
    ]
    stmt = (
        select(
            INCIDENTS.c.id,
            INCIDENTS.c.violation,
            INCIDENTS.c.kind,
            INCIDENTS.c.status,
            *columns[1:7],
            INCIDENTS.c.n_documents,
            INCIDENTS.c.count_best,
        )
        .where(and_(*each), INCIDENTS.c.id != (exclude or ""))
        .where(INCIDENTS.c.violation == violation if violation else and_(True))
        .order_by(INCIDENTS.c.n_documents.desc(), INCIDENTS.c.id)
        .limit(min(max(limit, 1), MAX_PICKS))
    )
    with store.reading() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
    pseudonymise_document_ids(store, rows)
    return rows


@cache
def actor_names() -> tuple[str, ...]:
    """The codebook's armed groups and forces by name, for the perpetrator's type-ahead
    (any alias typed is read as its group when the correction is saved)."""
    return tuple(sorted({a.name for a in load_codebook().actors}, key=str.casefold))


@cache
def source_names() -> tuple[str, ...]:
    return tuple(sorted({s.name for s in load_codebook().sources}, key=str.casefold))
