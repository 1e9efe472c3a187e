"""Children's names found once per report at ingest, kept with the document.

Before, each output looked for names in the text it was about to show: a title seen
alone ("Schoolgirl Amina Yusuf abducted in Kano", "AMINA YUSUF ABDUCTED") often matched
no rule and was shown as it was. The names are now found once over the title, the text
and the metadata (`protect.document_child_names`) and every non-admin output is redacted
with that list. Documents stored earlier get theirs filled in by this migration.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): a batch copy of the table would drop the
    # evidence triggers of 0006.
    op.add_column("documents", sa.Column("child_names", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("child_names")
