"""Review: users, the append-only review events, and the claims each event concerns;
an index for the dashboard's report volume.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, not imports from the code: a migration must not change when the code does.
ROLES = ("viewer", "analyst", "admin")
ACTIONS = ("confirm", "reject", "reopen", "correct", "restore", "merge", "split", "move", "reveal")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # The dashboard counts documents per country from this index alone.
    op.create_index(op.f("ix_claims_location_country_doc_id"), "claims", ["location_country", "doc_id"])

    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("password", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("blur_graphic", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
        sa.CheckConstraint(_in_list("role", ROLES), name=op.f("ck_users_role")),
    )

    op.create_table(
        "review_events",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("user_name", sa.String(), nullable=False),
        sa.Column("action", sa.String(), nullable=False),
        sa.Column("target_type", sa.String(), nullable=False),
        sa.Column("target_id", sa.String(), nullable=False),
        sa.Column("incident_id", sa.String(), nullable=True),
        sa.Column("field", sa.String(), nullable=True),
        sa.Column("before", sa.JSON(), nullable=True),
        sa.Column("after", sa.JSON(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_events")),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_review_events_user_id_users")),
        sa.CheckConstraint(_in_list("action", ACTIONS), name=op.f("ck_review_events_action")),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_review_events_reason")),
    )
    op.create_index(op.f("ix_review_events_incident_id"), "review_events", ["incident_id"])
    op.create_index(op.f("ix_review_events_at"), "review_events", ["at"])

    op.create_table(
        "review_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("violation", sa.String(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_review_claims")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["review_events.id"], name=op.f("fk_review_claims_event_id_review_events"),
            ondelete="CASCADE",
        ),
    )
    op.create_index(op.f("ix_review_claims_event_id"), "review_claims", ["event_id"])
    op.create_index(op.f("ix_review_claims_doc_id_ordinal"), "review_claims", ["doc_id", "ordinal"])


def downgrade() -> None:
    op.drop_table("review_claims")
    op.drop_table("review_events")
    op.drop_table("users")
    op.drop_index(op.f("ix_claims_location_country_doc_id"), "claims")
