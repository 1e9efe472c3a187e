"""Tables of what the pipeline writes: reports, their signatures' bands, claims, incidents,
resolution's log, runs and the inputs they could not read."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
)
from sqlalchemy.orm import Mapped, mapped_column

from childwatch.store.models.base import Base, _in_list
from childwatch.vocab import (
    KINDS,
    VIOLATIONS,
)


class DocumentRow(Base):
    """One ingested report; `id` is the input's own document id."""

    __tablename__ = "documents"
    __table_args__ = (
        Index("ix_documents_sha256", "sha256"),
        Index("ix_documents_published", "published"),
        Index("ix_documents_outlet", "outlet"),
        Index("ix_documents_near_dup_of", "near_dup_of"),
        Index("ix_documents_language", "language"),  # migration 0012: reports listed by language
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    origin: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String)
    title: Mapped[str | None] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(Text)
    outlet: Mapped[str | None] = mapped_column(String)
    published: Mapped[str | None] = mapped_column(String)
    language: Mapped[str | None] = mapped_column(String)
    text: Mapped[str] = mapped_column(Text)
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    # `metadata` is reserved on declarative classes, hence the attribute name.
    meta: Mapped[dict[str, Any]] = mapped_column("metadata", JSON)
    captured_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    extractor_version: Mapped[str | None] = mapped_column(String)
    # Near-duplicate detection (resolve.near_dupes): the MinHash signature, and the first
    # document of the group this one copies, with the estimated similarity.
    minhash: Mapped[bytes | None] = mapped_column(LargeBinary)
    near_dup_of: Mapped[str | None] = mapped_column(String)
    near_dup_similarity: Mapped[float | None] = mapped_column(Float)
    # The distinctive names (places, people, schools) the report mentions most.
    names: Mapped[list[str] | None] = mapped_column(JSON)
    # Children's names found once at ingest in the title, text and metadata (protect):
    # every non-admin output is redacted with this list. NULL for documents stored before
    # migration 0010 until it filled them in.
    child_names: Mapped[list[str] | None] = mapped_column(JSON)
    # PDF reports: the offset in `text` where each page starts (ingest.pdf), so that
    # exports can give the page of every claim's evidence.
    pages: Mapped[list[int] | None] = mapped_column(JSON)


class DocBandRow(Base):
    """One LSH band key of a document's signature: equal keys make candidate copies."""

    __tablename__ = "doc_bands"

    band: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    doc_id: Mapped[str] = mapped_column(String, ForeignKey("documents.id", ondelete="CASCADE"), primary_key=True)


class StagedBandRow(Base):
    """A band key of a document signed but not yet grouped (resolve.group_near_duplicates):
    appended in signing order (`seq`), moved into doc_bands once the run's copies are found."""

    __tablename__ = "doc_bands_staged"

    # A rowid alias in SQLite (appending costs no index), a bigserial in PostgreSQL.
    seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True)
    band: Mapped[int] = mapped_column(BigInteger)
    doc_id: Mapped[str] = mapped_column(String, ForeignKey("documents.id"))


