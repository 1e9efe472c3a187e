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

import os
import stat
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_markup, clean_text
from childwatch.ingest.fields import normalise_date, storable
from childwatch.ingest.readers import DEFAULT_READERS, Reader
from childwatch.records import Document

if TYPE_CHECKING:
    from childwatch.ingest.fetch import Fetcher

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
        for path in _inputs(paths):
            if isinstance(path, InputError):
                yield storable(path)
                continue
            if isinstance(path, str):  # a URL
                from childwatch.ingest.fetch import Fetcher  # deferred: httpx
                from childwatch.ingest.remote import fetch_document

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


def _inputs(paths: Iterable[Path | str]) -> Iterator[Path | str | InputError]:
    """Files under `paths` in order; URLs (strings starting http:// or https://) as they are."""
    for p in paths:
        if isinstance(p, str) and p.lower().startswith(("http://", "https://")):
            yield p
        else:
            yield from _walk([Path(p)])


def _unsupported(path: Path, readers: Sequence[Reader]) -> InputError:
    found = path.suffix or "(no extension)"
    known = ", ".join(dict.fromkeys(s for reader in readers for s in reader.suffixes))
    return InputError(str(path), f"unsupported file type {found}; childwatch reads {known}")


def _walk(paths: Iterable[Path]) -> Iterator[Path | InputError]:
    for path in paths:
        if path.is_dir():  # a link to a folder named on the command line is followed
            yield from _walk_dir(path)
        else:
            yield _regular(path, in_folder=False)


def _walk_dir(folder: Path) -> Iterator[Path | InputError]:
    # Sorted, so that runs are reproducible and an interrupted one resumes in the same
    # order; sorting needs every name of the folder at once, so only the names are held
    # (not scandir's entries), which keeps a folder of a million files to tens of MB.
    # Files are yielded one at a time as they are read.
    subfolders: set[str] = set()
    names: list[str] = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                if entry.name.startswith("."):
                    continue
                # Symlinked folders are not followed: they can loop back into the tree.
                if entry.is_dir(follow_symlinks=False):
                    subfolders.add(entry.name)
                names.append(entry.name)
    except OSError as exc:
        yield InputError(str(folder), f"folder cannot be listed: {exc.strerror or exc}")
        return
    names.sort()
    for name in names:
        if name in subfolders:
            yield from _walk_dir(folder / name)
        else:
            yield _regular(folder / name, in_folder=True)


_KINDS = (
    (stat.S_ISDIR, "a folder"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
)


def _regular(path: Path, *, in_folder: bool) -> Path | InputError:
    """`path` if it is a regular file (or a link to one), else why it is skipped.

    Only stat is called, never open: opening a named pipe waits for a writer, forever, and
    a device such as /dev/zero never ends.
    """
    where = str(path)
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        if not os.path.islink(path):
            return InputError(where, "no such file or folder", "check the path")
        return InputError(
            where, f"is a broken symbolic link (to {_target(path)}, which does not exist)", "fix or remove the link"
        )
    except OSError as exc:  # a loop of links, a folder on the way that may not be read...
        return InputError(where, f"cannot be read: {exc.strerror or exc}")
    if stat.S_ISREG(mode):
        return path
    kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
    if not os.path.islink(path):
        problem = f"is {kind}"
    elif stat.S_ISDIR(mode):
        return InputError(
            where,
            f"is a symbolic link to {_target(path)}, a folder; links to folders inside a folder are not "
            "followed (they can loop back into the tree)",
            "name the folder itself to read it",
        )
    else:
        problem = f"is a symbolic link to {_target(path)}, {kind}"
    hint = "move it out of the folder" if in_folder else "name a regular file"
    return InputError(where, f"{problem}, not a regular file; only regular files are read", hint)


def _target(link: Path) -> str:
    try:
        return os.readlink(link)
    except OSError:  # replaced since it was looked at
        return "?"
