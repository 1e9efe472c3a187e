"""What the watcher brings in, as the sources page and its API show it: every watched
source with a one-word state, and the newest claims first.

    from childwatch.read.watched import newest_claims, source_rows

    rows = source_rows(store)                      # sources_health rows plus "state"
    page = newest_claims(store, viewer=user, limit=50)
    page["items"][0]["document"]["title"]          # pseudonymised, like the incident pages

Titles are pseudonymised with the names found in the whole document (`protect`), as
the incident page does, so a child named in a report's text is not named by its title
here either. There is no reveal on this view: admins reveal on the incident page.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, select

from childwatch.errors import InputError
from childwatch.read.shown import shown_report
from childwatch.review.replay import claim_state, effective
from childwatch.review.users import User, require
from childwatch.store import Store
from childwatch.store import watched as watched_db
from childwatch.store.models import ClaimRow, DocumentRow, aware

__all__ = ["MAX_LIMIT", "STATES", "interval_text", "newest_claims", "source_rows", "source_state", "sources_health"]

CLAIMS = cast(Table, ClaimRow.__table__)
DOCS = cast(Table, DocumentRow.__table__)

# state -> words for people; the state doubles as a CSS class, so colour is never the
# only thing telling them apart.
STATES = {
    "healthy": "healthy",
    "failing": "failing",
    "waiting": "not yet polled",
    "inactive": "inactive",
}
MAX_LIMIT = 200


def sources_health(store: Store) -> list[dict[str, Any]]:
    """Every watched source with its health, active ones first (JSON-ready dicts).

    Keys: id, url, kind (feed|page|None), title, interval (seconds), active, added_at,
    last_poll_at, last_success_at, next_poll_at (ISO strings or None), last_status (HTTP),
    last_error, polls, errors (failed polls), consecutive_errors, items_seen,
    items_ingested, items_duplicate, items_failed, items_pending, newest_item_at, and
    healthy (active, polled, and the last poll succeeded).
    """
    return watched_db.health(store)


def source_state(row: dict[str, Any]) -> str:
    """One of STATES for a `sources_health` row (the same rule as `childwatch sources`)."""
    if not row["active"]:
        return "inactive"
    if not row["polls"]:
        return "waiting"
    if row["consecutive_errors"]:
        return "failing"
    return "healthy"


def source_rows(store: Store) -> list[dict[str, Any]]:
    """`sources_health` rows, each with "state" and "state_label" added."""
    rows = sources_health(store)
    for row in rows:
        row["state"] = source_state(row)
        row["state_label"] = STATES[row["state"]]
    return rows


def interval_text(seconds: int | None) -> str:
    """900 -> "15m", 5400 -> "90m", 86400 -> "1d" (as the sources file writes them)."""
    if not seconds:
        return "-"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds % size == 0:
            return f"{seconds // size}{unit}"
    return f"{seconds}s"


def _iso(moment: Any) -> str | None:
    if isinstance(moment, datetime):
        return aware(moment).isoformat()
    return str(moment) if moment else None


def _captured(doc: dict[str, Any]) -> str | None:
    """When the report was fetched: the capture record of a fetched page, else when it
    was stored (a feed entry's own text, or a file read from disk)."""
    meta = doc.get("meta") or {}
    capture = meta.get("capture") if isinstance(meta, dict) else None
    if isinstance(capture, dict) and capture.get("captured_at"):
        return str(capture["captured_at"])
    return _iso(doc.get("captured_at"))


def _feed(doc: dict[str, Any]) -> str | None:
    meta = doc.get("meta") or {}
    feed = meta.get("feed") if isinstance(meta, dict) else None
    return str(feed["source"]) if isinstance(feed, dict) and feed.get("source") else None


def _check_window(limit: int, offset: int) -> None:
    if not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InputError("limit", f"{limit!r} claims", f"give 1 to {MAX_LIMIT}")
    if not isinstance(offset, int) or offset < 0:
        raise InputError("offset", f"{offset!r} is not an offset", "give 0 or more")


def newest_claims(store: Store, *, viewer: User, limit: int = 50, offset: int = 0) -> dict[str, Any]:
    """The claims stored most recently first (by created_at, then id), with corrections
    laid over them and their documents' titles pseudonymised.

    Returns {items, total, limit, offset}; each item has id, created_at, violation, kind,
    perpetrator, victims_count, date_start, date_end, location_name, location_admin1,
    location_country, incident_id, rejected, and document {id, title, url, outlet,
    published, captured_at, feed, language}.
    """
    require(viewer, "read")
    _check_window(limit, offset)
    order = (CLAIMS.c.created_at.desc(), CLAIMS.c.id.desc())
    with store.reading() as conn:
        total = conn.execute(select(func.count()).select_from(CLAIMS)).scalar_one()
        rows = [dict(r) for r in conn.execute(select(CLAIMS).order_by(*order).limit(limit).offset(offset)).mappings()]
        doc_ids = sorted({r["doc_id"] for r in rows})
        state = claim_state(conn, doc_ids)
        d = DOCS.c
        columns = (
            d.id, d.title, d.url, d.outlet, d.published, d.text, d["metadata"].label("meta"), d.captured_at,
            d.child_names, d.language,
        )  # fmt: skip
        found = conn.execute(select(*columns).where(d.id.in_(doc_ids))).mappings()
        docs = {r["id"]: dict(r) for r in found}
    shown: dict[str, dict[str, Any]] = {}
    for doc_id, doc in docs.items():
        report = shown_report(
            doc_id, text=doc["text"] or "", title=doc["title"], url=doc["url"], stored=doc["child_names"]
        )
        shown[doc_id] = {
            "id": report.id,
            "title": report.title,
            "url": report.url,
            "outlet": doc["outlet"],
            "published": doc["published"],
            "captured_at": _captured(doc),
            "feed": _feed(doc),
            "language": doc["language"],
        }
    items = []
    for row in rows:
        current = effective(row, state)
        items.append(
            {
                "id": row["id"],
                "created_at": _iso(row["created_at"]),
                "violation": current["violation"],
                "kind": current["kind"],
                "perpetrator": current["perpetrator"],
                "victims_count": current["victims_count"],
                "date_start": current["date_start"],
                "date_end": current["date_end"],
                "location_name": current["location_name"],
                "location_admin1": current["location_admin1"],
                "location_country": current["location_country"],
                "incident_id": row["incident_id"],
                "rejected": row["id"] in state.rejected,
                "document": shown[row["doc_id"]],
            }
        )
    return {"items": items, "total": int(total), "limit": limit, "offset": offset}