class ClaimRow(Base):
    """One claim; the Claim record flattened into columns, its field spans in `spans`."""

    __tablename__ = "claims"
    __table_args__ = (
        UniqueConstraint("doc_id", "ordinal", name="uq_claims_doc_id_ordinal"),
        CheckConstraint(_in_list("violation", VIOLATIONS), name="violation"),
        CheckConstraint(_in_list("kind", KINDS), name="kind"),
        Index("ix_claims_violation", "violation"),
        Index("ix_claims_perpetrator_id", "perpetrator_id"),
        Index("ix_claims_location_country", "location_country"),
        Index("ix_claims_date_start", "date_start"),
        Index("ix_claims_incident_id", "incident_id"),
        # Migration 0003: documents per country for the dashboard's report volume, read
        # from this index alone.
        Index("ix_claims_location_country_doc_id", "location_country", "doc_id"),
        # Migration 0008: the newest claims first (sources page), read from this index.
        Index("ix_claims_created_at_id", "created_at", "id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    doc_id: Mapped[str] = mapped_column(String, ForeignKey("documents.id", ondelete="CASCADE"))
    ordinal: Mapped[int] = mapped_column(Integer)
    violation: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    perpetrator: Mapped[str | None] = mapped_column(String)
    perpetrator_id: Mapped[str | None] = mapped_column(String)
    victims_count: Mapped[int | None] = mapped_column(Integer)
    victims_count_low: Mapped[int | None] = mapped_column(Integer)
    victims_count_high: Mapped[int | None] = mapped_column(Integer)
    victims_qualifier: Mapped[str | None] = mapped_column(String)
    victims_age_min: Mapped[int | None] = mapped_column(Integer)
    victims_age_max: Mapped[int | None] = mapped_column(Integer)
    victims_sex: Mapped[str | None] = mapped_column(String)
    victims_group: Mapped[str | None] = mapped_column(String)
    location_name: Mapped[str | None] = mapped_column(String)
    location_admin1: Mapped[str | None] = mapped_column(String)
    location_country: Mapped[str | None] = mapped_column(String)
    location_lat: Mapped[float | None] = mapped_column(Float)
    location_lon: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str | None] = mapped_column(String)
    location_place_id: Mapped[str | None] = mapped_column(String)
    date_start: Mapped[str | None] = mapped_column(String)
    date_end: Mapped[str | None] = mapped_column(String)
    date_precision: Mapped[str | None] = mapped_column(String)
    source: Mapped[str | None] = mapped_column(String)
    source_id: Mapped[str | None] = mapped_column(String)
    graphic: Mapped[bool] = mapped_column(Boolean)
    confidence: Mapped[float] = mapped_column(Float)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    evidence_text: Mapped[str] = mapped_column(Text)
    spans: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Filled by resolution: the incident, the score of the match that put the claim
    # there (None when it started the incident) and why (the features that matched).
    # Not a foreign key: incidents are a derived view, rebuilt by every resolution run.
    incident_id: Mapped[str | None] = mapped_column(String)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_score: Mapped[float | None] = mapped_column(Float)
    incident_why: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IncidentRow(Base):
    """One incident: the merged view of the claims resolution grouped (resolve.incident_view)."""

    __tablename__ = "incidents"
    __table_args__ = (
        Index("ix_incidents_violation", "violation"),
        Index("ix_incidents_status", "status"),
        Index("ix_incidents_perpetrator_id", "perpetrator_id"),
        Index("ix_incidents_location_country", "location_country"),
        Index("ix_incidents_date_start", "date_start"),
    )

    id: Mapped[str] = mapped_column(String, primary_key=True)
    violation: Mapped[str] = mapped_column(String)
    kind: Mapped[str] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    perpetrator: Mapped[str | None] = mapped_column(String)
    perpetrator_id: Mapped[str | None] = mapped_column(String)
    count_best: Mapped[int | None] = mapped_column(Integer)
    count_low: Mapped[int | None] = mapped_column(Integer)
    count_high: Mapped[int | None] = mapped_column(Integer)
    age_min: Mapped[int | None] = mapped_column(Integer)
    age_max: Mapped[int | None] = mapped_column(Integer)
    sex: Mapped[str | None] = mapped_column(String)
    location_name: Mapped[str | None] = mapped_column(String)
    location_admin1: Mapped[str | None] = mapped_column(String)
    location_country: Mapped[str | None] = mapped_column(String)
    location_lat: Mapped[float | None] = mapped_column(Float)
    location_lon: Mapped[float | None] = mapped_column(Float)
    location_precision: Mapped[str | None] = mapped_column(String)
    location_place_id: Mapped[str | None] = mapped_column(String)
    date_start: Mapped[str | None] = mapped_column(String)
    date_end: Mapped[str | None] = mapped_column(String)
    n_claims: Mapped[int] = mapped_column(Integer)
    n_documents: Mapped[int] = mapped_column(Integer)
    n_outlets: Mapped[int] = mapped_column(Integer)
    n_sources: Mapped[int] = mapped_column(Integer)
    outlets: Mapped[list[Any]] = mapped_column(JSON)
    sources: Mapped[list[Any]] = mapped_column(JSON)
    counts: Mapped[list[Any]] = mapped_column(JSON)
    first_published: Mapped[str | None] = mapped_column(String)
    last_published: Mapped[str | None] = mapped_column(String)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# The incident list's orders and filters (`childwatch.read.queries`), indexed so that a page of
# a million-claim store is read from an index instead of sorting the table (migration 0005).
_WHEN = func.coalesce(IncidentRow.date_start, IncidentRow.date_end, IncidentRow.first_published)
_LIST_ORDER = (_WHEN.is_(None), _WHEN.desc(), IncidentRow.id)
Index("ix_incidents_list_date", *_LIST_ORDER)
Index("ix_incidents_violation_list_date", IncidentRow.violation, *_LIST_ORDER)
Index("ix_incidents_country_list_date", IncidentRow.location_country, *_LIST_ORDER)
Index("ix_incidents_n_documents", IncidentRow.n_documents.desc(), _WHEN.desc(), IncidentRow.id)
Index("ix_incidents_count_best", IncidentRow.count_best.is_(None), IncidentRow.count_best.desc(), IncidentRow.id)
# The date filter (migration 0007): the covering index counts matches index-only; the
# partial one holds true periods, those that may start before date_from and run into it.
Index(
    "ix_incidents_period_covering",
    func.coalesce(IncidentRow.date_start, IncidentRow.date_end),
    func.coalesce(IncidentRow.date_end, IncidentRow.date_start) + "~",
    IncidentRow.date_start,
    IncidentRow.date_end,
    IncidentRow.kind,
    IncidentRow.status,
)
Index(
    "ix_incidents_straddling",
    func.coalesce(IncidentRow.date_end, IncidentRow.date_start) + "~",
    func.coalesce(IncidentRow.date_start, IncidentRow.date_end),
    postgresql_where=and_(IncidentRow.date_end.is_not(None), IncidentRow.date_end != IncidentRow.date_start),
    sqlite_where=and_(IncidentRow.date_end.is_not(None), IncidentRow.date_end != IncidentRow.date_start),
)
# GIN trigrams on PostgreSQL (the perpetrator filter is a substring match); plain elsewhere.
Index(
    "ix_incidents_perpetrator_trgm",
    IncidentRow.perpetrator,
    postgresql_using="gin",
    postgresql_ops={"perpetrator": "gin_trgm_ops"},
)


class ResolutionLogRow(Base):
    """Append-only: every change of a claim's incident, with why. Claims are named by
    document and position too, since re-extraction gives them new row ids."""

    __tablename__ = "resolution_log"
    __table_args__ = (
        Index("ix_resolution_log_claim_id", "claim_id"),
        Index("ix_resolution_log_incident_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resolved_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    mode: Mapped[str] = mapped_column(String)
    claim_id: Mapped[int] = mapped_column(Integer)
    doc_id: Mapped[str] = mapped_column(String)
    ordinal: Mapped[int] = mapped_column(Integer)
    incident_id: Mapped[str] = mapped_column(String)
    previous_incident_id: Mapped[str | None] = mapped_column(String)
    score: Mapped[float | None] = mapped_column(Float)
    why: Mapped[dict[str, Any]] = mapped_column(JSON)


class RunRow(Base):
    """One pipeline run and what it did."""

    __tablename__ = "runs"
    __table_args__ = (Index("ix_runs_started_at", "started_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    extractor_version: Mapped[str | None] = mapped_column(String)
    docs_read: Mapped[int] = mapped_column(Integer)
    docs_new: Mapped[int] = mapped_column(Integer)
    docs_skipped: Mapped[int] = mapped_column(Integer)
    docs_failed: Mapped[int] = mapped_column(Integer)
    claims: Mapped[int] = mapped_column(Integer)
    errors: Mapped[dict[str, Any]] = mapped_column(JSON)
    # Migration 0012: reports stored but not extracted, by language ({"fr": 3}).
    not_extracted: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class IngestErrorRow(Base):
    """One input a run could not process: where it was and what went wrong."""

    __tablename__ = "ingest_errors"
    __table_args__ = (Index("ix_ingest_errors_run_id", "run_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[int] = mapped_column(Integer, ForeignKey("runs.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
