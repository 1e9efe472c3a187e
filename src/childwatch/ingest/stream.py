"""How many documents a run will read, estimated without parsing: the progress line's
total (`childwatch.run.progress`).

The files `read_path` would read are walked in the same order, and each is counted by
scanning its bytes (decompressing gzip): lines for JSON Lines, `<item`/`<entry` tags for
feeds, archived HTML/text/PDF responses for WARC, one for every other file. It reads in
1 MB blocks, so memory stays flat whatever the input; it runs in a background thread and
gives up as soon as `stop` is set.
"""

from __future__ import annotations

import io
import re
import threading
import zlib
from collections.abc import Sequence
from pathlib import Path

from childwatch.ingest.limits import GZIP_LINES, CapExceeded, open_gzip
from childwatch.ingest.walk import inputs  # the same walk read_path makes

BLOCK = 1 << 20
_FEED_ITEM = re.compile(rb"<(?:\w+:)?(?:item|entry)[\s>/]")
_WARC_PAGE = re.compile(
    rb"\ncontent-type:[ \t]*(?:text/html|application/xhtml\+xml|text/plain|application/pdf)", re.IGNORECASE
)
# A match may straddle two blocks: this many bytes of each block are scanned again.
_OVERLAP = 96


class _Stopped(Exception):
    pass


def count_documents(paths: Sequence[Path | str], *, stop: threading.Event | None = None) -> int | None:
    """About how many documents `read_path(*paths)` yields; None when `stop` was set first."""
    total = 0
    try:
        for path in inputs(paths):
            if stop is not None and stop.is_set():
                return None
            total += count_in(path, stop) if isinstance(path, Path) else 1
    except _Stopped:
        return None
    return total


def count_in(path: Path, stop: threading.Event | None = None) -> int:
    """About how many documents the file at `path` holds."""
    name = path.name.lower()
    compressed = name.endswith(".gz")
    base = name[:-3] if compressed else name
    try:
        if base.endswith((".jsonl", ".ndjson")):
            return _lines(path, compressed, stop)
        if base.endswith(".warc"):
            return _matches(path, compressed, _WARC_PAGE, stop)
        if base.endswith((".rss", ".atom", ".xml")):
            return _matches(path, compressed, _FEED_ITEM, stop)
    except (OSError, EOFError, zlib.error, CapExceeded):
        return 1  # read_path will report the file; count it once
    return 1


def _open(path: Path, compressed: bool) -> io.BufferedReader:
    # The caps of `ingest.limits` hold here too: the count stops where the reader would.
    return open_gzip(path) if compressed else path.open("rb")


def _lines(path: Path, compressed: bool, stop: threading.Event | None) -> int:
    lines, last = 0, b"\n"
    most = GZIP_LINES.value() if compressed else None
    with _open(path, compressed) as stream:
        while block := stream.read(BLOCK):
            if stop is not None and stop.is_set():
                raise _Stopped
            lines += block.count(b"\n")
            last = block[-1:]
            if most is not None and lines > most:
                return most + 1  # read_path reads up to the cap, then refuses the rest
    return lines + (last != b"\n")


def _matches(path: Path, compressed: bool, pattern: re.Pattern[bytes], stop: threading.Event | None) -> int:
    found, tail = 0, b""
    with _open(path, compressed) as stream:
        while block := stream.read(BLOCK):
            if stop is not None and stop.is_set():
                raise _Stopped
            window = tail + block
            # Count matches that end in the new bytes only, so none is counted twice.
            found += sum(1 for m in pattern.finditer(window) if m.end() > len(tail))
            tail = window[-_OVERLAP:]
    return found
