"""Resolution: one incident per real event, whatever the number of reports.

    from childwatch.run.resolution import resolve
    summary = resolve(store)             # incremental: new documents and claims only
    summary = resolve(store, full=True)  # everything again, keeping incident ids

Two steps. Near-duplicate documents (syndicated copies, re-crawls) are grouped first
(`near_dupes`), so that a copy is known as one story. Then each block of claims (one
violation in one country) is resolved (`cluster`, comparing pairs with `compare`), and
every incident touched gets its merged view (`incident_view`): outlets, original sources,
status, best/low/high counts, the most precise place and date.

Incremental runs leave stored assignments alone and attach new claims to the incidents
of their block; a full run regroups every claim, and incidents keep the id most of their
claims had, so re-running on the same data changes nothing. Every change of a claim's
incident is appended to `resolution_log` with the matched claim, the score and the
features, so a merge can always be explained and undone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from sqlalchemy import Connection

from childwatch import review
from childwatch.codebook.resolution import Settings, load_settings
from childwatch.resolve import near_dupes
from childwatch.resolve.cluster import TICK, Assignment, StoredClaims, resolve_block
from childwatch.resolve.facts import ClaimFacts, facts_from_row, keys_from_row, names_among, report_names
from childwatch.resolve.incident_view import IncidentView, incident_view
from childwatch.review import replay
from childwatch.store import Store, locks
from childwatch.store import discussion as discussed
from childwatch.store import resolution as db
from childwatch.store import signatures as copies_db

__all__ = ["ResolutionSummary", "group_near_duplicates", "group_signed", "resolve", "sign"]


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
    # Seconds by step (signing, grouping copies, reading claims, resolving, writing,
    # finishing), for benchmarks: which step grows with the store.
    steps: dict[str, float] = field(default_factory=dict)

    @contextmanager
    def timing(self, step: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.steps[step] = round(self.steps.get(step, 0.0) + time.perf_counter() - started, 3)

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


# Documents signed per transaction, their texts read this many at a time.
SIGN_CHUNK = 5000
READ_CHUNK = 500

# Claims (and incidents) written per transaction, whole blocks at a time (see _Writer).
WRITE_CLAIMS = 5000


def group_near_duplicates(store: Store, *, chunk: int = SIGN_CHUNK) -> tuple[int, int]:
    """Sign every unsigned document and link copies to their group's first document.
    Returns (documents signed, near-duplicates found).

    Two steps, so that the cost per document does not grow with the store: `sign`, then
    `group_signed`. (Band keys inserted into the index chunk by chunk land all over it, as
    they are hashes, and each commit rewrote most of its pages: signing 9 times as many
    documents took 17 times as long.)"""
    signed = sign(store, chunk=chunk)
    return signed, group_signed(store)


def sign(store: Store, *, chunk: int = SIGN_CHUNK) -> int:
    """Sign the unsigned documents, a transaction per `chunk`: each one's signature and
    distinctive names go in its row, its 20 band keys are appended to the staged ones, in
    order of arrival. Returns the number signed."""
    signed = 0
    todo = copies_db.unsigned_documents(store)
    for start in range(0, len(todo), chunk):
        batch = todo[start : start + chunk]
        rows: list[tuple[str, bytes | None, list[int], list[str]]] = []
        for part in range(0, len(batch), READ_CHUNK):
            texts = copies_db.document_texts(store, batch[part : part + READ_CHUNK])
            sigs = near_dupes.signatures([text for _, text in texts])
            for (doc_id, text), sig in zip(texts, sigs, strict=True):
                rows.append((doc_id, sig, near_dupes.band_keys(sig) if sig else [], report_names(text)))
        copies_db.save_signatures(store, rows)
        signed += len(rows)
    return signed


def group_signed(store: Store) -> int:
    """Link the documents whose keys are staged (signed by this run, or by one that stopped
    before this step) to the group they copy, if any, and file their keys into the band
    index. The store finds which staged documents share a key with an earlier one or with
    the index in two set-wise queries; only those are compared (`near_dupes.group_copies`),
    and the keys are filed in one sorted pass. Returns the number of copies found."""
    pairs, arrival = copies_db.staged_candidates(store)
    known = copies_db.signatures(store, {d for pair in pairs for d in pair})
    copies = near_dupes.group_copies(pairs, arrival, known)
    copies_db.file_staged_bands(store, [(c.doc_id, c.original, c.similarity) for c in copies])
    return len(copies)


def _tick(progress: Callable[[str], None], block: db.Block, n: int, blocks: int, before: int, placed: int) -> None:
    progress(f"resolution: {block} ({n}/{blocks}), {before + placed} claims")


def _facts(rows: Iterable[Mapping[str, Any]], settings: Settings) -> dict[int, ClaimFacts]:
    return {f.claim_id: f for f in (facts_from_row(r, settings) for r in rows)}


Resolved = tuple[dict[int, ClaimFacts], list[Assignment], dict[str, list[ClaimFacts]]]


def _regroup_block(
    store: Store, block: db.Block, settings: Settings, taken: set[str], previous: dict[str, int],
    summary: ResolutionSummary, tick: Callable[[int], None] | None,
) -> Resolved:  # fmt: skip
    """Every claim of the block, grouped from scratch (full runs): the claims, their
    assignments and every incident's members."""
    with summary.timing("reading"):
        facts = _facts(db.block_rows(store, block), settings)
    with summary.timing("resolving"):
        assignments, members = resolve_block([], facts.values(), settings, taken, previous=previous, tick=tick)
    return facts, assignments, members


