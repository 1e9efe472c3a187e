"""The store's side of comments and assignments on incidents (issue 17): two append-only
tables (migration 0015). Every function takes the caller's open connection.

Comments and assignments name their incident by id, and a resolution run may take that
incident apart or merge it away (a full run keeps an id only where most of its claims
stay together), as may an analyst's merge. Their rows cannot change, so a run or a
review action records where each such incident's claims went (`holdings` before it,
`carry` after it: migration 0017), and the readers here show a comment or an assignment
on the incident its id leads to now (`followed`).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, cast

from sqlalchemy import Connection, Table, func, insert, select, union

from childwatch.store.models import (
    ClaimRow,
    IncidentAssignmentRow,
    IncidentCommentRow,
    IncidentRow,
    IncidentSuccessorRow,
    utcnow,
)

COMMENTS = cast(Table, IncidentCommentRow.__table__)
ASSIGNMENTS = cast(Table, IncidentAssignmentRow.__table__)
SUCCESSORS = cast(Table, IncidentSuccessorRow.__table__)
CLAIMS = cast(Table, ClaimRow.__table__)
INCIDENTS = cast(Table, IncidentRow.__table__)


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


def _with_predecessors(conn: Connection, incident_id: str) -> list[str]:
    """The incident's id and every gone id whose comments and assignments are its own now."""
    return [incident_id, *sorted(old for old, now in followed(conn).items() if now == incident_id)]


def comments(conn: Connection, incident_id: str) -> list[Any]:
    """The incident's comments, oldest first (with those of incidents it took over)."""
    c = COMMENTS.c
    ids = _with_predecessors(conn, incident_id)
    return list(conn.execute(select(COMMENTS).where(c.incident_id.in_(ids)).order_by(c.at, c.id)))


def assignments(conn: Connection, incident_id: str) -> list[Any]:
    """The incident's assignments, oldest first (the last one holds; with those of
    incidents it took over)."""
    a = ASSIGNMENTS.c
    ids = _with_predecessors(conn, incident_id)
    return list(conn.execute(select(ASSIGNMENTS).where(a.incident_id.in_(ids)).order_by(a.id)))


def current(conn: Connection, incident_ids: Iterable[str] | None = None) -> dict[str, Any]:
    """{incident id: its latest assignment row} (of these incidents, else of all): of the
    rows written on the incident or on an incident it took over, the latest."""
    alias = followed(conn)
    a = ASSIGNMENTS.c
    latest = select(a.incident_id, func.max(a.id).label("id")).group_by(a.incident_id)
    wanted = None if incident_ids is None else set(incident_ids)
    if wanted is not None:
        raw = wanted | {old for old, now in alias.items() if now in wanted}
        latest = latest.where(a.incident_id.in_(sorted(raw)))
    sub = latest.subquery()
    found: dict[str, Any] = {}
    for row in conn.execute(select(ASSIGNMENTS).join(sub, ASSIGNMENTS.c.id == sub.c.id)):
        incident = alias.get(row.incident_id, row.incident_id)
        if incident not in found or row.id > found[incident].id:
            found[incident] = row
    return {i: r for i, r in found.items() if wanted is None or i in wanted}


def assigned_to(conn: Connection, user_id: int) -> list[str]:
    """The ids of the incidents whose latest assignment gives them to this user."""
    return sorted(i for i, row in current(conn).items() if row.assignee_id == user_id)


# --- through resolution (migration 0017) ------------------------------------------------------


def followed(conn: Connection) -> dict[str, str]:
    """{gone incident id: the incident it leads to now}, through the successors recorded
    by resolution runs (the latest row of an id holds; an id that is back, as ids derived
    from a claim may be, is its own again). Empty while no run took a discussed incident
    apart, which is the usual case: then nothing else is read."""
    s = SUCCESSORS.c
    latest = {r.incident_id: r.successor_id for r in conn.execute(select(s.incident_id, s.successor_id).order_by(s.id))}
    if not latest:
        return {}
    named = sorted(set(latest) | set(latest.values()))
    live = set(conn.execute(select(INCIDENTS.c.id).where(INCIDENTS.c.id.in_(named))).scalars())
    found: dict[str, str] = {}
    for old in latest:
        at, seen = old, {old}
        while at not in live and at in latest and latest[at] not in seen:
            at = latest[at]
            seen.add(at)
        if old not in live and at in live:
            found[old] = at
    return found


def holdings(conn: Connection) -> dict[str, set[int]]:
    """{incident id: its claim ids} for every incident with comments or assignments of its
    own or carried to it, taken before a resolution run (see `carry`)."""
    discussed = union(
        select(COMMENTS.c.incident_id), select(ASSIGNMENTS.c.incident_id), select(SUCCESSORS.c.successor_id)
    ).subquery()
    rows = conn.execute(
        select(CLAIMS.c.incident_id, CLAIMS.c.id).where(CLAIMS.c.incident_id.in_(select(discussed.c[0])))
    )
    held: dict[str, set[int]] = {}
    for incident_id, claim_id in rows:
        held.setdefault(incident_id, set()).add(int(claim_id))
    return held


def carry(conn: Connection, before: Mapping[str, set[int]], run: str) -> int:
    """After a resolution run: for each incident of `before` (`holdings`) whose id is gone,
    record the incident holding most of its claims now (of two holding as many, the one
    with the lowest of its claim ids: the earliest stored), so its comments and assignments
    are shown there. An incident none of whose claims is left keeps them under its id.
    Returns the number of incidents carried."""
    live = set(conn.execute(select(INCIDENTS.c.id).where(INCIDENTS.c.id.in_(sorted(before)))).scalars())
    carried = 0
    for old, claims in sorted(before.items()):
        if old in live or not claims:
            continue
        now = conn.execute(
            select(CLAIMS.c.id, CLAIMS.c.incident_id).where(CLAIMS.c.id.in_(sorted(claims)),
                                                            CLAIMS.c.incident_id.is_not(None))
        ).all()  # fmt: skip
        if not now:
            continue
        held = Counter(incident for _, incident in now)
        first = {incident: min(c for c, i in now if i == incident) for incident in held}
        heir = max(held, key=lambda i: (held[i], -first[i]))
        conn.execute(insert(SUCCESSORS).values(
            at=utcnow(), incident_id=old, successor_id=heir, claims=len(claims), held=held[heir], run=run,
        ))  # fmt: skip
        carried += 1
    return carried
