"""Evidence: the database itself refuses to change what was captured or what analysts did.

Stored originals are evidence and the logs are the chain of custody, so the rules are
triggers in the database (SQLite and PostgreSQL alike), not a promise of the code: a
stray script, an admin's SQL console or a future bug gets the same refusal.

- documents: the captured columns (id, bytes, hash, text, origin, media type, URL,
  capture metadata and time) cannot be UPDATEd, and no document can be DELETEd (its
  claims' evidence, review events and exports point into it). The columns the pipeline
  fills in later (extractor_version, minhash, near_dup_of, near_dup_similarity, names)
  and the reader's descriptive ones (title, outlet, published, language, pages) stay
  writable.
- review_events, review_claims (the analysts' audit log) and resolution_log: append-only,
  no UPDATE, no DELETE (nor TRUNCATE on PostgreSQL).

`childwatch verify` re-checks the hashes anyway: triggers can be dropped by whoever owns
the database.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, not imports from the code: a migration must not change when the code does.
EVIDENCE_COLUMNS = ("id", "sha256", "raw", "text", "origin", "media_type", "url", "metadata", "captured_at")
APPEND_ONLY = ("review_events", "review_claims", "resolution_log")
# The messages start alike so that callers (and people) recognise the refusal.
DOC_UPDATE = "childwatch: stored documents are evidence; their captured content cannot be changed"
DOC_DELETE = "childwatch: stored documents are evidence and cannot be deleted"
LOG_CHANGE = "childwatch: {table} is append-only; its rows cannot be changed or deleted"
FUNCTION = "childwatch_refuse"


def _quote(name: str) -> str:
    return f'"{name}"'


def _changed(dialect: str) -> str:
    """The WHEN condition: some evidence column really changes (setting a column to its own
    value is harmless). PostgreSQL's json has no equality operator, hence the text cast."""
    parts = []
    for column in EVIDENCE_COLUMNS:
        old, new = f"OLD.{_quote(column)}", f"NEW.{_quote(column)}"
        if dialect == "postgresql":
            if column == "metadata":
                old, new = f"{old}::text", f"{new}::text"
            parts.append(f"{old} IS DISTINCT FROM {new}")
        else:
            parts.append(f"{old} IS NOT {new}")
    return " OR ".join(parts)


def _triggers() -> list[tuple[str, str, str, str]]:
    """(name, table, event, message) of every trigger; event as written after BEFORE."""
    columns = ", ".join(_quote(c) for c in EVIDENCE_COLUMNS)
    found = [
        ("documents_evidence_no_update", "documents", f"UPDATE OF {columns}", DOC_UPDATE),
        ("documents_evidence_no_delete", "documents", "DELETE", DOC_DELETE),
    ]
    for table in APPEND_ONLY:
        message = LOG_CHANGE.format(table=table)
        found.append((f"{table}_append_only_no_update", table, "UPDATE", message))
        found.append((f"{table}_append_only_no_delete", table, "DELETE", message))
    return found


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _upgrade_postgresql()
    else:
        _upgrade_sqlite()


def _upgrade_sqlite() -> None:
    for name, table, event, message in _triggers():
        when = f" WHEN {_changed('sqlite')}" if name == "documents_evidence_no_update" else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END"
        )


def _upgrade_postgresql() -> None:
    # One function for every trigger; the message is the trigger's argument. SQLSTATE
    # 23001 (restrict_violation) makes drivers report an integrity error.
    op.execute(
        f"CREATE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'restrict_violation'; END $$"
    )
    for name, table, event, message in _triggers():
        when = f" WHEN ({_changed('postgresql')})" if name == "documents_evidence_no_update" else ""
        op.execute(
            f"CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW{when} "
            f"EXECUTE FUNCTION {FUNCTION}('{message}')"
        )
    for table in ("documents", *APPEND_ONLY):
        message = DOC_DELETE if table == "documents" else LOG_CHANGE.format(table=table)
        op.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            f"FOR EACH STATEMENT EXECUTE FUNCTION {FUNCTION}('{message}')"
        )


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for name, table, _event, _message in _triggers():
        op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}" if postgresql else f"DROP TRIGGER IF EXISTS {name}")
    if postgresql:
        for table in ("documents", *APPEND_ONLY):
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")
