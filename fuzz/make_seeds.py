"""Write the seed corpora in fuzz/seeds/ (our own short texts, one small file of each kind).

    .venv/bin/python fuzz/make_seeds.py

Ingest seeds begin with the byte that picks their kind (see KINDS in fuzz_ingest.py).
"""

from __future__ import annotations

import gzip
import io
import json
from pathlib import Path

from harness import KINDS

HERE = Path(__file__).resolve().parent

SENTENCES = (
    "Armed men abducted 12 children from a school in Maiduguri on Monday, police said.",
    "At least 40 boys aged 14 to 17 were recruited by Boko Haram near Gwoza in March 2015, a UN report said.",
    "An air strike hit a hospital in Idlib on 3 June 2019, killing five children, the health directorate said.",
    "Three girls were raped by soldiers in Bentiu last week, according to a local NGO.",
)
TEXT = " ".join(SENTENCES)

PAGE = (
    "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>Pupils taken</title>"
    "<script>var x = '<p>not text</p>';</script><style>p { color: red }</style></head>"
    f"<body><nav>Home | World</nav><article><h1>Pupils taken</h1><p>{SENTENCES[0]}</p>"
    f"<p>{SENTENCES[1]} &amp; more &#8217;</p></article></body></html>"
)

RSS = f"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/">
<channel><title>Seed Wire</title><language>en</language>
<item><title>Pupils taken</title><guid>seed-1</guid><pubDate>Mon, 06 Jul 2015 10:00:00 +0000</pubDate>
<description>&lt;p&gt;{SENTENCES[0]}&lt;/p&gt;</description></item>
<item><title>Boys recruited</title><link>https://seed.example.org/2</link>
<content:encoded><![CDATA[<p>{SENTENCES[1]}</p>]]></content:encoded></item>
</channel></rss>
"""

ATOM = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Seed Relief</title>
<entry><id>tag:seed.example.org,2024:1</id><title>Clinic hit</title>
<link rel="alternate" href="https://seed.example.org/1"/><author><name>A. Writer</name></author>
<published>2024-10-17T08:00:00Z</published><summary>{SENTENCES[2]}</summary></entry></feed>
"""


def warc(gzipped: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    for url, ctype, body in (
        ("https://seed.example.org/a", "text/html; charset=utf-8", PAGE.encode()),
        ("https://seed.example.org/b.txt", "text/plain", SENTENCES[3].encode()),
    ):
        headers = StatusAndHeaders("200 OK", [("Content-Type", ctype)], protocol="HTTP/1.1")
        writer.write_record(writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers))
    return out.getvalue()


def pdf() -> bytes:
    from fpdf import FPDF

    doc = FPDF(format="A4", unit="pt")
    doc.add_page()
    doc.set_font("helvetica", size=10)
    doc.multi_cell(0, 12, TEXT)
    return bytes(doc.output())


def ingest_seeds() -> dict[str, tuple[str, bool, bytes]]:
    jsonl = "\n".join(json.dumps({"id": f"seed-{i}", "text": s}) for i, s in enumerate(SENTENCES)) + "\n"
    return {
        "report.txt": (".txt", False, ("Pupils taken\n\n" + TEXT).encode()),
        "report-utf16.txt": (".txt", False, TEXT.encode("utf-16")),
        "page.html": (".html", False, PAGE.encode()),
        "report.json": (
            ".json",
            False,
            json.dumps({"id": "seed", "title": "Pupils &amp; taken", "published": "2015-07-06", "text": TEXT}).encode(),
        ),
        "reports.jsonl": (".jsonl", False, jsonl.encode()),
        "reports.jsonl.gz": (".jsonl.gz", True, jsonl.encode()),
        "reports-raw.jsonl.gz": (".jsonl.gz", False, gzip.compress(jsonl.encode(), mtime=0)),
        "crawl.warc": (".warc", False, warc(False)),
        "crawl.warc.gz": (".warc.gz", False, warc(True)),
        "feed.rss": (".rss", False, RSS.encode()),
        "feed.atom": (".atom", False, ATOM.encode()),
        "report.pdf": (".pdf", False, pdf()),
    }


def main() -> None:
    ingest = HERE / "seeds" / "ingest"
    extract = HERE / "seeds" / "extract"
    for folder in (ingest, extract):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
    for name, (suffix, compress, content) in ingest_seeds().items():
        selector = KINDS.index((suffix, compress))
        (ingest / name).write_bytes(bytes([selector]) + content)
    texts = {
        "sentences.txt": TEXT,
        "paragraphs.txt": "\n\n".join(SENTENCES),
        "mixed-scripts.txt": f"تقرير: {SENTENCES[0]} Отчёт: {SENTENCES[1]} 报告: {SENTENCES[2]}",
        "bidi-zero-width.txt": "\u202e" + SENTENCES[0].replace(" ", " \u200b") + "\u200e\u200d" + SENTENCES[3],
    }
    for i, (name, text) in enumerate(texts.items()):
        # The first byte picks the publication date and cleaning (see fuzz_extract.py).
        (extract / name).write_bytes(bytes([i | (0x80 if i % 2 else 0)]) + text.encode())


if __name__ == "__main__":
    main()
