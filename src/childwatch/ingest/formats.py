"""Readers of the formats that hold many documents or need a library of their own (PDF,
web archives, feeds), and the readers `read_path` uses by default."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from childwatch.errors import InputError
from childwatch.ingest.feeds import read_feed
from childwatch.ingest.pdf import pdf_document
from childwatch.ingest.readers import HtmlReader, JsonlReader, JsonReader, Reader, Result, TextReader, stem
from childwatch.ingest.warc import read_warc

__all__ = ["DEFAULT_READERS", "FeedReader", "PdfReader", "WarcReader"]


class PdfReader(Reader):
    """A PDF report: text page by page in reading order (see `childwatch.ingest.pdf`);
    `metadata["pages"]` holds the offset in `text` where each page starts."""

    suffixes = (".pdf",)
    # Images make a PDF far larger than its text, so its size is not held to max_chars.
    max_bytes = 200 * 1024 * 1024

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        try:
            size = path.stat().st_size
            if size > self.max_bytes:
                yield InputError(str(path), f"PDF has {size:,} bytes, over the limit of {self.max_bytes:,}")
                return
            data = path.read_bytes()
        except OSError as exc:
            yield InputError(str(path), f"cannot be read: {exc.strerror or exc}")
            return
        yield pdf_document(data, where=str(path), doc_id=stem(path, self.suffixes), max_chars=max_chars)


class WarcReader(Reader):
    """A WARC web archive: one document per archived page (see `childwatch.ingest.warc`)."""

    suffixes = (".warc", ".warc.gz")

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        yield from read_warc(path, max_chars=max_chars)


class FeedReader(Reader):
    """An RSS or Atom feed file: one document per item (see `childwatch.ingest.feeds`);
    a `.xml` file that is not a feed is refused by name."""

    suffixes = (".rss", ".atom", ".xml")

    def read(self, path: Path, *, max_chars: int) -> Iterator[Result]:
        yield from read_feed(path, max_chars=max_chars, stem=stem(path, self.suffixes))


DEFAULT_READERS: tuple[Reader, ...] = (
    JsonReader(), JsonlReader(), TextReader(), HtmlReader(), PdfReader(), WarcReader(), FeedReader()
)  # fmt: skip
