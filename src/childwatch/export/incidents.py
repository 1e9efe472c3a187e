"""Exporting incidents (the filtered view of the list) as CSV, HXL-tagged CSV, JSON or
GeoJSON; `childwatch.export.claims` re-exports these names.

- ``csv``: one row per incident; list cells (outlets, sources, urls) joined with "; ".
- ``hxl``: the same, with a second row of HXL hashtags (the humanitarian data
  convention: ``#event+id``, ``#date+start``, ``#affected+children+num``...), so that
  HXL tools read it as is.
- ``json``: {"filters", "pseudonymised", "count", "incidents": [...]}, each incident with
  its claims (document, outlet, url, source, evidence).
- ``jsonl``: the claims of those incidents, one per line in the prediction format of
  `bench/GUIDELINES.md` (as `export_claims` writes them), with analysts' corrections
  applied, plus ``rejected`` and ``corrected`` (the corrected fields).
- ``geojson``: a FeatureCollection of Point features (``[lon, lat]``) with the CSV
  columns as properties. Incidents without coordinates cannot be drawn: they are left
  out of `features` and listed in the top-level member ``without_coordinates``
  ({"count", "ids"}), so that nothing is dropped silently.

Evidence is pseudonymised (`protect`) unless an admin reveals it, with a reason that is
logged. Evidence offsets (`start`, `end`) index the stored document text; the `text` is
what may be shown. Cells that a spreadsheet would run as a formula get a leading
apostrophe (see `export`).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator, Sequence
from types import SimpleNamespace
from typing import Any, TextIO, cast

from sqlalchemy import Table, select

from childwatch.errors import InputError
from childwatch.export.cells import JSON_LINE_BREAKS, cell
from childwatch.export.claims import claim_record, pseudonymise_spans
from childwatch.read.queries import IncidentFilters, iter_filtered
from childwatch.read.shown import log_reveal, pseudonymise_document_ids, shown_reports
from childwatch.review.replay import Replayed, claim_state, effective
from childwatch.review.users import User
from childwatch.store import Store, StoredClaim
from childwatch.store import review as db
from childwatch.store.models import ClaimRow, DocumentRow, claim_from_row

CLAIMS = cast(Table, ClaimRow.__table__)
DOCS = cast(Table, DocumentRow.__table__)

INCIDENT_FORMATS = ("csv", "json", "geojson", "hxl", "jsonl")
_MEDIA = {
    "csv": "text/csv; charset=utf-8",
    "hxl": "text/csv; charset=utf-8",
    "json": "application/json",
    "geojson": "application/geo+json",
    "jsonl": "application/x-ndjson",
}
_EXTENSIONS = {"csv": ".csv", "hxl": ".hxl.csv", "json": ".json", "geojson": ".geojson", "jsonl": ".jsonl"}

# (column, HXL hashtag): the columns of the CSV exports and the GeoJSON properties.
INCIDENT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "#event+id"),
    ("status", "#status"),
    ("violation", "#event+type"),
    ("kind", "#event+kind"),
    ("perpetrator", "#org+perpetrator+name"),
    ("perpetrator_id", "#org+perpetrator+code"),
    ("count_best", "#affected+children+num"),
    ("count_low", "#affected+children+min"),
    ("count_high", "#affected+children+max"),
    ("age_min", "#affected+children+age+min"),
    ("age_max", "#affected+children+age+max"),
    ("sex", "#affected+children+sex"),
    ("location_name", "#loc+name"),
    ("location_admin1", "#adm1+name"),
    ("location_country", "#country+code"),
    ("location_lat", "#geo+lat"),
    ("location_lon", "#geo+lon"),
    ("location_precision", "#geo+precision"),
    ("date_start", "#date+start"),
    ("date_end", "#date+end"),
    ("n_claims", "#meta+claims+num"),
    ("n_documents", "#meta+reports+num"),
    ("n_outlets", "#meta+outlets+num"),
    ("n_sources", "#meta+sources+num"),
    ("sources", "#meta+source"),
    ("outlets", "#meta+outlet"),
    ("urls", "#meta+url"),
    ("first_published", "#date+reported+first"),
    ("last_published", "#date+reported+last"),
    ("evidence", "#description+evidence"),
)
_CHUNK = 200


def media_type(fmt: str) -> str:
    """The HTTP media type of an incident export format."""
    return _MEDIA[_check(fmt)]


def extension(fmt: str) -> str:
    return _EXTENSIONS[_check(fmt)]


def _check(fmt: str) -> str:
    if fmt not in INCIDENT_FORMATS:
        raise InputError("format", f"unknown export format {fmt!r}", f"choose one of {', '.join(INCIDENT_FORMATS)}")
    return fmt


def _with_claims(store: Store, incidents: Sequence[dict[str, Any]], reveal: bool) -> None:
    """Give each incident its claims (evidence pseudonymised unless `reveal`), in place."""
    ids = [i["id"] for i in incidents]
    stmt = (
        select(CLAIMS.c.id, CLAIMS.c.doc_id, CLAIMS.c.incident_id, CLAIMS.c.evidence_start, CLAIMS.c.evidence_end,
               CLAIMS.c.evidence_text, CLAIMS.c.source, DOCS.c.outlet, DOCS.c.url, DOCS.c.published)
        .join(DOCS, DOCS.c.id == CLAIMS.c.doc_id)
        .where(CLAIMS.c.incident_id.in_(ids))
        .order_by(DOCS.c.published, CLAIMS.c.doc_id, CLAIMS.c.ordinal)
    )  # fmt: skip
    with store.reading() as conn:
        rows = [dict(r) for r in conn.execute(stmt).mappings()]
        doc_ids = sorted({r["doc_id"] for r in rows})
        state: Replayed = claim_state(conn, doc_ids)
    shown = {} if reveal else shown_reports(store, doc_ids)
    by_incident: dict[str, list[dict[str, Any]]] = {i: [] for i in ids}
    for r in rows:
        report = shown.get(r["doc_id"])
        text = report.text.slice(r["evidence_start"], r["evidence_end"]) if report else r["evidence_text"]
        overlay = state.overlay.get(r["id"], {})
        by_incident[r["incident_id"]].append({
            "claim_id": r["id"],
            "doc_id": report.id if report else r["doc_id"],
            "outlet": r["outlet"],
            "url": report.url if report else r["url"],
            "published": r["published"],
            "source": overlay.get("source", r["source"]),
            "evidence": {"start": r["evidence_start"], "end": r["evidence_end"], "text": text},
            "rejected": r["id"] in state.rejected,
        })  # fmt: skip
    for incident in incidents:
        incident["claims"] = by_incident[incident["id"]]


def _batches(store: Store, filters: IncidentFilters, reveal: bool) -> Iterator[list[dict[str, Any]]]:
    for batch in _chunked(iter_filtered(store, filters)):
        if not reveal:
            pseudonymise_document_ids(store, batch)
        _with_claims(store, batch, reveal)
        yield batch


def flat_row(incident: dict[str, Any]) -> dict[str, Any]:
    """An incident (with claims) as the CSV / GeoJSON columns."""
    claims = incident.get("claims", [])
    kept = [c for c in claims if not c["rejected"]] or claims
    return {
        **{column: incident.get(column) for column, _ in INCIDENT_COLUMNS},
        "sources": "; ".join(s["name"] for s in incident.get("sources") or []),
        "outlets": "; ".join(o["name"] for o in incident.get("outlets") or []),
        "urls": "; ".join(dict.fromkeys(c["url"] for c in kept if c["url"])),
        "evidence": kept[0]["evidence"]["text"].strip() if kept else None,
    }


def _write_csv(batches: Iterator[list[dict[str, Any]]], out: TextIO, hxl: bool) -> int:
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow([c for c, _ in INCIDENT_COLUMNS])
    if hxl:
        writer.writerow([tag for _, tag in INCIDENT_COLUMNS])
    n = 0
    for batch in batches:
        for incident in batch:
            row = flat_row(incident)
            writer.writerow([cell(row[c]) for c, _ in INCIDENT_COLUMNS])
            n += 1
    return n


def _write_json(batches: Iterator[list[dict[str, Any]]], out: TextIO, head: dict[str, Any]) -> int:
    out.write("{" + json.dumps(head, ensure_ascii=False)[1:-1] + ', "incidents": [')
    n = 0
    for batch in batches:
        for incident in batch:
            out.write((",\n" if n else "\n") + json.dumps(incident, ensure_ascii=False))
            n += 1
    out.write(f'\n], "count": {n}}}\n')
    return n


def _write_geojson(batches: Iterator[list[dict[str, Any]]], out: TextIO, head: dict[str, Any]) -> int:
    out.write('{"type": "FeatureCollection", "features": [')
    n, missing = 0, []
    for batch in batches:
        for incident in batch:
            lat, lon = incident.get("location_lat"), incident.get("location_lon")
            if lat is None or lon is None:
                missing.append(incident["id"])
                continue
            point = {"type": "Point", "coordinates": [lon, lat]}
            feature = {"type": "Feature", "id": incident["id"], "geometry": point, "properties": flat_row(incident)}
            out.write((",\n" if n else "\n") + json.dumps(feature, ensure_ascii=False))
            n += 1
    tail = {**head, "count": n, "without_coordinates": {"count": len(missing), "ids": missing}}
    out.write("\n], " + json.dumps(tail, ensure_ascii=False)[1:] + "\n")
    return n + len(missing)


def _write_claims(store: Store, filters: IncidentFilters, out: TextIO, reveal: bool) -> int:
    """The claims of the matching incidents, effective values, one JSON object a line."""

    n = 0
    for batch in _chunked(iter_filtered(store, filters)):
        with store.reading() as conn:
            rows = db.claim_rows(conn, incident_ids=[i["id"] for i in batch])
            doc_ids = sorted({r["doc_id"] for r in rows})
            state = claim_state(conn, doc_ids)
        shown = {} if reveal else shown_reports(store, doc_ids)
        order = {i["id"]: k for k, i in enumerate(batch)}
        for row in sorted(
            rows, key=lambda r: (order[r["incident_id"]], r["published"] or "", r["doc_id"], r["ordinal"])
        ):
            record = claim_record(StoredClaim(row["id"], claim_from_row(SimpleNamespace(**effective(row, state)))))
            report = shown.get(row["doc_id"])
            if report is not None:
                pseudonymise_spans(record, report.text)
                record["doc_id"] = report.id
            record["rejected"] = row["id"] in state.rejected
            record["corrected"] = sorted(state.corrected.get(row["id"], {}))
            out.write(json.dumps(record, ensure_ascii=False).translate(JSON_LINE_BREAKS) + "\n")
            n += 1
    return n


def _chunked(items: Iterator[dict[str, Any]]) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= _CHUNK:
            yield batch
            batch = []
    if batch:
        yield batch


def export_incidents(
    store: Store,
    filters: IncidentFilters | None,
    fmt: str,
    out: TextIO,
    *,
    reveal: bool = False,
    user: User | None = None,
    reason: str | None = None,
) -> int:
    """Write the incidents matching `filters` to `out` in `fmt` (see the module doc);
    returns how many (claims, for ``jsonl``). `reveal` needs an admin `user` and a
    `reason`, and is logged."""
    _check(fmt)
    filters = filters or IncidentFilters()
    if reveal:
        log_reveal(store, user, "export", reason)
    if fmt == "jsonl":
        return _write_claims(store, filters, out, reveal)
    batches = _batches(store, filters, reveal)
    head = {"filters": filters.as_dict(), "pseudonymised": not reveal}
    if fmt in ("csv", "hxl"):
        return _write_csv(batches, out, hxl=fmt == "hxl")
    if fmt == "json":
        return _write_json(batches, out, head)
    return _write_geojson(batches, out, head)
