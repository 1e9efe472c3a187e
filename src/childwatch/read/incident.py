"""One incident in full, as the incident page and `GET /api/incidents/{id}` show it: the
merged view, its outlets and original sources, each claim with its effective values
(corrections laid over the extractor's), its document with the evidence of every field
as offsets into the text shown, the incident's review history, its comments and who
has it to review.

Text is pseudonymised (`protect`) unless an admin asks to reveal it, giving a reason,
which is logged. Offsets index the text returned: when pseudonyms change lengths, every
span is mapped into the pseudonymised text, so highlighting stays exact.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select

from childwatch import review
from childwatch.extract.names import report_names
from childwatch.read.discussion import thread
from childwatch.read.queries import jsonable
from childwatch.read.redact import Redaction, redact_values
from childwatch.read.shown import log_reveal, pseudonymise_document_ids, shown_report
from childwatch.review.corrections import value_of
from childwatch.review.replay import claim_state, effective
from childwatch.review.users import User, can, require
from childwatch.store import Store
from childwatch.store import review as db
from childwatch.store.models import DocumentRow

DOCS = cast(Table, DocumentRow.__table__)

# Span keys of `claims.spans` and the fields a correction of which makes the span stale.
_SPAN_FIELDS = {
    "perpetrator": ("perpetrator",),
    "victims.count": ("victims.count", "victims.count_low", "victims.count_high"),
    "victims.age": ("victims.age_min", "victims.age_max"),
    "victims.sex": ("victims.sex",),
    "victims.group": ("victims.group",),
    "location": ("location", "location.name", "location.admin1", "location.country", "location.lat", "location.lon"),
    "date": ("date.start", "date.end"),
    "source": ("source",),
    "trigger": ("violation",),
}


def claim_view(row: dict[str, Any]) -> dict[str, Any]:
    """A claim row as nested fields, in the shape of the guideline's prediction format."""
    return {
        "violation": row["violation"],
        "kind": row["kind"],
        "perpetrator": row["perpetrator"],
        "perpetrator_id": row["perpetrator_id"],
        "victims": {
            "count": row["victims_count"],
            "count_low": row["victims_count_low"],
            "count_high": row["victims_count_high"],
            "qualifier": row["victims_qualifier"],
            "age_min": row["victims_age_min"],
            "age_max": row["victims_age_max"],
            "sex": row["victims_sex"],
            "group": row["victims_group"],
        },
        "location": {
            "name": row["location_name"],
            "admin1": row["location_admin1"],
            "country": row["location_country"],
            "lat": row["location_lat"],
            "lon": row["location_lon"],
            "precision": row["location_precision"],
            "place_id": row["location_place_id"],
        },
        "date": {"start": row["date_start"], "end": row["date_end"], "precision": row["date_precision"]},
        "source": row["source"],
        "source_id": row["source_id"],
        "graphic": bool(row["graphic"]),
        "confidence": row["confidence"],
    }


def _spans(row: dict[str, Any], red: Redaction, corrected: set[str]) -> list[dict[str, Any]]:
    spans = row["spans"] or {}
    found: list[tuple[str, Any]] = [("evidence", [row["evidence_start"], row["evidence_end"], row["evidence_text"]])]
    found += [(key, spans[key]) for key in _SPAN_FIELDS if spans.get(key)]
    found += [("evidence", m) for m in spans.get("mentions", [])]
    out = []
    for key, (start, end, _text) in found:
        a, b = red.span(int(start), int(end))
        stale = any(f in corrected for f in _SPAN_FIELDS.get(key, ()))
        out.append({"field": key, "start": a, "end": b, "text": red.text[a:b], "corrected": stale})
    return out


