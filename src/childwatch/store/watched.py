"""Watched sources and their items in the database (tables `sources`, `source_items`),
and the page offsets of stored PDF documents.

The watcher's whole state lives here, so a watcher that is stopped (or killed) and
started again carries on where it was: validators for conditional GETs, when each source
is due, which items were seen and what became of them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, update

from childwatch.store.database import DOCS, Store
from childwatch.store.models import SourceItemRow, SourceRow, aware, utcnow

SOURCES = cast(Table, SourceRow.__table__)
ITEMS = cast(Table, SourceItemRow.__table__)


@dataclass(frozen=True, slots=True)
class SourceState:
    id: int
    url: str
    kind: str | None
    title: str | None
    interval: int
    etag: str | None
    last_modified: str | None
    next_poll_at: datetime | None
    consecutive_errors: int


@dataclass(frozen=True, slots=True)
class ItemState:
    id: int
    source_id: int
    key: str
    url: str | None
    title: str | None
    published: str | None
    status: str
    doc_id: str | None
    sha256: str | None
    text_sha256: str | None
    attempts: int
    error: str | None


def _source(row: Any) -> SourceState:
    return SourceState(
        row.id, row.url, row.kind, row.title, row.interval, row.etag, row.last_modified,
        aware(row.next_poll_at), row.consecutive_errors,
    )  # fmt: skip


def _item(row: Any) -> ItemState:
    return ItemState(
        row.id, row.source_id, row.key, row.url, row.title, row.published, row.status, row.doc_id,
        row.sha256, row.text_sha256, row.attempts, row.error,
    )  # fmt: skip


def sync_sources(store: Store, listed: Sequence[tuple[str, int]]) -> list[SourceState]:
    """Make the active sources exactly `listed` ((url, interval seconds) pairs): new ones
    are added, known ones take the listed interval, unlisted ones are kept but inactive."""
    now = utcnow()
    wanted = dict(listed)
    with store.writing() as conn:
        known = {row.url: row for row in conn.execute(select(SOURCES))}
        for url, interval in wanted.items():
            row = known.get(url)
            if row is None:
                new = {"url": url, "interval": interval, "active": True, "added_at": now}
                conn.execute(insert(SOURCES).values({**new, "polls": 0, "errors": 0, "consecutive_errors": 0}))
            elif row.interval != interval or not row.active:
                # A new interval takes effect now rather than after the old one ran out.
                next_poll = None if row.interval != interval else row.next_poll_at
                conn.execute(
                    update(SOURCES)
                    .where(SOURCES.c.id == row.id)
                    .values(interval=interval, active=True, next_poll_at=next_poll)
                )
        gone = [row.id for url, row in known.items() if url not in wanted and row.active]
        if gone:
            conn.execute(update(SOURCES).where(SOURCES.c.id.in_(gone)).values(active=False))
    return active_sources(store)


def active_sources(store: Store) -> list[SourceState]:
    stmt = select(SOURCES).where(SOURCES.c.active.is_(True)).order_by(SOURCES.c.id)
    with store.reading() as conn:
        return [_source(row) for row in conn.execute(stmt)]


def record_poll(
    store: Store,
    source_id: int,
    *,
    at: datetime,
    next_poll_at: datetime,
    status: int | None,
    error: str | None = None,
    kind: str | None = None,
    title: str | None = None,
    etag: str | None = None,
    last_modified: str | None = None,
    validators: bool = False,
) -> None:
    """Note one poll: its outcome, when the next is due and (with `validators`) the
    ETag/Last-Modified to send next time."""
    values: dict[str, Any] = {
        "last_poll_at": at,
        "next_poll_at": next_poll_at,
        "polls": SOURCES.c.polls + 1,
        "last_error": error,
    }
    if status is not None:
        values["last_status"] = status
    if error is None:
        values.update(last_success_at=at, consecutive_errors=0)
    else:
        values.update(errors=SOURCES.c.errors + 1, consecutive_errors=SOURCES.c.consecutive_errors + 1)
    if kind is not None:
        values["kind"] = kind
    if title:
        values["title"] = title
    if validators:
        values.update(etag=etag, last_modified=last_modified)
    with store.writing() as conn:
        conn.execute(update(SOURCES).where(SOURCES.c.id == source_id).values(values))


def items(store: Store, source_id: int, keys: Iterable[str]) -> dict[str, ItemState]:
    """The known items of a source among `keys`, by key."""
    wanted = list(dict.fromkeys(keys))
    found: dict[str, ItemState] = {}
    with store.reading() as conn:
        for i in range(0, len(wanted), 500):  # stay under bound-parameter limits
            stmt = select(ITEMS).where(ITEMS.c.source_id == source_id, ITEMS.c.key.in_(wanted[i : i + 500]))
            found.update((row.key, _item(row)) for row in conn.execute(stmt))
    return found


def unfinished_items(store: Store, source_id: int, max_attempts: int) -> list[ItemState]:
    """Items to try again: failed fewer than `max_attempts` times, or left pending by a
    watcher that stopped mid-poll."""
    stmt = (
        select(ITEMS)
        .where(
            ITEMS.c.source_id == source_id,
            ((ITEMS.c.status == "failed") & (ITEMS.c.attempts < max_attempts)) | (ITEMS.c.status == "pending"),
        )
        .order_by(ITEMS.c.id)
    )
    with store.reading() as conn:
        return [_item(row) for row in conn.execute(stmt)]


def save_item(store: Store, source_id: int, key: str, **values: Any) -> None:
    """Insert or update the item `key` of a source (values are column names)."""
    now = utcnow()
    with store.writing() as conn:
        found = conn.execute(
            select(ITEMS.c.id).where(ITEMS.c.source_id == source_id, ITEMS.c.key == key)
        ).scalar_one_or_none()
        if found is None:
            defaults = {"status": "pending", "attempts": 0}
            conn.execute(
                insert(ITEMS).values(
                    {**defaults, **values, "source_id": source_id, "key": key, "first_seen_at": now, "updated_at": now}
                )
            )
        else:
            conn.execute(update(ITEMS).where(ITEMS.c.id == found).values({**values, "updated_at": now}))


def stored_copy(store: Store, sha256: str, text_sha256: str | None) -> str | None:
    """The id of a stored document with these bytes, or whose text an earlier item had
    (the same report under another URL), else None."""
    with store.reading() as conn:
        found = conn.execute(select(DOCS.c.id).where(DOCS.c.sha256 == sha256).limit(1)).scalar_one_or_none()
        if found is None and text_sha256:
            found = conn.execute(
                select(DOCS.c.id)
                .join(ITEMS, ITEMS.c.doc_id == DOCS.c.id)
                .where(ITEMS.c.text_sha256 == text_sha256)
                .limit(1)
            ).scalar_one_or_none()
    return found


def page_starts(store: Store, doc_ids: Iterable[str] | None = None) -> dict[str, list[int]]:
    """{document id: page start offsets} of stored PDFs (all, or those among `doc_ids`)."""
    stmt = select(DOCS.c.id, DOCS.c.pages).where(DOCS.c.pages.is_not(None))
    found: dict[str, list[int]] = {}
    with store.reading() as conn:
        if doc_ids is None:
            found.update((i, p) for i, p in conn.execute(stmt) if isinstance(p, list))
            return found
        wanted = list(dict.fromkeys(doc_ids))
        for i in range(0, len(wanted), 500):
            rows = conn.execute(stmt.where(DOCS.c.id.in_(wanted[i : i + 500])))
            found.update((d, p) for d, p in rows if isinstance(p, list))
    return found


def health(store: Store) -> list[dict[str, Any]]:
    """Every source with its polling state and item tallies (JSON-ready values)."""
    tallies: dict[int, dict[str, int]] = {}
    newest: dict[int, datetime] = {}
    with store.reading() as conn:
        counted = select(ITEMS.c.source_id, ITEMS.c.status, func.count()).group_by(ITEMS.c.source_id, ITEMS.c.status)
        for source_id, status, n in conn.execute(counted):
            tallies.setdefault(source_id, {})[status] = n
        latest = (
            select(ITEMS.c.source_id, func.max(ITEMS.c.first_seen_at))
            .where(ITEMS.c.status == "ingested")
            .group_by(ITEMS.c.source_id)
        )
        newest = {source_id: aware(at) for source_id, at in conn.execute(latest) if at is not None}
        rows = conn.execute(select(SOURCES).order_by(SOURCES.c.active.desc(), SOURCES.c.id)).all()
    out = []
    for row in rows:
        t = tallies.get(row.id, {})
        record = {c.name: getattr(row, c.name) for c in SOURCES.c if c.name not in ("etag", "last_modified")}
        for moment in ("added_at", "last_poll_at", "last_success_at", "next_poll_at"):
            record[moment] = _iso(aware(record[moment]))
        record.update(
            items_seen=sum(t.values()),
            items_ingested=t.get("ingested", 0),
            items_duplicate=t.get("duplicate", 0),
            items_failed=t.get("failed", 0),
            items_pending=t.get("pending", 0),
            newest_item_at=_iso(newest.get(row.id)),
            healthy=bool(row.active and row.polls and row.consecutive_errors == 0),
        )
        out.append(record)
    return out


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None
