"""PDF streams decoded under caps, so a small PDF cannot inflate to gigabytes.

pdfminer inflates a stream whole, in one `zlib.decompress` call, whatever it grows to: a
522 KB PDF whose content stream inflates to 512 MiB took 1.1 GB of memory. Here each
stream pdfminer asks for is decoded chunk by chunk against an `InflateBudget`, one per
document: a stream may inflate to `CHILDWATCH_MAX_PDF_STREAM` bytes, all of a document's
streams together to `CHILDWATCH_MAX_PDF_INFLATED` (see `ingest.limits`). Only streams that
pdfminer reads are decoded: page contents, fonts, character maps, cross-reference
streams; images are never inflated for text.

    budget = InflateBudget()
    document = PDFDocument(BoundedParser(io.BytesIO(data), budget))
    ...                                   # on CapExceeded, or after: budget.exceeded
"""

from __future__ import annotations

import io
import zlib
from collections.abc import Iterable
from typing import Any, BinaryIO

from pdfminer.ascii85 import ascii85decode, asciihexdecode
from pdfminer.lzw import LZWDecoder
from pdfminer.pdfexceptions import PDFNotImplementedError
from pdfminer.pdfparser import PDFParser
from pdfminer.pdftypes import (
    LITERAL_CRYPT,
    LITERALS_ASCII85_DECODE,
    LITERALS_ASCIIHEX_DECODE,
    LITERALS_CCITTFAX_DECODE,
    LITERALS_DCT_DECODE,
    LITERALS_FLATE_DECODE,
    LITERALS_JBIG2_DECODE,
    LITERALS_JPX_DECODE,
    LITERALS_LZW_DECODE,
    LITERALS_RUNLENGTH_DECODE,
    PDFStream,
    int_value,
)
from pdfminer.utils import apply_png_predictor, apply_tiff_predictor

from childwatch.ingest.limits import PDF_INFLATED, PDF_STREAM, CapExceeded

CHUNK = 1 << 20  # bytes inflated per step
# Image encodings: text extraction never needs their pixels, so they stay as they are
# (pdfminer does the same for DCT, JBIG2 and JPX; a fax image could inflate without bound).
_IMAGE_FILTERS = (*LITERALS_DCT_DECODE, *LITERALS_JBIG2_DECODE, *LITERALS_JPX_DECODE, *LITERALS_CCITTFAX_DECODE)


class InflateBudget:
    """How much one PDF may still inflate; `exceeded` keeps the refusal once a cap is passed."""

    def __init__(self, per_stream: int | None = None, per_document: int | None = None) -> None:
        self.per_stream = PDF_STREAM.value() if per_stream is None else per_stream
        self.per_document = PDF_INFLATED.value() if per_document is None else per_document
        self.spent = 0
        # Kept, not only raised: pdfminer may catch an exception on its way up.
        self.exceeded: CapExceeded | None = None

    def room(self) -> int:
        """Bytes the next stream may inflate to."""
        return min(self.per_stream, self.per_document - self.spent)

    def over(self) -> CapExceeded:
        """The refusal for a stream that outgrew `room()`, naming the cap that was hit."""
        if self.per_document - self.spent < self.per_stream:
            exc = CapExceeded(PDF_INFLATED, self.per_document, "its compressed streams inflate to")
        else:
            exc = CapExceeded(PDF_STREAM, self.per_stream, "a compressed stream inflates to")
        self.exceeded = exc
        return exc

    def collect(self, chunks: Iterable[bytes]) -> bytes:
        """The chunks joined, refused as soon as they outgrow `room()`."""
        room = self.room()
        parts: list[bytes] = []
        size = 0
        for chunk in chunks:
            size += len(chunk)
            if size > room:
                raise self.over()
            parts.append(chunk)
        return b"".join(parts)

    def inflate(self, data: bytes) -> bytes:
        """Deflate data inflated a chunk at a time. As in pdfminer: a truncated stream, or one
        damaged only in its last four bytes (the checksum), keeps what was inflated; a stream
        damaged before that reads as empty."""
        inflater = zlib.decompressobj()
        parts: list[bytes] = []

        def chunks(data: bytes) -> Iterable[bytes]:
            while not inflater.eof:
                chunk = inflater.decompress(data, CHUNK)
                yield chunk
                data = inflater.unconsumed_tail
                if not data and not chunk:
                    return

        room = self.room()
        size = 0
        for body, tolerated in ((data[:-4], False), (data[-4:], True)):
            try:
                for chunk in chunks(body):
                    size += len(chunk)
                    if size > room:
                        raise self.over()
                    parts.append(chunk)
            except zlib.error:
                if not tolerated:
                    return b""
        return b"".join(parts)


