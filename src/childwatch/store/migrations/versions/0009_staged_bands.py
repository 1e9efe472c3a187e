"""Band keys staged during signing, and no index of doc_bands by document.

Signing inserted each chunk's band keys (20 per document, hashes: spread all over the
key range) straight into doc_bands, and every commit rewrote most pages of an index that
grows with the store: signing the 768k documents of 1M synthetic claims took 396 s,
17 times as long as the 83k documents of 100k claims. Keys are now appended to
`doc_bands_staged` in signing order and moved into doc_bands once per run, sorted (see
resolve.group_near_duplicates).

The index of doc_bands by document only served deletions, and stored documents cannot
be deleted (0006); each key inserted there cost another write at a random place.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-22
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "doc_bands_staged",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("band", sa.BigInteger(), nullable=False),
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_doc_bands_staged")),
        sa.ForeignKeyConstraint(["doc_id"], ["documents.id"], name=op.f("fk_doc_bands_staged_doc_id_documents")),
    )
    op.drop_index("ix_doc_bands_doc_id", "doc_bands")


def downgrade() -> None:
    op.create_index("ix_doc_bands_doc_id", "doc_bands", ["doc_id"])
    op.drop_table("doc_bands_staged")
