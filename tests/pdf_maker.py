"""Writes the PDFs the PDF tests read (fpdf2), with exact control over where lines go.

    write_pdf([Page(columns=[[...lines...], [...lines...]], header="...", footer="Page {n}")])

Each column is a list of lines placed top to bottom at a fixed pitch, so a test decides
where a line breaks (and so where a word is hyphenated). `wrap` cuts prose into lines
that fit a column.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field

PAGE_WIDTH = 595.0  # A4, points
PAGE_HEIGHT = 842.0
MARGIN = 50.0
GUTTER = 30.0
PITCH = 14.0


@dataclass
class Page:
    columns: list[list[str]] = field(default_factory=list)
    title: str | None = None  # a full-width line above the columns
    header: str | None = None  # "{n}" is replaced by the page number
    footer: str | None = None


def wrap(text: str, columns: int = 1) -> list[str]:
    return textwrap.wrap(text, width=95 if columns == 1 else 44)


def write_pdf(pages: list[Page]) -> bytes:
    from fpdf import FPDF

    pdf = FPDF(format="A4", unit="pt")
    pdf.set_auto_page_break(False)
    for number, spec in enumerate(pages, 1):
        pdf.add_page()
        if spec.header:
            pdf.set_font("Helvetica", size=8)
            pdf.text(MARGIN, 36, spec.header.format(n=number))
        if spec.footer:
            pdf.set_font("Helvetica", size=8)
            pdf.text(MARGIN, PAGE_HEIGHT - 30, spec.footer.format(n=number))
        top = 90.0
        if spec.title:
            pdf.set_font("Helvetica", style="B", size=13)
            pdf.text(MARGIN, top, spec.title)
            top += 2 * PITCH
        pdf.set_font("Helvetica", size=10)
        n = len(spec.columns)
        width = (PAGE_WIDTH - 2 * MARGIN - (n - 1) * GUTTER) / max(n, 1)
        for i, lines in enumerate(spec.columns):
            x = MARGIN + i * (width + GUTTER)
            for j, line in enumerate(lines):
                if line:
                    pdf.text(x, top + j * PITCH, line)
    return bytes(pdf.output())


def scanned_pdf(pages: int = 2) -> bytes:
    """A PDF of page images only: what a scanner makes, with no text layer."""
    from fpdf import FPDF
    from PIL import Image, ImageDraw

    pdf = FPDF(format="A4", unit="pt")
    for _ in range(pages):
        image = Image.new("L", (600, 800), 255)
        draw = ImageDraw.Draw(image)
        for y in range(80, 760, 24):
            draw.rectangle((60, y, 540, y + 10), fill=40)  # lines of "print"
        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        pdf.add_page()
        pdf.image(buffer, x=0, y=0, w=PAGE_WIDTH, h=PAGE_HEIGHT)
    return bytes(pdf.output())


def bomb_pdf(inflated: int, text: str = "A report that says little.", streams: int = 1) -> bytes:
    """A one-page PDF whose content shows `text`, then `streams` content streams that each
    inflate to `inflated` bytes of zeros: 512 MiB take about 520 KB, the way a decompression
    bomb is made. Written by hand, compressing as it goes (fpdf2 holds whole streams)."""
    import zlib

    def deflated(head: bytes) -> bytes:
        deflate = zlib.compressobj(9)
        parts = [deflate.compress(head)]
        block = bytes(8 << 20)
        for done in range(0, inflated, len(block)):
            parts.append(deflate.compress(block[: min(len(block), inflated - done)]))
        parts.append(deflate.flush())
        return b"".join(parts)

    shown = f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET\n".encode("latin-1")
    contents = [deflated(shown if i == 0 else b"") for i in range(streams)]
    refs = b" ".join(b"%d 0 R" % (5 + i) for i in range(streams))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents [%s]"
        b" /Resources << /Font << /F1 4 0 R >> >> >>" % refs,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        *(b"<< /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream" % (len(c), c) for c in contents),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)
