"""One poll of one source: fetch it (conditionally), find its new items, fetch those, and
run them through the pipeline (extract, store, resolve).

An item is what a source lists: a feed entry (known by its id, else its link) or, for a
watched page, one version of the page (known by its URL and text). Whether an item was
already taken in is decided before its article is fetched (by key) and again after (by
content): the same bytes as a stored document, or the same text as an earlier item under
another URL, make it a duplicate that is noted and not stored.

Crash safety: an item is marked `pending` with its document id and hashes before the
pipeline stores the document, and `ingested` after. A watcher killed in between finds the
pending item on restart, sees its document stored (by hash) and just marks it.
"""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from childwatch.errors import InputError
from childwatch.extract import Extractor
from childwatch.ingest import DEFAULT_MAX_CHARS, clean_text
from childwatch.ingest.fetch import Capture, Fetcher, FetchSettings
from childwatch.ingest.remote import content_kind, document_from_capture
from childwatch.records import Document
from childwatch.run.pipeline import run_documents
from childwatch.run.resolution import resolve
from childwatch.run.watch.feeds import parse_feed
from childwatch.store import Store
from childwatch.store import watched as db
from childwatch.store.models import utcnow

DEFAULT_INTERVAL = 15 * 60  # automated feeds typically update every 15 minutes
# After failed polls the wait grows (x2, x4, x8 the interval), up to this.
MAX_ERROR_WAIT = 24 * 3600


@dataclass(frozen=True, slots=True)
class WatchSettings:
    default_interval: int = DEFAULT_INTERVAL  # seconds, for sources listed without one
    max_item_attempts: int = 5  # an item that failed this often is given up (and listed as failed)
    max_chars: int = DEFAULT_MAX_CHARS
    resolve: bool = True  # attach new claims to incidents after each poll that stored any
    fetch: FetchSettings = field(default_factory=FetchSettings)


@dataclass(slots=True)
class PollResult:
    url: str
    at: datetime
    status: int | None = None  # HTTP status of the source itself
    entries: int = 0  # items the source listed
    new: int = 0  # documents stored
    claims: int = 0
    duplicates: int = 0  # items whose content was already stored
    seen: int = 0  # items known from earlier polls, not fetched again
    failed: int = 0  # items that could not be fetched or read (retried next poll)
    error: str | None = None  # why the poll itself failed
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)

    def line(self) -> str:
        """The one log line of this poll."""
        head = f"{self.at.strftime('%Y-%m-%dT%H:%M:%SZ')} poll {self.url}"
        if self.error:
            head += f": FAILED {self.error}"
        elif self.status == 304:
            head += ": 304 not modified"
        else:
            head += f": {self.status}, {self.entries} listed"
        tail = (
            f"{self.new} new ({self.claims} claims), {self.duplicates} duplicate, {self.seen} seen, "
            f"{self.failed} failed ({self.seconds:.1f}s)"
        )
        return f"{head}; {tail}"


@dataclass(slots=True)
class _Item:
    key: str
    link: str | None
    title: str | None = None
    published: str | None = None
    content: str | None = None
    document: Document | None = None  # a watched page comes already read
    state: db.ItemState | None = None


def text_hash(text: str) -> str:
    """The hash that makes two captures "the same content": text with spacing and case ignored."""
    return hashlib.sha256(" ".join(text.split()).lower().encode("utf-8")).hexdigest()


