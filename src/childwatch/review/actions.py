"""Review: analysts confirm, reject, correct, merge, split and move, each with a reason.

    from childwatch import review
    review.correct_claim(store, user, claim_id, "victims.count", "32", "the police figure, see para 3")
    review.merge_incidents(store, user, "inc-1", "inc-2", "same raid, reported two days apart")
    review.history(store, "inc-1")

Every action is ONE append-only `review_events` row (who, when, what, before -> after,
why) with the claims it concerns named stably (see `replay`), written in the same
transaction as its effect. Nothing is overwritten: the extractor's values stay in
`claims`; corrections are an overlay; incidents are rebuilt from claims plus events.
`reapply(store)` runs at the end of every resolution, so that what analysts decided
survives re-extraction and re-resolution.

Roles are checked here: a viewer gets PermissionDenied; a missing reason, an unknown id
or a bad value gets ReviewError (NotFound for ids) with what to do instead.
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from childwatch.errors import NotFound, ReviewError
from childwatch.extract.names import names_a_child, report_names
from childwatch.review import replay
from childwatch.review.corrections import check_claim, check_date_precision, parse_value, value_of
from childwatch.review.users import User, require
from childwatch.store import Store, locks
from childwatch.store import discussion as discussed
from childwatch.store import review as db
from childwatch.store.models import DocumentRow
from childwatch.store.review import ClaimKey, EventRecord
from childwatch.vocab import REJECTED, REVIEW_ACTIONS, VERIFIED

ACTIONS = REVIEW_ACTIONS
MAX_REASON = 2000


@dataclass(frozen=True, slots=True)
class ReviewEvent:
    """One recorded action, as the incident page's history shows it."""

    id: int
    at: datetime
    user: str
    action: str
    target_type: str  # incident | claim | document | export
    target_id: str
    incident_id: str | None
    field: str | None
    before: Any
    after: Any
    reason: str
    claims: tuple[dict[str, Any], ...] = ()  # the claims it concerned: role, claim_id, doc_id, ordinal

    @property
    def target(self) -> str:
        return f"{self.target_type} {self.target_id}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "at": self.at.isoformat(),
            "user": self.user,
            "action": self.action,
            "target_type": self.target_type,
            "target_id": self.target_id,
            "target": self.target,
            "incident_id": self.incident_id,
            "field": self.field,
            "before": self.before,
            "after": self.after,
            "reason": self.reason,
            "claims": list(self.claims),
        }


def _event(r: EventRecord) -> ReviewEvent:
    claims = tuple(
        {"role": a.role, "claim_id": a.claim.id, "doc_id": a.claim.doc_id, "ordinal": a.claim.ordinal}
        for a in r.anchors
    )
    return ReviewEvent(
        r.id,
        r.at,
        r.user_name,
        r.action,
        r.target_type,
        r.target_id,
        r.incident_id,
        r.field,
        r.before,
        r.after,
        r.reason,
        claims,
    )


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if not text:
        raise ReviewError("a reason is required: say why, so that others can check the decision later")
    if len(text) > MAX_REASON:
        raise ReviewError(f"the reason is too long: at most {MAX_REASON} characters")
    return text


def _new_incident_id() -> str:
    # 'r' is not a hex digit: never one of resolution's ids (inc- + 12 hex digits).
    return f"inc-r{secrets.token_hex(5)}"


def _act(
    store: Store,
    user: User,
    reason: str | None,
    build: Any,
) -> ReviewEvent:
    """Check, then in one transaction: build the event (reading the state it changes),
    append it and apply its effect."""
    return act_many(store, user, reason, [build])[0]


def act_many(store: Store, user: User, reason: str | None, builds: Sequence[Any]) -> list[ReviewEvent]:
    """Several events with one reason, all or nothing, in one transaction: each build reads
    the state the ones before it left (it may return None: nothing to record), then the
    effects of all are applied at once. Returns the events recorded."""
    require(user, "review")
    why = _reason(reason)
    with store.writing() as conn:
        locks.review_writers(conn)
        event_ids: list[int] = []
        touched: set[str] = set()
        held = discussed.holdings(conn)  # a merge drops an id: its comments follow its claims
        for build in builds:
            built = build(conn)
            if built is None:
                continue
            values, anchors, their = built
            values.update({"user_id": user.id, "user_name": user.name, "reason": why})
            event_ids.append(db.append_event(conn, values, anchors))
            touched |= their
        if event_ids:
            replay.apply(conn, only=touched)
            discussed.carry(conn, held, "review")
        records = db.events(conn, ids=event_ids) if event_ids else []
    return [_event(r) for r in records]


