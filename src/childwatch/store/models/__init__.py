"""The database schema (SQLAlchemy 2 declarative models), the records the store hands
back, and the mapping between rows and the records in `childwatch.records`.

- `base`: the declarative base and the names of constraints and indexes;
- `reports`: reports, claims, incidents, resolution's log, runs;
- `review`: accounts, review events, the audit log, comments and assignments,
  saved searches;
- `sources`: watched feeds and pages;
- `rows`: records the store returns, and rows <-> records.

Portable on purpose: the same models and migrations serve SQLite and PostgreSQL, so only
generic types (`JSON`, `LargeBinary`, `DateTime(timezone=True)`) and explicitly named
constraints and indexes appear here. Any change needs a new migration in
`store/migrations/versions/`; `tests/test_store.py` fails when the two disagree.
"""

from __future__ import annotations

from childwatch.store.models.base import NAMING_CONVENTION, Base, utcnow
from childwatch.store.models.reports import (
    ClaimRow,
    DocBandRow,
    DocumentRow,
    IncidentRow,
    IngestErrorRow,
    ResolutionLogRow,
    RunRow,
    StagedBandRow,
)
from childwatch.store.models.review import (
    AuditEventRow,
    EndedSessionRow,
    IncidentAssignmentRow,
    IncidentCommentRow,
    IncidentSuccessorRow,
    ReviewClaimRow,
    ReviewEventRow,
    SavedSearchRow,
    ServerSecretRow,
    UserRow,
)
from childwatch.store.models.rows import (
    INTERRUPTED,
    BatchResult,
    IngestErrorRecord,
    RunCounts,
    RunRecord,
    StoreCounts,
    StoredClaim,
    aware,
    claim_from_row,
    claim_row,
    document_from_row,
    document_row,
)
from childwatch.store.models.watched import SourceItemRow, SourceRow

__all__ = [
    "INTERRUPTED",
    "NAMING_CONVENTION",
    "AuditEventRow",
    "Base",
    "BatchResult",
    "ClaimRow",
    "DocBandRow",
    "DocumentRow",
    "EndedSessionRow",
    "IncidentAssignmentRow",
    "IncidentCommentRow",
    "IncidentRow",
    "IncidentSuccessorRow",
    "IngestErrorRecord",
    "IngestErrorRow",
    "ResolutionLogRow",
    "ReviewClaimRow",
    "ReviewEventRow",
    "RunCounts",
    "RunRecord",
    "RunRow",
    "SavedSearchRow",
    "ServerSecretRow",
    "SourceItemRow",
    "SourceRow",
    "StagedBandRow",
    "StoreCounts",
    "StoredClaim",
    "UserRow",
    "aware",
    "claim_from_row",
    "claim_row",
    "document_from_row",
    "document_row",
    "utcnow",
]
