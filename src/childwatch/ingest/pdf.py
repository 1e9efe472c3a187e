"""PDF reports: the text of each page in reading order, and where each page starts.

    doc = pdf_document(data, where="report.pdf", doc_id="report", max_chars=5_000_000)
    doc.metadata["pages"]                 # [0, 2113, 4420, ...]: offset of each page in doc.text
    page_numbers(start, end, doc.metadata["pages"])   # -> [2, 3]: pages a span touches

pdfminer.six lays out the characters of a page into lines with their boxes; from those
this module rebuilds what a reader sees:

- **columns**: a page is cut at a vertical gutter that no line crosses (recursively, so
  three columns work too); full-width lines (titles, notes) stay where they are, and each
  band of columns is read left column first;
- **headers and footers**: lines at the top or bottom of a page that repeat (digits
  ignored, so "Page 3 of 9" repeats) on most pages, and bare page numbers, are dropped;
- **paragraphs**: lines are joined with a space (the sentence splitter ends a sentence at
  a line break), a word hyphenated at a line end is joined again ("recruit-" + "ment"),
  and a sentence that runs on into the next column or page is kept whole.

The working text is what this module builds, so evidence offsets point into it; the PDF
bytes are kept as `raw`. A PDF with no text layer (a scan) is refused: OCR is out of scope.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LAParams, LTTextLineHorizontal
from pdfminer.pdfdocument import PDFDocument, PDFEncryptionError, PDFPasswordIncorrect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.utils import decode_text

from childwatch.errors import InputError
from childwatch.ingest.clean import clean_text
from childwatch.ingest.fields import too_long
from childwatch.ingest.limits import CapExceeded
from childwatch.ingest.pdfstreams import BoundedParser, InflateBudget
from childwatch.records import Document

MEDIA_TYPE = "application/pdf"
# Narrowest gap between columns; word gaps in justified text stay well below it.
MIN_GUTTER = 8.0
# A line among the top or bottom EDGE_LINES of a page, inside the outer EDGE_ZONE of its
# height, that repeats on this share of pages (and at least twice) is a running header or
# footer. Below one half on purpose: reports
# alternate headers between left and right pages.
EDGE_LINES = 3
EDGE_ZONE = 0.15
REPEAT_SHARE = 0.4
# A PDF whose pages hold fewer letters than this, in all, has no usable text layer.
MIN_LETTERS = 20

_PAGE_NUMBER = re.compile(r"(?:page|p\.)?\s*[-–—(\[]?\s*\d{1,4}\s*[-–—)\]]?\s*(?:(?:of|/)\s*\d{1,4})?", re.I)
_SENTENCE_END = (".", "!", "?", ":", '"', "'", "”", "’", ")", "]")
_HYPHENS = ("-", "\u00ad", "\u2010")


@dataclass(frozen=True, slots=True)
class Page:
    height: float
    lines: list[Line]


@dataclass(frozen=True, slots=True)
class Line:
    """One line of text on a page; `top` and `bottom` are measured down from the page top."""

    x0: float
    x1: float
    top: float
    bottom: float
    text: str

    @property
    def height(self) -> float:
        return self.bottom - self.top


def page_numbers(start: int, end: int, page_starts: Sequence[int]) -> list[int]:
    """The 1-based numbers of the pages that the span [start, end) of the text touches."""
    if not page_starts:
        return []
    first = max(1, bisect_right(page_starts, start))
    last = max(first, bisect_left(page_starts, max(end, start + 1)))
    return list(range(first, last + 1))


def pdf_document(data: bytes, *, where: str, doc_id: str, max_chars: int) -> Document | InputError:
    """Read a whole PDF into one Document, or say why it can't be (naming `where`)."""
    if b"%PDF-" not in data[:1024]:
        return InputError(where, "is not a PDF (no %PDF- header)", "check that the file is a PDF report")
    parsed = _parse(data, where)
    if isinstance(parsed, InputError):
        return parsed
    pages, info = parsed
    if sum(ch.isalpha() for page in pages for line in page.lines for ch in line.text) < MIN_LETTERS:
        return InputError(
            where,
            f"has no text layer ({len(pages)} page(s) of images: a scanned document?); OCR is not supported",
            "run it through an OCR tool that writes a searchable PDF, then ingest that",
        )
    text, starts = assemble([reading_order(page) for page in drop_running_lines(pages)])
    if len(text) > max_chars:
        return too_long(where, len(text), max_chars)
    metadata: dict[str, object] = {"pages": starts}
    if info:
        metadata["pdf"] = info
    title = info.get("title") if isinstance(info.get("title"), str) else None
    return Document(
        id=doc_id,
        text=clean_text(text),
        raw=data,
        sha256=hashlib.sha256(data).hexdigest(),
        origin=where,
        media_type=MEDIA_TYPE,
        title=title or _first_line_title(text),
        metadata=metadata,
    )


