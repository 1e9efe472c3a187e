"""The database schema (SQLAlchemy 2 declarative models), the records the store hands
back, and the mapping between rows and the records in `childwatch.records`.

Portable on purpose: the same models and migrations serve SQLite and PostgreSQL, so only
generic types (`JSON`, `LargeBinary`, `DateTime(timezone=True)`) and explicitly named
constraints and indexes appear here. Any change needs a new migration in
`store/migrations/versions/`; `tests/test_store.py` fails when the two disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, overload

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
    MetaData,
    String,
    Text,
    UniqueConstraint,
    and_,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from childwatch.errors import InputError
from childwatch.records import (
    VIOLATIONS,
    Claim,
    DateRange,
    Document,
    Location,
    Span,
    Victims,
)

# Explicit names keep migrations reproducible across backends (PostgreSQL and SQLite
# would otherwise name unnamed constraints differently).
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
KINDS = ("incident", "aggregate", "pattern")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


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
    """One incident: the merged view of the claims resolution grouped (resolve.provenance)."""

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


# The incident list's orders and filters (`childwatch.queries`), indexed so that a page of
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


ROLES = ("viewer", "analyst", "admin")
REVIEW_ACTIONS = ("confirm", "reject", "reopen", "correct", "restore", "merge", "split", "move", "reveal")


class UserRow(Base):
    """Someone who logs in: a viewer reads, an analyst reviews, an admin also reveals
    protected details and manages users. `password` holds the scrypt hash string."""

    __tablename__ = "users"
    __table_args__ = (
        UniqueConstraint("name", name="uq_users_name"),
        CheckConstraint(_in_list("role", ROLES), name="role"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String)
    password: Mapped[str] = mapped_column(String)
    role: Mapped[str] = mapped_column(String)
    blur_graphic: Mapped[bool] = mapped_column(Boolean)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Migration 0011. Every session cookie carries the epoch it was issued under; bumping
    # it (password changed or reset, account disabled or removed) ends every session of
    # the user at their next request, in any server process and across restarts.
    session_epoch: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    disabled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Removed users keep their row (and name): the audit log and review history point to
    # it and are append-only. The password hash is wiped, so the account cannot come back.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ReviewEventRow(Base):
    """Append-only: one analyst action (who, when, what, before -> after, why).

    The current state is derived from the claims plus these events (`review.reapply`);
    nothing here is ever updated or deleted. `target_id` and `incident_id` are the ids
    the analyst saw; the claims concerned are named stably in `review_claims`.
    """

    __tablename__ = "review_events"
    __table_args__ = (
        CheckConstraint(_in_list("action", REVIEW_ACTIONS), name="action"),
        CheckConstraint("length(trim(reason)) > 0", name="reason"),
        Index("ix_review_events_incident_id", "incident_id"),
        Index("ix_review_events_at", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String)  # as it was then, for the history
    action: Mapped[str] = mapped_column(String)
    target_type: Mapped[str] = mapped_column(String)  # incident | claim | document
    target_id: Mapped[str] = mapped_column(String)
    incident_id: Mapped[str | None] = mapped_column(String)
    field: Mapped[str | None] = mapped_column(String)
    before: Mapped[Any | None] = mapped_column(JSON)
    after: Mapped[Any | None] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)


AUDIT_ACTIONS = (
    "login", "login_failed", "logout", "password_change", "password_reset", "user_add", "user_disable",
    "user_enable", "user_remove", "role_change", "export", "audit_export",
)  # fmt: skip
AUDIT_VIA = ("web", "api", "cli")


class AuditEventRow(Base):
    """Append-only (migration 0011's triggers): one security event. Who (`user_id`, and
    `user_name` as it was then: the name tried for a failed login, the operating-system
    account for the command line), when, how (`via`), from where (`address`), what and to
    whom. Never a password. Analysts' review actions and reveals are in `review_events`."""

    __tablename__ = "audit_events"
    __table_args__ = (
        CheckConstraint(_in_list("action", AUDIT_ACTIONS), name="action"),
        CheckConstraint(_in_list("via", AUDIT_VIA), name="via"),
        Index("ix_audit_events_at", "at"),
        Index("ix_audit_events_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    action: Mapped[str] = mapped_column(String)
    via: Mapped[str] = mapped_column(String)
    user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String)
    address: Mapped[str | None] = mapped_column(String)
    target_user_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    target: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class ReviewClaimRow(Base):
    """A claim a review event concerns, named so that it can be found again after
    re-extraction (which gives claims new row ids): document, position, the extractor's
    violation and the evidence. `role` says what the claim was in the action (target,
    keep, other, split, rest, destination)."""

    __tablename__ = "review_claims"
    __table_args__ = (
        Index("ix_review_claims_event_id", "event_id"),
        Index("ix_review_claims_doc_id_ordinal", "doc_id", "ordinal"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    event_id: Mapped[int] = mapped_column(Integer, ForeignKey("review_events.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String)
    claim_id: Mapped[int] = mapped_column(Integer)  # the row id at the time
    doc_id: Mapped[str] = mapped_column(String)
    ordinal: Mapped[int] = mapped_column(Integer)
    violation: Mapped[str] = mapped_column(String)
    evidence_start: Mapped[int] = mapped_column(Integer)
    evidence_end: Mapped[int] = mapped_column(Integer)
    evidence_text: Mapped[str] = mapped_column(Text)


SOURCE_KINDS = ("feed", "page")
ITEM_STATUSES = ("pending", "ingested", "duplicate", "failed")


class SourceRow(Base):
    """A feed or page that `childwatch watch` polls, with its polling state and health.

    `etag` and `last_modified` are the validators of the last full response (for
    conditional GETs); `errors` counts failed polls, `consecutive_errors` the current run
    of them. A source dropped from the sources file stays, with `active` false."""

    __tablename__ = "sources"
    __table_args__ = (
        UniqueConstraint("url", name="uq_sources_url"),
        CheckConstraint(f"kind IS NULL OR {_in_list('kind', SOURCE_KINDS)}", name="kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    url: Mapped[str] = mapped_column(Text)
    kind: Mapped[str | None] = mapped_column(String)  # known after the first good poll
    title: Mapped[str | None] = mapped_column(Text)
    interval: Mapped[int] = mapped_column(Integer)  # seconds between polls
    active: Mapped[bool] = mapped_column(Boolean)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    last_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    next_poll_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str | None] = mapped_column(Text)
    polls: Mapped[int] = mapped_column(Integer)
    errors: Mapped[int] = mapped_column(Integer)
    consecutive_errors: Mapped[int] = mapped_column(Integer)


class SourceItemRow(Base):
    """One item a source listed (a feed entry, or one version of a watched page), and what
    became of it. An item is fetched until it is `ingested` (stored as `doc_id`), found a
    `duplicate` of a stored document (same bytes, or the same text under another URL), or
    `failed` too often; `pending` marks one whose document is being stored, so a watcher
    killed mid-poll knows on restart what it had started."""

    __tablename__ = "source_items"
    __table_args__ = (
        UniqueConstraint("source_id", "key", name="uq_source_items_source_id_key"),
        CheckConstraint(_in_list("status", ITEM_STATUSES), name="status"),
        Index("ix_source_items_sha256", "sha256"),
        Index("ix_source_items_text_sha256", "text_sha256"),
        Index("ix_source_items_doc_id", "doc_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    source_id: Mapped[int] = mapped_column(Integer, ForeignKey("sources.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(Text)  # the entry's id (guid), else its link
    url: Mapped[str | None] = mapped_column(Text)
    title: Mapped[str | None] = mapped_column(Text)
    published: Mapped[str | None] = mapped_column(String)
    status: Mapped[str] = mapped_column(String)
    doc_id: Mapped[str | None] = mapped_column(String)  # not a foreign key: set before the document is stored
    sha256: Mapped[str | None] = mapped_column(String(64))  # of the bytes fetched
    text_sha256: Mapped[str | None] = mapped_column(String(64))  # of the text, spacing and case ignored
    attempts: Mapped[int] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)
    first_seen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# --- what the store hands back ----------------------------------------------------------


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
_SPAN_FIELDS = (
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
