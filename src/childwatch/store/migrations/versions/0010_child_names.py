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

import sys
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from childwatch.extract.names import document_child_names

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite has it): a batch copy of the table would drop the
    # evidence triggers of 0006.
    op.add_column("documents", sa.Column("child_names", sa.JSON(), nullable=True))
    if op.get_context().as_sql:  # SQL rendered offline: no documents to read
        return
    _fill_in(op.get_bind())


def _fill_in(bind: sa.Connection, chunk: int = 500) -> None:
    """Find the children's names of every stored document, a chunk at a time (about 900
    reports a second); outputs would otherwise look for them at every view."""
    docs = sa.table(
        "documents", sa.column("id", sa.String), sa.column("text", sa.Text), sa.column("title", sa.Text),
        sa.column("metadata", sa.JSON), sa.column("child_names", sa.JSON),
    )  # fmt: skip
    update = (
        sa.update(docs)
        .where(docs.c.id == sa.bindparam("b_id"))
        .values(child_names=sa.bindparam("b_names", type_=sa.JSON))
    )
    last, done = "", 0
    while True:
        stmt = sa.select(docs.c.id, docs.c.text, docs.c.title, docs.c.metadata).where(docs.c.id > last)
        rows = bind.execute(stmt.order_by(docs.c.id).limit(chunk)).all()
        if not rows:
            break
        found = [{"b_id": r.id, "b_names": document_child_names(r.text or "", r.title, r.metadata or {})} for r in rows]
        bind.execute(update, found)
        last, done = rows[-1].id, done + len(rows)
        if done % 20_000 < chunk:
            print(f"migration 0010: children's names found in {done} stored reports so far", file=sys.stderr)


def downgrade() -> None:
    with op.batch_alter_table("documents") as batch:
        batch.drop_column("child_names")
