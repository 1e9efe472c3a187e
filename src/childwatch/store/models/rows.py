"""What the store hands back (stored claims, run records, counts), and the mapping between
rows and the records of `childwatch.records`."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, overload

from childwatch.errors import InputError
from childwatch.records import (
    Claim,
    DateRange,
    Document,
    Location,
    Span,
    Victims,
)


@dataclass(frozen=True, slots=True)
class StoredClaim:
    """A claim as read back: its database id and the Claim record."""

    id: int
    claim: Claim


@dataclass(slots=True)
class BatchResult:
    """What `Store.write_batch` did with each document of a batch."""

    new: list[str] = field(default_factory=list)  # ids written, with their claims
    unchanged: list[str] = field(default_factory=list)  # same id and content already stored
    conflicts: list[InputError] = field(default_factory=list)  # same id, other content: skipped
    claims: int = 0  # claims written


@dataclass(slots=True)
class RunCounts:
    """The tallies of one pipeline run; `errors` counts failures by kind."""

    docs_read: int = 0
    docs_new: int = 0
    docs_skipped: int = 0
    docs_failed: int = 0
    claims: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    # New reports stored without extraction because they are not in English, by language.
    not_extracted: dict[str, int] = field(default_factory=dict)


INTERRUPTED = "interrupted"  # the key of a run's errors saying it never finished


@dataclass(frozen=True, slots=True)
class RunRecord:
    id: int
    started_at: datetime
    finished_at: datetime | None
    extractor_version: str | None
    counts: RunCounts

    @property
    def interrupted(self) -> bool:
        """The run never finished and its process is gone (recorded by the next run)."""
        return INTERRUPTED in self.counts.errors


@dataclass(frozen=True, slots=True)
class IngestErrorRecord:
    run_id: int
    where: str
    message: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class StoreCounts:
    documents: int
    claims: int
    runs: int
    ingest_errors: int


# --- records <-> rows --------------------------------------------------------------------

# Keys of `claims.spans`, each holding [start, end, text]; "mentions" holds a list of them.
_SPAN_FIELDS: tuple[tuple[str, Callable[[Claim], Span | None]], ...] = (
    ("perpetrator", lambda c: c.perpetrator_span),
    ("victims.count", lambda c: c.victims.count_span),
    ("victims.age", lambda c: c.victims.age_span),
    ("victims.sex", lambda c: c.victims.sex_span),
    ("victims.group", lambda c: c.victims.group_span),
    ("location", lambda c: c.location.span),
    ("date", lambda c: c.date.span),
    ("source", lambda c: c.source_span),
    ("trigger", lambda c: c.trigger),
)


def _span_out(span: Span) -> list[Any]:
    return [span.start, span.end, span.text]


def _span_in(value: Any) -> Span | None:
    if value is None:
        return None
    start, end, text = value
    return Span(int(start), int(end), str(text))


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; everything stored is UTC."""
    if moment is not None and moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment


def document_row(doc: Document, extractor_version: str | None, now: datetime) -> dict[str, Any]:
    """Core insert parameters for `documents` (keys are column names)."""
    return {
        "id": doc.id,
        "sha256": doc.sha256,
        "origin": doc.origin,
        "media_type": doc.media_type,
        "title": doc.title,
        "url": doc.url,
        "outlet": doc.outlet,
        "published": doc.published,
        "language": doc.language,
        "text": doc.text,
        "raw": doc.raw,
        "metadata": dict(doc.metadata),
        "captured_at": now,
        "extractor_version": extractor_version,
        "pages": _page_starts(doc),
        "child_names": doc.child_names,
    }


def _page_starts(doc: Document) -> list[int] | None:
    """metadata["pages"] of a PDF; other inputs may carry a "pages" key meaning anything."""
    starts = doc.metadata.get("pages")
    if doc.media_type != "application/pdf" or not isinstance(starts, list):
        return None
    return starts if all(isinstance(n, int) for n in starts) else None