def _incident(conn: Connection, incident_id: str) -> dict[str, Any]:
    found = db.incident(conn, incident_id)
    if found is None:
        raise NotFound(f"no incident {incident_id!r}: it may have been merged or re-resolved; reload the list")
    return found


def _members(conn: Connection, incident_id: str) -> list[ClaimKey]:
    return db.claim_keys(conn, incident_ids=[incident_id])


def _claim(conn: Connection, claim_id: int) -> ClaimKey:
    found = db.claim_keys(conn, claim_ids=[claim_id])
    if not found:
        raise NotFound(f"no claim {claim_id}: its document may have been re-extracted; reload the incident")
    return found[0]


# --- incidents ----------------------------------------------------------------------------


def _set_status(store: Store, user: User, incident_id: str, reason: str | None, action: str) -> ReviewEvent:
    return _act(store, user, reason, lambda conn: build_status(conn, incident_id, action))


def build_status(conn: Connection, incident_id: str, action: str, *, tags: dict[str, str] | None = None) -> Any:
    """The event confirming, rejecting or reopening an incident (see `_act`); `tags` (the
    bulk action it is part of, see `review.bulk`) are kept in its `after`."""
    inc = _incident(conn, incident_id)
    new = {"confirm": VERIFIED, "reject": REJECTED}.get(action)
    if action == "reopen" and inc["status"] not in (VERIFIED, REJECTED):
        raise ReviewError(f"incident {incident_id} is {inc['status']}, not verified or rejected: nothing to reopen")
    if new == inc["status"]:
        raise ReviewError(f"incident {incident_id} is {new} already")
    after: dict[str, Any] = {"status": new or "as resolved", **(tags or {})}
    values = {
        "action": action,
        "target_type": "incident",
        "target_id": incident_id,
        "incident_id": incident_id,
        "before": {"status": inc["status"]},
        "after": after,
    }
    return values, [("member", k) for k in _members(conn, incident_id)], {incident_id}


def confirm_incident(store: Store, user: User, incident_id: str, reason: str | None) -> ReviewEvent:
    """Mark the incident verified: an analyst checked it happened as the merged view says."""
    return _set_status(store, user, incident_id, reason, "confirm")


def reject_incident(store: Store, user: User, incident_id: str, reason: str | None) -> ReviewEvent:
    """Mark the incident rejected (not a grave violation, or not credible): it stays
    listed with that status but leaves the dashboard's counts."""
    return _set_status(store, user, incident_id, reason, "reject")


def reopen_incident(store: Store, user: User, incident_id: str, reason: str | None) -> ReviewEvent:
    """Undo confirm or reject: the status goes back to what resolution says."""
    return _set_status(store, user, incident_id, reason, "reopen")


def merge_incidents(store: Store, user: User, keep_id: str, other_id: str, reason: str | None) -> ReviewEvent:
    """Put every claim of `other_id` into `keep_id` (same violation only)."""

    def build(conn: Connection) -> Any:
        if keep_id == other_id:
            raise ReviewError("an incident cannot be merged with itself: choose another one")
        keep, other = _incident(conn, keep_id), _incident(conn, other_id)
        if keep["violation"] != other["violation"]:
            raise ReviewError(
                f"{keep_id} is {keep['violation']} and {other_id} is {other['violation']}: incidents are counted "
                "per violation, so only incidents of one violation can be merged (correct a claim's violation first)"
            )
        kept, merged = _members(conn, keep_id), _members(conn, other_id)
        values = {
            "action": "merge",
            "target_type": "incident",
            "target_id": other_id,
            "incident_id": keep_id,
            "before": {
                "keep": {"id": keep_id, "claims": [k.id for k in kept]},
                "other": {"id": other_id, "claims": [k.id for k in merged]},
            },
            "after": {"incident_id": keep_id, "claims": [k.id for k in kept + merged]},
        }
        return values, [("keep", k) for k in kept] + [("other", k) for k in merged], {keep_id, other_id}

    return _act(store, user, reason, build)


def split_claims(store: Store, user: User, incident_id: str, claim_ids: Sequence[int], reason: str | None) -> str:
    """Take `claim_ids` out of the incident into a new one; returns the new incident's id."""
    new_id = _new_incident_id()

    def build(conn: Connection) -> Any:
        _incident(conn, incident_id)
        members = _members(conn, incident_id)
        chosen = {int(c) for c in claim_ids}
        if not chosen:
            raise ReviewError("choose at least one claim to split off")
        strangers = chosen - {k.id for k in members}
        if strangers:
            raise ReviewError(f"claim(s) {', '.join(map(str, sorted(strangers)))} are not in incident {incident_id}")
        if chosen == {k.id for k in members}:
            raise ReviewError("at least one claim must stay: splitting off every claim would change nothing")
        split = [k for k in members if k.id in chosen]
        rest = [k for k in members if k.id not in chosen]
        values = {
            "action": "split",
            "target_type": "incident",
            "target_id": incident_id,
            "incident_id": incident_id,
            "before": {"incident_id": incident_id, "claims": [k.id for k in members]},
            "after": {"incident_id": new_id, "claims": sorted(chosen)},
        }
        return values, [("split", k) for k in split] + [("rest", k) for k in rest], {incident_id, new_id}

    _act(store, user, reason, build)
    return new_id


