"""Commands that run the pipeline over a store: run, resolve, watch, sources."""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

from childwatch.cli.progress import stderr as _stderr
from childwatch.cli.text import format_sources
from childwatch.errors import ChildwatchError
from childwatch.read.stats import claim_stats, format_stats, incident_stats
from childwatch.read.watched import sources_health
from childwatch.run.pipeline import Progress, RunSummary, run_pipeline
from childwatch.run.resolution import resolve
from childwatch.run.watch import WatchSettings, parse_interval, read_sources_file, watch
from childwatch.run.workers import executor_for
from childwatch.store import Store, open_store


def cmd_run(args: argparse.Namespace) -> int:
    # lexists: a broken link is named and skipped by the run, like any other bad input.
    missing = [p for p in args.paths if not p.lower().startswith(("http://", "https://")) and not os.path.lexists(p)]
    if missing:
        raise ChildwatchError(f"no such file or folder: {', '.join(map(str, missing))}")
    with open_store(args.db) as store:
        summary = _run_batches(args, store)
        c = summary.counts
        print(
            f"run {summary.run_id}: {c.docs_read} documents read, {c.docs_new} new, "
            f"{c.docs_skipped} already stored, {c.docs_failed} failed; {c.claims} claims "
            f"in {summary.seconds:.1f}s -> {args.db}"
        )
        for note in summary.notes():
            print(note)
        if not args.no_resolve:
            print(resolve(store, progress=_stderr).line())
        if args.summary:
            print()
            print(format_stats(claim_stats(store) if args.no_resolve else incident_stats(store)))
    return 1 if c.docs_failed else 0


def _run_batches(args: argparse.Namespace, store: Store) -> RunSummary:
    """`run_pipeline` with the executor and progress line that --workers/--scheduler ask for."""
    if args.scheduler and args.workers != 1:
        raise ChildwatchError("give --workers (local processes) or --scheduler (a Dask cluster), not both")
    progress = Progress()
    progress.expect(args.paths)
    try:
        with executor_for(workers=args.workers, scheduler=args.scheduler) as executor:
            return run_pipeline(args.paths, store, progress=progress, batch_size=args.batch_size, executor=executor)
    finally:
        progress.close()


def cmd_resolve(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        print(resolve(store, full=args.full, progress=_stderr).line())
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    try:
        interval = parse_interval(args.interval)
    except ValueError as exc:
        raise ChildwatchError(f"--interval: {exc}") from None
    specs = read_sources_file(args.sources)
    settings = WatchSettings(default_interval=interval, resolve=not args.no_resolve)
    stop = threading.Event()
    # SIGTERM (a service manager, `kill`) ends the watch after the poll under way.
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with open_store(args.db) as store:
        _stderr(f"watching {len(specs)} source(s) -> {args.db}" + ("" if args.once else "; Ctrl+C stops"))
        summary = watch(store, specs, settings, once=args.once, stop=stop)
    print(
        f"{summary.polls} polls ({summary.failed_polls} failed): {summary.new} new documents, "
        f"{summary.claims} claims, {summary.duplicates} duplicates, {summary.failed_items} items failed"
    )
    return 1 if summary.failed_polls or summary.failed_items else 0


def cmd_sources(args: argparse.Namespace) -> int:
    with open_store(args.db) as store:
        rows = sources_health(store)
    if args.json:
        sys.stdout.write("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows))
    else:
        sys.stdout.write(format_sources(rows))
    return 0
