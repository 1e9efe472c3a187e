"""Comments on incidents and who an incident is assigned to (issue 17).

- incident_comments: a note an analyst or admin wrote on an incident, with who and when;
- incident_assignments: each assignment (or unassignment) of an incident, by whom, when;
  the latest row of an incident says who has it.

Both are append-only like the review log (0006) and the audit log (0011): no UPDATE, no
DELETE, no TRUNCATE. Incidents are named by id, with no foreign key: resolution rewrites
the incidents table, and the comments must outlive that.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLES = ("incident_comments", "incident_assignments")
# Written out in full (no formatting): the statements are constants, and the messages
# start like 0006's so that callers and people recognise the refusal.
SQLITE_TRIGGERS = (
    "CREATE TRIGGER incident_comments_append_only_no_update BEFORE UPDATE ON incident_comments FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: incident_comments is append-only; "
    "its rows cannot be changed or deleted'); END",
    "CREATE TRIGGER incident_comments_append_only_no_delete BEFORE DELETE ON incident_comments FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: incident_comments is append-only; "
    "its rows cannot be changed or deleted'); END",
    "CREATE TRIGGER incident_assignments_append_only_no_update BEFORE UPDATE ON incident_assignments FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: incident_assignments is append-only; "
    "its rows cannot be changed or deleted'); END",
    "CREATE TRIGGER incident_assignments_append_only_no_delete BEFORE DELETE ON incident_assignments FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: incident_assignments is append-only; "
    "its rows cannot be changed or deleted'); END",
)
# childwatch_refuse() is 0006's function: it raises its argument as the error.
POSTGRESQL_TRIGGERS = (
    "CREATE TRIGGER incident_comments_append_only_no_update BEFORE UPDATE ON incident_comments FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_comments is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_comments_append_only_no_delete BEFORE DELETE ON incident_comments FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_comments is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_comments_no_truncate BEFORE TRUNCATE ON incident_comments FOR EACH STATEMENT "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_comments is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_assignments_append_only_no_update BEFORE UPDATE ON incident_assignments FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_assignments is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_assignments_append_only_no_delete BEFORE DELETE ON incident_assignments FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_assignments is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_assignments_no_truncate BEFORE TRUNCATE ON incident_assignments FOR EACH STATEMENT "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_assignments is append-only; "
    "its rows cannot be changed or deleted')",
)


def upgrade() -> None:
    op.create_table(
        "incident_comments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_comments")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_incident_comments_user_id_users")),
        sa.CheckConstraint("length(trim(text)) > 0", name=op.f("ck_incident_comments_text")),
    )
    op.create_index(op.f("ix_incident_comments_incident_id"), "incident_comments", ["incident_id"])
    op.create_table(
        "incident_assignments",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.String(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("assignee_id", sa.Integer(), nullable=True),
        sa.Column("assignee_name", sa.String(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_assignments")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_incident_assignments_user_id_users")),
        sa.ForeignKeyConstraint(["assignee_id"], ["users.id"], name=op.f("fk_incident_assignments_assignee_id_users")),
    )
    op.create_index(op.f("ix_incident_assignments_incident_id"), "incident_assignments", ["incident_id"])
    op.create_index(op.f("ix_incident_assignments_assignee_id"), "incident_assignments", ["assignee_id"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    for table in TABLES:
        op.drop_table(table)  # its triggers go with it
