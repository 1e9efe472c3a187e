"""Full-text search that cannot find a child by name.

Every text the web and the incident exports show is pseudonymised (`protect`), so a
search must match what people see: a report that contains "Amina" only in a child's
name must not come back for q="Amina", or the list (and its count) would confirm what
the page hides. The database matches the stored (original) text; `find` reads the
matching documents that name children (their names were stored at ingest), says which
of them contain `q` only inside those names, and hands `queries` the ids of the others,
so that the search itself reads the texts only once.

Exact at any size: a document is checked when `q` overlaps one of its children's names
(or a word of one), which no other document can hide.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import String, Table, case, or_, select
from sqlalchemy import cast as cast_

from childwatch.extract.names import report_names, stop_words
from childwatch.read.redact import Redaction, redact
from childwatch.store import Store
from childwatch.store.models import DocumentRow

__all__ = ["MAX_IDS", "Matches", "find"]

DOCS = cast(Table, DocumentRow.__table__)
MAX_IDS = 10_000  # matching documents handed to the query by id; past it the query searches again


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _may_hide(q: str, names: list[str]) -> bool:
    """Whether `q` (case-folded) overlaps a name or a word of one, as text: only then can
    the pseudonyms hide it."""
    for name in names:
        for part in (name, *name.split()):
            w = part.casefold()
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


@dataclass(frozen=True, slots=True)
class Matches:
    """The documents a search finds, as people see them."""

    visible: tuple[str, ...] | None  # every match that shows `q`; None: too many to list
    hidden: tuple[str, ...]  # matches that contain `q` only inside children's names


def find(store: Store, q: str) -> Matches | None:
    """The documents whose title or text contains `q` (any case, as the search matches),
    split by whether people can see it there; None when `q` cannot be in a name at all
    (then the plain search is the right one)."""
    needle = q.strip()
    words = re.findall(r"[^\W\d_]+", needle)
    if not words or all(w.capitalize() in stop_words() for w in words):
        return None  # "school", "the children", "2021": no name has only such words
    dialect = store.engine.dialect.name

    def contains(column: Any) -> Any:
        if dialect == "sqlite":  # LIKE ignores ASCII case there, as the search does
            return column.like(_like(needle), escape="\\")
        return column.ilike(_like(needle), escape="\\")

    d = DOCS.c
    # Names are read only where a document has some (or none stored yet: before 0010).
    named = or_(d.child_names.is_(None), cast_(d.child_names, String) != "[]")
    stmt = select(d.id, case((named, d.title), else_=None), case((named, d.text), else_=None), d.url, d.child_names)
    stmt = stmt.where(or_(contains(d.title), contains(d.text)))
    visible: list[str] = []
    hidden: list[str] = []
    folded = needle.casefold()
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
    return Matches(tuple(visible) if len(visible) <= MAX_IDS else None, tuple(hidden))
