"""Review at the speed of an analyst: several fields of a claim corrected at once, and
one action on many incidents, undoable.

    from childwatch.review import bulk
    bulk.correct_fields(store, user, 12, {"perpetrator": "Boko Haram", "location": "gn:2331447"}, "per para 2")
    done = bulk.set_status(store, user, ["inc-1", "inc-2"], "reject", "not about children")
    bulk.undo(store, user, done.batch, "selected by mistake")   # or None: the user's last

Nothing here bypasses `actions`: each incident gets its own review event (so the history
of each says who did what and why), and each field its own correction. A bulk action's
events carry its batch id in their `after`; `undo` puts every incident of a batch back
to the status it had before, with events of its own (nothing is deleted).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from childwatch.errors import NotFound, ReviewError
from childwatch.review.actions import ReviewEvent, act_many, build_correction, build_status, check_dates_now
from childwatch.review.users import User, require
from childwatch.store import Store
from childwatch.store import review as db
from childwatch.vocab import REJECTED, VERIFIED

MAX_BULK = 200  # incidents in one bulk action: a page of the list at most, with room
STATUS_ACTIONS = ("confirm", "reject", "reopen")


@dataclass(frozen=True, slots=True)
class BulkResult:
    """What a bulk action did: its batch id, the incidents changed and those left as they
    were, with why (already in that status, merged away meanwhile...)."""

    batch: str
    action: str
    done: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...] = field(default=())

    def as_dict(self) -> dict[str, Any]:
        return {
            "batch": self.batch,
            "action": self.action,
            "done": list(self.done),
            "skipped": [{"incident_id": i, "why": why} for i, why in self.skipped],
        }


def correct_fields(
    store: Store, user: User, claim_id: int, changes: Mapping[str, Any], reason: str | None
) -> list[ReviewEvent]:
    """Correct several fields of one claim with one reason, all or nothing: one event per
    field whose value changes (fields given their current value are left alone). Dates and
    their precision are checked together, once all are set: "2024-03" to the month."""
    fields = sorted(changes.items(), key=lambda fv: fv[0] == "date.precision")  # the dates first
    builds: list[Any] = [
        lambda conn, f=f, v=v: build_correction(conn, claim_id, f, v, unchanged_ok=True) for f, v in fields
    ]
    if any(f.startswith("date.") for f in changes):
        builds.append(lambda conn: check_dates_now(conn, claim_id))  # records nothing
    return act_many(store, user, reason, builds)


def _ids(incident_ids: Iterable[str]) -> list[str]:
    ids = list(dict.fromkeys(i.strip() for i in incident_ids if i and i.strip()))
    if not ids:
        raise ReviewError("choose at least one incident (tick it in the list)")
    if len(ids) > MAX_BULK:
        raise ReviewError(f"{len(ids)} incidents chosen: at most {MAX_BULK} in one action; narrow the filters")
    return ids


def _apply(
    store: Store, user: User, reason: str | None, plan: list[tuple[str, str]], tags: dict[str, str]
) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """Run (incident, action) pairs as one transaction; an incident whose action does not
    apply (already so, gone) is skipped with why."""
    skipped: list[tuple[str, str]] = []

    def build(incident_id: str, action: str) -> Any:
        def run(conn: Connection) -> Any:
            try:
                return build_status(conn, incident_id, action, tags=tags)
            except ReviewError as exc:  # NotFound too: merged away since the list was shown
                skipped.append((incident_id, str(exc)))
                return None

        return run

    events = act_many(store, user, reason, [build(i, a) for i, a in plan])
    return tuple(e.target_id for e in events), tuple(skipped)


def set_status(store: Store, user: User, incident_ids: Iterable[str], action: str, reason: str | None) -> BulkResult:
    """Confirm, reject (set aside) or reopen many incidents with one reason: one review
    event per incident, all tagged with one batch id that `undo` takes."""
    require(user, "review")
    if action not in STATUS_ACTIONS:
        raise ReviewError(f"unknown bulk action {action!r}: use {', '.join(STATUS_ACTIONS)}")
    batch = f"b-{secrets.token_hex(6)}"
    done, skipped = _apply(store, user, reason, [(i, action) for i in _ids(incident_ids)], {"batch": batch})
    return BulkResult(batch, action, done, skipped)


def batch_events(store: Store, batch: str) -> list[Any]:
    """The events of one bulk action, oldest first (status events only)."""
    return _tagged(store, "batch", batch)


def _tagged(store: Store, tag: str, batch: str) -> list[Any]:
    """Status events whose `after` has `tag` (batch, or undoes) equal to `batch`."""
    with store.reading() as conn:
        return [
            e for e in db.events(conn, actions=STATUS_ACTIONS)
            if isinstance(e.after, dict) and e.after.get(tag) == batch
        ]  # fmt: skip


def last_batch(store: Store, user: User) -> str:
    """The user's latest bulk action that has not been undone (NotFound if none)."""
    with store.reading() as conn:
        tagged = [
            e.after for e in db.events(conn, actions=STATUS_ACTIONS)
            if e.user_id == user.id and isinstance(e.after, dict) and e.after.get("batch")
        ]  # fmt: skip
    undone = {t["undoes"] for t in tagged if t.get("undoes")}
    for tags in reversed(tagged):
        if not tags.get("undoes"):
            if tags["batch"] in undone:
                break
            return str(tags["batch"])
    raise NotFound("you have no bulk action left to undo")


def undo(store: Store, user: User, batch: str | None, reason: str | None) -> BulkResult:
    """Put each incident of bulk action `batch` (by default the user's last one) back to
    the status it had before it: a verified or rejected incident is confirmed or rejected
    again, any other reopened (its status as resolution gives it). Recorded as a bulk
    action of its own."""
    require(user, "review")
    batch = batch or last_batch(store, user)
    events = batch_events(store, batch)
    if not events:
        raise NotFound(f"no bulk action {batch!r}: nothing to undo")
    if _tagged(store, "undoes", batch):
        raise ReviewError(f"bulk action {batch} was undone already")
    before: dict[str, str] = {}
    for e in events:  # the first event of the batch on each incident says what it was
        before.setdefault(e.target_id, str((e.before or {}).get("status", "")))
    back: dict[str, str] = {VERIFIED: "confirm", REJECTED: "reject"}
    plan = [(i, back.get(status, "reopen")) for i, status in before.items()]
    new = f"b-{secrets.token_hex(6)}"
    done, skipped = _apply(store, user, reason, plan, {"batch": new, "undoes": batch})
    return BulkResult(new, "undo", done, skipped)
