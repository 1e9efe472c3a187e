"""Resolution: near-duplicate documents, incidents, and the log of claim assignments.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column("documents", sa.Column("minhash", sa.LargeBinary(), nullable=True))
    op.add_column("documents", sa.Column("near_dup_of", sa.String(), nullable=True))
    op.add_column("documents", sa.Column("near_dup_similarity", sa.Float(), nullable=True))
    op.add_column("documents", sa.Column("names", sa.JSON(), nullable=True))
    op.create_index(op.f("ix_documents_near_dup_of"), "documents", ["near_dup_of"])
    op.add_column("claims", sa.Column("incident_score", sa.Float(), nullable=True))
    op.add_column("claims", sa.Column("incident_why", sa.JSON(), nullable=True))

    op.create_table(
        "doc_bands",
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("band", "doc_id", name=op.f("pk_doc_bands")),
        sa.ForeignKeyConstraint(
            ["doc_id"], ["documents.id"], name=op.f("fk_doc_bands_doc_id_documents"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_doc_bands_doc_id"), "doc_bands", ["doc_id"])

    op.create_table(
        "incidents",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("violation", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("perpetrator", sa.String(), nullable=True),
        sa.Column("perpetrator_id", sa.String(), nullable=True),
        sa.Column("count_best", sa.Integer(), nullable=True),
        sa.Column("count_low", sa.Integer(), nullable=True),
        sa.Column("count_high", sa.Integer(), nullable=True),
        sa.Column("age_min", sa.Integer(), nullable=True),
        sa.Column("age_max", sa.Integer(), nullable=True),
        sa.Column("sex", sa.String(), nullable=True),
        sa.Column("location_name", sa.String(), nullable=True),
        sa.Column("location_admin1", sa.String(), nullable=True),
        sa.Column("location_country", sa.String(), nullable=True),
        sa.Column("location_lat", sa.Float(), nullable=True),
        sa.Column("location_lon", sa.Float(), nullable=True),
        sa.Column("location_precision", sa.String(), nullable=True),
        sa.Column("location_place_id", sa.String(), nullable=True),
        sa.Column("date_start", sa.String(), nullable=True),
        sa.Column("date_end", sa.String(), nullable=True),
        sa.Column("n_claims", sa.Integer(), nullable=False),
        sa.Column("n_documents", sa.Integer(), nullable=False),
        sa.Column("n_outlets", sa.Integer(), nullable=False),
        sa.Column("n_sources", sa.Integer(), nullable=False),
        sa.Column("outlets", sa.JSON(), nullable=False),
        sa.Column("sources", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.Column("first_published", sa.String(), nullable=True),
        sa.Column("last_published", sa.String(), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
    )
    for column in ("violation", "status", "perpetrator_id", "location_country", "date_start"):
        op.create_index(op.f(f"ix_incidents_{column}"), "incidents", [column])

    op.create_table(
        "resolution_log",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("mode", sa.String(), nullable=False),
        sa.Column("claim_id", sa.Integer(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("incident_id", sa.String(), nullable=False),
        sa.Column("previous_incident_id", sa.String(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("why", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resolution_log")),
    )
    op.create_index(op.f("ix_resolution_log_claim_id"), "resolution_log", ["claim_id"])
    op.create_index(op.f("ix_resolution_log_incident_id"), "resolution_log", ["incident_id"])


def downgrade() -> None:
    op.drop_table("resolution_log")
    op.drop_table("incidents")
    op.drop_table("doc_bands")
    op.drop_column("claims", "incident_why")
    op.drop_column("claims", "incident_score")
    op.drop_index(op.f("ix_documents_near_dup_of"), "documents")
    op.drop_column("documents", "names")
    op.drop_column("documents", "near_dup_similarity")
    op.drop_column("documents", "near_dup_of")
    op.drop_column("documents", "minhash")
