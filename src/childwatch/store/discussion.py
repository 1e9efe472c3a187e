"""The store's side of comments and assignments on incidents (issue 17): two append-only
tables (migration 0015). Every function takes the caller's open connection."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select

from childwatch.store.models import IncidentAssignmentRow, IncidentCommentRow, utcnow

COMMENTS = cast(Table, IncidentCommentRow.__table__)
ASSIGNMENTS = cast(Table, IncidentAssignmentRow.__table__)


def add_comment(conn: Connection, incident_id: str, user_id: int, user_name: str, text: str) -> Any:
    """Append a comment; returns its row."""
    values = {"at": utcnow(), "incident_id": incident_id, "user_id": user_id, "user_name": user_name, "text": text}
    new_id = conn.execute(insert(COMMENTS).values(values).returning(COMMENTS.c.id)).scalar_one()
    return conn.execute(select(COMMENTS).where(COMMENTS.c.id == new_id)).one()


def add_assignment(conn: Connection, values: dict[str, Any]) -> Any:
    """Append an assignment (`assignee_id` None: unassigned); returns its row."""
    new_id = conn.execute(
        insert(ASSIGNMENTS).values({"at": utcnow(), **values}).returning(ASSIGNMENTS.c.id)
    ).scalar_one()
    return conn.execute(select(ASSIGNMENTS).where(ASSIGNMENTS.c.id == new_id)).one()


def comments(conn: Connection, incident_id: str) -> list[Any]:
    """The incident's comments, oldest first."""
    c = COMMENTS.c
    return list(conn.execute(select(COMMENTS).where(c.incident_id == incident_id).order_by(c.at, c.id)))


def assignments(conn: Connection, incident_id: str) -> list[Any]:
    """The incident's assignments, oldest first (the last one holds)."""
    a = ASSIGNMENTS.c
    return list(conn.execute(select(ASSIGNMENTS).where(a.incident_id == incident_id).order_by(a.id)))


def current(conn: Connection, incident_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """{incident id: its latest assignment row} (of these incidents, else of all)."""
    a = ASSIGNMENTS.c
    latest = select(a.incident_id, func.max(a.id).label("id")).group_by(a.incident_id)
    if incident_ids is not None:
        latest = latest.where(a.incident_id.in_(list(incident_ids)))
    sub = latest.subquery()
    rows = conn.execute(select(ASSIGNMENTS).join(sub, ASSIGNMENTS.c.id == sub.c.id))
    return {r.incident_id: r for r in rows}


def assigned_to(conn: Connection, user_id: int) -> list[str]:
    """The ids of the incidents whose latest assignment gives them to this user."""
    a = ASSIGNMENTS.c
    sub = select(func.max(a.id).label("id")).group_by(a.incident_id).subquery()
    found = select(a.incident_id).join(sub, a.id == sub.c.id).where(a.assignee_id == user_id)
    return sorted(conn.execute(found).scalars())
