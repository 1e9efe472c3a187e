"""Accounts: session epochs, disabled and removed users, and the security audit log.

- users.session_epoch: every session cookie carries the epoch it was issued under, and
  each request compares it with this column; a password change or reset, disabling or
  removing the account bumps it, so the user's other sessions end at once, in every
  server process and across restarts (a cookie cannot be recalled, but it can be outdated).
- users.disabled_at, users.removed_at: an account is switched off, or removed for good,
  without deleting its row: review_events and audit_events point to it and are
  append-only. A trigger now refuses to DELETE a user at all.
- audit_events: logins, failed logins, logouts, password changes, account changes and
  exports; append-only like the review log (0006): no UPDATE, no DELETE, no TRUNCATE.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, not imports from the code: a migration must not change when the code does.
ACTIONS = (
    "login", "login_failed", "logout", "password_change", "password_reset", "user_add", "user_disable",
    "user_enable", "user_remove", "role_change", "export", "audit_export",
)  # fmt: skip
VIA = ("web", "api", "cli")

# Written out in full (no formatting): the statements are constants, and the messages
# start like 0006's so that callers and people recognise the refusal.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER audit_events_append_only_no_update BEFORE UPDATE ON audit_events FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: audit_events is append-only; its rows cannot be changed or deleted'); END",
    "CREATE TRIGGER audit_events_append_only_no_delete BEFORE DELETE ON audit_events FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: audit_events is append-only; its rows cannot be changed or deleted'); END",
    "CREATE TRIGGER users_no_delete BEFORE DELETE ON users FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: users are never deleted (the audit log names them); "
    "use childwatch users remove'); END",
)
# childwatch_refuse() is 0006's function: it raises its argument as the error.
POSTGRESQL_TRIGGERS = (
    "CREATE TRIGGER audit_events_append_only_no_update BEFORE UPDATE ON audit_events FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: audit_events is append-only; its rows cannot be changed or "
    "deleted')",
    "CREATE TRIGGER audit_events_append_only_no_delete BEFORE DELETE ON audit_events FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: audit_events is append-only; its rows cannot be changed or "
    "deleted')",
    "CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events FOR EACH STATEMENT "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: audit_events is append-only; its rows cannot be changed or "
    "deleted')",
    "CREATE TRIGGER users_no_delete BEFORE DELETE ON users FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: users are never deleted (the audit log names them); "
    "use childwatch users remove')",
    "CREATE TRIGGER users_no_truncate BEFORE TRUNCATE ON users FOR EACH STATEMENT "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: users are never deleted (the audit log names them); "
    "use childwatch users remove')",
)
SQLITE_DROPS = (
    "DROP TRIGGER IF EXISTS audit_events_append_only_no_update",
    "DROP TRIGGER IF EXISTS audit_events_append_only_no_delete",
    "DROP TRIGGER IF EXISTS users_no_delete",
)
POSTGRESQL_DROPS = (
    "DROP TRIGGER IF EXISTS audit_events_append_only_no_update ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_append_only_no_delete ON audit_events",
    "DROP TRIGGER IF EXISTS audit_events_no_truncate ON audit_events",
    "DROP TRIGGER IF EXISTS users_no_delete ON users",
    "DROP TRIGGER IF EXISTS users_no_truncate ON users",
)


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # Plain ADD COLUMNs (SQLite has them; a NOT NULL one needs its default): a batch copy
    # of users would have to re-create the foreign keys that point to it.
    op.add_column("users", sa.Column("session_epoch", sa.Integer(), server_default=sa.text("0"), nullable=False))
    op.add_column("users", sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column("users", sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True))

    op.create_table(
        "audit_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("via", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("address", sa.String(), nullable=True),
        sa.Column("target_user_id", sa.Integer(), nullable=True),
        sa.Column("target", sa.Text(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_audit_events_user_id_users")),
        sa.ForeignKeyConstraint(["target_user_id"], ["users.id"], name=op.f("fk_audit_events_target_user_id_users")),
        sa.CheckConstraint(_in_list("action", ACTIONS), name=op.f("ck_audit_events_action")),
        sa.CheckConstraint(_in_list("via", VIA), name=op.f("ck_audit_events_via")),
    )
    op.create_index(op.f("ix_audit_events_at"), "audit_events", ["at"])
    op.create_index(op.f("ix_audit_events_user_id"), "audit_events", ["user_id"])

    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_DROPS if postgresql else SQLITE_DROPS:
        op.execute(statement)
    op.drop_table("audit_events")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("removed_at")
        batch.drop_column("disabled_at")
        batch.drop_column("session_epoch")
