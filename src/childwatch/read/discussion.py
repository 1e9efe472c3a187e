"""Comments and assignments on incidents as people see them (issue 17), and "my queue":
the incidents assigned to someone, newest unreviewed first.

A comment is typed by a person and may name a child, so it is pseudonymised like every
other text people read: with the names of the incident's reports, and the names the
rules find in its comments and notes (`extract.names.child_names`), keyed by the incident.
"""

from __future__ import annotations

from typing import Any, cast

from sqlalchemy import Table, select

from childwatch.extract.names import child_names
from childwatch.read.queries import jsonable
from childwatch.read.redact import redact
from childwatch.read.shown import pseudonymise_document_ids, shown_report
from childwatch.review import discussion
from childwatch.review.users import User, require
from childwatch.store import Store
from childwatch.store.models import ClaimRow, DocumentRow, IncidentRow
from childwatch.vocab import REJECTED, VERIFIED

__all__ = ["incident_names", "my_queue", "shown_text", "thread", "typed_names"]

INCIDENTS = cast(Table, IncidentRow.__table__)
CLAIMS = cast(Table, ClaimRow.__table__)
DOCS = cast(Table, DocumentRow.__table__)


def typed_names(texts: list[str | None], names: list[str]) -> list[str]:
    """`names` and the children's names the rules find in any of these texts: a name
    given once in a thread ("a 12-year-old girl, Fatima Bello") is hidden in all of it."""
    found = list(names)
    for t in texts:
        found += [n for n in child_names(t or "") if n not in found]
    return found


def shown_text(text: str | None, *, key: str, names: list[str]) -> str | None:
    """What a person typed, with `names` (see `typed_names`) replaced by pseudonyms stable
    for `key`."""
    return redact(text, key=key, names=names).text if text and names else text


def incident_names(store: Store, incident_id: str) -> list[str]:
    """The children's names of the incident's reports."""
    with store.reading() as conn:
        doc_ids = select(CLAIMS.c.doc_id).where(CLAIMS.c.incident_id == incident_id).distinct()
        rows = conn.execute(
            select(DOCS.c.id, DOCS.c.text, DOCS.c.title, DOCS.c.child_names).where(DOCS.c.id.in_(doc_ids))
        ).all()
    names: list[str] = []
    for r in rows:
        names += [n for n in shown_report(r.id, text=r.text, title=r.title, stored=r.child_names).names
                  if n not in names]  # fmt: skip
    return names


def thread(store: Store, incident_id: str, *, names: list[str] | None = None, reveal: bool = False) -> dict[str, Any]:
    """{"assigned_to", "comments", "assignments"} of the incident, oldest first; typed
    text pseudonymised unless `reveal` (the caller checked and logged it). `names`: the
    incident's children's names, when the caller has them already."""
    comments = [c.as_dict() for c in discussion.comments(store, incident_id)]
    given = [a.as_dict() for a in discussion.assignments(store, incident_id)]
    if not reveal:
        known = incident_names(store, incident_id) if names is None else list(names)
        known = typed_names([c["text"] for c in comments] + [a["note"] for a in given], known)
        for c in comments:
            c["text"] = shown_text(c["text"], key=incident_id, names=known)
        for a in given:
            a["note"] = shown_text(a["note"], key=incident_id, names=known)
    return {"assigned_to": given[-1]["assignee"] if given else None, "comments": comments, "assignments": given}


def _when(row: dict[str, Any]) -> str:
    return str(row.get("date_start") or row.get("date_end") or row.get("first_published") or "")


def my_queue(store: Store, user: User) -> list[dict[str, Any]]:
    """The incidents assigned to `user`: those not yet confirmed or set aside first, each
    part newest first (by the incident's date, else its first report's)."""
    require(user, "read")
    ids = discussion.queue_ids(store, user)
    if not ids:
        return []
    with store.reading() as conn:
        items = [jsonable(r) for r in conn.execute(select(INCIDENTS).where(INCIDENTS.c.id.in_(ids))).mappings()]
    pseudonymise_document_ids(store, items)
    items.sort(key=lambda r: r["id"])
    items.sort(key=_when, reverse=True)  # stable: equal dates keep the ids' order
    items.sort(key=lambda r: r["status"] in (VERIFIED, REJECTED))
    return items