def _parse(data: bytes, where: str) -> tuple[list[Page], dict[str, str]] | InputError:
    budget = InflateBudget()
    try:
        document = PDFDocument(BoundedParser(io.BytesIO(data), budget))
        resources = PDFResourceManager()
        device = PDFPageAggregator(resources, laparams=LAParams())
        interpreter = PDFPageInterpreter(resources, device)
        pages: list[Page] = []
        for page in PDFPage.create_pages(document):
            interpreter.process_page(page)
            layout = device.get_result()
            pages.append(Page(layout.height, _lines(layout)))
        info = _info(document.info)
    except CapExceeded as exc:
        return exc.error(where, "nothing of it was read")
    except (PDFEncryptionError, PDFPasswordIncorrect):
        return InputError(where, "is encrypted with a password", "ingest an unprotected copy of the report")
    # pdfminer raises many kinds of errors on damaged files (its own, and struct, zlib,
    # KeyError...); one bad report must not stop a batch, and the message names the file.
    except Exception:
        if budget.exceeded is not None:  # a cap, raised inside pdfminer and turned into another error
            return budget.exceeded.error(where, "nothing of it was read")
        # pdfminer's messages name its internals ("KeyError: 'Root'"): say what it means.
        return InputError(
            where,
            "is damaged or not a PDF: its structure could not be read",
            "check that it opens in a PDF reader; if it does, save or print it to a new PDF and ingest that",
        )
    if budget.exceeded is not None:  # a cap, raised inside pdfminer and caught there
        return budget.exceeded.error(where, "nothing of it was read")
    if not pages:
        return InputError(where, "PDF has no pages")
    return pages, info


def _lines(layout: Any) -> list[Line]:
    height = layout.height
    found: list[Line] = []

    def walk(item: Any) -> None:
        if isinstance(item, LTTextLineHorizontal):
            text = " ".join(item.get_text().split())
            if text:
                found.append(Line(item.x0, item.x1, height - item.y1, height - item.y0, text))
            return
        if hasattr(item, "__iter__"):
            for child in item:
                walk(child)

    walk(layout)
    return found


