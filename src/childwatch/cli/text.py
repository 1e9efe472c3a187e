"""`childwatch incidents`: the resolved incidents as text or JSON, one at a time in detail.

A listing shows, per incident, what happened (merged view), how many reports carried it,
from which outlets, and on whose word (original sources), with its status. The detail of
one incident adds every figure reported and each claim with why it was grouped there.
"""

from __future__ import annotations

import json
from typing import Any

from childwatch.ingest.pdf import claim_pages
from childwatch.read.watched import interval_text
from childwatch.store import Store
from childwatch.store import resolution as db
from childwatch.store.watched import page_starts


def _place(row: dict[str, Any]) -> str:
    parts = [row.get("location_name"), row.get("location_admin1"), row.get("location_country")]
    return ", ".join(p for p in parts if p) or "place unknown"


def _dates(row: dict[str, Any]) -> str:
    start, end = row.get("date_start"), row.get("date_end")
    if start and end and start != end:
        return f"{start} to {end}"
    if start or end:
        return f"{start or end}" if start else f"on or before {end}"
    return "date unknown"


def _count(row: dict[str, Any]) -> str:
    best, low, high = row.get("count_best"), row.get("count_low"), row.get("count_high")
    if best is None:
        return "children: number not stated"
    spread = f" (reports say {low} to {high})" if low != high else ""
    return f"children: {best}{spread}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def format_incident(row: dict[str, Any]) -> str:
    """Three lines about one incident, for listings."""
    outlets = ", ".join(o["name"] for o in row["outlets"])
    sources = "; ".join(s["name"] for s in row["sources"])
    return "\n".join(
        [
            f"{row['id']}  {row['violation']}/{row['kind']}  {row['status'].upper()}  {_dates(row)}  "
            f"{_place(row)}  {row.get('perpetrator') or 'perpetrator unknown'}  {_count(row)}",
            f"    {_plural(row['n_documents'], 'report')} from {_plural(row['n_outlets'], 'outlet')}: {outlets}",
            f"    {_plural(row['n_sources'], 'original source') if row['n_sources'] else 'no original source named'}: "
            f"{sources}",
        ]
    )


def format_detail(row: dict[str, Any], claims: list[dict[str, Any]]) -> str:
    lines = [format_incident(row)]
    if len(row["counts"]) > 1:
        lines.append(
            "    figures reported: " + "; ".join(f"{c['count']} ({', '.join(c['sources'])})" for c in row["counts"])
        )
    lines.append("")
    lines.append("claims (why each is here):")
    for c in claims:
        why = c.get("incident_why") or {}
        if why.get("matched_claim") is not None:
            features = ", ".join(f"{k} {v:+g}" for k, v in why.get("features", {}).items())
            reason = f"matched claim {why['matched_claim']} with score {why.get('score')}: {features}"
        else:
            reason = "first report of this incident"
        copy = f", copy of {c['near_dup_of']}" if c.get("near_dup_of") else ""
        lines.append(
            f"  claim {c['id']}  {c['doc_id']} ({c.get('outlet') or 'outlet unknown'}, "
            f"{c.get('published') or 'undated'}{copy})  source: {c.get('source') or 'the outlet itself'}"
        )
        page = f"  (p. {', '.join(map(str, c['pages']))})" if c.get("pages") else ""
        lines.append(f'      "{c["evidence_text"].strip()[:200]}"{page}')
        lines.append(f"      {reason}")
    return "\n".join(lines)


def list_incidents(
    store: Store,
    *,
    violation: str | None = None,
    country: str | None = None,
    status: str | None = None,
    limit: int | None = 50,
    as_json: bool = False,
) -> str:
    rows = db.iter_incidents(store, violation=violation, country=country, status=status, limit=limit)
    if as_json:
        return "\n".join(json.dumps(_jsonable(r), ensure_ascii=False) for r in rows) + ("\n" if rows else "")
    if not rows:
        return "no incidents (run `childwatch run` or `childwatch resolve` first, or widen the filters)\n"
    total = db.counts(store)["incidents"]
    head = f"{len(rows)} of {total} incidents, most reported first"
    return head + "\n\n" + "\n\n".join(format_incident(r) for r in rows) + "\n"


def show_incident(store: Store, incident_id: str, *, as_json: bool = False) -> str | None:
    row = db.incident(store, incident_id)
    if row is None:
        return None
    claims = db.incident_claims(store, incident_id)
    _add_pages(store, claims)
    if as_json:
        return json.dumps({**_jsonable(row), "claims": [_jsonable(c) for c in claims]}, ensure_ascii=False) + "\n"
    return format_detail(row, claims) + "\n"


def _add_pages(store: Store, claims: list[dict[str, Any]]) -> None:
    """The page numbers of each claim's evidence, for claims from PDF reports."""
    starts = page_starts(store, {c["doc_id"] for c in claims})
    for c in claims:
        if c["doc_id"] in starts:
            mentions = [(m[0], m[1]) for m in (c.get("spans") or {}).get("mentions", [])]
            c["pages"] = claim_pages((c["evidence_start"], c["evidence_end"]), mentions, starts[c["doc_id"]])


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    skip = {"raw", "minhash", "spans"}
    return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items() if k not in skip}


def format_sources(rows: list[dict[str, Any]]) -> str:
    """The `childwatch sources` listing."""
    if not rows:
        return "no sources yet: list feeds and pages in a file and run `childwatch watch FILE`\n"
    lines = []
    for row in rows:
        if not row["active"]:
            state = "inactive (no longer listed)"
        elif not row["polls"]:
            state = "not polled yet"
        elif row["consecutive_errors"]:
            state = f"FAILING ({row['consecutive_errors']} polls in a row)"
        else:
            state = "ok"
        last = (row["last_poll_at"] or "never")[:19].replace("T", " ")
        lines.append(f"{row['url']}  [{row['kind'] or '?'}, every {interval_text(row['interval'])}] {state}")
        lines.append(
            f"    last poll {last} (status {row['last_status'] or '-'}), {row['polls']} polls, "
            f"{row['errors']} failed; items: {row['items_seen']} seen, {row['items_ingested']} taken in, "
            f"{row['items_duplicate']} duplicate, {row['items_failed']} failed"
        )
        if row["last_error"]:
            lines.append(f"    last error: {row['last_error']}")
    return "\n".join(lines) + "\n"