def document_from_row(row: Mapping[Any, Any]) -> Document:
    """`row` is a Core row mapping of `documents` (keys are column names)."""
    return Document(
        id=row["id"],
        text=row["text"],
        raw=bytes(row["raw"]),
        sha256=row["sha256"],
        origin=row["origin"],
        media_type=row["media_type"],
        title=row["title"],
        url=row["url"],
        outlet=row["outlet"],
        published=row["published"],
        language=row["language"],
        metadata=dict(row["metadata"] or {}),
        child_names=row.get("child_names"),
    )


def claim_row(claim: Claim, ordinal: int, now: datetime) -> dict[str, Any]:
    """Core insert parameters for `claims`."""
    v, loc, date = claim.victims, claim.location, claim.date
    spans: dict[str, Any] = {}
    for key, get in _SPAN_FIELDS:
        span = get(claim)
        if span is not None:
            spans[key] = _span_out(span)
    if claim.mentions:
        spans["mentions"] = [_span_out(s) for s in claim.mentions]
    return {
        "doc_id": claim.doc_id,
        "ordinal": ordinal,
        "violation": claim.violation,
        "kind": claim.kind,
        "perpetrator": claim.perpetrator,
        "perpetrator_id": claim.perpetrator_id,
        "victims_count": v.count,
        "victims_count_low": v.count_low,
        "victims_count_high": v.count_high,
        "victims_qualifier": v.qualifier,
        "victims_age_min": v.age_min,
        "victims_age_max": v.age_max,
        "victims_sex": v.sex,
        "victims_group": v.group,
        "location_name": loc.name,
        "location_admin1": loc.admin1,
        "location_country": loc.country,
        "location_lat": loc.lat,
        "location_lon": loc.lon,
        "location_precision": loc.precision,
        "location_place_id": loc.place_id,
        "date_start": date.start,
        "date_end": date.end,
        "date_precision": date.precision,
        "source": claim.source,
        "source_id": claim.source_id,
        "graphic": claim.graphic,
        "confidence": claim.confidence,
        "evidence_start": claim.evidence.start,
        "evidence_end": claim.evidence.end,
        "evidence_text": claim.evidence.text,
        "spans": spans,
        "incident_id": claim.incident_id,
        "created_at": now,
    }


def claim_from_row(row: Any) -> Claim:
    """Rebuild the Claim record from a row of `claims` (attribute access by column name)."""
    spans: dict[str, Any] = row.spans or {}
    return Claim(
        doc_id=row.doc_id,
        violation=row.violation,
        kind=row.kind,
        evidence=Span(row.evidence_start, row.evidence_end, row.evidence_text),
        perpetrator=row.perpetrator,
        perpetrator_id=row.perpetrator_id,
        perpetrator_span=_span_in(spans.get("perpetrator")),
        victims=Victims(
            count=row.victims_count,
            count_low=row.victims_count_low,
            count_high=row.victims_count_high,
            qualifier=row.victims_qualifier,
            age_min=row.victims_age_min,
            age_max=row.victims_age_max,
            sex=row.victims_sex,
            group=row.victims_group,
            count_span=_span_in(spans.get("victims.count")),
            age_span=_span_in(spans.get("victims.age")),
            sex_span=_span_in(spans.get("victims.sex")),
            group_span=_span_in(spans.get("victims.group")),
        ),
        location=Location(
            name=row.location_name,
            admin1=row.location_admin1,
            country=row.location_country,
            lat=row.location_lat,
            lon=row.location_lon,
            precision=row.location_precision,
            place_id=row.location_place_id,
            span=_span_in(spans.get("location")),
        ),
        date=DateRange(
            start=row.date_start,
            end=row.date_end,
            precision=row.date_precision,
            span=_span_in(spans.get("date")),
        ),
        source=row.source,
        source_id=row.source_id,
        source_span=_span_in(spans.get("source")),
        graphic=bool(row.graphic),
        confidence=row.confidence,
        trigger=_span_in(spans.get("trigger")),
        mentions=[s for s in (_span_in(m) for m in spans.get("mentions", [])) if s is not None],
        incident_id=row.incident_id,
    )
