"""The store's side of review: appending review events with the claims they concern, and
reading what replaying them needs; and the security audit log (`audit_events`). Every
function takes the open connection of the caller's transaction, so that an action (event
+ its effect) is all or nothing."""

from __future__ import annotations

import dataclasses
import secrets
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Table, bindparam, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from childwatch.errors import StoreError
from childwatch.store.database import CLAIMS, DOCS, Store
from childwatch.store.models import (
    AuditEventRow,
    EndedSessionRow,
    ReviewClaimRow,
    ReviewEventRow,
    ServerSecretRow,
    aware,
    utcnow,
)
from childwatch.store.resolution import INCIDENTS, LOG, incident_row

EVENTS = cast(Table, ReviewEventRow.__table__)
REVIEW_CLAIMS = cast(Table, ReviewClaimRow.__table__)
AUDIT = cast(Table, AuditEventRow.__table__)
SECRETS = cast(Table, ServerSecretRow.__table__)
ENDED = cast(Table, EndedSessionRow.__table__)
_IN = 500


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _IN):
        yield items[i : i + _IN]


@dataclass(frozen=True, slots=True)
class ClaimKey:
    """What identifies a claim across re-extraction, and where it is now."""

    id: int
    doc_id: str
    ordinal: int
    violation: str
    start: int
    end: int
    text: str
    incident_id: str | None = None


@dataclass(slots=True)
class Anchor:
    role: str
    claim: ClaimKey  # as it was when the event was recorded


@dataclass(slots=True)
class EventRecord:
    id: int
    at: datetime
    user_id: int
    user_name: str
    action: str
    target_type: str
    target_id: str
    incident_id: str | None
    field: str | None
    before: Any
    after: Any
    reason: str
    anchors: list[Anchor] = dataclasses.field(default_factory=list)

    def claims(self, *roles: str) -> list[ClaimKey]:
        return [a.claim for a in self.anchors if not roles or a.role in roles]


def key_of(row: Any) -> ClaimKey:
    return ClaimKey(
        row.id,
        row.doc_id,
        row.ordinal,
        row.violation,
        row.evidence_start,
        row.evidence_end,
        row.evidence_text,
        row.incident_id,
    )


_KEY_COLUMNS = (
    CLAIMS.c.id,
    CLAIMS.c.doc_id,
    CLAIMS.c.ordinal,
    CLAIMS.c.violation,
    CLAIMS.c.evidence_start,
    CLAIMS.c.evidence_end,
    CLAIMS.c.evidence_text,
    CLAIMS.c.incident_id,
)


def append_event(conn: Connection, values: dict[str, Any], anchors: Sequence[tuple[str, ClaimKey]]) -> int:
    """Append one event and the claims it concerns; returns its id."""
    event_id = int(conn.execute(insert(EVENTS).values({"at": utcnow(), **values}).returning(EVENTS.c.id)).scalar_one())
    if anchors:
        conn.execute(
            insert(REVIEW_CLAIMS),
            [
                {
                    "event_id": event_id,
                    "role": role,
                    "claim_id": k.id,
                    "doc_id": k.doc_id,
                    "ordinal": k.ordinal,
                    "violation": k.violation,
                    "evidence_start": k.start,
                    "evidence_end": k.end,
                    "evidence_text": k.text,
                }
                for role, k in anchors
            ],
        )
    return event_id


def _record(row: Any) -> EventRecord:
    return EventRecord(
        row.id,
        aware(row.at),
        row.user_id,
        row.user_name,
        row.action,
        row.target_type,
        row.target_id,
        row.incident_id,
        row.field,
        row.before,
        row.after,
        row.reason,
    )


def _with_anchors(conn: Connection, records: list[EventRecord]) -> list[EventRecord]:
    by_id = {r.id: r for r in records}
    for chunk in _chunks(sorted(by_id)):
        stmt = select(REVIEW_CLAIMS).where(REVIEW_CLAIMS.c.event_id.in_(chunk)).order_by(REVIEW_CLAIMS.c.id)
        for a in conn.execute(stmt):
            key = ClaimKey(
                a.claim_id, a.doc_id, a.ordinal, a.violation, a.evidence_start, a.evidence_end, a.evidence_text
            )
            by_id[a.event_id].anchors.append(Anchor(a.role, key))
    return records