class Poller:
    """Polls sources for one watcher; keeps its fetcher and (once loaded) the extractor."""

    def __init__(
        self,
        store: Store,
        fetcher: Fetcher,
        settings: WatchSettings | None = None,
        *,
        extractor: Extractor | None = None,
    ) -> None:
        self.store = store
        self.fetcher = fetcher
        self.settings = settings or WatchSettings()
        self._extractor = extractor

    @property
    def extractor(self) -> Extractor:
        if self._extractor is None:  # loading the codebook and gazetteer takes a moment
            self._extractor = Extractor()
        return self._extractor

    def poll(self, source: db.SourceState) -> PollResult:
        result = PollResult(source.url, utcnow())
        started = time.monotonic()
        kind, title, validators = source.kind, None, False
        listed: list[_Item] = []
        capture: Capture | None = None
        try:
            capture = self.fetcher.get(source.url, etag=source.etag, last_modified=source.last_modified)
            result.status = capture.status
            if capture.status != 304:
                kind, title, listed = self._listed(capture)
                validators = True
        except InputError as exc:
            result.error = exc.problem
        # Items that failed before (or were left pending) are tried again even when the
        # source itself is unchanged or down: their articles live elsewhere.
        retry = {s.key: s for s in db.unfinished_items(self.store, source.id, self.settings.max_item_attempts)}
        known = db.items(self.store, source.id, [item.key for item in listed])
        todo: list[_Item] = []
        for item in listed:
            if item.key in retry:
                item.state = retry.pop(item.key)
                todo.append(item)
            elif item.key in known:  # taken in, a duplicate, or given up after too many failures
                result.seen += 1
            else:
                todo.append(item)
        todo.extend(_Item(s.key, s.url, s.title, s.published, state=s) for s in retry.values())
        result.entries = len(listed)
        self._take_in(source, todo, result)
        # Validators are saved only now: had the watcher died mid-poll, the next poll must
        # get the full feed again rather than a 304 that hides the items not yet taken in.
        next_wait = source.interval
        if result.error:
            next_wait = min(source.interval * 2 ** min(source.consecutive_errors + 1, 3), MAX_ERROR_WAIT)
        db.record_poll(
            self.store,
            source.id,
            at=result.at,
            next_poll_at=result.at + timedelta(seconds=next_wait),
            status=result.status,
            error=result.error,
            kind=kind,
            title=title,
            etag=capture.header("etag") if capture else None,
            last_modified=capture.header("last-modified") if capture else None,
            validators=validators,
        )
        result.seconds = time.monotonic() - started
        return result

    def _listed(self, capture: Capture) -> tuple[str, str | None, list[_Item]]:
        """(kind, title, items) of a full response: a feed's entries, or the page itself."""
        if content_kind(capture) == "feed":
            feed = parse_feed(capture)
            if feed is None:
                raise InputError(capture.url, "is XML but not an RSS or Atom feed")
            items = [_Item(e.key, e.link, e.title, e.published, e.content) for e in feed.entries]
            return "feed", feed.title, items
        doc = document_from_capture(
            capture, max_chars=self.settings.max_chars, user_agent=self.fetcher.settings.user_agent
        )
        if isinstance(doc, InputError):
            raise doc
        # Each version of a watched page is an item of its own.
        key = f"{capture.final_url}#text-{text_hash(doc.text)[:16]}"
        return "page", doc.title, [_Item(key, capture.final_url, doc.title, doc.published, document=doc)]

    def _take_in(self, source: db.SourceState, items: list[_Item], result: PollResult) -> None:
        todo: list[tuple[_Item, Document]] = []
        hashes_here: dict[str, str] = {}  # text hash -> doc id, within this poll
        for item in items:
            attempts = (item.state.attempts if item.state else 0) + 1
            doc = item.document or self._read(item, source)
            if isinstance(doc, InputError):
                result.failed += 1
                result.problems.append(str(doc))
                self._save(source, item, status="failed", attempts=attempts, error=str(doc))
                continue
            text_sha = text_hash(doc.text)
            copy = hashes_here.get(text_sha) or db.stored_copy(self.store, doc.sha256, text_sha)
            hashes = {"sha256": doc.sha256, "text_sha256": text_sha, "attempts": attempts, "error": None}
            if copy is not None:
                mine = copy == doc.id or (item.state is not None and item.state.doc_id == copy)
                result.duplicates += not mine
                self._save(source, item, status="ingested" if mine else "duplicate", doc_id=copy, **hashes)
                continue
            hashes_here[text_sha] = doc.id
            self._save(source, item, status="pending", doc_id=doc.id, **hashes)
            todo.append((item, doc))
        if not todo:
            return
        summary = run_documents([doc for _, doc in todo], self.store, extractor=self.extractor)
        stored = self.store.document_hashes([doc.id for _, doc in todo])
        for item, doc in todo:
            if doc.id in stored:
                self._save(source, item, status="ingested")
            else:
                result.failed += 1
                self._save(source, item, status="failed", error="; ".join(summary.errors) or "not stored")
        result.new += summary.counts.docs_new
        result.claims += summary.counts.claims
        result.problems.extend(summary.errors)
        if self.settings.resolve and summary.counts.docs_new:
            resolve(self.store)

    def _read(self, item: _Item, source: db.SourceState) -> Document | InputError:
        """The item's document: its article fetched, or the feed's own text when it links nowhere."""
        if item.link:
            try:
                capture = self.fetcher.get(item.link)
            except InputError as exc:
                return exc
            doc = document_from_capture(
                capture, max_chars=self.settings.max_chars, user_agent=self.fetcher.settings.user_agent
            )
        elif item.content:
            raw = item.content.encode("utf-8")
            sha = hashlib.sha256(raw).hexdigest()
            host = urlsplit(source.url).netloc
            doc = Document(
                id=f"{host}/entry-{hashlib.sha256(item.key.encode()).hexdigest()[:12]}@{sha[:12]}",
                text=clean_text(item.content),
                raw=raw,
                sha256=sha,
                origin=f"{source.url}#{item.key}",
                media_type="text/html",
            )
        else:
            return InputError(f"{source.url}#{item.key}", "the entry has neither a link nor any text")
        if isinstance(doc, InputError):
            return doc
        feed = {"source": source.url, "entry": item.key}
        return replace(
            doc,
            title=doc.title or item.title,
            published=doc.published or item.published,
            metadata={**doc.metadata, "feed": feed},
        )

    def _save(self, source: db.SourceState, item: _Item, **values: object) -> None:
        fields = {"url": item.link, "title": item.title, "published": item.published, **values}
        db.save_item(self.store, source.id, item.key, **fields)
