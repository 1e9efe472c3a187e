"""Exporting stored claims: JSON Lines in the benchmark's prediction format, or CSV.

JSONL is the lossless format: each line has the keys of the "Prediction format" in
`bench/GUIDELINES.md` (doc_id, violation, kind, perpetrator, victims, location, date,
source, evidence, incident_id, confidence) plus extras (claim_id, perpetrator_id,
source_id, graphic, spans, and finer victims/location/date fields; `pages`, for claims
from PDF reports, lists the page numbers of the evidence and mentions, else null).

CSV is for spreadsheets: one row per claim, nested keys flattened as `victims.count`,
no `spans`. Text cells that a spreadsheet would run as a formula (starting with = + - @,
tab or carriage return) get a leading apostrophe, since evidence is quoted verbatim
from untrusted web pages; use JSONL where exact text matters.

Evidence is quoted verbatim by default: this is the benchmark's prediction format, whose
scorer finds each claim by its evidence text, and the command line reads the database with
an administrator's access. `pseudonymise=True` (`childwatch export --pseudonymise`)
replaces children's names in the evidence and span texts (`protect`), as every page, API
answer and incident export does, for a file to be shared. Offsets always index the stored
original, so a pseudonymised text may be shorter or longer than its span.

A file export is written to a temporary file beside the target and renamed into place,
so an interrupted export never leaves a half-written file.

Incidents (the filtered view of the list) are exported by `export_incidents` as CSV,
HXL-tagged CSV, JSON or GeoJSON; see `childwatch.export.incidents`.
"""

from __future__ import annotations

import csv
import json
import os
import secrets
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, Literal, TextIO

from childwatch.export.cells import JSON_LINE_BREAKS, cell
from childwatch.ingest.pdf import claim_pages
from childwatch.read.redact import Redaction
from childwatch.read.shown import shown_reports
from childwatch.records import Claim, Span
from childwatch.store import Store, StoredClaim
from childwatch.store.watched import page_starts

Format = Literal["jsonl", "csv"]
FORMATS: tuple[Format, ...] = ("jsonl", "csv")

CSV_COLUMNS = (
    "claim_id",
    "doc_id",
    "violation",
    "kind",
    "perpetrator",
    "perpetrator_id",
    "victims.count",
    "victims.count_low",
    "victims.count_high",
    "victims.qualifier",
    "victims.age_min",
    "victims.age_max",
    "victims.sex",
    "victims.group",
    "location.name",
    "location.admin1",
    "location.country",
    "location.lat",
    "location.lon",
    "location.precision",
    "location.place_id",
    "date.start",
    "date.end",
    "date.precision",
    "source",
    "source_id",
    "evidence.start",
    "evidence.end",
    "evidence.text",
    "incident_id",
    "confidence",
    "graphic",
    "pages",
)


def _span(span: Span | None) -> dict[str, Any] | None:
    return None if span is None else {"start": span.start, "end": span.end, "text": span.text}


def claim_record(stored: StoredClaim, page_starts: Sequence[int] | None = None) -> dict[str, Any]:
    """One claim as a JSON-ready dict in the prediction format (guideline keys first);
    `page_starts` are those of its document, when it is a PDF (see `ingest.pdf`)."""
    c = stored.claim
    v, loc, date = c.victims, c.location, c.date
    spans = {
        "perpetrator": _span(c.perpetrator_span),
        "victims.count": _span(v.count_span),
        "victims.age": _span(v.age_span),
        "victims.sex": _span(v.sex_span),
        "victims.group": _span(v.group_span),
        "location": _span(loc.span),
        "date": _span(date.span),
        "source": _span(c.source_span),
        "trigger": _span(c.trigger),
    }
    return {
        "doc_id": c.doc_id,
        "violation": c.violation,
        "kind": c.kind,
        "perpetrator": c.perpetrator,
        "victims": {
            "count": v.count,
            "age_min": v.age_min,
            "age_max": v.age_max,
            "sex": v.sex,
            "count_low": v.count_low,
            "count_high": v.count_high,
            "qualifier": v.qualifier,
            "group": v.group,
        },
        "location": {
            "name": loc.name,
            "admin1": loc.admin1,
            "country": loc.country,
            "lat": loc.lat,
            "lon": loc.lon,
            "precision": loc.precision,
            "place_id": loc.place_id,
        },
        "date": {"start": date.start, "end": date.end, "precision": date.precision},
        "source": c.source,
        "evidence": {"start": c.evidence.start, "end": c.evidence.end, "text": c.evidence.text},
        "incident_id": c.incident_id,
        "confidence": c.confidence,
        "claim_id": stored.id,
        "perpetrator_id": c.perpetrator_id,
        "source_id": c.source_id,
        "graphic": c.graphic,
        "pages": _pages(c, page_starts),
        "spans": {
            **{k: s for k, s in spans.items() if s is not None},
            "mentions": [_span(m) for m in c.mentions],
        },
    }


