"""Initial schema: documents, claims, runs, ingest_errors.

Revision ID: 0001
Revises:
Create Date: 2025-01-01
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, not imports from the code: a migration must not change when the code does.
VIOLATIONS = (
    "recruitment_use",
    "killing_maiming",
    "sexual_violence",
    "attack_school_hospital",
    "abduction",
    "denial_humanitarian_access",
    "detention_torture",
)
KINDS = ("incident", "aggregate", "pattern")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    # op.f(): these names are final; the naming convention must not be applied again.
    op.create_table(
        "documents",
        sa.Column("id", sa.String(), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("media_type", sa.String(), nullable=False),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("outlet", sa.String(), nullable=True),
        sa.Column("published", sa.String(), nullable=True),
        sa.Column("language", sa.String(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raw", sa.LargeBinary(), nullable=False),
        sa.Column("metadata", sa.JSON(), nullable=False),
        sa.Column("captured_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("extractor_version", sa.String(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_documents")),
    )
    op.create_index(op.f("ix_documents_sha256"), "documents", ["sha256"])
    op.create_index(op.f("ix_documents_published"), "documents", ["published"])
    op.create_index(op.f("ix_documents_outlet"), "documents", ["outlet"])

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.Column("ordinal", sa.Integer(), nullable=False),
        sa.Column("violation", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("perpetrator", sa.String(), nullable=True),
        sa.Column("perpetrator_id", sa.String(), nullable=True),
        sa.Column("victims_count", sa.Integer(), nullable=True),
        sa.Column("victims_count_low", sa.Integer(), nullable=True),
        sa.Column("victims_count_high", sa.Integer(), nullable=True),
        sa.Column("victims_qualifier", sa.String(), nullable=True),
        sa.Column("victims_age_min", sa.Integer(), nullable=True),
        sa.Column("victims_age_max", sa.Integer(), nullable=True),
        sa.Column("victims_sex", sa.String(), nullable=True),
        sa.Column("victims_group", sa.String(), nullable=True),
        sa.Column("location_name", sa.String(), nullable=True),
        sa.Column("location_admin1", sa.String(), nullable=True),
        sa.Column("location_country", sa.String(), nullable=True),
        sa.Column("location_lat", sa.Float(), nullable=True),
        sa.Column("location_lon", sa.Float(), nullable=True),
        sa.Column("location_precision", sa.String(), nullable=True),
        sa.Column("location_place_id", sa.String(), nullable=True),
        sa.Column("date_start", sa.String(), nullable=True),
        sa.Column("date_end", sa.String(), nullable=True),
        sa.Column("date_precision", sa.String(), nullable=True),
        sa.Column("source", sa.String(), nullable=True),
        sa.Column("source_id", sa.String(), nullable=True),
        sa.Column("graphic", sa.Boolean(), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("evidence_start", sa.Integer(), nullable=False),
        sa.Column("evidence_end", sa.Integer(), nullable=False),
        sa.Column("evidence_text", sa.Text(), nullable=False),
        sa.Column("spans", sa.JSON(), nullable=False),
        sa.Column("incident_id", sa.String(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.ForeignKeyConstraint(
            ["doc_id"], ["documents.id"], name=op.f("fk_claims_doc_id_documents"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("doc_id", "ordinal", name=op.f("uq_claims_doc_id_ordinal")),
        sa.CheckConstraint(_in_list("violation", VIOLATIONS), name=op.f("ck_claims_violation")),
        sa.CheckConstraint(_in_list("kind", KINDS), name=op.f("ck_claims_kind")),
    )
    op.create_index(op.f("ix_claims_violation"), "claims", ["violation"])
    op.create_index(op.f("ix_claims_perpetrator_id"), "claims", ["perpetrator_id"])
    op.create_index(op.f("ix_claims_location_country"), "claims", ["location_country"])
    op.create_index(op.f("ix_claims_date_start"), "claims", ["date_start"])
    op.create_index(op.f("ix_claims_incident_id"), "claims", ["incident_id"])

    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("extractor_version", sa.String(), nullable=True),
        sa.Column("docs_read", sa.Integer(), nullable=False),
        sa.Column("docs_new", sa.Integer(), nullable=False),
        sa.Column("docs_skipped", sa.Integer(), nullable=False),
        sa.Column("docs_failed", sa.Integer(), nullable=False),
        sa.Column("claims", sa.Integer(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_index(op.f("ix_runs_started_at"), "runs", ["started_at"])

    op.create_table(
        "ingest_errors",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("origin", sa.Text(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ingest_errors")),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_ingest_errors_run_id_runs"), ondelete="CASCADE"
        ),
    )
    op.create_index(op.f("ix_ingest_errors_run_id"), "ingest_errors", ["run_id"])


def downgrade() -> None:
    op.drop_table("ingest_errors")
    op.drop_table("runs")
    op.drop_table("claims")
    op.drop_table("documents")
