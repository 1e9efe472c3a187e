"""The store's side of near-duplicate documents (`resolve.near_dupes`): each document's
signature and distinctive names, its LSH band keys staged in signing order, the candidate
copies found set-wise among them, and the keys filed into the band index.

Rows are written in key order where they land in an index (documents by id, band keys by
key): in key order each page is written once per transaction rather than once per row.
Band keys, 20 a document, are written through the driver (`store.bulk`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Any, cast

from sqlalchemy import Table, bindparam, delete, func, insert, select, update

from childwatch.store import bulk
from childwatch.store.database import DOCS, Store
from childwatch.store.models import DocBandRow, StagedBandRow

BANDS = cast(Table, DocBandRow.__table__)
STAGED = cast(Table, StagedBandRow.__table__)
_IN = 500  # ids per IN (...) list: under every backend's bound-parameter limit

# A staged document is compared with the first this many staged documents sharing each
# of its band keys, not with all of them: a wire story reprinted by k outlets would
# otherwise cost k² comparisons, and its copies join the group of the first ones anyway.
FIRST_SHARING = 10


def _chunks(items: Sequence[Any], size: int = _IN) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def unsigned_documents(store: Store) -> list[str]:
    """Ids of the documents not yet signed, oldest publication first (one scan, ids only)."""
    stmt = (
        select(DOCS.c.id)
        .where(DOCS.c.minhash.is_(None))
        .order_by(DOCS.c.published.is_(None), DOCS.c.published, DOCS.c.id)
    )
    with store.reading() as conn:
        return list(conn.execute(stmt).scalars())


def document_texts(store: Store, doc_ids: Sequence[str]) -> list[tuple[str, str]]:
    """(id, text) of these documents, in the order given."""
    with store.reading() as conn:
        texts = dict(conn.execute(select(DOCS.c.id, DOCS.c.text).where(DOCS.c.id.in_(doc_ids))).all())
    return [(doc_id, texts[doc_id]) for doc_id in doc_ids if doc_id in texts]


def signatures(store: Store, doc_ids: Iterable[str]) -> dict[str, tuple[bytes, str | None]]:
    """{id: (signature, near_dup_of)} of stored, signed documents."""
    found: dict[str, tuple[bytes, str | None]] = {}
    with store.reading() as conn:
        for chunk in _chunks(sorted(set(doc_ids))):
            stmt = select(DOCS.c.id, DOCS.c.minhash, DOCS.c.near_dup_of).where(DOCS.c.id.in_(chunk))
            for r in conn.execute(stmt):
                if r.minhash:
                    found[r.id] = (bytes(r.minhash), r.near_dup_of)
    return found


def save_signatures(store: Store, signed: Sequence[tuple[str, bytes | None, list[int], list[str]]]) -> None:
    """Store (id, signature, band keys, names) for each document, in one transaction: the
    signature and names in its row (in key order), the keys appended to the staged ones in
    the order given (the order of arrival that `staged_candidates` reads back)."""
    with store.writing() as conn:
        rows = sorted(signed, key=lambda row: row[0])
        bulk.update_rows(conn, DOCS, ("minhash", "names"), "id", ((sig or b"", names, d) for d, sig, _, names in rows))
        bands = ((k, doc_id) for doc_id, _, keys, _ in signed for k in keys)
        bulk.insert_rows(conn, STAGED, ("band", "doc_id"), bands)


def staged_candidates(store: Store) -> tuple[list[tuple[str, str]], dict[str, int]]:
    """The staged documents' candidate copies, found set-wise rather than key by key:
    (candidate, staged document) for each band key a staged document shares with the band
    index or with one of the first FIRST_SHARING staged documents before it; and the order of arrival of the staged
    documents among them ({id: rank}). Two scans of the staged keys, whatever their number
    (the staged table has no index: appending to it must stay cheap)."""
    shared = select(STAGED.c.band).group_by(STAGED.c.band).having(func.count() > 1)
    within = (
        select(STAGED.c.band, STAGED.c.doc_id, STAGED.c.seq)
        .where(STAGED.c.band.in_(shared))
        .order_by(STAGED.c.band, STAGED.c.seq)
    )
    stored = select(BANDS.c.doc_id, STAGED.c.doc_id, STAGED.c.seq).join(BANDS, BANDS.c.band == STAGED.c.band)
    pairs: list[tuple[str, str]] = []
    # A document's keys are staged together, so any one of their places ranks it.
    arrival: dict[str, int] = {}
    with store.reading() as conn:
        band: int | None = None
        earlier: list[str] = []
        for key, doc_id, seq in conn.execute(within):
            if key != band:
                band, earlier = key, []
            pairs.extend((e, doc_id) for e in earlier)
            if len(earlier) < FIRST_SHARING:
                earlier.append(doc_id)
            arrival.setdefault(doc_id, seq)
        for candidate, doc_id, seq in conn.execute(stored):
            pairs.append((candidate, doc_id))
            arrival.setdefault(doc_id, seq)
    return pairs, arrival


def file_staged_bands(store: Store, copies: Sequence[tuple[str, str, float]]) -> None:
    """Record each (copy, original, similarity), and move the staged band keys into the
    band index sorted by key, all in one transaction: in key order the index's pages are
    each written once, where keys inserted in arrival order land all over it."""
    link = (
        update(DOCS)
        .where(DOCS.c.id == bindparam("b_id"))
        .values(near_dup_of=bindparam("b_original"), near_dup_similarity=bindparam("b_similarity"))
    )
    # By band alone: sorting by an integer is many times faster than by (integer, text) in
    # SQLite (4.5 s against 74 s for 15M keys), and equal bands are rare (copies).
    staged = select(STAGED.c.band, STAGED.c.doc_id).order_by(STAGED.c.band)
    # Unchecked: each staged key's document was checked when it was staged, and a staged
    # key keeps its document from being deleted.
    with store.writing(checked=False) as conn:
        for batch in _chunks(sorted(copies), bulk.BATCH):
            conn.execute(link, [{"b_id": d, "b_original": o, "b_similarity": sim} for d, o, sim in batch])
        conn.execute(insert(BANDS).from_select(["band", "doc_id"], staged))
        conn.execute(delete(STAGED))

