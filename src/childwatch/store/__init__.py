"""The store: documents, claims and pipeline runs in SQLite or PostgreSQL.

    from childwatch.store import open_store

    with open_store("reports.sqlite") as store:          # or "postgresql+psycopg://..."
        result = store.write_batch([(doc, claims), ...])  # one transaction per batch
        for stored in store.iter_claims(violation="abduction"):
            print(stored.id, stored.claim.evidence.text)

Opening migrates the schema to the newest revision. Stored documents are evidence and
are never overwritten: a document whose id is stored with other content is refused
(`InputError`), one stored with the same content is skipped.
"""

from childwatch.store.database import Store, open_store
from childwatch.store.models.rows import BatchResult, IngestErrorRecord, RunCounts, RunRecord, StoreCounts, StoredClaim

__all__ = [
    "BatchResult",
    "IngestErrorRecord",
    "RunCounts",
    "RunRecord",
    "Store",
    "StoreCounts",
    "StoredClaim",
    "open_store",
]
