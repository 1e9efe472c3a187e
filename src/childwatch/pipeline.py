"""The runner: ingest → extract → store, in batches, with one error policy.

Bad inputs are recorded (in the run's error list and on the progress stream) and skipped;
the batch goes on. Documents already stored with the same content are skipped before
extraction, so re-running over the same folder is a cheap no-op.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from childwatch import __version__
from childwatch.errors import InputError
from childwatch.extract import Extractor
from childwatch.ingest import read_path
from childwatch.records import Claim, Document
from childwatch.store import RunCounts, Store

BATCH_SIZE = 200


@dataclass(slots=True)
class RunSummary:
    run_id: int
    counts: RunCounts
    seconds: float
    errors: list[str] = field(default_factory=list)


class Progress:
    """One status line on a terminal (rewritten in place), periodic lines otherwise."""

    def __init__(self, stream: TextIO | None = None, every: int = 500) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty()
        self.every = every
        self.started = time.monotonic()
        self._last = 0

    def update(self, counts: RunCounts, force: bool = False) -> None:
        done = counts.docs_read
        if not force and not self.tty and done - self._last < self.every:
            return
        if not force and self.tty and done - self._last < 10:
            return
        self._last = done
        rate = done / max(1e-9, time.monotonic() - self.started)
        line = (
            f"{done} documents read, {counts.docs_new} new, {counts.docs_skipped} unchanged, "
            f"{counts.docs_failed} failed, {counts.claims} claims ({rate:.0f} docs/s)"
        )
        if self.tty:
            self.stream.write("\r" + line + ("\n" if force else ""))
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def error(self, message: str) -> None:
        self.stream.write(("\n" if self.tty else "") + f"skipped: {message}\n")
        self.stream.flush()


def run_pipeline(
    paths: Sequence[Path | str],
    store: Store,
    *,
    extractor: Extractor | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
) -> RunSummary:
    """Ingest every document under `paths`, extract its claims and store both."""
    started = time.monotonic()
    extractor = extractor or Extractor()
    counts = RunCounts()
    run_id = store.begin_run(extractor_version=__version__)
    errors: list[str] = []

    def fail(where: str, message: str, kind: str) -> None:
        counts.docs_failed += 1
        counts.errors[kind] = counts.errors.get(kind, 0) + 1
        errors.append(message)
        store.record_error(run_id, where, message)
        if progress:
            progress.error(message)

    for batch in _batches(read_path(*paths), batch_size):
        docs: list[Document] = []
        for item in batch:
            counts.docs_read += 1
            if isinstance(item, InputError):
                fail(item.where, str(item), "input")
            else:
                docs.append(item)
        stored = store.document_hashes([d.id for d in docs])
        todo: list[tuple[Document, list[Claim]]] = []
        seen_here: dict[str, str] = {}
        for doc in docs:
            if stored.get(doc.id) == doc.sha256 or seen_here.get(doc.id) == doc.sha256:
                counts.docs_skipped += 1
                continue
            seen_here[doc.id] = doc.sha256
            todo.append((doc, _extract(extractor, doc, fail)))
        result = store.write_batch(todo, extractor_version=__version__)
        counts.docs_new += len(result.new)
        counts.docs_skipped += len(result.unchanged)
        counts.claims += result.claims
        for conflict in result.conflicts:
            fail(conflict.where, str(conflict), "conflict")
        if progress:
            progress.update(counts)
    store.finish_run(run_id, counts)
    if progress:
        progress.update(counts, force=True)
    return RunSummary(run_id, counts, time.monotonic() - started, errors)


def _extract(extractor: Extractor, doc: Document, fail: Callable[[str, str, str], None]) -> list[Claim]:
    try:
        return extractor.extract(doc)
    except Exception as exc:  # one document must never sink the batch; the error is kept
        fail(
            doc.origin,
            f"{doc.origin}: extraction failed ({type(exc).__name__}: {exc}); the document is stored without claims",
            "extract",
        )
        return []


def _batches(items: Iterable[Document | InputError], size: int) -> Iterable[list[Document | InputError]]:
    batch: list[Document | InputError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
