"""RSS and Atom feeds: the entries a feed lists, reduced to what the watcher needs.

feedparser reads every RSS and Atom dialect and survives malformed feeds; it is only ever
handed bytes we fetched ourselves (given a URL string it would fetch it on its own,
bypassing our user agent, robots.txt and limits).

Feed files given to `childwatch run` are read by `childwatch.ingest.feeds` instead, on
expat: a file of any size is streamed in bounded memory and each item keeps its exact
bytes as evidence, and a malformed file is named and refused. A live feed is taken as
its publisher serves it, often malformed (a bare "&", a wrong encoding), and only its
entries' links and dates are needed: the article itself is fetched and kept. Two jobs,
two parsers, each where its property matters.
"""

from __future__ import annotations

import calendar
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import feedparser

from childwatch.ingest.fetch import Capture
from childwatch.ingest.fields import normalise_date


@dataclass(frozen=True, slots=True)
class Entry:
    key: str  # the entry's id (guid), else its link: what "seen" means
    link: str | None
    title: str | None
    published: str | None  # ISO date
    content: str | None  # the entry's own HTML (full text or summary), for entries with no link


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    entries: list[Entry]


def parse_feed(capture: Capture) -> Feed | None:
    """The feed in a response, or None when the body is not RSS or Atom."""
    # Relative links resolve against the final URL; the declared charset is honoured.
    headers = {"content-location": capture.final_url}
    if content_type := capture.header("content-type"):
        headers["content-type"] = content_type
    parsed: Any = feedparser.parse(capture.body, response_headers=headers)
    if not parsed.get("version"):
        return None
    entries: list[Entry] = []
    for item in parsed.entries:
        link = item.get("link") or None
        key = item.get("id") or link
        if not key:
            continue  # nothing to know it by again: it would be re-read on every poll
        entries.append(Entry(str(key), link, _text(item.get("title")), _published(item), _content(item)))
    return Feed(_text(parsed.feed.get("title")), entries)


def _text(value: object) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


def _published(item: Any) -> str | None:
    # The date as written first: the publisher's own day (feedparser's parsed dates are UTC).
    if found := normalise_date(item.get("published") or item.get("updated")):
        return found
    for key in ("published_parsed", "updated_parsed"):
        parsed = item.get(key)
        if isinstance(parsed, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(parsed), UTC).date().isoformat()
    return None


def _content(item: Any) -> str | None:
    for part in item.get("content") or []:
        if isinstance(part, dict) and part.get("value"):
            return str(part["value"])
    summary = item.get("summary")
    return str(summary) if summary else None