def _extend_block(
    store: Store, block: db.Block, settings: Settings, taken: set[str], summary: ResolutionSummary,
    tick: Callable[[int], None] | None,
) -> Resolved:  # fmt: skip
    """The block's new claims placed among its stored incidents (incremental runs): only
    the new claims are loaded whole; the stored ones by their keys, and the claims of an
    incident when a new claim is compared with it (so a run costs what is new, plus one
    light pass over the block). Returns the new claims, their assignments and the members
    of the incidents loaded."""
    with summary.timing("reading"):
        facts = _facts(db.block_rows(store, block, unresolved_only=True), settings)
    names = names_among(name for f in facts.values() for name in f.names)  # the only name keys read
    stored = StoredClaims(
        keys=(keys_from_row(r, settings, names) for r in db.block_keys(store, block)),
        load=partial(_incident_facts, store, block, settings),
        stale=db.stale_incidents(store, block),
    )
    with summary.timing("resolving"):  # (includes reading the stored claims it needs)
        assignments, members = resolve_block([], facts.values(), settings, taken, stored=stored, tick=tick)
    return facts, assignments, members


def _incident_facts(store: Store, block: db.Block, settings: Settings, ids: Sequence[str]) -> list[ClaimFacts]:
    return list(_facts(db.incident_rows(store, block, ids), settings).values())


class _Writer:
    """Blocks' results, stored a transaction per WRITE_CLAIMS claims or so (whole blocks):
    a commit costs a checkpoint, and most blocks of an incremental run are small."""

    def __init__(self, store: Store, mode: str, summary: ResolutionSummary) -> None:
        self.store, self.mode, self.summary = store, mode, summary
        self.changes: list[dict[str, Any]] = []
        self.views: list[IncidentView] = []

    def add(self, changes: list[dict[str, Any]], views: list[IncidentView]) -> None:
        self.changes += changes
        self.views += views
        if len(self.changes) + len(self.views) >= WRITE_CLAIMS:
            self.flush()

    def flush(self) -> None:
        if self.changes or self.views:
            with self.summary.timing("writing"):
                db.save_block(self.store, mode=self.mode, changes=self.changes, incidents=self.views, then=_keep_review)
        self.changes, self.views = [], []


def _keep_review(conn: Connection) -> None:
    """Analysts' decisions, re-applied in each transaction that rewrites incidents from the
    extractor's values: a resolution killed midway (or read midway) shows no confirmed
    incident as merely reported, no corrected count as the extractor read it."""
    replay.apply(conn)  # with no review events: a query, nothing to do


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
    """Group near-duplicate documents, then resolve claims into incidents (see module doc).
    One resolution at a time per store: another process's (two `childwatch run` at once)
    waits for this one to end, then places what is left."""

    def waiting() -> None:
        if progress:
            progress("resolution: waiting for another process resolving this store")

    with locks.exclusive(store.engine, "resolve", waiting=waiting):
        return _resolve(store, full=full, settings=settings, progress=progress)


def _resolve(
    store: Store, *, full: bool, settings: Settings | None, progress: Callable[[str], None] | None
) -> ResolutionSummary:
    started = time.monotonic()
    settings = settings or load_settings()
    summary = ResolutionSummary()
    with summary.timing("signing"):
        summary.documents_signed = sign(store)
    with summary.timing("grouping copies"):
        summary.near_duplicates = group_signed(store)
    todo = db.blocks(store, unresolved_only=not full)
    # Which claims each incident with comments or assignments holds, so that they can
    # follow those claims if the run takes the incident apart (rows never change: see
    # store.discussion).
    with store.reading() as conn:
        held = discussed.holdings(conn)
    # Full runs: ids are handed out afresh (kept by majority, see cluster.finish);
    # incremental runs: every stored id is in use.
    previous = db.incident_sizes(store) if full else None
    stored_ids: set[str] = set() if full else db.all_incident_ids(store)
    taken = set(stored_ids)
    mode = "full" if full else "incremental"
    writer = _Writer(store, mode, summary)
    for n, block in enumerate(todo, 1):
        # A block (a violation in a continent) may hold most of the claims: progress within it too.
        done = summary.claims_resolved
        tick = None if progress is None else partial(_tick, progress, block, n, len(todo), done)
        if previous is not None:
            facts, assignments, members = _regroup_block(store, block, settings, taken, previous, summary, tick)
            old_ids = {f.incident_id for f in facts.values() if f.incident_id}
        else:
            facts, assignments, members = _extend_block(store, block, settings, taken, summary, tick)
            old_ids = stored_ids
        with summary.timing("merged views"):
            changes = _changes(facts, assignments, mode)
            stored = db.stored_incidents(store, members)
            grown = {a.incident_id for a in assignments} | {c["previous"] for c in changes if c["previous"]}
            views: list[IncidentView] = [
                incident_view(i, m) for i, m in members.items() if i in grown or stored.get(i) != len(m)
            ]
        if full:
            summary.reassigned += sum(1 for c in changes if c["previous"] is not None)
        summary.claims_resolved += len(facts)
        summary.attached += sum(1 for a in assignments if a.matched is not None)
        summary.new_incidents += len(members.keys() - old_ids)
        writer.add(changes, views)
        if progress and summary.claims_resolved - done >= TICK:
            progress(f"resolution: {block} done ({n}/{len(todo)}), {summary.claims_resolved} claims")
    writer.flush()
    with summary.timing("finishing"):
        db.drop_empty_incidents(store)
        review.reapply(store)  # analysts' decisions win over resolution
        if held:
            with store.writing() as conn:
                discussed.carry(conn, held, mode)
        summary.incidents = db.counts(store)["incidents"]
    summary.seconds = time.monotonic() - started
    return summary
