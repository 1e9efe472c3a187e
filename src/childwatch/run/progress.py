"""The progress line of a long run: documents done, rate and time left.

On a terminal one line is rewritten in place, at most a few times a second:

    12,400 of ~80,000 documents (15%)  212 docs/s  ETA 4m31s | 12,380 new, 20 unchanged, 0 failed, 9,870 claims

Elsewhere (a log, a pipe, a test) it stays quiet: only skipped inputs are reported, and
the caller prints its own summary at the end. The total is counted in a background
thread (`childwatch.ingest.stream.count_documents`), so a run starts at once and the ETA
appears when the count is known; it is an estimate (blank lines, pages a WARC turns out
not to hold), so the percentage is capped below 100 until the run ends.
"""

from __future__ import annotations

import sys
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from childwatch.ingest.stream import count_documents
from childwatch.store import RunCounts

__all__ = ["Progress", "format_duration"]

# The rate is measured over this many recent seconds, so that a resumed run, which
# skips what is stored at thousands of documents a second, soon shows its real pace.
WINDOW_S = 30.0


def format_duration(seconds: float) -> str:
    seconds = int(max(0, seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours}h{minutes:02d}m"
    if minutes:
        return f"{minutes}m{secs:02d}s"
    return f"{secs}s"


class Progress:
    """Reports a run's progress on `stream` (standard error by default)."""

    def __init__(self, stream: TextIO | None = None, *, interval: float = 0.25, tty: bool | None = None) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval
        self.started = time.monotonic()
        self.total: int | None = None
        self._shown = 0.0
        self._width = 0
        self._samples: deque[tuple[float, int]] = deque([(self.started, 0)])
        self._stop = threading.Event()
        self._counter: threading.Thread | None = None

    def expect(self, paths: Sequence[Path | str]) -> None:
        """Start counting the documents under `paths` in the background (terminals only)."""
        if not self.tty or self._counter is not None:
            return

        def count() -> None:
            try:
                total = count_documents(paths, stop=self._stop)
            except Exception:  # the count only feeds the ETA; a run never fails for it
                return
            if total is not None:
                self.total = total

        self._counter = threading.Thread(target=count, name="childwatch-count", daemon=True)
        self._counter.start()

    def update(self, counts: RunCounts, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._shown < self.interval:
            return
        self._shown = now
        done = counts.docs_read
        self._samples.append((now, done))
        while len(self._samples) > 2 and now - self._samples[0][0] > WINDOW_S:
            self._samples.popleft()
        first_t, first_n = self._samples[0]
        rate = (done - first_n) / (now - first_t) if now > first_t else 0.0
        line = self._line(counts, rate, final=force)
        pad = " " * max(0, self._width - len(line))
        self._width = len(line)
        self.stream.write("\r" + line + pad + ("\n" if force else ""))
        self.stream.flush()

    def _line(self, counts: RunCounts, rate: float, *, final: bool) -> str:
        done = counts.docs_read
        if final:
            head = f"{done:,} documents in {format_duration(time.monotonic() - self.started)}"
        elif self.total:
            total = max(self.total, done)
            share = min(99, 100 * done // total) if total else 0
            eta = f"  ETA {format_duration((total - done) / rate)}" if rate > 0 else ""
            head = f"{done:,} of ~{total:,} documents ({share}%)  {rate:,.0f} docs/s{eta}"
        else:
            head = f"{done:,} documents  {rate:,.0f} docs/s"
        return (
            f"{head} | {counts.docs_new:,} new, {counts.docs_skipped:,} unchanged, "
            f"{counts.docs_failed:,} failed, {counts.claims:,} claims"
        )

    def error(self, message: str) -> None:
        clear = "\r" + " " * self._width + "\r" if self.tty and self._width else ""
        self.stream.write(f"{clear}skipped: {message}\n")
        self.stream.flush()

    def close(self) -> None:
        """Stop the background count (a run that ends early must not wait for it)."""
        self._stop.set()