def events(
    conn: Connection,
    *,
    actions: Sequence[str] | None = None,
    doc_ids: Sequence[str] | None = None,
    ids: Iterable[int] | None = None,
) -> list[EventRecord]:
    """Events in the order they happened, with their claims; optionally only some actions,
    those concerning claims of some documents, or those with some ids."""
    stmt = select(EVENTS).order_by(EVENTS.c.id)
    if actions is not None:
        stmt = stmt.where(EVENTS.c.action.in_(actions))
    wanted: set[int] | None = set(ids) if ids is not None else None
    if doc_ids is not None:
        found: set[int] = set()
        for chunk in _chunks(sorted(set(doc_ids))):
            found.update(
                conn.execute(select(REVIEW_CLAIMS.c.event_id).where(REVIEW_CLAIMS.c.doc_id.in_(chunk))).scalars()
            )
        wanted = found if wanted is None else wanted & found
    if wanted is not None:
        records: list[EventRecord] = []
        for chunk in _chunks(sorted(wanted)):
            records += [_record(r) for r in conn.execute(stmt.where(EVENTS.c.id.in_(chunk)))]
        records.sort(key=lambda r: r.id)
    else:
        records = [_record(r) for r in conn.execute(stmt)]
    return _with_anchors(conn, records)


def incident_event_ids(conn: Connection, incident_id: str, claims: Sequence[ClaimKey]) -> set[int]:
    """Events recorded on this incident, or concerning one of the claims it holds now."""
    found = set(conn.execute(select(EVENTS.c.id).where(EVENTS.c.incident_id == incident_id)).scalars())
    pairs = {(c.doc_id, c.ordinal) for c in claims}
    for chunk in _chunks(sorted({c.doc_id for c in claims})):
        stmt = select(REVIEW_CLAIMS.c.event_id, REVIEW_CLAIMS.c.doc_id, REVIEW_CLAIMS.c.ordinal).where(
            REVIEW_CLAIMS.c.doc_id.in_(chunk)
        )
        found.update(e for e, d, o in conn.execute(stmt) if (d, o) in pairs)
    return found


def claim_keys(
    conn: Connection, *, doc_ids: Iterable[str] = (), incident_ids: Iterable[str] = (), claim_ids: Iterable[int] = ()
) -> list[ClaimKey]:
    """The current claims of these documents, incidents or ids."""
    found: dict[int, ClaimKey] = {}
    for column, values in ((CLAIMS.c.doc_id, doc_ids), (CLAIMS.c.incident_id, incident_ids), (CLAIMS.c.id, claim_ids)):
        for chunk in _chunks(sorted(set(values))):
            for row in conn.execute(select(*_KEY_COLUMNS).where(column.in_(chunk))):
                found[row.id] = key_of(row)
    return sorted(found.values(), key=lambda k: (k.doc_id, k.ordinal))


def claim_rows(
    conn: Connection, *, incident_ids: Iterable[str] = (), claim_ids: Iterable[int] = ()
) -> list[dict[str, Any]]:
    """Full claim rows with what resolution needs of their documents (as `block_rows`)."""
    story = DOCS.alias("story")
    base = (
        select(
            CLAIMS,
            DOCS.c.published,
            DOCS.c.url,
            DOCS.c.outlet,
            DOCS.c.title,
            DOCS.c.near_dup_of.label("story"),
            DOCS.c.names.label("doc_names"),
            story.c.url.label("story_url"),
            story.c.outlet.label("story_outlet_name"),
        )
        .join(DOCS, DOCS.c.id == CLAIMS.c.doc_id)
        .outerjoin(story, story.c.id == DOCS.c.near_dup_of)
        .order_by(DOCS.c.published, CLAIMS.c.doc_id, CLAIMS.c.ordinal)
    )
    rows: list[dict[str, Any]] = []
    for column, values in ((CLAIMS.c.incident_id, incident_ids), (CLAIMS.c.id, claim_ids)):
        for chunk in _chunks(sorted(set(values))):
            rows += [dict(r) for r in conn.execute(base.where(column.in_(chunk))).mappings()]
    return rows


def incident(conn: Connection, incident_id: str) -> dict[str, Any] | None:
    row = conn.execute(select(INCIDENTS).where(INCIDENTS.c.id == incident_id)).mappings().first()
    return dict(row) if row is not None else None


