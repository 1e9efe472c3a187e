"""Reports as people who are not administrators see them, read from the store: text, title,
address and id redacted with the children's names stored at ingest; and the admin's
reveal of the original, which is recorded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, case, select

from childwatch.errors import ReviewError
from childwatch.extract.names import report_names
from childwatch.read.redact import Redaction, redact
from childwatch.review.actions import record_reveal
from childwatch.review.users import User, require
from childwatch.store import Store
from childwatch.store.models import DocumentRow

__all__ = [
    "ShownReport",
    "ShownText",
    "log_reveal",
    "pseudonymise_document_ids",
    "shown_ids",
    "shown_report",
    "shown_reports",
    "shown_texts",
]

DOCS = cast(Table, DocumentRow.__table__)


@dataclass(frozen=True, slots=True)
class ShownReport:
    """A report as a non-admin sees it: text, title and address with children's names
    replaced by the same pseudonyms."""

    id: str  # a document's id is often its address ("example.org/news/amina-yusuf-freed@3fa9c1d2e4b5")
    text: Redaction
    title: str | None
    url: str | None
    names: tuple[str, ...]


def shown_report(
    doc_id: str, *, text: str, title: str | None = None, url: str | None = None, stored: Iterable[str] | None = None
) -> ShownReport:
    """The report `doc_id` as people see it: every field that carries words of the report
    (an address's slug too: ".../schoolgirl-amina-yusuf-freed") redacted with its names."""
    names = report_names(stored, text or "", title)
    red = redact(text or "", key=doc_id, names=names)

    def hide(value: str | None) -> str | None:
        return redact(value, key=doc_id, names=names).text if value and names else value

    return ShownReport(hide(doc_id) or doc_id, red, hide(title), hide(url), tuple(names))


def _rows(store: Store, columns: Sequence[Any], doc_ids: Iterable[str], chunk: int = 500) -> Iterator[Any]:
    """`columns` of these stored documents, read `chunk` ids at a time."""
    ids = sorted(set(doc_ids))
    with store.reading() as conn:
        for k in range(0, len(ids), chunk):
            yield from conn.execute(select(*columns).where(DOCS.c.id.in_(ids[k : k + chunk])))


def shown_reports(store: Store, doc_ids: Iterable[str]) -> dict[str, ShownReport]:
    """`shown_report` of each of these stored documents."""
    d = DOCS.c
    return {
        row.id: shown_report(row.id, text=row.text, title=row.title, url=row.url, stored=row.child_names)
        for row in _rows(store, (d.id, d.text, d.title, d.url, d.child_names), doc_ids)
    }


@dataclass(frozen=True, slots=True)
class ShownText:
    """What a page of search results shows of a report (`shown_report`): its id, text and
    title as people see them, and the text case-folded where that keeps its length (most
    texts; `passages.find_passage` then needs no other offsets), else None."""

    id: str
    text: str
    title: str | None
    folded: str | None


class _ShownTexts:
    """`ShownText`s by everything they are computed from (id, text, title, stored names),
    the most recently used first, up to `max_bytes` of text in all; thread-safe.

    Why: the answer to a search is computed again after every commit while a writer
    writes (serve/cache.py refreshes it), and pseudonymising the 50 or so reports of its
    page was nearly all of that work (0.2 s of Python a page on the corpus, more under
    load), done again and again for reports that had not changed, in each worker, where
    it held the GIL against the worker's event loop and so stalled every request of the
    process. The key holds the inputs themselves, so a report stored anew under the same
    id is a new key, never a stale text."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple[str, str, str | None, tuple[str, ...] | None], tuple[ShownText, int]]
        self._items = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, doc_id: str, text: str | None, title: str | None, stored: Iterable[str] | None) -> ShownText:
        key = (doc_id, text or "", title, None if stored is None else tuple(stored))
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
                return found[0]
        shown = shown_report(doc_id, text=text or "", title=title, stored=key[3])
        folded = shown.text.text.casefold()
        value = ShownText(
            shown.id, shown.text.text, shown.title, folded if len(folded) == len(shown.text.text) else None
        )
        # The key's text, the value's and its folding, in characters (about bytes for news).
        size = 3 * len(key[1]) + 2 * len(title or "") + len(doc_id) + 256
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._items[key] = (value, size)
            self._bytes += size
            while self._items and self._bytes > self.max_bytes:
                _, (_, gone) = self._items.popitem(last=False)
                self._bytes -= gone
        return value


_SHOWN_TEXTS = _ShownTexts(32 << 20)


def shown_texts(store: Store, doc_ids: Iterable[str]) -> dict[str, ShownText]:
    """The id, text and title of each of these stored documents as people see them (as
    `shown_reports`), kept in memory by what they are computed from (`_ShownTexts`)."""
    d = DOCS.c
    return {
        row.id: _SHOWN_TEXTS.get(row.id, row.text, row.title, row.child_names)
        for row in _rows(store, (d.id, d.text, d.title, d.child_names), doc_ids)
    }


def shown_ids(store: Store, doc_ids: Iterable[str]) -> dict[str, str]:
    """{id: the id as people see it} for those of these documents whose id names one of
    their children (an address or a file name often does); others are left out."""
    d = DOCS.c
    unknown = d.child_names.is_(None)
    # The text is read only for reports stored before their names were (0010).
    columns = (d.id, d.child_names, case((unknown, d.text), else_=None), case((unknown, d.title), else_=None))
    shown: dict[str, str] = {}
    for doc_id, stored, text, title in _rows(store, columns, doc_ids):
        names = report_names(stored, text or "", title)
        hidden = redact(doc_id, key=doc_id, names=names).text if names else doc_id
        if hidden != doc_id:
            shown[doc_id] = hidden
    return shown


def pseudonymise_document_ids(store: Store, records: list[dict[str, Any]]) -> None:
    """Replace, in place, the document ids that incidents list under their outlets and
    sources ("documents", "copies", and inside keys such as "story:ID") by the ids as
    people see them (`shown_ids`)."""
    found: set[str] = set()

    def collect(value: Any, key: str = "") -> None:
        if isinstance(value, str) and key in ("documents", "copies"):
            found.add(value)
        elif isinstance(value, list):
            for v in value:
                collect(v, key)
        elif isinstance(value, dict):
            for k, v in value.items():
                collect(v, k)

    def replace(value: Any, shown: dict[str, str]) -> Any:
        if isinstance(value, str):
            for doc_id, hidden in shown.items():
                value = value.replace(doc_id, hidden)
            return value
        if isinstance(value, list):
            return [replace(v, shown) for v in value]
        if isinstance(value, dict):
            return {k: replace(v, shown) for k, v in value.items()}
        return value

    for record in records:
        for key in ("outlets", "sources"):
            collect(record.get(key))
    shown = shown_ids(store, found) if found else {}
    if shown:
        for record in records:
            for key in ("outlets", "sources", "counts"):
                if record.get(key) is not None:
                    record[key] = replace(record[key], shown)


def log_reveal(store: Store, user: User | None, target: str, reason: str | None) -> int:
    """Record that an admin revealed protected text of `target` ("incident:ID",
    "document:ID" or "export"); PermissionDenied for anyone else. Returns the event id."""
    admin = require(user, "reveal")
    if not reason or not reason.strip():
        raise ReviewError("say why the protected details are needed: a reason is required to reveal them")
    return record_reveal(store, admin, target, reason.strip())
