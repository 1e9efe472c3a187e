"""The typed records that flow between stages: Document (ingest → extract) and
Claim (extract → resolve → store → export).

Every extracted value carries the span of text it came from, as character offsets into
`Document.text`, the working text the extractor saw (which is what the store keeps).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from childwatch.vocab import VIOLATIONS, DatePrecision, Kind, PlacePrecision, Sex, Violation

# The words of the domain are defined in `vocab`; the records' fields use them, and
# they are named here too for code that reads records.
__all__ = [
    "VIOLATIONS",
    "Claim",
    "DatePrecision",
    "DateRange",
    "Document",
    "Kind",
    "Location",
    "PlacePrecision",
    "Sex",
    "Span",
    "Victims",
    "Violation",
]


@dataclass(frozen=True, slots=True)
class Span:
    """A stretch of `Document.text`: [start, end) and the text found there."""

    start: int
    end: int
    text: str


@dataclass(slots=True)
class Document:
    """One ingested report.

    `text` is the working text the extractor reads. For plain text and JSON input it has
    exactly the length of the input text: page junk and markup are blanked with spaces
    rather than removed, so an offset into `text` is also an offset into the original.
    `raw` keeps the bytes exactly as received (the evidentiary copy).
    """

    id: str
    text: str
    raw: bytes
    sha256: str
    origin: str  # where it came from: path, path:line or URL
    media_type: str  # "application/json", "text/plain", "text/html"
    title: str | None = None
    url: str | None = None
    outlet: str | None = None
    published: str | None = None  # ISO date (YYYY-MM-DD), or None when unknown
    language: str | None = None
    metadata: dict[str, object] = field(default_factory=dict)
    # Children's names in the report (protect.document_child_names), found with its claims;
    # None until then.
    child_names: list[str] | None = None


@dataclass(slots=True)
class Victims:
    count: int | None = None
    count_low: int | None = None
    count_high: int | None = None
    qualifier: str | None = None  # "at least", "more than", "about", "up to", "hundreds"...
    age_min: int | None = None
    age_max: int | None = None
    sex: Sex | None = None
    group: str | None = None  # "Yazidi", "Rohingya"...
    count_span: Span | None = None
    age_span: Span | None = None
    sex_span: Span | None = None
    group_span: Span | None = None


@dataclass(slots=True)
class Location:
    name: str | None = None
    admin1: str | None = None
    country: str | None = None  # ISO 3166 alpha-2
    lat: float | None = None
    lon: float | None = None
    precision: PlacePrecision | None = None
    place_id: str | None = None  # gazetteer id
    span: Span | None = None


@dataclass(slots=True)
class DateRange:
    start: str | None = None  # ISO, possibly partial: 2015, 2015-05, 2015-05-28
    end: str | None = None
    precision: DatePrecision | None = None
    span: Span | None = None


@dataclass(slots=True)
class Claim:
    """One assertion, in one document, that a grave violation against children happened."""

    doc_id: str
    violation: Violation
    kind: Kind
    evidence: Span
    perpetrator: str | None = None  # canonical display name
    perpetrator_id: str | None = None  # codebook id
    perpetrator_span: Span | None = None
    victims: Victims = field(default_factory=Victims)
    location: Location = field(default_factory=Location)
    date: DateRange = field(default_factory=DateRange)
    source: str | None = None  # who asserts it, as named in the text or the codebook
    source_id: str | None = None
    source_span: Span | None = None
    graphic: bool = False
    confidence: float = 0.5
    trigger: Span | None = None  # the words that named the violation
    mentions: list[Span] = field(default_factory=list)  # further evidence of the same claim
    incident_id: str | None = None
