"""Ingest: files and folders in, `Document` records out.

    from childwatch.ingest import read_path

    for item in read_path("reports/", "extra.jsonl"):
        if isinstance(item, InputError):
            print("skipped", item)
        else:
            handle(item)          # a Document

`clean_text` is the same-length blanking every reader applies; `Reader` is the extension
point for new formats.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_markup, clean_text
from childwatch.ingest.fields import normalise_date
from childwatch.ingest.readers import DEFAULT_READERS, Reader
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
) -> Iterator[Document | InputError]:
    """Yield a Document for each readable input under `paths`, an InputError for each other.

    Folders are walked recursively in sorted order, skipping hidden files and folders
    (names starting with "."); a file named explicitly is read even if hidden. The reader
    is chosen by extension: .json (one object), .jsonl/.ndjson (one object per line,
    optionally .gz), .txt, .html/.htm; anything else yields an InputError.

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
    for path in _walk(Path(p) for p in paths):
        if isinstance(path, InputError):
            yield path
            continue
        name = path.name.lower()
        suffix = next((s for s in suffixes if name.endswith(s) and len(name) > len(s)), None)
        if suffix is None:
            yield _unsupported(path, chosen)
            continue
        yield from by_suffix[suffix].read(path, max_chars=max_chars)


def _unsupported(path: Path, readers: Sequence[Reader]) -> InputError:
    found = path.suffix or "(no extension)"
    known = ", ".join(dict.fromkeys(s for reader in readers for s in reader.suffixes))
    return InputError(str(path), f"unsupported file type {found}; childwatch reads {known}")


def _walk(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    for path in paths:
        if path.is_dir():
            yield from _walk_dir(path)
        elif path.is_file():
            yield path
        elif path.exists():
            yield InputError(str(path), "is not a regular file or folder")
        else:
            yield InputError(str(path), "no such file or folder", "check the path")


def _walk_dir(folder: Path) -> Iterator[Path | InputError]:
    try:
        entries = sorted(os.scandir(folder), key=lambda entry: entry.name)
    except OSError as exc:
        yield InputError(str(folder), f"folder cannot be listed: {exc.strerror or exc}")
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        path = folder / entry.name
        # Symlinked folders are not followed: they can loop back into the tree.
        if entry.is_dir(follow_symlinks=False):
            yield from _walk_dir(path)
        elif entry.is_file():
            yield path
