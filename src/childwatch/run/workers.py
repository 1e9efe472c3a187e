"""Where extraction runs: in this process, in a local process pool, or on a Dask cluster.

Extraction is pure (a document in, its claims out), so the same function,
`extract_documents`, runs anywhere; reading the inputs and writing to the store stay in
the calling process, which keeps writes batched, ordered and in one place. An `Executor`
takes a batch of documents and hands back a `Pending` whose `result()` is one `Outcome`
per document, in order:

    with executor_for(workers=2) as executor:
        pending = executor.submit(docs)      # starts at once, returns at once
        ...                                  # read and submit the next batch meanwhile
        outcomes = pending.result()

Workers build their own `Extractor` once (per process, or per thread on a Dask worker),
so codebooks and gazetteer connections never cross process boundaries.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import socket
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field, replace
from multiprocessing.connection import wait
from typing import Any

from childwatch.errors import ChildwatchError
from childwatch.extract import Extractor, freeze_loaded, reads_language
from childwatch.extract.names import document_child_names, without_child_names
from childwatch.ingest.language import detect_language
from childwatch.records import Claim, Document

__all__ = [
    "DaskExecutor",
    "Executor",
    "LocalExecutor",
    "Outcome",
    "Pending",
    "ProcessExecutor",
    "executor_for",
    "extract_documents",
]

# A task smaller than this costs more in pickling and scheduling than it saves.
MIN_CHUNK = 8


@dataclass(slots=True)
class Outcome:
    """What extraction made of one document: its claims, or why it failed."""

    claims: list[Claim] = field(default_factory=list)
    error: str | None = None  # "TypeName: message" when the extractor raised
    child_names: list[str] = field(default_factory=list)  # protect.document_child_names
    language: str | None = None  # the input's own, else detected (ingest.language)


_local = threading.local()


def _extractor() -> Extractor:
    # One per thread: a Dask worker runs several tasks at once in threads, and an
    # Extractor holds a gazetteer connection that is best not shared.
    extractor: Extractor | None = getattr(_local, "extractor", None)
    if extractor is None:
        extractor = _local.extractor = Extractor()
    return extractor


def _warm_up() -> None:
    _exit_with_parent()
    _extractor()
    freeze_loaded()  # a pool worker lives to extract: what it has loaded stays (extract.freeze_loaded)


def _exit_with_parent() -> None:
    """A pool worker whose parent was killed (kill -9 leaves it no time to stop the pool)
    would wait for work forever, holding both ends of the call queue: end it with the parent."""
    parent = multiprocessing.parent_process()
    if parent is None:
        return

    def watch() -> None:
        wait([parent.sentinel])
        os._exit(1)

    threading.Thread(target=watch, name="childwatch-parent", daemon=True).start()


def extract_one(extractor: Extractor, doc: Document) -> Outcome:
    """The document's claims, its children's names and its language, found here so that
    the cost is spread over the workers; a claim field that is a child's name is dropped.
    A report in a language extraction does not read (`extract.reads_language`) gets no claims."""
    names = document_child_names(doc.text, doc.title, doc.metadata)
    language = doc.language or detect_language(doc.text, doc.title)
    if not reads_language(language):
        return Outcome([], None, names, language)
    try:
        claims = extractor.extract(doc if doc.language == language else replace(doc, language=language))
    except Exception as exc:  # one document must never sink the batch; the error is kept
        return Outcome([], f"{type(exc).__name__}: {exc}", names, language)
    return Outcome([without_child_names(c, names) for c in claims] if names else claims, None, names, language)


def extract_documents(docs: Sequence[Document]) -> list[Outcome]:
    """The pure stage, as shipped to workers: each document's claims, in order."""
    extractor = _extractor()
    return [extract_one(extractor, doc) for doc in docs]


def _for_transfer(doc: Document) -> Document:
    # The extractor reads the text and fields, never the original bytes: don't ship them.
    return replace(doc, raw=b"")


