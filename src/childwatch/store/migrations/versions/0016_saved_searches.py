"""Saved searches (issue 17): each user's named searches of the incident list, as the
list's query string. A user's own data, changed and deleted by that user: not an
append-only log (the audit log records security events, and a saved search is not one).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "saved_searches",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("query", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_saved_searches")),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_saved_searches_user_id_users"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("user_id", "name", name=op.f("uq_saved_searches_user_id_name")),
        sa.CheckConstraint("length(trim(name)) > 0", name=op.f("ck_saved_searches_name")),
    )


def downgrade() -> None:
    op.drop_table("saved_searches")