def move_claims(conn: Connection, moves: Sequence[tuple[ClaimKey, str, int, str]]) -> None:
    """Put claims in incidents as review decided: (claim, incident, event id, action);
    logged in `resolution_log` like resolution's own moves, with the review event as why."""
    if not moves:
        return
    now = utcnow()
    conn.execute(
        update(CLAIMS)
        .where(CLAIMS.c.id == bindparam("b_id"))
        .values(
            incident_id=bindparam("b_incident"),
            incident_score=None,
            incident_why=bindparam("b_why", type_=CLAIMS.c.incident_why.type),
        ),
        [{"b_id": k.id, "b_incident": inc, "b_why": {"review_event": e, "action": a}} for k, inc, e, a in moves],
    )
    conn.execute(
        insert(LOG),
        [
            {
                "resolved_at": now,
                "mode": "review",
                "claim_id": k.id,
                "doc_id": k.doc_id,
                "ordinal": k.ordinal,
                "incident_id": inc,
                "previous_incident_id": k.incident_id,
                "score": None,
                "why": {"review_event": e, "action": a},
            }
            for k, inc, e, a in moves
        ],
    )


def replace_incidents(conn: Connection, ids: Iterable[str], views: Sequence[Any], status: dict[str, str]) -> None:
    """Swap the stored incidents `ids` for `views` (resolve.incident_view), with review's statuses."""
    now = utcnow()
    for chunk in _chunks(sorted(set(ids))):
        conn.execute(delete(INCIDENTS).where(INCIDENTS.c.id.in_(chunk)))
    rows = []
    for view in views:
        row = incident_row(view, now)
        row["status"] = status.get(view.id, row["status"])
        rows.append(row)
    if rows:
        conn.execute(insert(INCIDENTS), rows)


# --- the security audit log ------------------------------------------------------------------


def append_audit(conn: Connection, values: dict[str, Any]) -> int:
    """Append one security event (see AuditEventRow); returns its id."""
    return int(conn.execute(insert(AUDIT).values({"at": utcnow(), **values}).returning(AUDIT.c.id)).scalar_one())


def iter_audit(conn: Connection, batch: int = 1000) -> Iterator[dict[str, Any]]:
    """Security events, oldest first, read in batches by id (bounded memory)."""
    last = 0
    while True:
        rows = conn.execute(select(AUDIT).where(AUDIT.c.id > last).order_by(AUDIT.c.id).limit(batch)).mappings().all()
        for row in rows:
            yield {**row, "at": aware(row["at"])}
        if len(rows) < batch:
            return
        last = rows[-1]["id"]


def iter_events(conn: Connection, batch: int = 1000) -> Iterator[EventRecord]:
    """Review events without their claims, oldest first, read in batches by id."""
    last = 0
    while True:
        rows = conn.execute(select(EVENTS).where(EVENTS.c.id > last).order_by(EVENTS.c.id).limit(batch)).all()
        for row in rows:
            yield _record(row)
        if len(rows) < batch:
            return
        last = rows[-1].id


def server_secret(store: Store, name: str = "session") -> str:
    """The store's secret `name`, made (48 random bytes, URL-safe) on first use. Two
    processes asking at once get the same one: the second insert fails on the key and
    reads the first's."""
    for _ in range(2):
        with store.reading() as conn:
            found = conn.execute(select(SECRETS.c.value).where(SECRETS.c.name == name)).scalar()
        if found is not None:
            return str(found)
        try:
            with store.writing() as conn:
                value = secrets.token_urlsafe(48)
                conn.execute(insert(SECRETS).values(name=name, value=value, created_at=utcnow()))
                return value
        except StoreError as exc:
            if not isinstance(exc.__cause__, IntegrityError):
                raise
            # another process made it between the read and the write: read theirs
    raise RuntimeError(f"the server secret {name!r} could be neither read nor made")  # pragma: no cover


def end_session(store: Store, token_hash: str, expires_at: datetime) -> None:
    """Remember that the session with this token hash ended (and forget those whose cookies
    have expired since)."""
    with store.writing() as conn:
        conn.execute(delete(ENDED).where(ENDED.c.expires_at < utcnow()))
        if conn.execute(select(ENDED.c.token_hash).where(ENDED.c.token_hash == token_hash)).first() is None:
            conn.execute(insert(ENDED).values(token_hash=token_hash, expires_at=expires_at))


def session_ended(store: Store, token_hash: str) -> bool:
    with store.reading() as conn:
        return conn.execute(select(ENDED.c.token_hash).where(ENDED.c.token_hash == token_hash)).first() is not None


def ended_sessions(store: Store) -> frozenset[str]:
    """The token hashes of every session remembered as ended (a few per logout in the
    last 12 hours): one query for all the sessions a server checks until the store changes."""
    with store.reading() as conn:
        return frozenset(conn.execute(select(ENDED.c.token_hash)).scalars())