def incident_detail(
    store: Store, incident_id: str, *, viewer: User, reveal: bool = False, reason: str | None = None
) -> dict[str, Any] | None:
    """The incident for `viewer`, or None if there is none. `reveal` (admins only, with a
    reason, logged as a 'reveal' review event) shows the original text."""
    require(viewer, "read")
    with store.reading() as conn:
        incident = db.incident(conn, incident_id)
        if incident is None:
            return None
        rows = db.claim_rows(conn, incident_ids=[incident_id])
        doc_ids = sorted({r["doc_id"] for r in rows})
        state = claim_state(conn, doc_ids)
        docs = {
            d["id"]: dict(d)
            for d in conn.execute(
                select(
                    DOCS.c.id,
                    DOCS.c.title,
                    DOCS.c.outlet,
                    DOCS.c.url,
                    DOCS.c.published,
                    DOCS.c.text,
                    DOCS.c.near_dup_of,
                    DOCS.c.language,
                    DOCS.c.child_names,
                ).where(DOCS.c.id.in_(doc_ids))
            ).mappings()
        }
    if reveal:  # checks the role and the reason before anything is shown
        log_reveal(store, viewer, f"incident:{incident_id}", reason)
    redactions: dict[str, Redaction] = {}
    all_names: list[str] = []
    doc_names: dict[str, list[str]] = {}
    for doc_id, doc in docs.items():
        stored = doc.pop("child_names")
        if reveal:
            red = Redaction(doc["text"])
            doc["protected_names"] = len(report_names(stored, doc["text"], doc["title"]))
        else:
            shown = shown_report(doc_id, text=doc["text"], title=doc["title"], url=doc["url"], stored=stored)
            red = shown.text
            doc.update(id=shown.id, title=shown.title, url=shown.url, protected_names=len(shown.names))
            all_names += shown.names
            doc_names[doc_id] = list(shown.names)
        redactions[doc_id] = red
        doc["text"] = red.text
    for doc in docs.values():  # the first report of a copy's group: an id too
        if not reveal and doc.get("near_dup_of"):
            doc["near_dup_of"] = redact_values(doc["near_dup_of"], key=doc["near_dup_of"], names=all_names)
    claims = []
    for row in rows:
        current = effective(row, state)
        fixes = state.corrected.get(row["id"], {})
        red = redactions[row["doc_id"]]
        ev = red.span(row["evidence_start"], row["evidence_end"])
        names = doc_names.get(row["doc_id"], [])
        claims.append(
            {
                "id": row["id"],
                "doc_id": docs[row["doc_id"]]["id"],
                "ordinal": row["ordinal"],
                # Values as corrected may be what an analyst typed.
                **redact_values(claim_view(current), key=row["doc_id"], names=names),
                "evidence": {"start": ev[0], "end": ev[1], "text": red.text[ev[0] : ev[1]]},
                "spans": _spans(row, red, set(fixes)),
                "corrections": redact_values(
                    {
                        f: {
                            "value": value_of(f, current),
                            "original": value_of(f, row),
                            "event_id": e,
                        }
                        for f, e in fixes.items()
                    },
                    key=row["doc_id"],
                    names=names,
                ),
                "rejected": row["id"] in state.rejected,
                "confirmed": row["id"] in state.confirmed,
                "incident_score": row["incident_score"],
                "incident_why": row["incident_why"]
                if reveal
                else redact_values(row["incident_why"], key=row["doc_id"], names=all_names),
                "document": docs[row["doc_id"]],
            }
        )
    view = jsonable(incident)
    if not reveal:
        pseudonymise_document_ids(store, [view])
    history = [e.as_dict() for e in review.history(store, incident_id)]
    return {
        "incident": view,
        "outlets": view["outlets"],
        "sources": view["sources"],
        "claims": claims,
        "history": history if reveal else redact_values(history, key=incident_id, names=all_names),
        "discussion": thread(store, incident_id, names=all_names, reveal=reveal),
        "graphic": any(c["graphic"] for c in claims),
        "blur_graphic": viewer.blur_graphic,
        "pseudonymised": not reveal,
        "can_review": can(viewer, "review"),
        "can_reveal": can(viewer, "reveal"),
    }
