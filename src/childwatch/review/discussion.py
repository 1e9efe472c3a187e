"""Comments on incidents and who has an incident to review (issue 17).

    from childwatch.review import discussion
    discussion.comment(store, user, "inc-1", "the school's name differs in the UN report")
    discussion.assign(store, user, "inc-1", "amina", "second pair of eyes")   # None: unassign
    discussion.queue_ids(store, user)                                           # ["inc-1", ...]

Analysts and admins write both; everyone who reads sees them (pseudonymised by
`read.discussion`, since a comment may name a child). Each comment and each assignment is
one append-only row (who, when, what): nothing is edited or deleted, so the thread and the
assignments are the history. An incident is given only to an active analyst or admin.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from childwatch.errors import NotFound, ReviewError
from childwatch.review.users import User, can, require
from childwatch.store import Store, locks
from childwatch.store import discussion as db
from childwatch.store import review as events
from childwatch.store.models import UserRow, aware

USERS = cast(Table, UserRow.__table__)
MAX_COMMENT = 4000
MAX_NOTE = 2000


@dataclass(frozen=True, slots=True)
class Comment:
    id: int
    at: datetime
    incident_id: str
    user: str
    text: str

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "incident_id": self.incident_id, "user": self.user,
                "text": self.text}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Assignment:
    """One assignment: `assignee` None says the incident was unassigned."""

    id: int
    at: datetime
    incident_id: str
    by: str
    assignee: str | None
    note: str | None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "at": self.at.isoformat(), "incident_id": self.incident_id, "by": self.by,
                "assignee": self.assignee, "note": self.note}  # fmt: skip


def _comment(row: Any) -> Comment:
    return Comment(row.id, aware(row.at), row.incident_id, row.user_name, row.text)


def _assignment(row: Any) -> Assignment:
    return Assignment(row.id, aware(row.at), row.incident_id, row.user_name, row.assignee_name, row.note)


def _check_incident(conn: Connection, incident_id: str) -> None:
    if events.incident(conn, incident_id) is None:
        raise NotFound(f"no incident {incident_id!r}: it may have been merged or re-resolved; reload the list")


def comment(store: Store, user: User, incident_id: str, text: str | None) -> Comment:
    """Add a comment to the incident (analysts and admins)."""
    require(user, "review")
    body = (text or "").strip()
    if not body:
        raise ReviewError("the comment is empty: write what others should know about this incident")
    if len(body) > MAX_COMMENT:
        raise ReviewError(f"the comment is too long: at most {MAX_COMMENT} characters")
    with store.writing() as conn:
        locks.review_writers(conn)
        _check_incident(conn, incident_id)
        return _comment(db.add_comment(conn, incident_id, user.id, user.name, body))


def _assignee(conn: Connection, name: str) -> Any:
    row = conn.execute(select(USERS).where(USERS.c.name == name)).first()
    if row is None or row.removed_at is not None:
        raise NotFound(f"no user {name!r}: pick an analyst or admin from the list")
    if row.disabled_at is not None:
        raise ReviewError(f"{name} is disabled: assign the incident to an active analyst or admin")
    if not can(User(row.id, row.name, row.role), "review"):
        raise ReviewError(f"{name} is a viewer and cannot review: assign the incident to an analyst or admin")
    return row


def assign(store: Store, user: User, incident_id: str, assignee: str | None, note: str | None = None) -> Assignment:
    """Give the incident to `assignee` (a user's name), or take it back from whoever has
    it (`assignee` None or empty). Refused when it would change nothing."""
    require(user, "review")
    name = (assignee or "").strip()
    why = (note or "").strip() or None
    if why and len(why) > MAX_NOTE:
        raise ReviewError(f"the note is too long: at most {MAX_NOTE} characters")
    with store.writing() as conn:
        locks.review_writers(conn)
        _check_incident(conn, incident_id)
        target = _assignee(conn, name) if name else None
        now = db.current(conn, [incident_id]).get(incident_id)
        had = now.assignee_id if now is not None else None
        if (target.id if target is not None else None) == had:
            who = f"assigned to {target.name}" if target is not None else "assigned to nobody"
            raise ReviewError(f"incident {incident_id} is {who} already")
        row = db.add_assignment(conn, {
            "incident_id": incident_id, "user_id": user.id, "user_name": user.name,
            "assignee_id": target.id if target is not None else None,
            "assignee_name": target.name if target is not None else None, "note": why,
        })  # fmt: skip
        return _assignment(row)


def comments(store: Store, incident_id: str) -> list[Comment]:
    """The incident's comments, oldest first (as written: `read.discussion` redacts)."""
    with store.reading() as conn:
        return [_comment(r) for r in db.comments(conn, incident_id)]


def assignments(store: Store, incident_id: str) -> list[Assignment]:
    """Every assignment of the incident, oldest first; the last one holds."""
    with store.reading() as conn:
        return [_assignment(r) for r in db.assignments(conn, incident_id)]


def assignees(store: Store, incident_ids: list[str]) -> dict[str, str]:
    """{incident id: the name of who has it}, for those of these incidents assigned."""
    with store.reading() as conn:
        return {i: r.assignee_name for i, r in db.current(conn, incident_ids).items() if r.assignee_id is not None}


def queue_ids(store: Store, user: User) -> list[str]:
    """The ids of the incidents assigned to `user` now."""
    require(user, "read")
    with store.reading() as conn:
        return db.assigned_to(conn, user.id)


def reviewers(store: Store) -> list[str]:
    """The names of the active analysts and admins: who an incident may be given to."""
    with store.reading() as conn:
        rows = conn.execute(select(USERS).order_by(USERS.c.name))
        return [r.name for r in rows if r.disabled_at is None and r.removed_at is None and r.role != "viewer"]