def move_claim(store: Store, user: User, claim_id: int, incident_id: str, reason: str | None) -> ReviewEvent:
    """Move one claim to another incident (of the same violation)."""

    def build(conn: Connection) -> Any:
        claim = _claim(conn, claim_id)
        target = _incident(conn, incident_id)
        if claim.incident_id == incident_id:
            raise ReviewError(f"claim {claim_id} is in incident {incident_id} already")
        violation = _effective_row(conn, claim)["violation"]
        if violation != target["violation"]:
            raise ReviewError(
                f"claim {claim_id} is {violation} and incident {incident_id} is {target['violation']}: "
                "correct the claim's violation first"
            )
        dest = [k for k in _members(conn, incident_id) if k.id != claim_id]
        values = {
            "action": "move",
            "target_type": "claim",
            "target_id": str(claim_id),
            "incident_id": claim.incident_id,
            "before": {"incident_id": claim.incident_id},
            "after": {"incident_id": incident_id},
        }
        touched = {incident_id} | ({claim.incident_id} if claim.incident_id else set())
        return values, [("target", claim)] + [("destination", k) for k in dest], touched

    return _act(store, user, reason, build)


# --- claims -------------------------------------------------------------------------------


def _effective_row(conn: Connection, claim: ClaimKey) -> dict[str, Any]:
    (row,) = db.claim_rows(conn, claim_ids=[claim.id])
    return replay.effective(row, replay.claim_state(conn, [claim.doc_id]))


DOCS = cast(Table, DocumentRow.__table__)


def correct_claim(store: Store, user: User, claim_id: int, field: str, value: Any, reason: str | None) -> ReviewEvent:
    """Correct one field of a claim (see `CORRECTABLE_FIELDS`); the extractor's value stays
    visible in the history. A claim whose violation changes leaves an incident it shares
    with other claims for one of its own."""
    return _act(store, user, reason, lambda conn: build_correction(conn, claim_id, field, value))


def build_correction(conn: Connection, claim_id: int, field: str, value: Any, *, unchanged_ok: bool = False) -> Any:
    """The event correcting `field` of a claim, read from the state in `conn`: (values,
    anchors, incidents touched). A value the claim has already is refused, or with
    `unchanged_ok` gives None (nothing to record)."""
    claim = _claim(conn, claim_id)
    columns = parse_value(field, value)
    (original,) = db.claim_rows(conn, claim_ids=[claim_id])
    current = replay.effective(original, replay.claim_state(conn, [claim.doc_id]))
    if all(current.get(k) == v for k, v in columns.items()):
        if unchanged_ok:
            return None
        raise ReviewError(f"{field} of claim {claim_id} is {value_of(field, current)!r} already")
    check_claim({**current, **columns})
    if field == "date.precision":  # (a correction of the dates alone is checked as before)
        check_date_precision({**current, **columns})
    _check_no_child_named(conn, claim.doc_id, field, columns)
    after: dict[str, Any] = {"value": value_of(field, columns), "columns": columns}
    touched = {claim.incident_id} if claim.incident_id else set()
    if field == "violation" and claim.incident_id and len(_members(conn, claim.incident_id)) > 1:
        after["incident_id"] = _new_incident_id()
        touched.add(after["incident_id"])
    values = {
        "action": "correct",
        "target_type": "claim",
        "target_id": str(claim_id),
        "incident_id": claim.incident_id,
        "field": field,
        "before": {"value": value_of(field, current), "original": value_of(field, original)},
        "after": after,
    }
    return values, [("target", claim)], touched


def check_dates_now(conn: Connection, claim_id: int) -> None:
    """The claim's dates, as the events so far in `conn` leave them, written as its date
    precision says (`corrections.check_date_precision`)."""
    claim = _claim(conn, claim_id)
    (original,) = db.claim_rows(conn, claim_ids=[claim_id])
    check_date_precision(replay.effective(original, replay.claim_state(conn, [claim.doc_id])))


