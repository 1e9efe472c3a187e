"""The runner: ingest → extract → store, in batches, with one error policy.

Bad inputs are recorded (in the run's error list and on the progress stream) and skipped;
the batch goes on. Documents already stored with the same content are skipped before
extraction, so re-running over the same folder is a cheap no-op.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from childwatch.codebook.languages import supported_languages
from childwatch.errors import InputError
from childwatch.extract import Extractor, reads_language
from childwatch.ingest import read_path
from childwatch.ingest.language import language_name, primary
from childwatch.records import Claim, Document
from childwatch.run.progress import Progress
from childwatch.run.workers import Executor, LocalExecutor, Pending
from childwatch.store import RunCounts, Store
from childwatch.version import __version__

__all__ = ["BATCH_SIZE", "Progress", "RunSummary", "run_documents", "run_pipeline"]

BATCH_SIZE = 200


@dataclass(slots=True)
class RunSummary:
    run_id: int
    counts: RunCounts
    seconds: float
    errors: list[str] = field(default_factory=list)

    def notes(self) -> list[str]:
        """Lines for the person running it about reports stored but not extracted."""
        read = ["English", *sorted(language_name(code) for code in supported_languages())]
        reads = ", ".join(read[:-1]) + f" and {read[-1]}" if len(read) > 1 else read[0]
        return [
            f"{n} report{'s' if n != 1 else ''} in {language_name(code)}: stored, not extracted "
            f"(childwatch reads {reads})"
            for code, n in sorted(self.counts.not_extracted.items(), key=lambda kv: (-kv[1], kv[0]))
        ]


def run_pipeline(
    paths: Sequence[Path | str],
    store: Store,
    *,
    extractor: Extractor | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    executor: Executor | None = None,
) -> RunSummary:
    """Ingest every document under `paths`, extract its claims and store both.

    Extraction runs on `executor` (this process by default; see `childwatch.run.workers` for
    a process pool or a Dask cluster) while this process goes on reading: a few batches
    are in flight at once, and they are written in input order, one transaction each, so
    the store ends up the same whatever runs the extraction. Memory stays bounded by the
    batches in flight, whatever the size of the input.

    An interrupted run loses at most the batches not yet written; running again skips
    the documents already stored (same id and content) and carries on.
    """
    return run_documents(
        read_path(*paths), store, extractor=extractor, progress=progress, batch_size=batch_size, executor=executor
    )


def run_documents(
    items: Iterable[Document | InputError],
    store: Store,
    *,
    extractor: Extractor | None = None,
    progress: Progress | None = None,
    batch_size: int = BATCH_SIZE,
    executor: Executor | None = None,
) -> RunSummary:
    """`run_pipeline` over documents already read (or errors to record), e.g. fetched ones."""
    if batch_size < 1:
        raise ValueError(f"batch_size must be positive, not {batch_size}")
    started = time.monotonic()
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

    def write(batch: _Batch) -> None:
        for problem in batch.problems:
            fail(problem.where, str(problem), "input")
        counts.docs_skipped += batch.known
        outcomes = batch.pending.result() if batch.pending is not None else []
        todo: list[tuple[Document, list[Claim]]] = []
        for doc, outcome in zip(batch.docs, outcomes, strict=True):
            if outcome.error is not None:
                fail(doc.origin, f"{doc.origin}: extraction failed ({outcome.error}); "
                     "the document is stored without claims", "extract")  # fmt: skip
            doc.child_names = outcome.child_names
            doc.language = outcome.language or doc.language
            todo.append((doc, outcome.claims))
        result = store.write_batch(todo, extractor_version=__version__)
        counts.docs_new += len(result.new)
        counts.docs_skipped += len(result.unchanged)
        counts.claims += result.claims
        new = set(result.new)
        for doc, _ in todo:
            if doc.id in new and not reads_language(doc.language):
                code = primary(doc.language) or "?"
                counts.not_extracted[code] = counts.not_extracted.get(code, 0) + 1
        for conflict in result.conflicts:
            fail(conflict.where, str(conflict), "conflict")
        if progress:
            progress.update(counts)

    own = executor is None
    runner = executor if executor is not None else LocalExecutor(extractor)
    # Enough batches in flight to keep every worker busy while one is being written.
    in_flight: deque[_Batch] = deque()
    limit = 1 if isinstance(runner, LocalExecutor) else 2
    try:
        for chunk in _batches(items, batch_size):
            counts.docs_read += len(chunk)
            batch = _triage(chunk, store)
            if batch.docs:
                batch.pending = runner.submit(batch.docs)
            in_flight.append(batch)
            while len(in_flight) > limit:
                write(in_flight.popleft())
        while in_flight:
            write(in_flight.popleft())
    finally:
        if own:
            runner.close()
    store.finish_run(run_id, counts)
    if progress:
        progress.update(counts, force=True)
    return RunSummary(run_id, counts, time.monotonic() - started, errors)


@dataclass(slots=True)
class _Batch:
    """One batch between reading and writing: what to extract, and what was set aside."""

    docs: list[Document] = field(default_factory=list)
    problems: list[InputError] = field(default_factory=list)
    known: int = 0  # documents already stored (or repeated in the batch) unchanged
    pending: Pending | None = None


def _triage(items: list[Document | InputError], store: Store) -> _Batch:
    batch = _Batch()
    docs = [item for item in items if isinstance(item, Document)]
    batch.problems = [item for item in items if isinstance(item, InputError)]
    stored = store.document_hashes([d.id for d in docs])
    seen_here: dict[str, str] = {}
    for doc in docs:
        if stored.get(doc.id) == doc.sha256 or seen_here.get(doc.id) == doc.sha256:
            batch.known += 1
            continue
        seen_here[doc.id] = doc.sha256
        batch.docs.append(doc)
    return batch


def _batches(items: Iterable[Document | InputError], size: int) -> Iterable[list[Document | InputError]]:
    batch: list[Document | InputError] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
