"""Keeping the search index up to date while serving: a thread per server process indexes
the reports stored since (`read.search.index_pending`) whenever the store has changed.

Searches are right before a report is indexed too (they read it directly), only slower;
so this runs beside the requests, never in one. A store migrated to the index (0014)
gets all its reports indexed here, a batch at a time, after the server starts.
"""

from __future__ import annotations

import logging
import threading

from childwatch.errors import ChildwatchError
from childwatch.read.search import index_pending
from childwatch.store import Store
from childwatch.store.generation import Generation

__all__ = ["SearchIndexer"]

log = logging.getLogger(__name__)


class SearchIndexer:
    """`start()` a daemon thread that looks for reports to index every `interval` seconds
    (a cheap check of the store's change token), `stop()` it."""

    def __init__(self, store: Store, generation: Generation, *, interval: float = 1.0) -> None:
        self.store = store
        self.generation = generation
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="childwatch-search-index", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=30)

    def _run(self) -> None:
        seen: str | None = None
        while not self._stop.is_set():
            try:
                token = self.generation.current()
                if token is None or token != seen:
                    while index_pending(self.store) and not self._stop.is_set():
                        pass
                    seen = token
            except ChildwatchError as exc:  # the store busy or unreachable: try again later
                log.warning("search index not updated: %s", exc)
            self._stop.wait(self.interval)