def _chunks(docs: Sequence[Document], parts: int) -> list[list[Document]]:
    parts = max(1, min(parts, len(docs) // MIN_CHUNK or 1))
    size = math.ceil(len(docs) / parts)
    return [[_for_transfer(d) for d in docs[i : i + size]] for i in range(0, len(docs), size)]


class Pending:
    """A batch being extracted; `result()` waits for it."""

    def __init__(self, parts: Sequence[Any], gather: Callable[[Sequence[Any]], list[list[Outcome]]]) -> None:
        self._parts = parts
        self._gather = gather

    def result(self) -> list[Outcome]:
        return [outcome for part in self._gather(self._parts) for outcome in part]


class Executor:
    """Runs `extract_documents` over batches somewhere. Subclass it for another runner.

    Example::

        class ThreadExecutor(Executor):
            def submit(self, docs):
                future = self.pool.submit(extract_documents, docs)
                return Pending([future], lambda fs: [f.result() for f in fs])

    `parallelism` says how many batches are worth keeping in flight.
    """

    parallelism: int = 1

    def submit(self, docs: Sequence[Document]) -> Pending:
        raise NotImplementedError

    def close(self) -> None:
        """Release the workers (the default has none)."""

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class LocalExecutor(Executor):
    """In this process, one document after another: today's behaviour, `--workers 1`."""

    def __init__(self, extractor: Extractor | None = None) -> None:
        self.extractor = extractor or Extractor()

    def submit(self, docs: Sequence[Document]) -> Pending:
        done = [extract_one(self.extractor, doc) for doc in docs]
        return Pending([done], lambda parts: list(parts))


class ProcessExecutor(Executor):
    """A pool of `workers` local processes (`--workers N`)."""

    def __init__(self, workers: int) -> None:
        if workers < 1:
            raise ChildwatchError(f"--workers must be 1 or more, not {workers}")
        self.parallelism = workers
        # "spawn", not fork: the parent holds database connections and may have threads
        # (progress counting), neither of which a forked child should inherit.
        self.pool = ProcessPoolExecutor(
            max_workers=workers, mp_context=multiprocessing.get_context("spawn"), initializer=_warm_up
        )

    def submit(self, docs: Sequence[Document]) -> Pending:
        futures = [self.pool.submit(extract_documents, chunk) for chunk in _chunks(docs, self.parallelism)]
        return Pending(futures, _results)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def _results(futures: Sequence[Future[list[Outcome]]]) -> list[list[Outcome]]:
    try:
        return [f.result() for f in futures]
    except BrokenProcessPool as exc:
        raise ChildwatchError(
            "an extraction worker process died (out of memory?); what was stored before is intact, "
            "run again to continue"
        ) from exc


class DaskExecutor(Executor):
    """Extraction on the Dask cluster whose scheduler is at `address` (tcp://HOST:8786).

    Every worker needs childwatch installed (the same version, with its gazetteer built);
    the store is written from here, the client.
    """

    def __init__(self, address: str | Any, *, timeout: float = 10) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ChildwatchError(
                "--scheduler needs Dask's distributed package: pip install 'childwatch[dask]'"
            ) from None
        self.address = address if isinstance(address, str) else getattr(address, "scheduler_address", str(address))
        try:
            _check_reachable(self.address, timeout)
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ChildwatchError(
                f"cannot reach the Dask scheduler at {self.address} ({exc}); start one with "
                f"`dask scheduler` and workers with `dask worker {self.address}`"
            ) from exc
        threads = self.client.nthreads()
        if not threads:
            self.client.close()
            raise ChildwatchError(f"the Dask scheduler at {self.address} has no workers; start some with "
                                  f"`dask worker {self.address}`")  # fmt: skip
        self.parallelism = sum(threads.values())

    def submit(self, docs: Sequence[Document]) -> Pending:
        # pure=False: two equal chunks (re-runs) are still two tasks, never a cached result.
        futures = [self.client.submit(extract_documents, chunk, pure=False) for chunk in
                   _chunks(docs, self.parallelism)]  # fmt: skip
        return Pending(futures, self._gather)

    def _gather(self, futures: Sequence[Any]) -> list[list[Outcome]]:
        try:
            return list(self.client.gather(list(futures)))
        except (ModuleNotFoundError, ImportError) as exc:
            raise ChildwatchError(
                f"the Dask workers at {self.address} cannot run childwatch ({exc}); install the same "
                "childwatch on every worker"
            ) from exc

    def close(self) -> None:
        self.client.close()


def _check_reachable(address: str, timeout: float) -> None:
    """Fail at once on a refused tcp:// address (the Dask client would retry until timeout)."""
    if not address.startswith("tcp://"):
        return
    host, _, port = address[len("tcp://") :].rstrip("/").rpartition(":")
    if not port.isdigit():
        raise OSError(f"no port in {address!r}; write it as tcp://HOST:8786")
    with socket.create_connection((host.strip("[]") or "127.0.0.1", int(port)), timeout=timeout):
        pass


def executor_for(*, workers: int = 1, scheduler: str | None = None, extractor: Extractor | None = None) -> Executor:
    """The executor the command line asks for: Dask when `scheduler` is given, a process
    pool when `workers` > 1, else this process."""
    if scheduler:
        return DaskExecutor(scheduler)
    if workers < 1:
        raise ChildwatchError(f"--workers must be 1 or more, not {workers}")
    if workers == 1:
        return LocalExecutor(extractor)
    return ProcessExecutor(workers)
