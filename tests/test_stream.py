"""Streaming ingestion: feed files, WARC archives, big inputs in bounded memory, and the
progress line's count. Every input is written by the test itself."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
from pathlib import Path

import pytest

from childwatch.errors import InputError
from childwatch.ingest import read_path
from childwatch.ingest.stream import count_documents
from childwatch.records import Document
from childwatch.run.progress import Progress
from childwatch.store import RunCounts

RSS = b"""<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel>
  <title>Lake Monitor &amp; Partners</title>
  <link>https://monitor.example.org/</link>
  <language>en-gb</language>
  <item>
    <title>Gunmen abduct 30 pupils</title>
    <link>https://monitor.example.org/a/1</link>
    <guid isPermaLink="false">monitor-1</guid>
    <pubDate>Mon, 06 Jul 2015 10:00:00 +0000</pubDate>
    <description>&lt;p&gt;Gunmen abducted 30 pupils from a school in Kaduna on Sunday,
      police said.&lt;/p&gt;</description>
  </item>
  <item>
    <title>Boys recruited</title>
    <link>https://monitor.example.org/a/2</link>
    <dc:creator>Staff reporter</dc:creator>
    <content:encoded><![CDATA[<p>Militants recruited <b>12 boys</b> in Borno,
      a local official said.</p>]]></content:encoded>
    <description>Teaser only</description>
  </item>
  <item><title>Five children killed in an air strike on Idlib</title></item>
</channel>
</rss>
"""

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="fr">
  <title>Relief Wire</title>
  <entry>
    <id>tag:reliefwire.example.org,2024:1</id>
    <title type="html">Clinic struck in Taiz</title>
    <link rel="alternate" href="https://reliefwire.example.org/1"/>
    <link rel="enclosure" href="https://reliefwire.example.org/1.mp3"/>
    <author><name>Amal Haddad</name><email>a@example.org</email></author>
    <published>2024-10-17T08:00:00Z</published>
    <summary>A clinic treating children in Taiz was shelled on Tuesday.</summary>
    <content type="xhtml"><div xmlns="http://www.w3.org/1999/xhtml"><p>A clinic treating
      <em>children</em> in Taiz was shelled on Tuesday, the health office said.</p></div></content>
  </entry>
</feed>
"""


def read_all(*paths: Path) -> tuple[list[Document], list[InputError]]:
    docs: list[Document] = []
    errors: list[InputError] = []
    for item in read_path(*paths):
        (docs if isinstance(item, Document) else errors).append(item)  # type: ignore[arg-type]
    return docs, errors


# --- feeds -------------------------------------------------------------------------------


def test_rss_items_become_documents_with_their_exact_bytes(tmp_path: Path) -> None:
    path = tmp_path / "monitor.rss"
    path.write_bytes(RSS)
    docs, errors = read_all(path)
    assert errors == []
    assert [d.id for d in docs] == ["monitor-1", "https://monitor.example.org/a/2", "monitor-3"]
    first, second, third = docs
    assert first.raw.startswith(b"<item>") and first.raw.endswith(b"</item>") and first.raw in RSS
    assert "Gunmen abducted 30 pupils from a school in Kaduna" in first.text and "police said" in first.text
    assert "<p>" not in first.text
    assert (first.title, first.url, first.published) == (
        "Gunmen abduct 30 pupils", "https://monitor.example.org/a/1", "2015-07-06")  # fmt: skip
    assert (first.outlet, first.language, first.media_type) == ("Lake Monitor & Partners", "en", "application/rss+xml")
    assert first.origin == f"{path}:8"
    # The full content wins over the teaser; markup is blanked, not cut.
    assert "12 boys" in second.text and "Teaser" not in second.text
    assert len(second.text) == len("<p>Militants recruited <b>12 boys</b> in Borno,\n      a local official said.</p>")
    assert second.metadata == {"text_from": "encoded", "author": "Staff reporter"}
    # A headline-only item is still read (the title is all the text there is).
    assert third.text == "Five children killed in an air strike on Idlib"
    assert third.metadata == {"text_from": "title", "generated_id": True}


