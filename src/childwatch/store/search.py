"""The full-text index's tables (migration 0014) and the statements over them.

What goes in is the caller's: `childwatch.read.search` writes each report's text as
people see it (children's names pseudonymised), case-folded, so that the index can never
find a child by name. Here only: which reports wait to be indexed, adding them, and the
statement that finds the reports containing a (case-folded) text, through SQLite's FTS5
trigram index or PostgreSQL's pg_trgm one.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import Column, Connection, MetaData, Select, String, Table, Text, delete, insert, select, text

__all__ = ["PENDING", "SEARCH", "add", "is_fts5", "matching", "pending"]

# Not in the models' metadata: on SQLite the index is an FTS5 virtual table, which the
# models (and backups: the index is rebuilt from the documents) know nothing of.
_META = MetaData()
SEARCH = Table("search_documents", _META, Column("doc_id", String), Column("body", Text))
PENDING = Table("search_pending", _META, Column("doc_id", String, primary_key=True))


def pending(conn: Connection, limit: int) -> list[str]:
    """Up to `limit` reports not indexed yet."""
    return list(conn.execute(select(PENDING.c.doc_id).order_by(PENDING.c.doc_id).limit(limit)).scalars())


def add(conn: Connection, bodies: Sequence[tuple[str, str]]) -> int:
    """Index these (report id, searchable text) of pending reports, in the caller's write
    transaction; a report another process indexed meanwhile is left alone. Returns how
    many were added."""
    if not bodies:
        return 0
    # Taken off the list first: of two processes indexing the same reports, the second
    # waits for the first's commit (PostgreSQL's row locks, SQLite's one writer) and then
    # finds them gone.
    ids = [doc_id for doc_id, _ in bodies]
    taken = set(conn.execute(delete(PENDING).where(PENDING.c.doc_id.in_(ids)).returning(PENDING.c.doc_id)).scalars())
    rows = [{"doc_id": doc_id, "body": body} for doc_id, body in bodies if doc_id in taken]
    if rows:
        conn.execute(insert(SEARCH), rows)
    return len(rows)


def _glob(text: str) -> str:
    return "".join(f"[{c}]" if c in "*?[" else c for c in text)


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def matching(folded: str, dialect: str, *, fts5: bool = True) -> Select[tuple[str]]:
    """The ids of indexed reports whose searchable text contains `folded` (already
    case-folded, as the text is): a case-sensitive substring match. FTS5's trigram
    tokenizer answers a phrase of three characters or more from its index alone (MATCH)
    and a shorter one by reading the texts (GLOB); pg_trgm answers LIKE."""
    body = SEARCH.c.body
    if dialect == "sqlite" and fts5 and len(folded) >= 3:
        return select(SEARCH.c.doc_id).where(body.op("MATCH")('"' + folded.replace('"', '""') + '"'))
    if dialect == "sqlite":
        return select(SEARCH.c.doc_id).where(body.op("GLOB")(f"*{_glob(folded)}*"))
    return select(SEARCH.c.doc_id).where(body.like(f"%{_like(folded)}%", escape="\\"))


def is_fts5(conn: Connection) -> bool:
    """Whether this SQLite store's index is an FTS5 table (migration 0014 makes a plain
    one where SQLite lacks FTS5)."""
    sql = conn.execute(text("SELECT sql FROM sqlite_master WHERE name = 'search_documents'")).scalar()
    return "fts5" in str(sql or "").lower()
