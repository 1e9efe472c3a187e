"""Full-text search that cannot find a child by name, through the database's own index.

Every text the web and the incident exports show is pseudonymised (`protect`), so a
search must match what people see: a report that contains "Amina" only in a child's
name must not come back for q="Amina", or the list (and its count) would confirm what
the page hides. So the index (migration 0014, `store.search`) holds each report's title
and text as people see them, redacted with the children's names stored at ingest and
case-folded; a search is a substring match of the case-folded `q` there, on SQLite
(FTS5, trigram tokenizer) and PostgreSQL (pg_trgm) alike.

Reports are indexed after they are stored (`index_pending`: the web server does it in
the background). Until then a report is searched as before the index: its stored text
is matched (LIKE, or ILIKE on PostgreSQL), and a match that shows nowhere once the names
are pseudonymised is left out (exact at any size: a report is checked when `q` overlaps
one of its children's names, or a word of one, which no other report can hide).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Select, String, Table, case, or_, select
from sqlalchemy import cast as cast_

from childwatch.extract.names import report_names, stop_words
from childwatch.extract.names_arabic import fold
from childwatch.read.redact import Redaction, redact
from childwatch.store import Store
from childwatch.store import search as index
from childwatch.store.models import DocumentRow

__all__ = ["MAX_IDS", "Matches", "find", "index_pending", "searchable"]

DOCS = cast(Table, DocumentRow.__table__)
MAX_IDS = 10_000  # matching reports not indexed yet handed to the query by id; past it, a statement
# Between the title and the text: a paragraph separator, which no search box sends.
SEPARATOR = "\u2029"


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _may_hide(q: str, names: list[str]) -> bool:
    """Whether `q` (case-folded) overlaps a name or a word of one, as text: only then can
    the pseudonyms hide it. Arabic is compared without diacritics (`names_arabic.fold`)."""
    q = fold(q)
    for name in names:
        for part in (name, *name.split()):
            w = fold(part).casefold()
            if q in w or w in q or any(q.endswith(w[:k]) or q.startswith(w[-k:]) for k in range(1, len(w))):
                return True
    return False


@lru_cache(maxsize=4096)
def _shown(doc_id: str, text: str, title: str, url: str, names: tuple[str, ...]) -> tuple[str, str, str]:
    """The document's text, title and address as people see them (pseudonymised), case-folded."""
    red: Redaction = redact(text, key=doc_id, names=names)
    return (
        red.text.casefold(),
        redact(title, key=doc_id, names=names).text.casefold(),
        redact(url, key=doc_id, names=names).text.casefold(),
    )


def searchable(doc_id: str, text: str, title: str | None, stored: Iterable[str] | None) -> str:
    """What the index holds for a report: its title and text as people see them (names
    pseudonymised), case-folded."""
    names = report_names(stored, text or "", title)
    if names:
        text = redact(text or "", key=doc_id, names=names).text
        title = redact(title or "", key=doc_id, names=names).text
    return f"{(title or '').casefold()}{SEPARATOR}{(text or '').casefold()}"


def index_pending(store: Store, *, limit: int = 200) -> int:
    """Index up to `limit` of the reports stored since the index last caught up; returns
    how many (0: nothing waits). Several processes may do it at once."""
    d = DOCS.c
    with store.reading() as conn:
        ids = index.pending(conn, limit)
        if not ids:
            return 0
        rows = conn.execute(select(d.id, d.text, d.title, d.child_names).where(d.id.in_(ids))).all()
    bodies = [(r.id, searchable(r.id, r.text, r.title, r.child_names)) for r in rows]
    with store.writing() as conn:
        added = index.add(conn, bodies)
        gone = set(ids) - {r.id for r in rows}
        if gone:  # listed, but no such report (any more): nothing to index
            conn.execute(index.PENDING.delete().where(index.PENDING.c.doc_id.in_(gone)))
    return max(added, 1 if gone else 0)