def _check_no_child_named(conn: Connection, doc_id: str, field: str, columns: dict[str, Any]) -> None:
    """A corrected value is shown to every viewer, on the map and in exports: it must not
    be a child's name from the claim's report."""
    doc = conn.execute(select(DOCS.c.text, DOCS.c.title, DOCS.c.child_names).where(DOCS.c.id == doc_id)).first()
    if doc is None:
        return
    names = report_names(doc.child_names, doc.text, doc.title)
    if any(isinstance(v, str) and names_a_child(v, names) for v in columns.values()):
        raise ReviewError(
            f"{field}: that value names a child of this report, and it would be shown to every reader; "
            "write the place, actor or source itself, or leave it empty"
        )


def _claim_flag(store: Store, user: User, claim_id: int, reason: str | None, action: str) -> ReviewEvent:
    def build(conn: Connection) -> Any:
        claim = _claim(conn, claim_id)
        rejected = claim.id in replay.claim_state(conn, [claim.doc_id]).rejected
        if rejected == (action == "reject"):
            raise ReviewError(f"claim {claim_id} is {'rejected' if rejected else 'not rejected'} already")
        values = {
            "action": action,
            "target_type": "claim",
            "target_id": str(claim_id),
            "incident_id": claim.incident_id,
            "before": {"rejected": rejected},
            "after": {"rejected": not rejected},
        }
        return values, [("target", claim)], {claim.incident_id} if claim.incident_id else set()

    return _act(store, user, reason, build)


def confirm_claim(store: Store, user: User, claim_id: int, reason: str | None) -> ReviewEvent:
    """Mark one claim checked: the report says what the claim says. It changes no
    incident (confirm the incident for that); setting the claim aside undoes it."""

    def build(conn: Connection) -> Any:
        claim = _claim(conn, claim_id)
        state = replay.claim_state(conn, [claim.doc_id])
        if claim.id in state.rejected:
            raise ReviewError(f"claim {claim_id} is set aside: restore it before confirming it")
        if claim.id in state.confirmed:
            raise ReviewError(f"claim {claim_id} is confirmed already")
        values = {
            "action": "confirm",
            "target_type": "claim",
            "target_id": str(claim_id),
            "incident_id": claim.incident_id,
            "before": {"confirmed": False},
            "after": {"confirmed": True},
        }
        return values, [("target", claim)], set()

    return _act(store, user, reason, build)


def reject_claim(store: Store, user: User, claim_id: int, reason: str | None) -> ReviewEvent:
    """Reject one claim (misread, not about children...): it stays visible in its incident,
    marked, but no longer counts in the incident's merged view."""
    return _claim_flag(store, user, claim_id, reason, "reject")


def restore_claim(store: Store, user: User, claim_id: int, reason: str | None) -> ReviewEvent:
    """Undo `reject_claim`."""
    return _claim_flag(store, user, claim_id, reason, "restore")


# --- reading and re-applying --------------------------------------------------------------


def history(store: Store, incident_id: str) -> list[ReviewEvent]:
    """Every event about this incident or a claim it holds, oldest first."""
    with store.reading() as conn:
        ids = db.incident_event_ids(conn, incident_id, _members(conn, incident_id))
        return [_event(r) for r in db.events(conn, ids=ids)] if ids else []


def record_reveal(store: Store, user: User, target: str, reason: str) -> int:
    """Append a 'reveal' event (see protect.log_reveal, which checks the role)."""
    require(user, "reveal")
    kind, _, ident = target.partition(":")
    if kind not in ("incident", "document", "claim", "export") or (kind != "export" and not ident):
        raise ReviewError(f"cannot reveal {target!r}: name an 'incident:ID', 'document:ID', 'claim:ID' or 'export'")
    values = {
        "action": "reveal",
        "target_type": kind,
        "target_id": ident or "-",
        "incident_id": ident if kind == "incident" else None,
        "user_id": user.id,
        "user_name": user.name,
        "reason": _reason(reason),
        "after": {"revealed": True},
    }
    with store.writing() as conn:
        return db.append_event(conn, values, [])


def reapply(store: Store) -> int:
    """Re-apply every review decision after a resolution run; returns how many events
    took effect (events whose claims are all gone are kept, and listed by `unanchored`)."""
    with store.writing() as conn:
        locks.review_writers(conn)
        return replay.apply(conn).applied


def unanchored(store: Store) -> list[ReviewEvent]:
    """Events none of whose claims can be found any more (their documents re-extracted
    without them): shown to analysts so that nothing is lost silently."""
    with store.reading() as conn:
        lost = replay.replay(conn).lost
        return [_event(r) for r in db.events(conn, ids=lost)] if lost else []
