"""WARC web archives (`.warc`, `.warc.gz`): one document per archived page.

Streamed record by record with warcio, so an archive of any size is read in bounded
memory. A `response` (or `resource`) record with status 2xx whose content is HTML, plain
text or PDF becomes a document, read as the file readers read that content; everything
else a crawl holds (requests, metadata, revisits, images, scripts, style sheets,
redirects) is passed over without a message, as it is not a report.

Each document's `raw` is the HTTP payload as archived (transfer and content encodings
removed), its `id` the record's WARC-Record-ID (unique and stable, so re-reading an
archive finds the documents already stored), `url` the archived URL, `origin`
"path#offset" (the record's byte offset in the file), and metadata keeps the capture
date, the HTTP status and the content type.
"""

from __future__ import annotations

import gzip
import hashlib
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from warcio.exceptions import ArchiveLoadFailed

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_text
from childwatch.ingest.fields import MAX_CHARS_HINT, DecodeProblem, decode_bytes, too_long
from childwatch.ingest.limits import CapExceeded
from childwatch.ingest.pdf import pdf_document
from childwatch.ingest.readers import HtmlReader
from childwatch.ingest.warcbounds import Archive, Damaged
from childwatch.records import Document

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
TEXT_TYPES = frozenset({"text/plain"})
PDF_TYPES = frozenset({"application/pdf"})
_CHARSET = re.compile(r"charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{2,40})", re.IGNORECASE)


def read_warc(path: Path, *, max_chars: int) -> Iterator[Document | InputError]:
    """Yield a Document (or InputError) per readable page archived in `path`."""
    where = str(path)
    if not _looks_like_warc(path):
        yield InputError(where, "is not a WARC file (it does not begin with a WARC/1.x record)",
                         "check that it is a .warc or .warc.gz web archive")  # fmt: skip
        return
    found = 0
    records: Archive | None = None
    try:
        with path.open("rb") as stream:
            records = Archive(stream)
            for record in records:
                if problem := _damaged(record, records.bounded.exhausted):
                    raise Damaged(problem)
                item = _record(path, record, records, max_chars)
                if item is not None:
                    found += 1
                    yield item
    except CapExceeded as exc:
        yield exc.error(where, _read_before(found, records))
        return
    except OSError as exc:
        yield InputError(where, f"cannot be read: {exc.strerror or exc}")
        return
    except Exception as exc:
        # warcio raises assorted errors on damaged archives (its own, EOFError, zlib's,
        # AttributeError for a record without a target URI...): the message says what is
        # wrong in words, without warcio's internals, and the batch goes on.
        truncated = records is not None and records.bounded.truncated
        problem = "it ends inside a record (truncated)" if truncated else _problem(exc, ArchiveLoadFailed)
        yield InputError(where, f"archive is damaged: {problem}; {_read_before(found, records)}",
                         "re-create the WARC file, or re-download it if it came over the network")  # fmt: skip
        return
    assert records is not None
    if records.truncated:
        problem = f"archive is damaged: it ends inside a record (truncated); {_read_before(found, records)}"
        yield InputError(where, problem, "re-create the WARC file, or re-download it if it came over the network")
    elif records.misplaced:
        yield InputError(where,
                         f"archive is damaged: {records.misplaced} record(s) do not end where their Content-Length "
                         f"says; {found} documents were read, but their text may be cut",
                         "re-create the WARC file")  # fmt: skip
    elif found == 0:
        yield InputError(where, "holds no HTML, text or PDF page with a 2xx status", "nothing to read in it")


def _read_before(found: int, records: Any) -> str:
    # warcio's offset can be off (even negative) in a damaged gzip; then it is left out.
    at = f" at byte {records.offset:,}" if records is not None and records.offset >= 0 else ""
    return f"reading stopped{at}, after {found} document(s)"


def _damaged(record: Any, at_end: bool) -> str | None:
    """What makes a parsed record unreadable (headers every WARC record has), or None.
    `at_end`: parsing the record's headers used up the file."""
    if record.format != "warc":
        return None
    headers = record.rec_headers
    if not headers.get_header("WARC-Type"):
        return "a record has no WARC-Type header"
    if at_end:
        return "it ends inside a record (truncated)"
    length = (headers.get_header("Content-Length") or "").strip()
    if not length.isdigit():
        return "a record has no valid Content-Length header"
    return None


