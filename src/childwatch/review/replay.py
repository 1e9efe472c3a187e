"""Replaying review events over the claims as they are now: the engine behind
`review.reapply` and every review action.

Review events name claims stably (document, position, the extractor's violation and the
evidence), since re-extraction gives claims new row ids. Replay first finds each named
claim among the document's current claims (`locate`), then applies the events in the
order they happened:

- a correction sets columns in the claim's overlay (the extractor's values stay);
- rejecting a claim keeps it in its incident but out of the incident's merged view;
- confirming a claim marks it checked (until it is set aside); it changes no incident;
- a merge puts the claims both incidents held into the incident holding most of the
  kept one's claims; a split puts the chosen claims in the incident the split created
  and keeps the others out of it; a move puts one claim with the claims of the incident
  it was moved to;
- confirm / reject / reopen set (or clear) the status of the incident now holding most
  of the claims it held then.

Then claims whose incident differs are moved, and the merged view of every incident
concerned is rebuilt from its claims' effective values (resolve.incident_view). Resolution
knows nothing of review; this runs after it and wins.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from childwatch.codebook.resolution import load_settings
from childwatch.resolve.facts import facts_from_row
from childwatch.resolve.incident_view import IncidentView, incident_view
from childwatch.store import review as db
from childwatch.store.review import ClaimKey, EventRecord
from childwatch.vocab import REJECTED, VERIFIED

# Events that change nothing replay needs to know (the record of a reveal).
INERT = ("reveal",)


def locate(anchor: ClaimKey, candidates: Sequence[ClaimKey]) -> ClaimKey | None:
    """The current claim an event's claim is, among its document's claims: same position
    and evidence; else same violation and evidence (positions shift when the extractor
    finds more or fewer claims); else the same violation with the most overlapping
    evidence, if it covers a third of the shorter span (as the benchmark matches claims)."""
    same = [c for c in candidates if c.violation == anchor.violation]
    for c in same:
        if c.ordinal == anchor.ordinal and c.text == anchor.text:
            return c
    exact = [c for c in same if c.text == anchor.text]
    if exact:
        return min(exact, key=lambda c: (abs(c.start - anchor.start), c.ordinal))
    best, best_overlap = None, 0.0
    for c in same:
        overlap = min(c.end, anchor.end) - max(c.start, anchor.start)
        shorter = min(c.end - c.start, anchor.end - anchor.start) or 1
        if overlap / shorter >= 1 / 3 and overlap / shorter > best_overlap:
            best, best_overlap = c, overlap / shorter
    return best


@dataclass(slots=True)
class Replayed:
    """The state review events give: where each claim belongs, overlays and statuses."""

    claims: dict[int, ClaimKey] = field(default_factory=dict)  # current claims concerned, by id
    where: dict[int, str | None] = field(default_factory=dict)  # claim id -> incident id
    by: dict[int, tuple[int, str]] = field(default_factory=dict)  # claim id -> (event, action) that placed it
    overlay: dict[int, dict[str, Any]] = field(default_factory=dict)  # claim id -> {column: value}
    corrected: dict[int, dict[str, int]] = field(default_factory=dict)  # claim id -> {field: event id}
    rejected: dict[int, int] = field(default_factory=dict)  # claim id -> event id
    confirmed: dict[int, int] = field(default_factory=dict)  # claim id -> event id (a checked claim)
    status: dict[str, tuple[str, int]] = field(default_factory=dict)  # incident id -> (status, event id)
    applied: int = 0
    lost: list[int] = field(default_factory=list)  # events none of whose claims exist any more

    def moves(self) -> list[tuple[ClaimKey, str, int, str]]:
        return [
            (self.claims[c], inc, *self.by[c])
            for c, inc in self.where.items()
            if inc is not None and inc != self.claims[c].incident_id
        ]


class Replay:
    def __init__(self, current: Iterable[ClaimKey]) -> None:
        self.state = Replayed()
        self.by_doc: dict[str, list[ClaimKey]] = {}
        for c in current:
            self.by_doc.setdefault(c.doc_id, []).append(c)
            self.state.claims[c.id] = c
            self.state.where[c.id] = c.incident_id

    def find(self, event: EventRecord, *roles: str) -> list[int]:
        found = []
        for key in event.claims(*roles):
            now = locate(key, self.by_doc.get(key.doc_id, []))
            if now is not None:
                found.append(now.id)
        return found

    def majority(self, claims: Sequence[int], recorded: str | None, exclude: str | None = None) -> str | None:
        """The incident holding most of `claims` now (ties: the one recorded, then the lowest id)."""
        counts = Counter(i for c in claims if (i := self.state.where.get(c)) is not None and i != exclude)
        if not counts:
            return recorded
        top = max(counts.values())
        tied = sorted(i for i, n in counts.items() if n == top)
        return recorded if recorded in tied else tied[0]

    def place(self, claim: int, incident: str | None, event: EventRecord) -> None:
        if incident is not None and self.state.where.get(claim) != incident:
            self.state.where[claim] = incident
            self.state.by[claim] = (event.id, event.action)

    def apply(self, e: EventRecord) -> None:
        s = self.state
        a = e.action
        if a in ("correct", "reject", "restore", "confirm") and e.target_type == "claim":
            found = self.find(e, "target")
            if not found:
                s.lost.append(e.id)
                return
            claim = found[0]
            if a == "confirm":
                s.confirmed[claim] = e.id
            elif a == "correct":
                s.overlay.setdefault(claim, {}).update(e.after.get("columns", {}))
                s.corrected.setdefault(claim, {})[e.field or ""] = e.id
                self.place(claim, e.after.get("incident_id"), e)
            elif a == "reject":
                s.rejected[claim] = e.id
                s.confirmed.pop(claim, None)
            else:
                s.rejected.pop(claim, None)
        elif a in ("confirm", "reject", "reopen"):
            target = self.majority(self.find(e, "member"), e.incident_id)
            if target is None:
                s.lost.append(e.id)
                return
            if a == "reopen":
                s.status.pop(target, None)
            else:
                s.status[target] = (VERIFIED if a == "confirm" else REJECTED, e.id)
        elif a == "merge":
            keep = self.majority(self.find(e, "keep"), e.incident_id)
            found = self.find(e, "keep", "other")
            if keep is None or not found:
                s.lost.append(e.id)
                return
            for claim in found:
                self.place(claim, keep, e)
        elif a == "split":
            new = e.after["incident_id"]
            split, rest = self.find(e, "split"), self.find(e, "rest")
            if not split:
                s.lost.append(e.id)
                return
            for claim in split:
                self.place(claim, new, e)
            home = self.majority(rest, e.incident_id, exclude=new)
            for claim in rest:
                if s.where.get(claim) == new:
                    self.place(claim, home, e)
        elif a == "move":
            found = self.find(e, "target")
            if not found:
                s.lost.append(e.id)
                return
            others = [c for c in self.find(e, "destination") if c != found[0]]
            self.place(found[0], self.majority(others, e.after["incident_id"]), e)
        else:
            return
        s.applied += 1


def replay(conn: Connection) -> Replayed:
    """Every review event replayed over the claims as stored now (read only)."""
    events = [e for e in db.events(conn) if e.action not in INERT]
    docs = {k.doc_id for e in events for k in e.claims()}
    run = Replay(db.claim_keys(conn, doc_ids=docs))
    for e in events:
        run.apply(e)
    return run.state


def claim_state(conn: Connection, doc_ids: Sequence[str]) -> Replayed:
    """Corrections and rejections of the claims of these documents (cheap: their events only)."""
    events = db.events(conn, actions=("correct", "reject", "restore", "confirm"), doc_ids=doc_ids)
    run = Replay(db.claim_keys(conn, doc_ids=doc_ids))
    for e in events:
        if e.target_type == "claim":
            run.apply(e)
    return run.state


def effective(row: dict[str, Any], state: Replayed) -> dict[str, Any]:
    """A claim row with its corrections laid over it."""
    overlay = state.overlay.get(row["id"])
    return {**row, **overlay} if overlay else row


def views(conn: Connection, incident_ids: Iterable[str], state: Replayed) -> list[IncidentView]:
    """The merged views of these incidents from their claims' effective values; rejected
    claims are left out (unless every claim of the incident is rejected)."""
    settings = load_settings()
    members: dict[str, list[dict[str, Any]]] = {}
    for row in db.claim_rows(conn, incident_ids=incident_ids):
        members.setdefault(row["incident_id"], []).append(effective(row, state))
    out = []
    for incident_id, rows in members.items():
        kept = [r for r in rows if r["id"] not in state.rejected] or rows
        out.append(incident_view(incident_id, [facts_from_row(r, settings) for r in kept]))
    return out


def apply(conn: Connection, *, only: Iterable[str] | None = None) -> Replayed:
    """Replay every event and write the outcome: claims moved where review put them, and
    the merged views rebuilt of the incidents concerned. With `only` (an action's own
    incidents), just those and the incidents claims moved between are rebuilt; without,
    every incident review has touched (after a resolution run, which rebuilds views from
    the extractor's values)."""
    state = replay(conn)
    moves = state.moves()
    db.move_claims(conn, moves)
    touched = {k.incident_id for k, _, _, _ in moves if k.incident_id} | {inc for _, inc, _, _ in moves}
    if only is not None:
        touched |= set(only)
    else:
        reviewed = set(state.overlay) | set(state.rejected)
        touched |= {inc for c, inc in state.where.items() if inc is not None and c in reviewed}
        touched |= set(state.status)
        touched |= {inc for c, inc in state.where.items() if inc is not None and c in state.by}
    built = views(conn, touched, state)
    status = {i: st for i, (st, _) in state.status.items()}
    for view in built:  # an incident whose every claim was rejected is rejected
        if view.id not in status and _all_rejected(conn, view.id, state):
            status[view.id] = REJECTED
    db.replace_incidents(conn, touched, built, status)
    return state


def _all_rejected(conn: Connection, incident_id: str, state: Replayed) -> bool:
    claims = [c for c, inc in state.where.items() if inc == incident_id]
    if not claims or any(c not in state.rejected for c in claims):
        return False
    # Claims of the incident that no event names are not in `where`: check the store.
    return all(k.id in state.rejected for k in db.claim_keys(conn, incident_ids=[incident_id]))
