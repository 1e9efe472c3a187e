"""Full-text search that cannot find a child by name.

Every text the web and the incident exports show is pseudonymised (`protect`), so a
search must match what people see: a report that contains "Amina" only in a child's
name must not come back for q="Amina", or the list would confirm what the page hides.
The database matches the stored (original) text; `find` reads the matching documents
once, says which of them contain `q` only inside protected names, and hands `queries`
the ids of the others, so that the search itself reads the texts only once.

Cost: only documents where `q` touches a capitalised word that is not a common word (the
only places a name can be) are pseudonymised to check, at most `MAX_CHECKED` per search,
and cached (a document's text never changes). Past that bound, or past `MAX_IDS`
matching documents, the rest are not checked: a search text that hundreds of reports
contain as a name-like word tells little about any one child, and the pages still show
only pseudonyms. Exact at any size would need the protected names stored at ingest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Table, or_, select

from childwatch.protect import Redaction, redact, stop_words
from childwatch.store import Store
from childwatch.store.models import DocumentRow

__all__ = ["MAX_CHECKED", "MAX_IDS", "Matches", "find"]

DOCS = cast(Table, DocumentRow.__table__)
MAX_CHECKED = 300  # documents pseudonymised per search, at most (about 3 ms each, then cached)
MAX_IDS = 10_000  # matching documents handed to the query by id; past it the query searches again
_WORD_CHAR = re.compile(r"[\w'’-]")


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _may_touch_a_name(q: str, text: str) -> bool:
    """Whether some occurrence of `q` (any case) lies in a capitalised word that is not a
    common word: elsewhere no name can be."""
    common = stop_words()
    for m in re.finditer(re.escape(q), text, re.IGNORECASE):
        start, end = m.start(), m.end()
        while start > 0 and _WORD_CHAR.match(text[start - 1]):
            start -= 1
        while end < len(text) and _WORD_CHAR.match(text[end]):
            end += 1
        if any(word[:1].isupper() and word not in common for word in re.split(r"[\s'’]+", text[start:end])):
            return True
    return False


@lru_cache(maxsize=4096)
def _shown(doc_id: str, text: str, title: str) -> tuple[str, str]:
    """The document's text and title as people see them (pseudonymised), case-folded."""
    red: Redaction = redact(text, key=doc_id)
    return red.text.casefold(), redact(title, key=doc_id, names=red.names).text.casefold()


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

    stmt = select(DOCS.c.id, DOCS.c.title, DOCS.c.text).where(or_(contains(DOCS.c.title), contains(DOCS.c.text)))
    visible: list[str] = []
    hidden: list[str] = []
    checked = 0
    folded = needle.casefold()
    with store._read() as conn:
        for doc_id, title, text in conn.execution_options(yield_per=200).execute(stmt):
            text, title = text or "", title or ""
            if checked < MAX_CHECKED and (_may_touch_a_name(needle, text) or _may_touch_a_name(needle, title)):
                checked += 1
                shown_text, shown_title = _shown(doc_id, text, title)
                if folded not in shown_text and folded not in shown_title:
                    hidden.append(doc_id)
                    continue
            visible.append(doc_id)
    return Matches(tuple(visible) if len(visible) <= MAX_IDS else None, tuple(hidden))