def _problem(exc: Exception, load_failed: type[Exception]) -> str:
    """What went wrong, in words, for an exception raised while reading an archive."""
    if isinstance(exc, Damaged):
        return str(exc)
    if isinstance(exc, load_failed):
        if "non-chunked gzip" in str(exc):
            return (
                "it is one gzip stream holding several records, where a .warc.gz has one gzip member per "
                "record (`warcio recompress FILE NEW.warc.gz` repairs that)"
            )
        return "a record does not begin with a WARC/1.0 or WARC/1.1 line"
    if isinstance(exc, EOFError):
        return "it ends inside a record (truncated)"
    if isinstance(exc, zlib.error):
        return "its compressed data is corrupt"
    return "a record's headers are missing or malformed"


def _looks_like_warc(path: Path) -> bool:
    # warcio reads anything, warning on standard error at every line; look first.
    try:
        with path.open("rb") as stream:
            head = stream.read(2)
            stream.seek(0)
            if head == b"\x1f\x8b":
                with gzip.GzipFile(fileobj=stream) as unzipped:
                    head = unzipped.read(8)
            else:
                head = stream.read(8)
    except (OSError, EOFError, zlib.error):
        return False
    return head.lstrip().startswith(b"WARC/")


def _record(path: Path, record: Any, records: Any, max_chars: int) -> Document | InputError | None:
    if record.rec_type not in ("response", "resource"):
        return None
    headers = record.rec_headers
    content_type = ""
    status = None
    if record.rec_type == "response":
        if record.http_headers is None:
            return None  # a non-HTTP response (dns:, ...)
        status = record.http_headers.get_statuscode()
        if not str(status).startswith("2"):
            return None
        content_type = record.http_headers.get_header("Content-Type") or ""
    else:
        content_type = headers.get_header("Content-Type") or ""
    media_type = content_type.split(";")[0].strip().lower()
    if media_type not in HTML_TYPES | TEXT_TYPES | PDF_TYPES:
        return None
    limit = 8 * max_chars
    data = record.content_stream().read(limit + 1)
    # Only now: asking for the offset reads the record to its end.
    where = f"{path}#{records.get_record_offset()}"
    if len(data) > limit:
        return InputError(where, f"archived page is over {limit:,} bytes", MAX_CHARS_HINT)
    if not data.strip():
        return None
    doc = _document(where, data, media_type, content_type, max_chars)
    if isinstance(doc, InputError):
        return doc
    record_id = headers.get_header("WARC-Record-ID") or ""
    doc.id = record_id.strip("<>") or where
    doc.origin = where
    doc.url = headers.get_header("WARC-Target-URI") or doc.url
    doc.metadata.update(
        {"warc_date": headers.get_header("WARC-Date"), "http_status": status, "content_type": content_type}
    )
    return doc


def _document(where: str, data: bytes, media_type: str, content_type: str, max_chars: int) -> Document | InputError:
    if media_type in PDF_TYPES:
        return pdf_document(data, where=where, doc_id=where, max_chars=max_chars)
    declared = _CHARSET.search(content_type)
    try:
        text, encoding = decode_bytes(data, legacy=((declared.group(1),) if declared else ()) + ("cp1252",))
    except (DecodeProblem, LookupError) as exc:
        return InputError(where, getattr(exc, "problem", str(exc)), getattr(exc, "hint", ""))
    if media_type in HTML_TYPES:
        return HtmlReader.from_text(Path(where), data, text, encoding, max_chars=max_chars)
    if len(text) > max_chars:
        return too_long(where, len(text), max_chars)
    return Document(
        id=where,
        text=clean_text(text),
        raw=data,
        sha256=hashlib.sha256(data).hexdigest(),
        origin=where,
        media_type="text/plain",
        metadata={} if encoding == "utf-8" else {"encoding": encoding},
    )