def _info(entries: Iterable[dict[str, Any]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for entry in entries:
        for key in ("Title", "Author", "Subject", "Producer", "CreationDate", "ModDate"):
            value: Any = entry.get(key)
            if hasattr(value, "resolve"):  # an indirect object
                value = value.resolve()
            if isinstance(value, bytes):
                value = decode_text(value)
            if isinstance(value, str) and value.strip():
                out[key.lower()] = " ".join(value.split())
    return out


def _first_line_title(text: str) -> str | None:
    first = text.split("\n", 1)[0].strip()
    if 0 < len(first) <= 150 and len(first.split()) <= 20 and not first.endswith((".", ",", ";", ":")):
        return first
    return None


# --- headers and footers -------------------------------------------------------------------


def _shape(text: str) -> str:
    """What stays the same in a running header from page to page (digits vary)."""
    return re.sub(r"\d+", "#", text.lower()).strip()


def drop_running_lines(pages: list[Page]) -> list[list[Line]]:
    """The lines of each page without running headers, footers and bare page numbers."""
    edges = [_edge_lines(page) for page in pages]
    seen = Counter(shape for edge in edges for shape in {_shape(line.text) for line in edge})
    need = max(2.0, REPEAT_SHARE * len(pages))
    repeated = {shape for shape, n in seen.items() if n >= need}
    out = []
    for page, edge in zip(pages, edges, strict=True):
        drop = {id(line) for line in edge if _shape(line.text) in repeated or _PAGE_NUMBER.fullmatch(line.text)}
        out.append([line for line in page.lines if id(line) not in drop])
    return out


def _edge_lines(page: Page) -> list[Line]:
    by_top = sorted(page.lines, key=lambda line: line.top)
    top = [line for line in by_top[:EDGE_LINES] if line.bottom <= EDGE_ZONE * page.height]
    bottom = [line for line in by_top[-EDGE_LINES:] if line.top >= (1 - EDGE_ZONE) * page.height]
    return list({id(line): line for line in top + bottom}.values())


# --- reading order --------------------------------------------------------------------------


def reading_order(lines: list[Line], depth: int = 0) -> list[list[Line]]:
    """The page's lines as blocks (columns or full-width runs), in reading order."""
    if not lines:
        return []
    gutter = _gutter(lines) if depth < 3 else None
    ordered = sorted(lines, key=lambda line: (line.top, line.x0))
    if gutter is None:
        return [_merge_rows(ordered)]
    lo, hi = gutter
    blocks: list[list[Line]] = []
    band: list[Line] = []  # lines beside the gutter, read column by column
    full: list[Line] = []  # lines across it (titles, notes), read as they come
    for line in ordered:
        if line.x0 < hi and line.x1 > lo:
            blocks.extend(_columns(band, lo, hi, depth))
            band = []
            full.append(line)
        else:
            if full:
                blocks.append(_merge_rows(full))
                full = []
            band.append(line)
    blocks.extend(_columns(band, lo, hi, depth))
    if full:
        blocks.append(_merge_rows(full))
    return blocks


def _columns(band: list[Line], lo: float, hi: float, depth: int) -> list[list[Line]]:
    left = [line for line in band if line.x1 <= lo]
    right = [line for line in band if line.x0 >= hi]
    return reading_order(left, depth + 1) + reading_order(right, depth + 1)


def _gutter(lines: list[Line]) -> tuple[float, float] | None:
    """A vertical strip no line crosses with at least two lines on each side, or None."""
    x_min = min(line.x0 for line in lines)
    x_max = max(line.x1 for line in lines)
    width = x_max - x_min
    if width < 4 * MIN_GUTTER:
        return None
    best: tuple[int, int, float] | None = None
    # Candidate strips start at line ends: a gutter begins where a column's lines end.
    for start in sorted({line.x1 for line in lines}):
        if not x_min + 0.2 * width <= start <= x_min + 0.8 * width:
            continue
        stop = start + MIN_GUTTER
        left = right = crossing = 0
        for line in lines:
            if line.x1 <= start:
                left += 1
            elif line.x0 >= stop:
                right += 1
            else:
                crossing += 1
        # Columns dominate the page: few lines may cross (titles, notes), most may not.
        # The true gutter is crossed least; a strip inside a column is crossed by its long lines.
        if min(left, right) >= 2 and crossing <= 0.25 * len(lines):
            candidate = (-crossing, min(left, right), start)
            if best is None or candidate[:2] > best[:2]:
                best = candidate
    if best is None:
        return None
    start = best[2]
    right_edge = min((line.x0 for line in lines if line.x0 >= start + MIN_GUTTER), default=start + MIN_GUTTER)
    return start, right_edge


def _merge_rows(lines: list[Line]) -> list[Line]:
    """Pieces of one visual row (pdfminer splits rows at wide spaces) joined left to right."""
    rows: list[Line] = []
    for line in lines:
        last = rows[-1] if rows else None
        if last is not None and line.top < last.bottom - 0.5 * min(line.height, last.height):
            first, second = (last, line) if last.x0 <= line.x0 else (line, last)
            rows[-1] = Line(
                min(last.x0, line.x0),
                max(last.x1, line.x1),
                min(last.top, line.top),
                max(last.bottom, line.bottom),
                f"{first.text} {second.text}",
            )
        else:
            rows.append(line)
    return rows


# --- text -------------------------------------------------------------------------------------


def assemble(pages: list[list[list[Line]]]) -> tuple[str, list[int]]:
    """The document text from pages of blocks of lines, and the offset where each page starts."""
    parts: list[str] = []
    length = 0
    starts: list[int] = []
    for blocks in pages:
        first_on_page = True
        for block in blocks:
            for paragraph in _paragraphs(block):
                if parts:
                    sep = _separator(parts[-1], paragraph)
                    if sep == "" and parts[-1].endswith(_HYPHENS):
                        parts[-1] = parts[-1][:-1]
                        length -= 1
                    parts.append(sep)
                    length += len(sep)
                if first_on_page:
                    starts.append(length)
                    first_on_page = False
                parts.append(paragraph)
                length += len(paragraph)
        if first_on_page:  # a page without text starts (and ends) where the text stands
            starts.append(length)
    return "".join(parts), starts


def _separator(before: str, after: str) -> str:
    """How a paragraph that ends with `before` meets the next: run on, or a line break."""
    if before.endswith(_SENTENCE_END) or not after[:1].islower():
        return "\n"
    return "" if _hyphenated(before, after) else " "


def _hyphenated(before: str, after: str) -> bool:
    return len(before) >= 2 and before.endswith(_HYPHENS) and before[-2].isalpha() and after[:1].islower()


def _paragraphs(block: list[Line]) -> list[str]:
    """A block's lines joined into paragraphs: a wide vertical gap or a short last line ends one."""
    if not block:
        return []
    pitches = sorted(b.top - a.top for a, b in itertools.pairwise(block) if b.top > a.top)
    pitch = pitches[len(pitches) // 2] if pitches else 0.0
    width = max(line.x1 for line in block) - min(line.x0 for line in block)
    paragraphs: list[str] = []
    current = block[0].text
    for previous, line in itertools.pairwise(block):
        gap = line.top - previous.top
        short_end = previous.text.endswith(_SENTENCE_END) and previous.x1 - previous.x0 < 0.7 * width
        if (pitch and gap > 1.5 * pitch) or short_end:
            paragraphs.append(current)
            current = line.text
        elif _hyphenated(current, line.text):
            current = current[:-1] + line.text
        else:
            current = f"{current} {line.text}"
    paragraphs.append(current)
    return paragraphs


def claim_pages(
    evidence: tuple[int, int], mentions: Iterable[tuple[int, int]], page_starts: Sequence[int]
) -> list[int]:
    """The pages holding a claim's evidence sentence and its further mentions, in order."""
    pages = set(page_numbers(*evidence, page_starts))
    for start, end in mentions:
        pages.update(page_numbers(start, end, page_starts))
    return sorted(pages)
