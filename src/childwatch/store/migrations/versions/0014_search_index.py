"""Full-text search through the database's own index, over reports as people see them.

`search_documents` holds each report's title and text with children's names replaced by
pseudonyms and case-folded (written by `childwatch.read.search`, which redacts them);
a search is a substring match there: SQLite's FTS5 with its trigram tokenizer (GLOB,
case-sensitive over the folded text), PostgreSQL's pg_trgm GIN index (LIKE), so that
both find the same reports. `search_pending` lists the reports not indexed yet: a trigger
adds every new report, and this migration adds every report already stored, so that an
existing store is indexed by the web server in the background (searches read those
reports directly meanwhile). Deleting a report deletes its entries.

Without FTS5 (a SQLite built without it) or pg_trgm, `search_documents` is a plain table
and the search a scan of it, with the same results.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "search_pending",
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_search_pending")),
    )
    if bind.dialect.name == "sqlite":
        _sqlite(bind)
    else:
        _postgresql(bind)
    op.execute("INSERT INTO search_pending (doc_id) SELECT id FROM documents")


def _sqlite(bind: sa.Connection) -> None:
    try:
        with bind.begin_nested():
            bind.exec_driver_sql(
                "CREATE VIRTUAL TABLE search_documents USING fts5(doc_id UNINDEXED, body, "
                "tokenize = 'trigram case_sensitive 1')"
            )
    except sa.exc.OperationalError:  # no FTS5 in this SQLite: a plain table, scanned
        bind.exec_driver_sql("CREATE TABLE search_documents (doc_id VARCHAR NOT NULL, body TEXT NOT NULL)")
        bind.exec_driver_sql("CREATE INDEX ix_search_documents_doc_id ON search_documents (doc_id)")
    bind.exec_driver_sql(
        "CREATE TRIGGER documents_search_added AFTER INSERT ON documents BEGIN "
        "INSERT OR IGNORE INTO search_pending (doc_id) VALUES (new.id); END"
    )
    bind.exec_driver_sql(
        "CREATE TRIGGER documents_search_removed AFTER DELETE ON documents BEGIN "
        "DELETE FROM search_documents WHERE doc_id = old.id; DELETE FROM search_pending WHERE doc_id = old.id; END"
    )


def _postgresql(bind: sa.Connection) -> None:
    op.create_table(
        "search_documents",
        sa.Column("doc_id", sa.String(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("doc_id", name=op.f("pk_search_documents")),
    )
    trigrams = op.get_context().as_sql or (
        bind.exec_driver_sql("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'").first() is not None
    )
    if trigrams:  # created by 0005 where the server allows it
        op.create_index(
            "ix_search_documents_body_trgm", "search_documents", ["body"],
            postgresql_using="gin", postgresql_ops={"body": "gin_trgm_ops"},
        )  # fmt: skip
    op.execute(
        """CREATE FUNCTION childwatch_search_pending() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                INSERT INTO search_pending (doc_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
                RETURN NEW;
            END IF;
            DELETE FROM search_documents WHERE doc_id = OLD.id;
            DELETE FROM search_pending WHERE doc_id = OLD.id;
            RETURN OLD;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER documents_search AFTER INSERT OR DELETE ON documents "
        "FOR EACH ROW EXECUTE FUNCTION childwatch_search_pending()"
    )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute("DROP TRIGGER documents_search_added")
        op.execute("DROP TRIGGER documents_search_removed")
    else:
        op.execute("DROP TRIGGER documents_search ON documents")
        op.execute("DROP FUNCTION childwatch_search_pending()")
    op.execute("DROP TABLE search_documents")
    op.drop_table("search_pending")