@dataclass(frozen=True, slots=True)
class Matches:
    """What a search finds, as people see it: the index is asked for `folded`; of the
    reports not indexed yet, `pending` lists those that show `q` (None: `unindexed`
    says which, as a statement), `hidden` those that have it only in children's names."""

    folded: str
    pending: tuple[str, ...] | None
    hidden: tuple[str, ...]
    q: str
    fts5: bool = True  # SQLite: the index is FTS5's (see `store.search.matching`)

    def indexed(self, dialect: str) -> Select[tuple[str]]:
        """The indexed reports that contain the text, as a statement."""
        return index.matching(self.folded, dialect, fts5=self.fts5)

    def unindexed(self, dialect: str) -> Select[Any]:
        """The reports not indexed yet that contain `q` in their stored title or text,
        but not only in children's names."""
        d = DOCS.c
        stmt = select(d.id).where(d.id.in_(select(index.PENDING.c.doc_id)))  # the few waiting, by key
        stmt = stmt.where(or_(_contains(d.title, self.q, dialect), _contains(d.text, self.q, dialect)))
        return stmt.where(d.id.not_in(list(self.hidden))) if self.hidden else stmt


def _contains(column: Any, q: str, dialect: str) -> Any:
    if dialect == "sqlite":  # LIKE ignores ASCII case there
        return column.like(_like(q), escape="\\")
    return column.ilike(_like(q), escape="\\")


def find(store: Store, q: str) -> Matches:
    """What a search for `q` finds (see `Matches`); the reports not indexed yet are read
    here only when `q` could be a child's name or a word of one."""
    needle = q.strip()
    folded = needle.casefold()
    dialect = store.engine.dialect.name
    fts5 = dialect != "sqlite" or _fts5(store)
    if dialect != "sqlite" and not _waiting(store):
        # Every report indexed (the usual case): the index alone. PostgreSQL cannot
        # estimate how many reports the index and the waiting ones give together, and
        # for a query most reports match it then plans a lookup per report (seconds).
        return Matches(folded, (), (), needle, fts5)
    words = re.findall(r"[^\W\d_]+", needle)
    if not words or all(w.capitalize() in stop_words() for w in words):
        # "school", "the children", "2021": no name has only such words, so the stored
        # text of a report not indexed yet may be matched as it is, in the list's query.
        return Matches(folded, None, (), needle, fts5)
    d = DOCS.c
    # Names are read only where a document has some (or none stored yet: before 0010).
    named = or_(d.child_names.is_(None), cast_(d.child_names, String) != "[]")
    stmt = select(d.id, case((named, d.title), else_=None), case((named, d.text), else_=None), d.url, d.child_names)
    stmt = stmt.where(d.id.in_(select(index.PENDING.c.doc_id)))  # the few waiting, by key
    stmt = stmt.where(or_(_contains(d.title, needle, dialect), _contains(d.text, needle, dialect)))
    visible: list[str] = []
    hidden: list[str] = []
    with store.reading() as conn:
        for doc_id, title, text, url, stored in conn.execution_options(yield_per=200).execute(stmt):
            if text is not None:
                names = report_names(stored, text, title)
                if names and _may_hide(folded, names):
                    shown = _shown(doc_id, text, title or "", url or "", tuple(names))
                    if all(folded not in part for part in shown):
                        hidden.append(doc_id)
                        continue
            visible.append(doc_id)
    return Matches(folded, tuple(visible) if len(visible) <= MAX_IDS else None, tuple(hidden), needle, fts5)


def _waiting(store: Store) -> bool:
    """Whether any report waits to be indexed."""
    with store.reading() as conn:
        return conn.execute(select(index.PENDING.c.doc_id).limit(1)).first() is not None


_FTS5: dict[str, bool] = {}


def _fts5(store: Store) -> bool:
    """Whether the store's index is FTS5's, asked once per database."""
    url = str(store.engine.url)
    if url not in _FTS5:
        with store.reading() as conn:
            _FTS5[url] = index.is_fts5(conn)
    return _FTS5[url]