def test_atom_entries_take_the_alternate_link_and_the_author(tmp_path: Path) -> None:
    path = tmp_path / "wire.atom"
    path.write_bytes(ATOM)
    (doc,), errors = read_all(path)
    assert errors == []
    assert doc.id == "tag:reliefwire.example.org,2024:1"
    assert doc.url == "https://reliefwire.example.org/1"
    assert doc.media_type == "application/atom+xml"
    assert doc.published == "2024-10-17" and doc.outlet == "Relief Wire"
    assert doc.metadata["author"] == "Amal Haddad"
    assert "health office said" in doc.text  # the xhtml content, not the summary
    assert doc.raw.decode().startswith("<entry>") and doc.raw in ATOM


def test_an_xml_file_that_is_not_a_feed_is_named(tmp_path: Path) -> None:
    path = tmp_path / "settings.xml"
    path.write_text("<?xml version='1.0'?><settings><a>1</a></settings>")
    docs, (error,) = read_all(path)
    assert docs == []
    assert error.where == str(path) and "not an RSS or Atom feed" in str(error)


def test_a_broken_feed_keeps_the_items_before_the_break(tmp_path: Path) -> None:
    path = tmp_path / "broken.rss"
    path.write_bytes(RSS.replace(b"<item><title>Five", b"<item><title>Five <b>unclosed"))
    docs, (error,) = read_all(path)
    assert [d.id for d in docs] == ["monitor-1", "https://monitor.example.org/a/2"]
    assert error.where.startswith(f"{path}:") and "invalid XML" in str(error)


def test_a_feed_declaring_entities_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.rss"
    path.write_text(
        '<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
        "<rss><channel><item><title>&b;</title></item></channel></rss>"
    )
    docs, (error,) = read_all(path)
    assert docs == [] and "declares XML entities" in str(error)


def test_a_big_feed_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "big.rss"
    item = "<item><guid>n-{0}</guid><title>Report {0}</title><description>{1}</description></item>\n"
    body = "Militants abducted three children near the border, witnesses said. " * 20
    with path.open("w") as out:
        out.write("<rss><channel><title>Big</title>\n")
        for i in range(1500):
            out.write(item.format(i, body))
        out.write("</channel></rss>\n")
    assert path.stat().st_size > 2_000_000
    tracemalloc.start()
    n = sum(1 for item in read_path(path) if isinstance(item, Document))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 1500
    assert peak < 1_000_000, peak  # far below the file's size: items are not kept


# --- WARC --------------------------------------------------------------------------------

PAGE = (
    "<html lang='en'><head><title>Schools attacked</title></head><body><nav>Home | World</nav>"
    "<article><h1>Schools attacked</h1><p>Armed men attacked two schools in Ituri on 3 March 2023, "
    "abducting 14 children, the provincial education office said.</p><p>Parents said the children "
    "were taken into the forest. The army said it was searching for them.</p></article></body></html>"
)