def _pages(claim: Claim, page_starts: Sequence[int] | None) -> list[int] | None:
    if not page_starts:
        return None
    evidence = (claim.evidence.start, claim.evidence.end)
    return claim_pages(evidence, [(m.start, m.end) for m in claim.mentions], page_starts)


def flatten(record: dict[str, Any]) -> dict[str, Any]:
    """{"victims": {"count": 3}} -> {"victims.count": 3}, one level deep."""
    flat: dict[str, Any] = {}
    for key, value in record.items():
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


class _Pseudonymiser:
    """Replaces span texts with those of the pseudonymised document. Claims come document
    by document, so one document's redaction is kept at a time."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.doc_id: str | None = None
        self.redaction: Redaction | None = None
        self.shown_id: str | None = None

    def __call__(self, record: dict[str, Any]) -> dict[str, Any]:
        if record["doc_id"] != self.doc_id:
            self.doc_id = record["doc_id"]
            report = shown_reports(self.store, [record["doc_id"]]).get(record["doc_id"])  # not the original
            self.redaction = report.text if report else None
            self.shown_id = report.id if report else None
        if self.redaction is not None:
            pseudonymise_spans(record, self.redaction)
        if self.shown_id is not None:
            record["doc_id"] = self.shown_id
        return record


def pseudonymise_spans(record: dict[str, Any], red: Redaction) -> None:
    """Replace the texts of a claim record's evidence and spans (see `claim_record`) with
    those of its pseudonymised document, in place; offsets stay those of the original."""
    if not red.edits:
        return
    spans = [record["evidence"], *(m for m in record["spans"]["mentions"] if m)]
    spans += [v for k, v in record["spans"].items() if k != "mentions" and v]
    for span in spans:
        span["text"] = red.slice(span["start"], span["end"])


def _verbatim(record: dict[str, Any]) -> dict[str, Any]:
    return record


Protect = Callable[[dict[str, Any]], dict[str, Any]]


def _write_jsonl(claims: Iterator[StoredClaim], out: TextIO, pages: dict[str, list[int]], protect: Protect) -> int:
    n = 0
    for stored in claims:
        record = protect(claim_record(stored, pages.get(stored.claim.doc_id)))
        line = json.dumps(record, ensure_ascii=False).translate(JSON_LINE_BREAKS)
        out.write(line + "\n")
        n += 1
    return n


def _write_csv(claims: Iterator[StoredClaim], out: TextIO, pages: dict[str, list[int]], protect: Protect) -> int:
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    n = 0
    for stored in claims:
        flat = flatten(protect(claim_record(stored, pages.get(stored.claim.doc_id))))
        writer.writerow([cell(flat.get(column)) for column in CSV_COLUMNS])
        n += 1
    return n


def export_claims(store: Store, out: Path | TextIO, fmt: Format, *, pseudonymise: bool = False) -> int:
    """Write every stored claim to `out` (a path, or an open text stream); returns the count.
    With `pseudonymise`, children's names in span texts are replaced by pseudonyms.

    A stream for CSV should be opened with ``newline=""``.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    write = _write_jsonl if fmt == "jsonl" else _write_csv
    pages = page_starts(store)  # PDFs only: few, and small
    protect: Protect = _Pseudonymiser(store) if pseudonymise else _verbatim
    if not isinstance(out, Path):
        return write(store.iter_claims(), out, pages, protect)
    return write_atomic(out, lambda stream: write(store.iter_claims(), stream, pages, protect))


def write_atomic(out: Path, write: Callable[[TextIO], int]) -> int:
    """Run `write` on a temporary file beside `out`, then rename it into place."""
    target = out.expanduser()
    temp = target.with_name(f".{target.name}.{os.getpid()}.{secrets.token_hex(4)}.part")
    try:
        with temp.open("x", encoding="utf-8", newline="") as stream:
            n = write(stream)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return n


__all__ = [
    "CSV_COLUMNS",
    "FORMATS",
    "claim_record",
    "export_claims",
    "flatten",
    "pseudonymise_spans",
    "write_atomic",
]