def _run_length(data: bytes, budget: InflateBudget) -> bytes:
    """RunLengthDecode under the budget (pdfminer's builds a list of ints: 8 bytes a byte)."""

    def chunks() -> Iterable[bytes]:
        i = 0
        while i < len(data) and data[i] != 128:  # 128 ends the data
            length = data[i]
            if length < 128:
                yield data[i + 1 : i + 2 + length]
                i += 2 + length
            else:
                yield data[i + 1 : i + 2] * (257 - length)
                i += 2

    return budget.collect(chunks())


class BoundedStream(PDFStream):
    """A PDF stream whose `decode` keeps to a document's InflateBudget."""

    def __init__(self, stream: PDFStream, budget: InflateBudget) -> None:
        super().__init__(stream.attrs, stream.rawdata or b"", stream.decipher)
        self.budget = budget

    def decode(self) -> None:
        # pdfminer's PDFStream.decode, with every filter that can grow its input bounded.
        if self.budget.exceeded is not None:
            raise self.budget.exceeded
        assert self.rawdata is not None
        data = self.rawdata
        if self.decipher:
            assert self.objid is not None and self.genno is not None
            data = self.decipher(self.objid, self.genno, data, self.attrs)
        filters = self.get_filters()
        for f, params in filters:
            if f in LITERALS_FLATE_DECODE:
                data = self.budget.inflate(data)
            elif f in LITERALS_LZW_DECODE:
                data = self.budget.collect(LZWDecoder(io.BytesIO(data)).run())
            elif f in LITERALS_RUNLENGTH_DECODE:
                data = _run_length(data, self.budget)
            elif f in LITERALS_ASCII85_DECODE:
                data = ascii85decode(data)
            elif f in LITERALS_ASCIIHEX_DECODE:
                data = asciihexdecode(data)
            elif f in _IMAGE_FILTERS:
                break
            elif f == LITERAL_CRYPT:
                raise PDFNotImplementedError("/Crypt filter is unsupported")
            else:
                raise PDFNotImplementedError(f"Unsupported filter: {f!r}")
            data = _unpredict(data, params)
        if filters:
            self.budget.spent += len(data)
        self.data = data
        self.rawdata = None


def _unpredict(data: bytes, params: Any) -> bytes:
    """Undo a PNG or TIFF predictor, as pdfminer does (the output is no larger than the input)."""
    if not params or "Predictor" not in params:
        return data
    predictor = int_value(params["Predictor"])
    if predictor == 1:
        return data
    colors = int_value(params.get("Colors", 1))
    columns = int_value(params.get("Columns", 1))
    bits = int_value(params.get("BitsPerComponent", 8))
    if predictor == 2:
        return apply_tiff_predictor(colors, columns, bits, data)
    if predictor >= 10:
        return apply_png_predictor(predictor, colors, columns, bits, data)
    raise PDFNotImplementedError(f"Unsupported predictor: {predictor!r}")


class BoundedParser(PDFParser):
    """pdfminer's parser, handing out BoundedStreams that share one InflateBudget."""

    def __init__(self, fp: BinaryIO, budget: InflateBudget) -> None:
        super().__init__(fp)
        self.budget = budget

    def do_keyword(self, pos: int, token: Any) -> None:
        super().do_keyword(pos, token)
        # Every stream of a PDF file is made here, just after its "stream" keyword.
        if token is self.KEYWORD_STREAM and self.curstack:
            at, obj = self.curstack[-1]
            if type(obj) is PDFStream:
                self.curstack[-1] = (at, BoundedStream(obj, self.budget))
