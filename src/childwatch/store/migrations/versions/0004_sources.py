"""Monitoring: the sources `childwatch watch` polls, the items they listed, and the page
offsets of PDF documents.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen copies, not imports from the code: a migration must not change when the code does.
SOURCE_KINDS = ("feed", "page")
ITEM_STATUSES = ("pending", "ingested", "duplicate", "failed")


def _in_list(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade() -> None:
    op.add_column("documents", sa.Column("pages", sa.JSON(), nullable=True))

    op.create_table(
        "sources",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("kind", sa.String(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("interval", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("etag", sa.Text(), nullable=True),
        sa.Column("last_modified", sa.Text(), nullable=True),
        sa.Column("last_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_success_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("next_poll_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("polls", sa.Integer(), nullable=False),
        sa.Column("errors", sa.Integer(), nullable=False),
        sa.Column("consecutive_errors", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sources")),
        sa.UniqueConstraint("url", name=op.f("uq_sources_url")),
        sa.CheckConstraint(
            f"kind IS NULL OR {_in_list('kind', SOURCE_KINDS)}", name=op.f("ck_sources_kind")
        ),
    )

    op.create_table(
        "source_items",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("url", sa.Text(), nullable=True),
        sa.Column("title", sa.Text(), nullable=True),
        sa.Column("published", sa.String(), nullable=True),
        sa.Column("status", sa.String(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=True),
        sa.Column("text_sha256", sa.String(length=64), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_items")),
        sa.ForeignKeyConstraint(
            ["source_id"], ["sources.id"], name=op.f("fk_source_items_source_id_sources"), ondelete="CASCADE"
        ),
        sa.UniqueConstraint("source_id", "key", name=op.f("uq_source_items_source_id_key")),
        sa.CheckConstraint(_in_list("status", ITEM_STATUSES), name=op.f("ck_source_items_status")),
    )
    op.create_index(op.f("ix_source_items_sha256"), "source_items", ["sha256"])
    op.create_index(op.f("ix_source_items_text_sha256"), "source_items", ["text_sha256"])
    op.create_index(op.f("ix_source_items_doc_id"), "source_items", ["doc_id"])


def downgrade() -> None:
    op.drop_table("source_items")
    op.drop_table("sources")
    with op.batch_alter_table("documents") as batch:  # SQLite cannot drop a column in place
        batch.drop_column("pages")
