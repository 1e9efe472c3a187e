"""warcio's record iterator, bounded and quiet, for `ingest.warc`.

warcio reads whatever it is given: a header line until a newline comes (a GiB of bytes
without one is held whole, and joined quadratically), blank lines between records one
call each (a gzip of a GiB of newlines takes many minutes), a gzip member cut short
without complaint; and it prints its warnings on standard error. `Archive` reads the same
records with:

- the caps of a compressed input (`ingest.limits`): decompressed bytes and lines;
- at most HEADER_BYTES of header lines (and blank lines between records) per record, far
  more than any real archive has; past that the archive is damaged;
- `truncated` set when a gzip member ends early, `misplaced` counting records whose
  Content-Length does not end where the next record starts (warcio's warning);
- a `Damaged` error, in words, instead of warcio's messages on standard error.
"""

from __future__ import annotations

import io
import os
import zlib
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.bufferedreaders import DecompressingBufferedReader

from childwatch.ingest.limits import GZIP_BYTES, GZIP_LINES, CapExceeded

HEADER_BYTES = 1 << 20


class Damaged(Exception):
    """The archive is damaged; the message says how, in words for the person running it."""


class _Reader(DecompressingBufferedReader):  # type: ignore[misc]
    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(stream)
        # The caps hold while the data is gzip-compressed, whatever the file is called.
        self.max_bytes = GZIP_BYTES.value()
        self.max_lines = GZIP_LINES.value()
        self.inflated = 0
        self.lines = 0
        self.header_run = 0  # bytes of header and blank lines since a record began or data was read
        self.truncated = False
        self.hit_end = False

    def _decompress(self, data: bytes) -> bytes:
        if not (self.decompressor and data):
            return data
        if self.num_block_read == 0:
            out: bytes = super()._decompress(data)  # a member's first block: warcio tells gzip from plain
        else:
            try:
                out = self.decompressor.decompress(data)
            except zlib.error:  # warcio prints the error and reads on as if the data ended
                raise Damaged("its compressed data is corrupt") from None
        if self.decompressor is not None:
            self.inflated += len(out)
            if self.inflated > self.max_bytes:
                raise CapExceeded(GZIP_BYTES, self.max_bytes, "decompresses to")
        return out

    def _process_read(self, data: bytes) -> None:
        if not data:
            self.hit_end = True
            # The file ends while a gzip member is still open: it was cut short.
            if self.decompressor is not None and self.num_block_read and not self.decompressor.eof:
                self.truncated = True
        super()._process_read(data)

    @property
    def exhausted(self) -> bool:
        """Every byte of the file has been handed out: a record being parsed ran into its end."""
        return self.hit_end and self.rem_length() == 0

    def read(self, length: int | None = None) -> bytes:
        self.header_run = 0
        data: bytes = super().read(length)
        return data

    def readline(self, length: int | None = None) -> bytes:
        room = HEADER_BYTES + 1 - self.header_run
        line: bytes = super().readline(room if length is None else min(length, room))
        if line.startswith(b"WARC/"):
            self.header_run = 0
        self.header_run += len(line)
        if self.header_run > HEADER_BYTES:
            raise Damaged(f"over {HEADER_BYTES >> 20} MiB of header or blank lines where a record should begin")
        if self.decompressor is not None:
            self.lines += 1
            if self.lines > self.max_lines:
                raise CapExceeded(GZIP_LINES, self.max_lines, "holds")
        return line


class Archive(ArchiveIterator):  # type: ignore[misc]
    """warcio's ArchiveIterator over a bounded reader; see the module docstring."""

    INC_RECORD = ""  # warcio's warning, printed on standard error: counted in `misplaced` instead

    def __init__(self, stream: BinaryIO) -> None:
        super().__init__(stream)
        # Swapped before the first read: warcio's constructor only makes its reader.
        self.bounded = self.reader = _Reader(self.fh)
        self.last: Any = None
        try:
            self.size: int | None = os.fstat(stream.fileno()).st_size
        except (OSError, AttributeError, io.UnsupportedOperation):  # not a file
            self.size = None

    def close(self) -> None:
        self.last = self.record  # warcio forgets it here, at the end of the archive
        super().close()

    @property
    def truncated(self) -> bool:
        """The archive ends inside a record: a gzip member or a record's content is cut short."""
        # The last record's content reader still expects bytes: Content-Length was not reached.
        cut = self.last is not None and getattr(self.last.raw_stream, "limit", 0) > 0
        # warcio stops without a word when the file ends inside a record's headers; the
        # offset where the next record would start then falls short of the file's end.
        short = self.size is not None and self.offset < self.size
        return bool(self.bounded.truncated or cut or short)

    @property
    def misplaced(self) -> int:
        """Records not followed by the blank lines that end one (a wrong Content-Length?)."""
        return int(self.err_count)
