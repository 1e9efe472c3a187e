"""Languages: reports not in English are stored, flagged and not extracted.

- runs.not_extracted: the new reports of a run that were stored without extraction
  because they are not in English, counted by language ({"fr": 3}), for the run summary.
- ix_documents_language: stored reports listed by language (GET /api/documents?language=fr).

documents.language exists since 0001 (the input's own); it is now filled in at ingest
when the input gives none. Reports stored before keep theirs, mostly none: they were
extracted as English.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: a batch copy of a table would drop the triggers of 0006.
    op.add_column("runs", sa.Column("not_extracted", sa.JSON(), nullable=True))
    op.create_index("ix_documents_language", "documents", ["language"])


def downgrade() -> None:
    op.drop_index("ix_documents_language", table_name="documents")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("not_extracted")
