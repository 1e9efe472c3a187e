"""The security audit log: who logged in (or tried to), logged out, changed a password or
an account, and exported what, when and from where.

    from childwatch.review import audit
    audit.record(store, audit.Actor.cli(), "export", target="claims jsonl", details={"rows": 120})

Events are rows of the append-only `audit_events` table (triggers refuse UPDATE and
DELETE). Account changes are recorded by `childwatch.review.users` in the same transaction as
the change; logins, logouts and web exports by the web layer, CLI exports by the CLI.
Passwords are never recorded, not even wrong ones; a failed login keeps the name tried.

`iter_audit` merges this log with the analysts' `review_events` (confirmations,
corrections, merges... and reveals of protected details), oldest first; the file
`childwatch audit` writes is `childwatch.export.audit`.
"""

from __future__ import annotations

import getpass
import heapq
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection

from childwatch.store import Store
from childwatch.store import review as db
from childwatch.vocab import AUDIT_ACTIONS, Via

__all__ = ["AUDIT_ACTIONS", "Actor", "iter_audit", "record"]

MAX_NAME = 200  # a failed login's name is whatever was typed: kept, but not without bound



@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts, and how: a logged-in user on the web or API (with the client address),
    or someone at the command line (by their operating-system account)."""

    user_id: int | None
    name: str
    via: Via
    address: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        try:
            who = getpass.getuser()
        except (OSError, KeyError):  # no login name (a container without a passwd entry)
            who = "unknown"
        return cls(None, f"{who} (command line)", "cli")


def record(
    store: Store,
    actor: Actor,
    action: str,
    *,
    target: str | None = None,
    target_user_id: int | None = None,
    details: dict[str, Any] | None = None,
    conn: Connection | None = None,
) -> int:
    """Append one event; in the caller's transaction when `conn` is given. Returns its id."""
    values = {
        "action": action,
        "via": actor.via,
        "user_id": actor.user_id,
        "user_name": actor.name[:MAX_NAME],
        "address": actor.address,
        "target": target,
        "target_user_id": target_user_id,
        "details": details,
    }
    if conn is not None:
        return db.append_audit(conn, values)
    with store.writing() as own:
        return db.append_audit(own, values)


def _utc(moment: datetime) -> str:
    # PostgreSQL hands times back in the session's time zone: one zone, so that they sort.
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _security(row: dict[str, Any]) -> dict[str, Any]:
    details = dict(row["details"] or {})
    if row["target_user_id"] is not None:
        details["target_user_id"] = row["target_user_id"]
    return {
        "at": _utc(row["at"]), "log": "security", "id": row["id"], "action": row["action"], "via": row["via"],
        "user_id": row["user_id"], "user": row["user_name"], "address": row["address"], "target": row["target"],
        "details": details,
    }  # fmt: skip


def _review(event: db.EventRecord) -> dict[str, Any]:
    details = {"incident_id": event.incident_id, "field": event.field, "before": event.before,
               "after": event.after, "reason": event.reason}  # fmt: skip
    return {
        "at": _utc(event.at), "log": "review", "id": event.id, "action": event.action, "via": None,
        "user_id": event.user_id, "user": event.user_name, "address": None,
        "target": f"{event.target_type} {event.target_id}", "details": {k: v for k, v in details.items() if v},
    }  # fmt: skip


def iter_audit(store: Store) -> Iterator[dict[str, Any]]:
    """Every security and review event, oldest first, as flat records (AUDIT_COLUMNS);
    read in batches, so a long log takes bounded memory."""
    with store.reading() as conn:
        security = (_security(r) for r in db.iter_audit(conn))
        review = (_review(e) for e in db.iter_events(conn))
        # ISO 8601 times in UTC with microseconds sort as text; ties keep security before review, then id.
        yield from heapq.merge(security, review, key=lambda r: (r["at"], r["log"] == "review", r["id"]))
