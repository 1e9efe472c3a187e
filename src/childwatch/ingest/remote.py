"""Documents from fetched responses: HTML pages, PDF reports and plain text.

    with Fetcher() as fetcher:
        doc = fetch_document("https://example.org/report", fetcher, max_chars=5_000_000)

The content type decides the reader (a missing or generic type is settled by the first
bytes); anything but HTML, PDF or plain text is refused by name, and a news feed is sent
to `childwatch watch`. The Document keeps the response body as `raw`, the final URL as
`url`, the URL asked for as `origin`, and the chain of custody in `metadata["capture"]`
(see `Capture.custody`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_text
from childwatch.ingest.fetch import Capture, Fetcher
from childwatch.ingest.fields import DecodeProblem, decode_bytes, too_long
from childwatch.ingest.pdf import pdf_document
from childwatch.ingest.readers import HtmlReader, text_title
from childwatch.records import Document

ContentKind = Literal["html", "pdf", "text", "feed"]
_TYPES: dict[str, ContentKind] = {
    "text/html": "html",
    "application/xhtml+xml": "html",
    "application/pdf": "pdf",
    "application/x-pdf": "pdf",
    "text/plain": "text",
    "application/rss+xml": "feed",
    "application/atom+xml": "feed",
    "application/rdf+xml": "feed",
    "application/xml": "feed",
    "text/xml": "feed",
}
# Servers often send these for any file; the body then says what it is.
_UNTYPED = frozenset({"", "application/octet-stream", "binary/octet-stream", "application/download"})
_SNIFF_HTML = re.compile(rb"\s*(?:<!doctype html|<html[\s>])", re.I)
_SNIFF_FEED = re.compile(rb"\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:rss|feed|rdf:RDF)[\s>]", re.I | re.S)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?([A-Za-z0-9_-]{2,40})""", re.I)


def content_kind(capture: Capture) -> ContentKind | None:
    """What the response holds, from its Content-Type (or its first bytes when untyped)."""
    declared = capture.media_type
    if declared in _TYPES:
        return _TYPES[declared]
    if declared.endswith(("+xml", "/xml")) and _SNIFF_FEED.match(capture.body[:2048]):
        return "feed"
    if declared not in _UNTYPED:
        return None
    head = capture.body[:2048]
    if head.lstrip().startswith(b"%PDF-"):
        return "pdf"
    if _SNIFF_HTML.match(head):
        return "html"
    if _SNIFF_FEED.match(head):
        return "feed"
    return None


def url_doc_id(url: str, sha256: str) -> str:
    """A readable id for a fetched document: the URL without scheme, plus the content hash,
    so each distinct version of a page is its own document (documents are never overwritten)."""
    parts = urlsplit(url)
    host = parts.netloc.lower().removeprefix("www.")
    path = parts.path.rstrip("/") + (f"?{parts.query}" if parts.query else "")
    return f"{host}{path}"[:160] + "@" + sha256[:12]


def document_from_capture(
    capture: Capture, *, max_chars: int, doc_id: str | None = None, user_agent: str | None = None
) -> Document | InputError:
    """The Document of an HTML page, a PDF or a plain-text response; InputError for any
    other content type, naming the URL."""
    url = capture.url
    if not capture.body.strip():
        return InputError(url, f"server answered {capture.status} with an empty body")
    kind = content_kind(capture)
    if kind == "feed":
        return InputError(
            url,
            f"is a news feed ({capture.media_type or 'XML'}), not a report",
            "list it in a sources file and follow it with `childwatch watch`",
        )
    if kind is None:
        return InputError(
            url,
            f"content type {capture.media_type or 'unknown'} is not HTML, PDF or plain text; it was not read",
            "give the address of the report itself (an HTML page or a PDF)",
        )
    doc_id = doc_id or url_doc_id(capture.final_url, capture.sha256)
    doc: Document | InputError
    if kind == "pdf":
        doc = pdf_document(capture.body, where=url, doc_id=doc_id, max_chars=max_chars)
    else:
        doc = _text_document(capture, kind, doc_id, max_chars)
    if isinstance(doc, InputError):
        return doc
    metadata = dict(doc.metadata)
    if doc.url and doc.url != capture.final_url:
        metadata["canonical_url"] = doc.url  # what the page says its address is
    metadata["capture"] = capture.custody(user_agent)
    host = urlsplit(capture.final_url).hostname or ""
    return replace(
        doc,
        url=capture.final_url,
        origin=url,
        outlet=doc.outlet or host.removeprefix("www.") or None,
        metadata=metadata,
    )


def _text_document(capture: Capture, kind: ContentKind, doc_id: str, max_chars: int) -> Document | InputError:
    declared = _META_CHARSET.search(capture.body[:4096]) if kind == "html" else None
    legacy = tuple(c for c in (capture.charset, declared and declared.group(1).decode("ascii")) if c)
    try:
        text, encoding = decode_bytes(capture.body, legacy=(*legacy, "cp1252"))
    except DecodeProblem as exc:
        return InputError(capture.url, exc.problem, exc.hint)
    if kind == "html":
        # The reader names its input by path; the name only matters for errors, rebuilt here.
        found = HtmlReader.from_text(Path(doc_id), capture.body, text, encoding, max_chars=max_chars)
        if isinstance(found, InputError):
            return InputError(capture.url, found.problem, found.hint)
        return replace(found, id=doc_id)
    if len(text) > max_chars:
        return too_long(capture.url, len(text), max_chars)
    cleaned = clean_text(text)
    if not cleaned.strip():
        return InputError(capture.url, "the text is empty")
    return Document(
        id=doc_id,
        text=cleaned,
        raw=capture.body,
        sha256=capture.sha256,
        origin=capture.url,
        media_type="text/plain",
        title=text_title(cleaned),
        metadata={} if encoding == "utf-8" else {"encoding": encoding},
    )


def fetch_document(url: str, fetcher: Fetcher, *, max_chars: int) -> Document | InputError:
    """Fetch `url` and read it into a Document (or say why not)."""
    try:
        capture = fetcher.get(url)
    except InputError as exc:
        return exc
    return document_from_capture(capture, max_chars=max_chars, user_agent=fetcher.settings.user_agent)