def write_warc(path: Path) -> None:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=path.name.endswith(".gz"))

        def response(url: str, status: str, ctype: str, body: bytes) -> None:
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record(url, "response", payload=io.BytesIO(body), http_headers=headers)
            writer.write_record(record)

        writer.write_record(writer.create_warc_record("https://news.example.org/ituri", "request",
                                                      payload=io.BytesIO(b"GET /ituri HTTP/1.1\r\n\r\n")))  # fmt: skip
        response("https://news.example.org/ituri", "200 OK", "text/html; charset=utf-8", PAGE.encode())
        response("https://news.example.org/logo.png", "200 OK", "image/png", b"\x89PNG\r\n\x1a\n" * 10)
        response("https://news.example.org/gone", "404 Not Found", "text/html", b"<html>gone</html>")
        response("https://news.example.org/note.txt", "200 OK", "text/plain",
                 b"Four children were injured by a landmine near Kupiansk on Monday, officials said.")  # fmt: skip


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_warc_pages_become_documents_and_the_rest_is_passed_over(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    write_warc(path)
    docs, errors = read_all(path)
    assert errors == []
    assert [d.url for d in docs] == ["https://news.example.org/ituri", "https://news.example.org/note.txt"]
    page, note = docs
    assert page.id.startswith("urn:uuid:") and page.id != note.id
    assert page.raw == PAGE.encode() and page.media_type == "text/html"
    assert "abducting 14 children" in page.text and "Home | World" not in page.text
    assert page.origin.startswith(f"{path}#") and page.metadata["http_status"] == "200"
    assert note.text.startswith("Four children were injured") and note.media_type == "text/plain"
    # Stable ids: reading the archive again gives the same documents (resumable runs).
    assert [d.id for d in read_all(path)[0]] == [page.id, note.id]
    assert count_documents([path]) == 3  # an estimate: it counts the 404 page too


def test_a_file_that_is_not_a_warc_is_named(tmp_path: Path) -> None:
    path = tmp_path / "fake.warc"
    path.write_text("this is not an archive\n" * 10)
    docs, (error,) = read_all(path)
    assert docs == [] and error.where == str(path) and "WARC" in str(error)


# --- big inputs --------------------------------------------------------------------------


def test_a_big_gzipped_jsonl_streams_in_bounded_memory(tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl.gz"
    text = "Militants abducted three children near the border, witnesses said. " * 5
    with gzip.open(path, "wt", encoding="utf-8") as out:
        for i in range(6000):
            out.write(json.dumps({"id": f"d{i}", "text": text}) + "\n")
    tracemalloc.start()
    n = 0
    for item in read_path(path):
        assert isinstance(item, Document)
        n += 1
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert n == 6000 and peak < 1_000_000, peak  # the text alone is 2 MB
    assert count_documents([path]) == 6000


def test_a_folder_of_many_files_is_read_in_sorted_order(tmp_path: Path) -> None:
    folder = tmp_path / "many"
    (folder / "sub").mkdir(parents=True)
    names = [f"r{i:05d}.txt" for i in range(3000)]
    for name in reversed(names):
        (folder / name).write_text(f"Report {name}: nothing to say.")
    (folder / "sub" / "z.txt").write_text("Inside a subfolder.")
    (folder / ".hidden.txt").write_text("skipped")
    docs, errors = read_all(folder)
    assert errors == []
    assert [d.id for d in docs] == [n[:-4] for n in names[:]] + ["z"]
    assert count_documents([folder]) == 3001


# --- the progress line -------------------------------------------------------------------


def test_progress_on_a_terminal_shows_rate_and_eta(tmp_path: Path) -> None:
    path = tmp_path / "docs.jsonl"
    path.write_text("".join(json.dumps({"id": i, "text": "x"}) + "\n" for i in range(500)))
    out = io.StringIO()
    progress = Progress(out, interval=0, tty=True)
    progress.expect([path])
    assert progress._counter is not None
    progress._counter.join(5)
    assert progress.total == 500
    counts = RunCounts(docs_read=100, docs_new=90, docs_skipped=10, claims=7)
    progress._samples[0] = (progress._samples[0][0] - 2, 0)  # 100 documents in about 2 s
    progress.update(counts)
    line = out.getvalue()
    assert line.startswith("\r100 of ~500 documents (20%)")
    assert "docs/s  ETA " in line and "90 new, 10 unchanged, 0 failed, 7 claims" in line
    progress.update(RunCounts(docs_read=500), force=True)
    assert out.getvalue().endswith("\n") and "500 documents in" in out.getvalue()
    progress.close()


def test_progress_is_quiet_when_not_on_a_terminal() -> None:
    out = io.StringIO()
    progress = Progress(out, interval=0)
    progress.expect(["."])
    progress.update(RunCounts(docs_read=5000), force=True)
    progress.error("feed.jsonl:3: invalid JSON")
    assert out.getvalue() == "skipped: feed.jsonl:3: invalid JSON\n"
    assert progress._counter is None  # nothing is counted for nobody to see
