"""What the fuzz inputs stand for, and what must hold whatever they are: shared by the
atheris targets in this folder and by tests/test_fuzz_properties.py, so that the fuzzers
and the property tests check one thing.

Inputs: for ingest, the first byte picks the kind of file (`KINDS`) and the rest is its
content (`input_file`); for extraction, the first byte picks the publication date and
whether the text is cleaned first, the rest is the text as UTF-8 (`input_document`).

Invariants:

- Reading an input yields `Document`s and `InputError`s only, each error naming the input
  (its `where` starts with the path: path, path:line or path#offset). Any other exception
  is a bug; a `ChildwatchError` raised instead of yielded is tolerated.
- A Document can be stored: its strings encode as UTF-8 and hold no NUL character (both
  back-ends refuse them), its metadata is strict JSON (PostgreSQL refuses NaN), its text
  is within `max_chars` and `sha256` is the hash of `raw`.
- Every span of every claim indexes the document's text:
  0 <= start <= end <= len(text) and text[start:end] is the string the span records.
- Extraction takes bounded time per document.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import time
from collections.abc import Iterator
from pathlib import Path

from childwatch.errors import ChildwatchError, InputError
from childwatch.extract import Extractor
from childwatch.ingest import read_path
from childwatch.ingest.clean import clean_text
from childwatch.ingest.stream import count_in
from childwatch.records import Claim, Document, Span

# (file name suffix, compress the content with gzip first). The .gz kinds come twice: as
# written, and compressed here, so that the fuzzer can mutate what is inside too.
KINDS: tuple[tuple[str, bool], ...] = (
    (".txt", False),
    (".html", False),
    (".json", False),
    (".jsonl", False),
    (".jsonl.gz", True),
    (".jsonl.gz", False),
    (".warc", False),
    (".warc.gz", True),
    (".warc.gz", False),
    (".rss", False),
    (".atom", False),
    (".xml", False),
    (".pdf", False),
    (".htm", False),
)
PUBLISHED = (None, "2023-05-02", "2014-04-15", "1999-12-31", "2099-01-01", "0001-01-01", "9999-12-31")

STRING_FIELDS = ("id", "text", "origin", "media_type", "title", "url", "outlet", "published", "language")


def input_file(data: bytes, folder: Path) -> Path:
    """Write the file an ingest input stands for into `folder` (emptied first)."""
    suffix, compress = KINDS[data[0] % len(KINDS)] if data else (".txt", False)
    content = data[1:]
    for old in folder.iterdir():
        old.unlink()
    path = folder / f"input{suffix}"
    path.write_bytes(gzip.compress(content, mtime=0) if compress else content)
    return path


def input_document(data: bytes) -> Document:
    """The document an extraction input stands for."""
    head = data[0] if data else 0
    text = data[1:].decode("utf-8", "replace")
    if head & 0x80:
        cleaned = clean_text(text)
        assert len(cleaned) == len(text), "clean_text changed the length"
        text = cleaned
    raw = data[1:]
    return Document(
        id="fuzz",
        text=text,
        raw=raw,
        sha256=hashlib.sha256(raw).hexdigest(),
        origin="fuzz",
        media_type="text/plain",
        published=PUBLISHED[(head & 0x7F) % len(PUBLISHED)],
    )


def claim_spans(claim: Claim) -> Iterator[tuple[str, Span]]:
    """Every span a claim records, with the field it belongs to."""
    named: list[tuple[str, Span | None]] = [
        ("evidence", claim.evidence),
        ("trigger", claim.trigger),
        ("perpetrator_span", claim.perpetrator_span),
        ("source_span", claim.source_span),
        ("victims.count_span", claim.victims.count_span),
        ("victims.age_span", claim.victims.age_span),
        ("victims.sex_span", claim.victims.sex_span),
        ("victims.group_span", claim.victims.group_span),
        ("location.span", claim.location.span),
        ("date.span", claim.date.span),
    ]
    named += [(f"mentions[{i}]", span) for i, span in enumerate(claim.mentions)]
    for name, span in named:
        if span is not None:
            yield name, span


def check_claims(text: str, claims: list[Claim]) -> None:
    """Every span of every claim is a verbatim slice of `text`."""
    for claim in claims:
        for name, span in claim_spans(claim):
            assert 0 <= span.start <= span.end <= len(text), (
                f"{claim.violation} {name} [{span.start}, {span.end}) outside the text of {len(text)} characters"
            )
            found = text[span.start : span.end]
            assert found == span.text, f"{claim.violation} {name} records {span.text!r} but the text has {found!r}"


def _storable(name: str, value: object) -> None:
    if value is None:
        return
    assert isinstance(value, str), f"{name} is a {type(value).__name__}, not a string"
    assert "\x00" not in value, f"{name} holds a NUL character, which the store refuses"
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise AssertionError(f"{name} holds {value[exc.start]!r}, which is not valid UTF-8") from None


def check_document(doc: Document, *, max_chars: int) -> None:
    """A document as ingest hands it to extraction and the store."""
    for name in STRING_FIELDS:
        _storable(name, getattr(doc, name))
    assert doc.id.strip(), "empty id"
    assert doc.text, "no text"
    assert len(doc.text) <= max_chars, f"text of {len(doc.text)} characters over max_chars={max_chars}"
    assert isinstance(doc.raw, bytes) and doc.sha256 == hashlib.sha256(doc.raw).hexdigest(), "sha256 is not raw's"
    try:
        encoded = json.dumps(doc.metadata, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise AssertionError(f"metadata is not strict JSON: {exc}") from None
    _storable("metadata", encoded)


def check_error(error: InputError, path: Path) -> None:
    """An error names the input it is about, and says what is wrong."""
    assert error.where.startswith(str(path)), f"error {error!s} does not name {path}"
    assert error.problem.strip(), f"error for {path} says nothing"
    assert str(error).startswith(f"{error.where}: ")


def read_checked(path: Path, *, max_chars: int) -> list[Document]:
    """Read `path` and check every item; the documents read."""
    # The progress line's estimate reads every input too (childwatch.ingest.stream).
    estimate = count_in(path)
    assert isinstance(estimate, int) and estimate >= 0, f"count_in({path}) gave {estimate!r}"
    docs: list[Document] = []
    try:
        items = list(read_path(path, max_chars=max_chars))
    except ChildwatchError:
        return docs
    assert items, f"reading {path} gave neither a document nor an error"
    for item in items:
        if isinstance(item, InputError):
            check_error(item, path)
        else:
            assert isinstance(item, Document), f"reading {path} yielded a {type(item).__name__}"
            check_document(item, max_chars=max_chars)
            docs.append(item)
    return docs


def extract_checked(extractor: Extractor, doc: Document, *, seconds: float | None = None) -> list[Claim]:
    """Extract `doc`'s claims, checking their spans and (when given) the time it took."""
    started = time.monotonic()
    claims = extractor.extract(doc)
    took = time.monotonic() - started
    if seconds is not None:
        assert took <= seconds, f"extracting {len(doc.text):,} characters took {took:.1f} s (limit {seconds} s)"
    check_claims(doc.text, claims)
    return claims
