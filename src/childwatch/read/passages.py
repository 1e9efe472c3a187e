"""The passage a search matched, for each incident of a results page (issue 17).

    from childwatch.read.passages import add_passages

    page = queries.list_incidents(store, filters, 1, 25)
    add_passages(store, page.items, filters.q)
    page.items[0]["passage"]   # {"before": "…a 14-year-old named [child KQ], ", "match": "escaped",
                               #  "after": ". A leaflet…", "field": "text", "document": "web-004"}

The passage is cut from the report as people see it (`shown.shown_texts`: children's
names pseudonymised in the text, the title and the id), for every role: the list never
reveals, so a child's name cannot reach a results page in a hit, whatever its casing.
The search itself (`search.find`) matches the same pseudonymised, case-folded text, so
every incident it finds has a passage here unless its report was changed since.

Nothing here builds HTML: the template escapes the three pieces and marks the middle one.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, cast

from sqlalchemy import Select, Table, select, union_all

from childwatch.read.search import find
from childwatch.read.shown import ShownText, shown_texts
from childwatch.store import Store
from childwatch.store.models import ClaimRow, DocumentRow

__all__ = ["MARGIN", "add_passages", "find_passage", "folded_with_offsets"]

CLAIMS = cast(Table, ClaimRow.__table__)
DOCS = cast(Table, DocumentRow.__table__)
MARGIN = 90  # characters of context on each side of the match


def folded_with_offsets(text: str) -> tuple[str, Sequence[int]]:
    """`text` case-folded, and for each character of the result the index of the character
    of `text` it came from ("Straße" folds to "strasse": both s of "ss" point at "ß")."""
    whole = text.casefold()  # case folding has no context: the same as folding each character
    if len(whole) == len(text):
        # Each character folded to one (every character folds to at least one): the
        # offsets are the positions. Mapping them one by one cost 0.1 s a report, 6 s for
        # a page of 50 search results over the corpus, in the request or its refresh.
        return whole, range(len(text))
    folded: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        piece = ch.casefold()
        folded.append(piece)
        origin.extend([i] * len(piece))
    return "".join(folded), origin


def find_passage(text: str, q: str, margin: int = MARGIN, *, folded: str | None = None) -> dict[str, str] | None:
    """The first place `q` occurs in `text`, whatever the case, with `margin` characters
    around it cut at a space: {"before", "match", "after"}; None when it does not occur.
    `folded`: `text.casefold()` if the caller has it and it is as long as `text`."""
    needle = q.strip().casefold()
    if not needle or not text:
        return None
    origin: Sequence[int]
    if folded is not None and len(folded) == len(text):
        origin = range(len(text))  # as folded_with_offsets gives it, without folding again
    else:
        folded, origin = folded_with_offsets(text)
    at = folded.find(needle)
    if at < 0:
        return None
    start, end = origin[at], origin[at + len(needle) - 1] + 1
    lo, hi = max(0, start - margin), min(len(text), end + margin)
    if lo > 0:  # start at a word
        space = text.find(" ", lo, start)
        lo = space + 1 if space >= 0 else lo
    if hi < len(text):
        space = text.rfind(" ", end, hi)
        hi = space if space >= 0 else hi
    return {
        "before": ("…" if lo > 0 else "") + _one_line(text[lo:start]),
        "match": _one_line(text[start:end]),
        "after": _one_line(text[end:hi]) + ("…" if hi < len(text) else ""),
    }


def _one_line(text: str) -> str:
    """Line breaks and runs of spaces as one space: a passage is shown on one line."""
    squeezed = " ".join(text.split())
    # keep a leading or trailing space, which separates the match from its context
    lead = " " if text[:1].isspace() and squeezed else ""
    trail = " " if text[-1:].isspace() and squeezed else ""
    return f"{lead}{squeezed}{trail}"


def _matching(store: Store, q: str) -> Select[Any]:
    """The ids of the reports the search for `q` finds (as the list's search does), so
    that only those are read and pseudonymised, however many reports an incident has."""
    found = find(store, q)
    dialect = store.engine.dialect.name
    docs: Select[Any] = found.indexed(dialect)
    if found.pending is None:
        docs = union_all(docs, found.unindexed(dialect)).subquery().select()
    elif found.pending:
        docs = union_all(docs, select(DOCS.c.id).where(DOCS.c.id.in_(list(found.pending)))).subquery().select()
    return docs


def _documents(store: Store, incident_ids: Iterable[str], q: str) -> dict[str, list[str]]:
    """{incident id: ids of its claims' documents that match `q`, in claim order}."""
    ids = sorted(set(incident_ids))
    out: dict[str, list[str]] = {i: [] for i in ids}
    if not ids:
        return out
    c = CLAIMS.c
    stmt = select(c.incident_id, c.doc_id).where(c.incident_id.in_(ids), c.doc_id.in_(_matching(store, q)))
    stmt = stmt.order_by(c.incident_id, c.id)
    with store.reading() as conn:
        for incident_id, doc_id in conn.execute(stmt):
            if doc_id not in out[incident_id]:
                out[incident_id].append(doc_id)
    return out


def add_passages(store: Store, items: list[dict[str, Any]], q: str | None) -> None:
    """Give each incident of `items` (rows of `queries.list_incidents`) a "passage": where
    its reports, as people see them, contain `q` (the text first, then the title), or None."""
    if not q or not q.strip() or not items:
        return
    by_incident = _documents(store, (str(r["id"]) for r in items), q)
    shown = shown_texts(store, {d for docs in by_incident.values() for d in docs})
    for row in items:
        row["passage"] = _first(by_incident.get(str(row["id"]), []), shown, q)


def _first(doc_ids: list[str], shown: Mapping[str, ShownText], q: str) -> dict[str, str] | None:
    for field in ("text", "title"):
        for doc_id in doc_ids:
            report = shown.get(doc_id)
            if report is None:
                continue
            value = report.text if field == "text" else report.title
            found = find_passage(value or "", q, folded=report.folded if field == "text" else None)
            if found is not None:
                return {**found, "field": field, "document": report.id}
    return None
