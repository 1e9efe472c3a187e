"""Watching: poll feeds and pages on their own intervals and take in what is new.

    from childwatch.run.watch import read_sources_file, watch
    from childwatch.read.watched import sources_health

    with open_store("monitor.sqlite") as store:
        watch(store, read_sources_file("sources.txt"), once=True)   # poll everything once
        for row in sources_health(store):                           # per-source health
            print(row["url"], row["last_status"], row["items_ingested"], row["errors"])

State lives in the database (tables `sources` and `source_items`, see
`childwatch.store.watched`), so a watcher can be stopped and started again at any time
without storing anything twice.
"""

from __future__ import annotations

import contextlib
import sys
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from childwatch.ingest.fetch import Fetcher
from childwatch.run.watch.poll import DEFAULT_INTERVAL, MAX_ERROR_WAIT, Poller, PollResult, WatchSettings
from childwatch.run.watch.sourcelist import SourceSpec, parse_interval, read_sources_file
from childwatch.store import Store
from childwatch.store import watched as db
from childwatch.store.models import utcnow

__all__ = [
    "DEFAULT_INTERVAL",
    "PollResult",
    "SourceSpec",
    "WatchSettings",
    "WatchSummary",
    "parse_interval",
    "read_sources_file",
    "watch",
]

# Longest sleep between two looks at the schedule, so a changed clock or a stop request
# is noticed soon.
MAX_SLEEP = 60.0


@dataclass(slots=True)
class WatchSummary:
    polls: int = 0
    failed_polls: int = 0
    new: int = 0
    claims: int = 0
    duplicates: int = 0
    failed_items: int = 0
    problems: list[str] = field(default_factory=list)

    def add(self, result: PollResult) -> None:
        self.polls += 1
        self.failed_polls += result.error is not None
        self.new += result.new
        self.claims += result.claims
        self.duplicates += result.duplicates
        self.failed_items += result.failed
        if result.error:
            self.problems.append(f"{result.url}: {result.error}")
        self.problems.extend(result.problems)


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def watch(
    store: Store,
    sources: Sequence[SourceSpec],
    settings: WatchSettings | None = None,
    *,
    once: bool = False,
    log: Callable[[str], None] = _stderr,
    stop: threading.Event | None = None,
    fetcher: Fetcher | None = None,
) -> WatchSummary:
    """Poll `sources` until `stop` is set (or, with `once`, poll each once and return).

    The sources in the database become exactly `sources` (others are kept, inactive).
    Each poll writes one line to `log`.
    """
    settings = settings or WatchSettings()
    stop = stop or threading.Event()
    summary = WatchSummary()
    db.sync_sources(store, [(s.url, s.interval or settings.default_interval) for s in sources])
    own = fetcher is None
    fetcher = fetcher or Fetcher(settings.fetch)
    poller = Poller(store, fetcher, settings)
    held: dict[int, datetime] = {}
    try:
        while not stop.is_set():
            now = utcnow()
            active = db.active_sources(store)
            due = [
                s
                for s in active
                if once or ((s.next_poll_at is None or s.next_poll_at <= now) and held.get(s.id, now) <= now)
            ]
            for source in due:
                if stop.is_set():
                    break
                result, crashed = _poll(poller, store, source)
                if crashed:  # not polled again before its interval, whatever the database says
                    held[source.id] = utcnow() + timedelta(seconds=source.interval)
                summary.add(result)
                log(result.line())
            if once:
                break
            upcoming = [s.next_poll_at for s in db.active_sources(store) if s.next_poll_at is not None]
            wait = (min(upcoming) - utcnow()).total_seconds() if upcoming else MAX_SLEEP
            stop.wait(min(max(wait, 0.2), MAX_SLEEP))
    finally:
        if own:
            fetcher.close()
    return summary


def _poll(poller: Poller, store: Store, source: db.SourceState) -> tuple[PollResult, bool]:
    """The poll's result, and whether it crashed (then the database may not know of it)."""
    try:
        return poller.poll(source), False
    # A watcher runs unattended for weeks: one source's unexpected failure (a database
    # hiccup, a bug on an odd page) is recorded against that source, never fatal.
    except Exception as exc:
        result = PollResult(source.url, utcnow(), error=f"{type(exc).__name__}: {exc}")
        wait = timedelta(seconds=min(source.interval * 2, MAX_ERROR_WAIT))
        with contextlib.suppress(Exception):  # the database itself failing: the log line says why
            db.record_poll(store, source.id, at=result.at, next_poll_at=result.at + wait, status=None, error=str(exc))
        return result, True
