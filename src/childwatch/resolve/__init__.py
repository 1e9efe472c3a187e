"""Resolution: one incident per real event, whatever the number of reports.

    from childwatch.resolve import resolve
    summary = resolve(store)             # incremental: new documents and claims only
    summary = resolve(store, full=True)  # everything again, keeping incident ids

Two steps. Near-duplicate documents (syndicated copies, re-crawls) are grouped first
(`near_dupes`), so that a copy is known as one story. Then each block of claims (one
violation in one country) is resolved (`cluster`, comparing pairs with `compare`), and
every incident touched gets its merged view (`provenance`): outlets, original sources,
status, best/low/high counts, the most precise place and date.

Incremental runs leave stored assignments alone and attach new claims to the incidents
of their block; a full run regroups every claim, and incidents keep the id most of their
claims had, so re-running on the same data changes nothing. Every change of a claim's
incident is appended to `resolution_log` with the matched claim, the score and the
features, so a merge can always be explained and undone.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from childwatch.resolve import near_dupes
from childwatch.resolve.cluster import Assignment, resolve_block
from childwatch.resolve.facts import ClaimFacts, facts_from_row, report_names
from childwatch.resolve.provenance import IncidentView, incident_view
from childwatch.resolve.settings import Settings, load_settings
from childwatch.store import Store
from childwatch.store import resolution as db

__all__ = ["ResolutionSummary", "group_near_duplicates", "resolve"]


@dataclass(slots=True)
class ResolutionSummary:
    documents_signed: int = 0
    near_duplicates: int = 0
    claims_resolved: int = 0
    attached: int = 0  # claims that joined an incident of another report
    new_incidents: int = 0
    reassigned: int = 0  # full runs: claims whose incident changed
    incidents: int = 0  # incidents stored after the run
    seconds: float = 0.0

    def line(self) -> str:
        parts = [
            f"{self.claims_resolved} claims resolved",
            f"{self.attached} joined an incident of another report",
            f"{self.new_incidents} new incidents",
        ]
        if self.reassigned:
            parts.append(f"{self.reassigned} reassigned")
        if self.near_duplicates:
            parts.append(f"{self.near_duplicates} near-duplicate documents")
        return f"resolution: {', '.join(parts)}; {self.incidents} incidents in all ({self.seconds:.1f}s)"


def group_near_duplicates(store: Store, *, chunk: int = 500) -> tuple[int, int]:
    """Sign every unsigned document and link copies to their group's first document.
    Returns (documents signed, near-duplicates found)."""
    signed = found = 0
    todo = db.unsigned_documents(store)
    for start in range(0, len(todo), chunk):
        docs = db.document_texts(store, todo[start : start + chunk])
        texts = dict(docs)
        sigs = [(doc_id, near_dupes.signature(text)) for doc_id, text in docs]
        keys = {doc_id: near_dupes.band_keys(sig) if sig else [] for doc_id, sig in sigs}
        stored_bands = db.band_matches(store, [k for ks in keys.values() for k in ks])
        index = near_dupes.NearDuplicateIndex()
        stored = db.signatures(store, [d for ids in stored_bands.values() for d in ids])
        for stored_id, (stored_sig, stored_original) in stored.items():
            index.known(stored_id, stored_sig, stored_original)
        rows = []
        for doc_id, sig in sigs:
            copy = index.add(doc_id, sig)
            if copy:
                found += 1
            original, similarity = (copy.original, copy.similarity) if copy else (None, None)
            rows.append((doc_id, sig, original, similarity, keys[doc_id], report_names(texts[doc_id])))
        db.save_signatures(store, rows)
        signed += len(rows)
    return signed, found


def _changes(facts: dict[int, ClaimFacts], assignments: list[Assignment], mode: str) -> list[dict[str, Any]]:
    """What to write and log: every new claim's place, and on full runs the moves."""
    changes: list[dict[str, Any]] = []
    for a in assignments:
        claim = facts[a.claim_id]
        if mode == "full" and claim.incident_id == a.incident_id:
            continue  # unchanged: nothing to write or log
        changes.append(
            {
                "claim_id": a.claim_id,
                "doc_id": claim.doc_id,
                "ordinal": claim.ordinal,
                "incident_id": a.incident_id,
                "previous": claim.incident_id,
                "score": a.score,
                "why": a.why(),
            }
        )
    return changes


def resolve(
    store: Store,
    *,
    full: bool = False,
    settings: Settings | None = None,
    progress: Callable[[str], None] | None = None,
) -> ResolutionSummary:
    """Group near-duplicate documents, then resolve claims into incidents (see module doc)."""
    started = time.monotonic()
    settings = settings or load_settings()
    summary = ResolutionSummary()
    summary.documents_signed, summary.near_duplicates = group_near_duplicates(store)
    todo = db.blocks(store, unresolved_only=not full)
    # Full runs: ids are handed out afresh (kept by majority, see cluster.finish);
    # incremental runs: every stored id is in use.
    previous = db.incident_sizes(store) if full else None
    taken: set[str] = set() if full else db.all_incident_ids(store)
    mode = "full" if full else "incremental"
    for n, block in enumerate(todo, 1):
        facts = {f.claim_id: f for f in (facts_from_row(r, settings) for r in db.block_rows(store, block))}
        old_ids = {f.incident_id for f in facts.values() if f.incident_id}
        if full:
            existing, new = [], list(facts.values())
        else:
            existing = [f for f in facts.values() if f.incident_id]
            new = [f for f in facts.values() if not f.incident_id]
        assignments, members = resolve_block(existing, new, settings, taken, previous=previous)
        changes = _changes(facts, assignments, mode)
        stored = db.stored_incidents(store, members)
        grown = {a.incident_id for a in assignments} | {c["previous"] for c in changes if c["previous"]}
        views: list[IncidentView] = [
            incident_view(i, m) for i, m in members.items() if i in grown or stored.get(i) != len(m)
        ]
        if full:
            summary.reassigned += sum(1 for c in changes if c["previous"] is not None)
        summary.claims_resolved += len(new)
        summary.attached += sum(1 for a in assignments if a.matched is not None)
        summary.new_incidents += len(members.keys() - old_ids)
        db.save_block(store, mode=mode, changes=changes, incidents=views)
        if progress and len(todo) > 50 and (n % 50 == 0 or n == len(todo)):
            progress(f"resolution: {n}/{len(todo)} blocks, {summary.claims_resolved} claims")
    db.drop_empty_incidents(store)
    from childwatch import review  # analysts' decisions win over resolution (review imports resolve)

    review.reapply(store)
    summary.incidents = db.counts(store)["incidents"]
    summary.seconds = time.monotonic() - started
    return summary
