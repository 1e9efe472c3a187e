"""Ingest: files and folders in, `Document` records out.

    from childwatch.ingest import read_path

    for item in read_path("reports/", "extra.jsonl"):
        if isinstance(item, InputError):
            print("skipped", item)
        else:
            handle(item)          # a Document

`clean_text` is the same-length blanking every reader applies; `Reader` is the extension
point for new formats. An http(s) URL among the paths is fetched (`ingest.fetch`).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_markup, clean_text
from childwatch.ingest.fetch import Fetcher
from childwatch.ingest.fields import normalise_date, storable
from childwatch.ingest.formats import DEFAULT_READERS
from childwatch.ingest.readers import Reader
from childwatch.ingest.remote import fetch_document
from childwatch.ingest.walk import inputs
from childwatch.records import Document

__all__ = [
    "DEFAULT_MAX_CHARS",
    "DEFAULT_READERS",
    "Reader",
    "clean_markup",
    "clean_text",
    "normalise_date",
    "read_path",
]

DEFAULT_MAX_CHARS = 5_000_000  # characters of text per document (≈ 5 MB)


def read_path(
    *paths: Path | str,
    max_chars: int = DEFAULT_MAX_CHARS,
    readers: Sequence[Reader] | None = None,
    fetcher: Fetcher | None = None,
) -> Iterator[Document | InputError]:
    """Yield a Document for each readable input under `paths`, an InputError for each other.

    Folders are walked recursively in sorted order, skipping hidden files and folders
    (names starting with "."); a file named explicitly is read even if hidden. The reader
    is chosen by extension: .json (one object), .jsonl/.ndjson (one object per line,
    optionally .gz), .txt, .html/.htm, .pdf, .warc/.warc.gz (web archives, see
    `ingest.warc`), .rss/.atom/.xml (feed files, see `ingest.feeds`); anything else yields
    an InputError. A path that is an http(s) URL is fetched with `fetcher` (a default
    `Fetcher` when None) and read by its content type: HTML, PDF or plain text.

    Ids: a JSON object's `id` (a string or an integer); without one, the file stem for
    .json and "<stem>-<line>" for JSON Lines, with metadata["generated_id"] = True. A .txt
    or .html file's id is its stem.

    Titles: JSON `title`; HTML `<title>`/headline as trafilatura finds it; for .txt the
    first non-blank line, when more text follows and it is at most 20 words and 150
    characters and does not end in . , ; or : (the line stays in `text`).

    Text: for JSON and .txt, `text` has the input's length with markup and junk blanked
    (see `clean_text`); for HTML it is trafilatura's extraction, cleaned the same way.
    A document over `max_chars` characters is refused with an InputError.
    """
    if max_chars < 1:
        raise ValueError(f"max_chars must be positive, not {max_chars}")
    chosen = tuple(readers) if readers is not None else DEFAULT_READERS
    by_suffix = {suffix.lower(): reader for reader in chosen for suffix in reader.suffixes}
    # Longest first, so "report.jsonl.gz" goes to the .jsonl.gz reader, not a .gz one.
    suffixes = sorted(by_suffix, key=len, reverse=True)
    own_fetcher = None
    try:
        for path in inputs(paths):
            if isinstance(path, InputError):
                yield storable(path)
                continue
            if isinstance(path, str):  # a URL
                if fetcher is None:
                    fetcher = own_fetcher = Fetcher()
                yield storable(fetch_document(path, fetcher, max_chars=max_chars))
                continue
            name = path.name.lower()
            suffix = next((s for s in suffixes if name.endswith(s) and len(name) > len(s)), None)
            if suffix is None:
                yield storable(_unsupported(path, chosen))
                continue
            # Every reader's output, a custom one's too, is made storable here (see `storable`).
            yield from map(storable, by_suffix[suffix].read(path, max_chars=max_chars))
    finally:
        if own_fetcher is not None:
            own_fetcher.close()


def _unsupported(path: Path, readers: Sequence[Reader]) -> InputError:
    found = path.suffix or "(no extension)"
    known = ", ".join(dict.fromkeys(s for reader in readers for s in reader.suffixes))
    return InputError(str(path), f"unsupported file type {found}; childwatch reads {known}")
