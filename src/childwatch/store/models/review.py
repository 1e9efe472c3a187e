"""Tables of what people do: accounts, analysts' review events and the claims they concern,
and the security audit log."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from childwatch.store.models.base import Base, _in_list
from childwatch.vocab import (
    AUDIT_ACTIONS,
    AUDIT_VIA,
    REVIEW_ACTIONS,
    ROLES,
)


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


class ServerSecretRow(Base):
    """A secret the web server keeps in the store, so that every worker process and every
    restart signs with the same key: 'session' signs the session cookies."""

    __tablename__ = "server_secrets"

    name: Mapped[str] = mapped_column(String, primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class EndedSessionRow(Base):
    """A session ended before its cookie expires (logout, or a new login replacing it),
    by the SHA-256 of its CSRF token: a copy of its cookie is refused by every worker
    process and after a restart, until `expires_at`, when the cookie is dead anyway."""

    __tablename__ = "ended_sessions"
    __table_args__ = (Index("ix_ended_sessions_expires_at", "expires_at"),)

    token_hash: Mapped[str] = mapped_column(String, primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class IncidentCommentRow(Base):
    """Append-only (migration 0015's triggers): a note an analyst or admin wrote on an
    incident (issue 17). Shown to every reader, children's names pseudonymised."""

    __tablename__ = "incident_comments"
    __table_args__ = (
        CheckConstraint("length(trim(text)) > 0", name="text"),
        Index("ix_incident_comments_incident_id", "incident_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[str] = mapped_column(String)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String)  # as it was then
    text: Mapped[str] = mapped_column(Text)


class IncidentAssignmentRow(Base):
    """Append-only (migration 0015's triggers): who an incident was given to, by whom and
    when (issue 17). An incident's assignee is its latest row's; `assignee_id` empty
    says it was unassigned."""

    __tablename__ = "incident_assignments"
    __table_args__ = (
        Index("ix_incident_assignments_incident_id", "incident_id"),
        Index("ix_incident_assignments_assignee_id", "assignee_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[str] = mapped_column(String)
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id"))
    user_name: Mapped[str] = mapped_column(String)
    assignee_id: Mapped[int | None] = mapped_column(Integer, ForeignKey("users.id"))
    assignee_name: Mapped[str | None] = mapped_column(String)
    note: Mapped[str | None] = mapped_column(Text)


class IncidentSuccessorRow(Base):
    """Append-only (migration 0017's triggers): an incident with comments or assignments
    that a resolution run or a review action took apart or merged away, and the incident
    that holds most of its claims since (issue 17). Comments and assignments keep the id they were written
    on; readers show them on the incident that id leads to now (`store.discussion`)."""

    __tablename__ = "incident_successors"
    __table_args__ = (Index("ix_incident_successors_incident_id", "incident_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    incident_id: Mapped[str] = mapped_column(String)  # the id that is gone
    successor_id: Mapped[str] = mapped_column(String)
    claims: Mapped[int] = mapped_column(Integer)  # how many claims the incident held before the run
    held: Mapped[int] = mapped_column(Integer)  # how many of them the successor holds
    run: Mapped[str] = mapped_column(String)  # what took it apart: "full", "incremental" or "review"


class SavedSearchRow(Base):
    """A search someone saved under a name (issue 17): the incident list's filters as a
    query string ("violation=abduction&q=school"), which is also the list's address, so a
    saved search is shared by its link. Each user sees and deletes only their own; saving
    again under a name replaces that search."""

    __tablename__ = "saved_searches"
    __table_args__ = (
        UniqueConstraint("user_id", "name", name="uq_saved_searches_user_id_name"),
        CheckConstraint("length(trim(name)) > 0", name="name"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    user_id: Mapped[int] = mapped_column(Integer, ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String)
    query: Mapped[str] = mapped_column(Text)
