"""The SOURCES file of `childwatch watch`: which feeds and pages to poll, how often.

Plain text, one source a line, an optional interval after it; `#` starts a comment::

    # UN and NGO feeds
    https://example.org/news/feed.xml            15m
    https://example.org/situation-report.html    6h
    https://example.net/atom.xml                 # polled every --interval

Intervals are seconds, or a number with s, m, h or d ("90s", "15m", "1h30m"). An OPML
file (as feed readers export) is read too: every `<outline xmlUrl=...>` is a source,
polled every --interval. Every problem is reported at once, with its line.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from childwatch.errors import InputError

_INTERVAL = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", re.I)


@dataclass(frozen=True, slots=True)
class SourceSpec:
    url: str
    interval: int | None = None  # seconds; None: the watcher's default


def parse_interval(text: str) -> int:
    """Seconds in "90", "90s", "15m", "1h30m", "2d"; ValueError if it is none of those."""
    found = _INTERVAL.fullmatch(text.strip())
    if not text.strip() or found is None or not any(found.groups()):
        raise ValueError(f"{text!r} is not an interval (write 90s, 15m, 1h or 1h30m)")
    days, hours, minutes, seconds = (int(g or 0) for g in found.groups())
    total = ((days * 24 + hours) * 60 + minutes) * 60 + seconds
    if total < 1:
        raise ValueError(f"{text!r}: the interval must be at least one second")
    return total


def read_sources_file(path: Path | str) -> list[SourceSpec]:
    """The sources listed in `path` (plain text or OPML); InputError naming every bad line."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read: {getattr(exc, 'strerror', None) or exc}") from None
    specs = _opml(path, text) if re.match(r"\s*(?:<\?xml[^>]*>\s*)?<opml\b", text, re.I) else _lines(path, text)
    if not specs:
        raise InputError(str(path), "lists no sources", "write one feed or page URL per line")
    return specs


def _lines(path: Path, text: str) -> list[SourceSpec]:
    problems: list[str] = []
    specs: dict[str, SourceSpec] = {}
    for lineno, line in enumerate(text.splitlines(), 1):
        words = re.sub(r"(?:^|\s)#.*", "", line).split()
        if not words:
            continue
        url, rest = words[0], words[1:]
        if not url.lower().startswith(("http://", "https://")):
            problems.append(f"line {lineno}: {url!r} is not an http:// or https:// URL")
            continue
        if len(rest) > 1:
            problems.append(f"line {lineno}: expected a URL and at most one interval, found {len(words)} words")
            continue
        interval = None
        if rest:
            try:
                interval = parse_interval(rest[0])
            except ValueError as exc:
                problems.append(f"line {lineno}: {exc}")
                continue
        specs[url] = SourceSpec(url, interval)  # a URL listed twice: the last line wins
    if problems:
        raise InputError(str(path), "; ".join(problems), "fix these lines: one URL per line, then an optional interval")
    return list(specs.values())


def _opml(path: Path, text: str) -> list[SourceSpec]:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise InputError(str(path), f"is not valid OPML: {exc}", "export the feed list again") from None
    specs: dict[str, SourceSpec] = {}
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or outline.get("url") or "").strip()
        if url.lower().startswith(("http://", "https://")):
            specs[url] = SourceSpec(url)
    return list(specs.values())
