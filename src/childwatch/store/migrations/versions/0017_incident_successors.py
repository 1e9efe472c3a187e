"""Where comments and assignments go when resolution takes their incident apart (issue 17).

- incident_successors: an incident with comments or assignments that a resolution run or
  an analyst's merge split apart or merged away (its id is gone), and the incident holding
  most of its claims after that (`run`: full, incremental or review). Comments and
  assignments are append-only (0015) and keep the id they were written on; readers follow
  these rows to the incident that has the claims now.

Append-only like 0015's tables: no UPDATE, no DELETE, no TRUNCATE. A later run that takes
the successor apart in turn appends a row for it; the latest row of an id holds.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Written out in full (no formatting), as 0015's: the statements are constants, and SQL is
# never built by formatting here (test_web_security checks it).
SQLITE_TRIGGERS = (
    "CREATE TRIGGER incident_successors_append_only_no_update BEFORE UPDATE ON incident_successors FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: incident_successors is append-only; "
    "its rows cannot be changed or deleted'); END",
    "CREATE TRIGGER incident_successors_append_only_no_delete BEFORE DELETE ON incident_successors FOR EACH ROW "
    "BEGIN SELECT RAISE(ABORT, 'childwatch: incident_successors is append-only; "
    "its rows cannot be changed or deleted'); END",
)
# childwatch_refuse() is 0006's function: it raises its argument as the error.
POSTGRESQL_TRIGGERS = (
    "CREATE TRIGGER incident_successors_append_only_no_update BEFORE UPDATE ON incident_successors FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_successors is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_successors_append_only_no_delete BEFORE DELETE ON incident_successors FOR EACH ROW "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_successors is append-only; "
    "its rows cannot be changed or deleted')",
    "CREATE TRIGGER incident_successors_no_truncate BEFORE TRUNCATE ON incident_successors FOR EACH STATEMENT "
    "EXECUTE FUNCTION childwatch_refuse('childwatch: incident_successors is append-only; "
    "its rows cannot be changed or deleted')",
)


def upgrade() -> None:
    op.create_table(
        "incident_successors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("incident_id", sa.String(), nullable=False),
        sa.Column("successor_id", sa.String(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("held", sa.Integer(), nullable=False),
        sa.Column("run", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_successors")),
    )
    op.create_index(op.f("ix_incident_successors_incident_id"), "incident_successors", ["incident_id"])
    postgresql = op.get_bind().dialect.name == "postgresql"
    for statement in POSTGRESQL_TRIGGERS if postgresql else SQLITE_TRIGGERS:
        op.execute(statement)


def downgrade() -> None:
    op.drop_table("incident_successors")  # its triggers go with it
