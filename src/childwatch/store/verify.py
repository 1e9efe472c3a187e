"""Re-checking stored evidence: `verify_store` re-hashes every stored original and checks
that every claim's evidence (and each field's span) still quotes its document's text.

    report = verify_store(store)
    if not report.ok:
        for problem in report.problems:
            print(problem.line())

Migration 0006 makes the database refuse to change a stored original, but whoever owns
the database can drop a trigger, restore an old file or edit the disk; this is how such
a change is found. Documents are read in id order, a chunk at a time, so memory stays
bounded however large the store.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select

from childwatch.store import Store
from childwatch.store.database import CLAIMS, DOCS

__all__ = ["HASH_ALGORITHM", "Problem", "VerifyReport", "verify_store"]

# What `childwatch.ingest` hashes every original with (Document.sha256).
HASH_ALGORITHM = "sha256"
CHUNK = 25  # documents per query: originals can be megabytes each (PDFs)
PROGRESS_EVERY_S = 2.0


@dataclass(frozen=True, slots=True)
class Problem:
    """One integrity failure. `kind` is "hash" (the original's bytes no longer give the
    stored hash), "capture" (the hash recorded at capture differs from the stored one)
    or "evidence" (a claim's quoted text is not at its offsets in the document)."""

    kind: str
    doc_id: str
    source: str  # the document's URL, else where it was read from
    detail: str
    claim_id: int | None = None

    def line(self) -> str:
        claim = f" claim {self.claim_id}" if self.claim_id is not None else ""
        return f"{self.kind} mismatch: document {self.doc_id!r}{claim} ({self.source}): {self.detail}"


@dataclass(slots=True)
class VerifyReport:
    database: str
    algorithm: str = HASH_ALGORITHM
    documents: int = 0
    bytes: int = 0
    claims: int = 0
    spans: int = 0
    seconds: float = 0.0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def count(self, kind: str) -> int:
        return sum(1 for p in self.problems if p.kind == kind)

    def summary(self) -> str:
        verdict = "OK" if self.ok else f"{len(self.problems)} PROBLEM(S)"
        return (
            f"verify {self.database}: {verdict}: {self.documents:,} documents ({self.bytes:,} bytes) re-hashed "
            f"with {self.algorithm}, {self.count('hash')} hash mismatch(es), {self.count('capture')} capture "
            f"record mismatch(es); {self.claims:,} claims and {self.spans:,} spans checked against their "
            f"documents' text, {self.count('evidence')} mismatch(es) ({self.seconds:.1f}s)"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "database": self.database,
            "ok": self.ok,
            "algorithm": self.algorithm,
            "documents": self.documents,
            "bytes": self.bytes,
            "claims": self.claims,
            "spans": self.spans,
            "seconds": round(self.seconds, 3),
            "mismatches": {kind: self.count(kind) for kind in ("hash", "capture", "evidence")},
            "problems": [asdict(p) for p in self.problems],
        }


def verify_store(store: Store, *, progress: Callable[[str], None] | None = None) -> VerifyReport:
    """Re-hash every stored original and check every claim's offsets; never raises for
    a mismatch (each is a Problem in the report), only StoreError if the store can't be read."""
    report = VerifyReport(store.name)
    started = time.monotonic()
    shown = started
    with store.reading() as conn:
        total = int(conn.execute(select(func.count()).select_from(DOCS)).scalar_one())
        for docs in _document_chunks(conn):
            texts: dict[str, tuple[str, str]] = {}
            for row in docs:
                _check_document(row, report)
                texts[row.id] = (row.text, row.url or row.origin)
            _check_claims(conn, texts, report)
            now = time.monotonic()
            if progress is not None and now - shown >= PROGRESS_EVERY_S:
                shown = now
                share = 100 * report.documents // total if total else 100
                progress(f"verify: {report.documents:,} of {total:,} documents ({share}%), "
                         f"{len(report.problems)} problem(s) so far")  # fmt: skip
    report.seconds = time.monotonic() - started
    return report


def _document_chunks(conn: Connection) -> Iterator[list[Any]]:
    """Documents in id order, CHUNK at a time (keyset paging: each query starts where
    the last ended, so a large store is never read in one result)."""
    columns = (DOCS.c.id, DOCS.c.sha256, DOCS.c.raw, DOCS.c.text, DOCS.c.url, DOCS.c.origin, DOCS.c.metadata)
    last: str | None = None
    while True:
        stmt = select(*columns).order_by(DOCS.c.id).limit(CHUNK)
        if last is not None:
            stmt = stmt.where(DOCS.c.id > last)
        rows = list(conn.execute(stmt))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def _check_document(row: Any, report: VerifyReport) -> None:
    raw = bytes(row.raw)
    report.documents += 1
    report.bytes += len(raw)
    source = row.url or row.origin
    actual = hashlib.new(HASH_ALGORITHM, raw).hexdigest()
    if actual != row.sha256:
        detail = f"stored {HASH_ALGORITHM} {row.sha256}, the stored original ({len(raw):,} bytes) hashes to {actual}"
        report.problems.append(Problem("hash", row.id, source, detail))
    capture = (row.metadata or {}).get("capture") if isinstance(row.metadata, dict) else None
    recorded = capture.get("sha256") if isinstance(capture, dict) else None
    if isinstance(recorded, str) and recorded != row.sha256:
        detail = f"hash recorded at capture {recorded}, stored hash {row.sha256}"
        report.problems.append(Problem("capture", row.id, source, detail))


def _check_claims(conn: Connection, texts: dict[str, tuple[str, str]], report: VerifyReport) -> None:
    stmt = (
        select(CLAIMS.c.id, CLAIMS.c.doc_id, CLAIMS.c.evidence_start, CLAIMS.c.evidence_end,
               CLAIMS.c.evidence_text, CLAIMS.c.spans)
        .where(CLAIMS.c.doc_id.in_(list(texts)))
        .order_by(CLAIMS.c.id)
    )  # fmt: skip
    for row in conn.execute(stmt):
        text, source = texts[row.doc_id]
        report.claims += 1
        if text[row.evidence_start : row.evidence_end] != row.evidence_text:
            detail = (f"evidence [{row.evidence_start}:{row.evidence_end}] should quote "
                      f"{_short(row.evidence_text)} but the text there is "
                      f"{_short(text[row.evidence_start:row.evidence_end])}")  # fmt: skip
            report.problems.append(Problem("evidence", row.doc_id, source, detail, row.id))
        for name, start, end, quoted in _spans(row.spans):
            report.spans += 1
            if text[start:end] != quoted:
                detail = f"span {name} [{start}:{end}] should quote {_short(quoted)}, finds {_short(text[start:end])}"
                report.problems.append(Problem("evidence", row.doc_id, source, detail, row.id))


def _spans(spans: Any) -> Iterator[tuple[str, int, int, str]]:
    """(field, start, end, text) of each span in `claims.spans` (see store.models)."""
    if not isinstance(spans, dict):
        return
    for name, value in spans.items():
        for span in value if name == "mentions" else [value]:
            if isinstance(span, list) and len(span) == 3:
                start, end, quoted = span
                yield name, int(start), int(end), str(quoted)


def _short(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
