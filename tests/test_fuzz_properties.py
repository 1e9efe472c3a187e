"""Property and fuzz tests for ingest and extraction: whatever comes in, each input gives
documents or an InputError naming it (never another exception), every document can be
stored, every evidence offset indexes the stored text, and each document is extracted in
bounded time. The invariants live in fuzz/harness.py, shared with the atheris targets
(fuzz/fuzz_ingest.py, fuzz/fuzz_extract.py), which are also smoke-run here.

Hypothesis runs derandomized and without an example database, so CI sees the same
examples on every run. The texts are our own.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import re
import subprocess
import sys
import time
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from childwatch.errors import InputError
from childwatch.extract import Extractor
from childwatch.ingest import read_path
from childwatch.ingest.clean import clean_text
from childwatch.records import Document
from childwatch.run.pipeline import run_pipeline
from childwatch.store import open_store
from pgtest import BACKENDS, database_url

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "fuzz"))
import harness  # noqa: E402

MAX_CHARS = 20_000
# Hypothesis documents are at most a few kilobytes: seconds per document, generous for CI.
SECONDS = 5.0


def examples(n: int) -> settings:
    """Hypothesis settings for a test of `n` examples: derandomized (the same examples on every
    run) and without an example database, so CI is deterministic. Per-example deadlines are
    off and too_slow is suppressed because some examples are HTML pages or PDFs that take tens
    of milliseconds to read; `SECONDS` bounds each document's extraction instead."""
    return settings(derandomize=True, database=None, deadline=None, max_examples=n,
                    suppress_health_check=[HealthCheck.too_slow])  # fmt: skip


SENTENCES = (
    "Armed men abducted 12 children from a school in Maiduguri on Monday, police said.",
    "Gunmen kidnapped 30 pupils in Kaduna state on 6 July 2015, the governor said.",
    "At least 40 boys aged 14 to 17 were recruited by Boko Haram near Gwoza in March 2015, a UN report said.",
    "An air strike hit a hospital in Idlib on 3 June 2019, killing five children, the health directorate said.",
    "Three girls were raped by soldiers in Bentiu last week, according to a local aid group.",
    "Militants used a 13-year-old boy as a suicide bomber in a market in Mosul, witnesses said.",
    "Soldiers detained 9 children overnight in Hebron, a rights group said.",
    "Aid convoys carrying food for children were blocked at a checkpoint near Taiz for two weeks.",
)
FRAGMENTS = (
    "abducted", "kidnapped", "recruited", "killed", "12 children", "three girls", "boys", "pupils", "aged 9",
    "at least 40", "from a school in", "hospital", "Maiduguri", "Idlib", "Goma", "Kabul", "Boko Haram",
    "Islamic State", "the army", "gunmen", "on Monday", "last week", "in March 2015", "999 decades ago",
    "yesterday", "between 2012 and 2014", "police said", "according to UNICEF", "Syrian", "Nigerian", ".", ",",
)  # fmt: skip
# Zero-width and direction marks, line and paragraph separators, combining marks, letters that
# case-fold oddly (İ, ı, ſ, the Kelvin sign), other scripts, markup and entities.
NOISE = (
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069", "\ufeff", "\xa0", "\u2028", "\u2029", "\x85", "\x0c", "\t", "\r",
    "\r\n", "\n\n", "\u0301", "İ", "ı", "ſ", "\u212a", "ß", "ﬁ", "Ⅻ", "١٢", "👧🏽", "&amp;", "&#8217;", "&lt;p&gt;",
    "<p>", "</p>", "<br/>", "<script>", "</script>", "<style>", "<!--", "-->", "\u3002", "Mr.", "U.S.",
    "اختطف مسلحون ١٢ طفلا من مدرسة", "Вооружённые люди похитили 12 детей из школы", "武装分子从学校绑架了12名儿童",
)  # fmt: skip

pieces = st.one_of(st.sampled_from(SENTENCES), st.sampled_from(FRAGMENTS), st.sampled_from(NOISE), st.text(max_size=12))
prose = st.builds(lambda sep, parts: sep.join(parts), st.sampled_from([" ", "", "\n", ". "]),
                  st.lists(pieces, max_size=30))  # fmt: skip
# Any code point, unpaired surrogates included (they reach us through JSON escapes).
any_char = st.characters(blacklist_categories=())


@cache
def extractor() -> Extractor:
    return Extractor()


def check_file(path: Path, *, max_chars: int = MAX_CHARS) -> list[Document]:
    """Read `path` and extract each document, checking every invariant; the documents read."""
    docs = harness.read_checked(path, max_chars=max_chars)
    for doc in docs:
        harness.extract_checked(extractor(), doc, seconds=SECONDS)
    return docs


def errors_of(path: Path, **kwargs: int) -> list[InputError]:
    return [item for item in read_path(path, **kwargs) if isinstance(item, InputError)]


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One folder for a test's examples (each example empties it first)."""
    return tmp_path_factory.mktemp("fuzz")


def write(folder: Path, name: str, content: bytes) -> Path:
    for old in folder.iterdir():
        old.unlink()
    path = folder / name
    path.write_bytes(content)
    return path


def cut(data: bytes, where: float | None) -> bytes:
    """`data` truncated at a fraction `where` of its length (None: whole)."""
    return data if where is None else data[: int(len(data) * where)]


# --- random bytes and arbitrary text ---------------------------------------------------------


@examples(1000)
@given(kind=st.integers(0, len(harness.KINDS) - 1), content=st.binary(max_size=3000))
def test_any_bytes_under_any_supported_name(folder: Path, kind: int, content: bytes) -> None:
    check_file(harness.input_file(bytes([kind]) + content, folder))


@examples(500)
@given(text=prose, head=st.integers(0, 255))
def test_extraction_over_any_text_keeps_every_span_on_the_text(text: str, head: int) -> None:
    doc = harness.input_document(bytes([head]) + text.encode("utf-8", "surrogatepass"))
    harness.extract_checked(extractor(), doc, seconds=SECONDS)


@examples(300)
@given(text=st.one_of(prose, st.text(any_char, max_size=300)))
def test_clean_text_keeps_every_character_it_does_not_blank_in_place(text: str) -> None:
    cleaned = clean_text(text)
    assert len(cleaned) == len(text)
    for i, (before, after) in enumerate(zip(text, cleaned, strict=True)):
        if before in "\r\n":
            assert after == before, f"line break at {i} changed"
        elif after != before:
            # Blanked, made storable, or the first character of a decoded entity ("&amp;").
            assert after == " " or after == "\ufffd" or before == "&", f"{before!r} at {i} became {after!r}"


ENCODINGS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "cp1252", "latin-1")


@examples(200)
@given(
    text=prose,
    encoding=st.sampled_from(ENCODINGS),
    suffix=st.sampled_from([".txt", ".html", ".json", ".jsonl"]),
    where=st.one_of(st.none(), st.floats(0, 1)),
)
def test_text_in_any_encoding_whole_or_truncated(
    folder: Path, text: str, encoding: str, suffix: str, where: float | None
) -> None:
    if suffix in (".json", ".jsonl"):
        text = json.dumps({"text": text}, ensure_ascii=False)
    data = text.encode(encoding, "replace")
    docs = check_file(write(folder, f"doc{suffix}", cut(data, where)))
    if suffix == ".txt" and where is None and encoding in ("utf-8", "utf-8-sig", "utf-16") and docs:
        # Plain text keeps its length: offsets into it are offsets into the file's text.
        assert [len(d.text) for d in docs] == [len(text)]


# --- JSON and JSON Lines of any shape --------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(any_char, max_size=20),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(any_char, max_size=5), inner, max_size=3),
    max_leaves=8,
)
json_objects = st.fixed_dictionaries(
    {},
    optional={
        "id": st.one_of(st.text(any_char, max_size=10), st.integers(), json_values),
        "text": st.one_of(prose, st.text(any_char, max_size=200), json_values),
        "title": st.one_of(st.text(any_char, max_size=30), json_values),
        "published": st.one_of(
            st.sampled_from(["2015-07-06", "0001-01-01", "9999-12-31", "July 6, 2015", ""]), json_values
        ),
        "url": json_values,
        "outlet": json_values,
        "language": json_values,
        "extra": json_values,
    },
)


@examples(200)
@given(
    objects=st.lists(st.one_of(json_objects, json_values), min_size=1, max_size=4),
    suffix=st.sampled_from([".json", ".jsonl", ".jsonl.gz"]),
    ascii_only=st.booleans(),
    where=st.one_of(st.none(), st.none(), st.floats(0, 1)),
)
def test_json_of_any_shape(folder: Path, objects: list[object], suffix: str, ascii_only: bool,
                           where: float | None) -> None:  # fmt: skip
    # ensure_ascii=False writes unpaired surrogates as raw (invalid UTF-8) bytes.
    lines = [json.dumps(obj, ensure_ascii=ascii_only) for obj in objects]
    body = (lines[0] if suffix == ".json" else "\n".join(lines)).encode("utf-8", "surrogatepass")
    body = cut(body, where)
    check_file(write(folder, f"docs{suffix}", gzip.compress(body) if suffix.endswith(".gz") else body))


# --- HTML pages ---------------------------------------------------------------------------

TAGS = ("div", "p", "span", "article", "section", "b", "i", "a", "h1", "h2", "table", "tr", "td", "ul", "li",
        "nav", "footer", "header", "script", "style", "noscript", "template", "blockquote", "figure")  # fmt: skip
html_nodes = st.recursive(
    st.one_of(prose.map(escape), st.sampled_from(NOISE)),
    lambda inner: st.builds(
        lambda tag, children: f"<{tag}>{''.join(children)}</{tag}>", st.sampled_from(TAGS), st.lists(inner, max_size=4)
    ),
    max_leaves=20,
)


@examples(100)
@given(
    title=prose, body=st.lists(html_nodes, max_size=5), where=st.one_of(st.none(), st.floats(0, 1)),
    suffix=st.sampled_from([".html", ".txt"]),
)  # fmt: skip
def test_html_pages_of_any_shape(folder: Path, title: str, body: list[str], where: float | None,
                                 suffix: str) -> None:  # fmt: skip
    head = f"<!doctype html><html lang='en'><head><title>{escape(title)}</title></head>"
    page = f"{head}<body>{''.join(body)}</body></html>"
    check_file(write(folder, f"page{suffix}", cut(page.encode("utf-8"), where)))


# --- feeds --------------------------------------------------------------------------------

feed_items = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "title": prose,
            "description": prose,
            "guid": st.text(max_size=10),
            "link": st.text(max_size=20),
            "pubDate": st.sampled_from(["Mon, 06 Jul 2015 10:00:00 +0000", "yesterday", "0001-01-01", ""]),
        },
    ),
    max_size=4,
)


# Characters XML 1.0 does not allow, even escaped: left out of the feeds built here.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(text: str) -> str:
    return escape(_NOT_XML.sub("", text))


def rss(channel: str, items: list[dict[str, str]], atom: bool) -> str:
    def fields(item: dict[str, str]) -> str:
        names = {"description": "summary", "guid": "id", "pubDate": "published"} if atom else {}
        return "".join(f"<{names.get(k, k)}>{xml_text(v)}</{names.get(k, k)}>" for k, v in item.items())

    if atom:
        entries = "".join(f"<entry>{fields(item)}</entry>" for item in items)
        return f'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><title>{xml_text(channel)}</title>{entries}</feed>'
    entries = "".join(f"<item>{fields(item)}</item>" for item in items)
    return (
        f'<?xml version="1.0"?><rss version="2.0"><channel><title>{xml_text(channel)}</title>{entries}</channel></rss>'
    )


@examples(150)
@given(
    channel=st.text(max_size=20), items=feed_items, atom=st.booleans(),
    suffix=st.sampled_from([".rss", ".atom", ".xml"]), where=st.one_of(st.none(), st.floats(0, 1)),
    flip=st.one_of(st.none(), st.tuples(st.floats(0, 1), st.integers(0, 255))),
)  # fmt: skip
def test_feeds_whole_truncated_or_damaged(folder: Path, channel: str, items: list[dict[str, str]], atom: bool,
                                          suffix: str, where: float | None,
                                          flip: tuple[float, int] | None) -> None:  # fmt: skip
    data = bytearray(cut(rss(channel, items, atom).encode("utf-8"), where))
    if flip is not None and data:
        data[min(int(flip[0] * len(data)), len(data) - 1)] = flip[1]
    docs = check_file(write(folder, f"feed{suffix}", bytes(data)))
    if where is None and flip is None:
        readable = [i for i in items if any(_NOT_XML.sub("", i.get(k, "")).strip() for k in ("title", "description"))]
        assert len(docs) == len(readable)


# --- web archives -------------------------------------------------------------------------

warc_records = st.lists(
    st.tuples(
        st.sampled_from(["response", "resource", "request", "metadata"]),
        st.sampled_from(["200 OK", "404 Not Found", "301 Moved"]),
        st.sampled_from(
            [
                "text/html; charset=utf-8",
                "text/plain",
                "text/plain; charset=utf-16",
                "application/pdf",
                "image/png",
                "text/html; charset=no-such-charset",
                "",
            ]
        ),
        st.one_of(prose.map(lambda t: t.encode("utf-8")), st.binary(max_size=200)),
    ),
    max_size=4,
)


def warc(records: list[tuple[str, str, str, bytes]], gzipped: bool) -> bytes:
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    out = io.BytesIO()
    writer = WARCWriter(out, gzip=gzipped)
    for kind, status, ctype, body in records:
        if kind == "response":
            headers = StatusAndHeaders(status, [("Content-Type", ctype)], protocol="HTTP/1.1")
            record = writer.create_warc_record("https://x.example.org/a", kind, payload=io.BytesIO(body),
                                               http_headers=headers)  # fmt: skip
        else:
            # Not an http(s) URI: warcio would parse the body as an HTTP request.
            record = writer.create_warc_record("urn:example:b", kind, payload=io.BytesIO(body),
                                               warc_content_type=ctype or None)  # fmt: skip
        writer.write_record(record)
    return out.getvalue()


@examples(100)
@given(records=warc_records, gzipped=st.booleans(), where=st.one_of(st.none(), st.floats(0, 1)))
def test_warc_whole_or_truncated(folder: Path, records: list[tuple[str, str, str, bytes]], gzipped: bool,
                                 where: float | None) -> None:  # fmt: skip
    name = "crawl.warc.gz" if gzipped else "crawl.warc"
    check_file(write(folder, name, cut(warc(records, gzipped), where)))


# --- targeted cases --------------------------------------------------------------------------

TEXT = " ".join(SENTENCES[:3])
BAD_ENCODINGS: dict[str, bytes] = {
    "utf8-truncated": TEXT.encode() + "é".encode()[:1],
    "utf8-lone-continuation": b"\x80\x80 " + TEXT.encode("utf-8"),
    "utf8-overlong": b"\xc0\xaf" + TEXT.encode("utf-8"),
    "utf8-surrogate-bytes": TEXT.encode("utf-8") + b"\xed\xa0\x80",
    "utf8-bom-then-invalid": b"\xef\xbb\xbf" + TEXT.encode("utf-8") + b"\xff",
    "utf16-le-bom": TEXT.encode("utf-16"),
    "utf16-be-bom": b"\xfe\xff" + TEXT.encode("utf-16-be"),
    "utf16-bom-odd-length": TEXT.encode("utf-16")[:-1],
    "utf16-bom-lone-surrogate": b"\xff\xfe" + "Armed ".encode("utf-16-le") + b"\x00\xd8" + "men".encode("utf-16-le"),
    "utf16-no-bom": TEXT.encode("utf-16-le"),
    "utf16-nul-characters": "\ufeffArmed\x00 men abducted 12 children\x00.".encode("utf-16-le"),
    "utf32-bom-truncated": TEXT.encode("utf-32")[:-3],
    "cp1252": "Les élèves enlevés à l’école ont été libérés.".encode("cp1252"),
}


@pytest.mark.parametrize("suffix", [".txt", ".html", ".json", ".jsonl", ".rss"])
@pytest.mark.parametrize("name", sorted(BAD_ENCODINGS))
def test_invalid_or_unusual_encodings_give_documents_or_errors_naming_the_file(
    tmp_path: Path, name: str, suffix: str
) -> None:
    content = BAD_ENCODINGS[name]
    if suffix in (".json", ".jsonl"):
        content = b'{"text": "' + content + b'"}'
    elif suffix == ".rss":
        content = b"<rss><channel><item><description>" + content + b"</description></item></channel></rss>"
    path = tmp_path / f"{name}{suffix}"
    path.write_bytes(content)
    docs = check_file(path)
    if name in ("utf16-bom-odd-length", "utf16-bom-lone-surrogate", "utf32-bom-truncated") and suffix in (
        ".txt",
        ".html",
    ):
        (error,) = errors_of(path)
        assert "byte-order mark" in error.problem or "UTF-16" in error.problem, str(error)
    if name == "utf16-nul-characters" and suffix == ".txt":
        (doc,) = docs
        assert doc.text == "Armed  men abducted 12 children ."  # NUL blanked, offsets kept


def test_huge_int_nan_and_unpaired_surrogates_in_json(tmp_path: Path) -> None:
    huge = tmp_path / "huge-int.json"
    huge.write_text('{"text": "Gunmen abducted 5 children.", "n": ' + "9" * 5000 + "}")
    (error,) = errors_of(huge)
    assert error.where == str(huge) and "digits" in error.problem
    odd = tmp_path / "odd.jsonl"
    odd.write_text(
        '{"id": "nan", "text": "Gunmen abducted 5 children in Kaduna.", "score": NaN, "big": 1e999}\n'
        '{"id": "sur\\ud800", "title": "\\udc80 Pupils", "text": "Gunmen \\ud800abducted 5 children in Kaduna."}\n'
    )
    first, second = check_file(odd)
    assert first.metadata["score"] is None and first.metadata["big"] is None
    assert second.id == "sur\\ud800" and second.title == "\ufffd Pupils"
    assert second.text == "Gunmen \ufffdabducted 5 children in Kaduna."


SIZE_50_MB = 50 * 1024 * 1024


def _fifty_mb(suffix: str) -> bytes:
    sentence = (SENTENCES[0] + " ").encode()
    body = sentence * (SIZE_50_MB // len(sentence))
    if suffix in (".json", ".jsonl", ".jsonl.gz"):
        return b'{"text": "' + body + b'"}\n'
    if suffix == ".html":
        return b"<html><body><article><p>" + body + b"</p></article></body></html>"
    if suffix == ".rss":
        return b"<rss><channel><item><description>" + body + b"</description></item></channel></rss>"
    return body


@pytest.mark.parametrize("suffix", [".txt", ".json", ".jsonl", ".jsonl.gz", ".html", ".rss", ".warc.gz"])
def test_a_50_mb_document_is_refused_by_name_in_bounded_time(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"huge{suffix}"
    if suffix == ".warc.gz":
        path.write_bytes(warc([("response", "200 OK", "text/plain", _fifty_mb(".txt"))], gzipped=True))
    elif suffix == ".jsonl.gz":
        path.write_bytes(gzip.compress(_fifty_mb(suffix), compresslevel=1))
    else:
        path.write_bytes(_fifty_mb(suffix))
    started = time.monotonic()
    docs = check_file(path)  # the default max_chars: 5 million characters
    took = time.monotonic() - started
    assert docs == []
    (error,) = errors_of(path)
    assert error.where.startswith(str(path)) and ("over" in error.problem or "too large" in error.problem), str(error)
    assert took < 30, f"refusing a 50 MB {suffix} took {took:.1f} s"


def test_extraction_time_grows_with_the_text_not_faster(tmp_path: Path) -> None:
    """A long report dense with claims (every sentence one): extraction stays near-linear."""

    def seconds(sentences: int) -> float:
        text = " ".join(SENTENCES[i % len(SENTENCES)].replace("12", str(2 + i % 90)) for i in range(sentences))
        doc = harness.input_document(b"\x01" + text.encode())
        started = time.monotonic()
        harness.extract_checked(extractor(), doc)
        return time.monotonic() - started

    small, large = seconds(250), seconds(1000)
    # Four times the text: well under sixteen times the time (quadratic context look-ups took
    # a 300 KB report from seconds to minutes before they were indexed).
    assert large < max(8 * small, 2.0), f"250 sentences {small:.2f} s, 1000 sentences {large:.2f} s"


def test_a_million_tiny_lines(tmp_path: Path) -> None:
    path = tmp_path / "lines.txt"
    path.write_bytes(b"".join(b"%d\n" % (i % 10) for i in range(1_000_000)))
    started = time.monotonic()
    docs = harness.read_checked(path, max_chars=5_000_000)
    for doc in docs:
        harness.extract_checked(extractor(), doc)
    took = time.monotonic() - started
    assert [len(d.text) for d in docs] == [2_000_000]
    assert took < 120, f"a million tiny lines took {took:.1f} s"


@pytest.mark.parametrize("suffix", [".html", ".txt", ".json"])
def test_html_nested_100k_deep(tmp_path: Path, suffix: str) -> None:
    depth = 100_000
    page = "<html><body>" + "<div>" * depth + SENTENCES[0] + "</div>" * depth + "</body></html>"
    path = tmp_path / f"deep{suffix}"
    path.write_text(json.dumps({"id": "deep", "text": page}) if suffix == ".json" else page)
    started = time.monotonic()
    docs = check_file(path, max_chars=5_000_000)
    assert time.monotonic() - started < 60
    if suffix == ".json":
        # Tags blanked in place: the sentence is found where it stands in the JSON text.
        (doc,) = docs
        assert doc.text.strip() == SENTENCES[0]
        assert doc.text.index(SENTENCES[0]) == page.index(SENTENCES[0])


SCRIPTED = (
    "<!doctype html><html><head><title>Pupils taken</title><style>p:before { content: 'Gunmen killed 99 boys.' }"
    "</style><script>var s = '<p>Soldiers recruited 77 children in Goma.</p>'; if (a < b) {}</script></head>"
    "<body><script type='module'>document.write('Militants abducted 55 girls in Kabul.')</script><article>"
    f"<h1>Pupils taken</h1><p>{SENTENCES[0]}</p><p>Parents said the children were taken into the forest.</p>"
    "<noscript>Enable JavaScript to read about 66 children.</noscript></article></body></html>"
)


@pytest.mark.parametrize("suffix", [".html", ".json"])
def test_html_with_scripts_and_styles_reads_only_the_article(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"scripted{suffix}"
    path.write_text(json.dumps({"id": "s", "text": "İİ" + SCRIPTED}) if suffix == ".json" else SCRIPTED)
    (doc,) = check_file(path)
    for planted in ("99 boys", "77 children", "55 girls", "var s", "content:"):
        assert planted not in doc.text, planted
    if suffix == ".json":  # trafilatura keeps <noscript> text of a page; clean_text blanks it
        assert "66 children" not in doc.text
    assert SENTENCES[0] in doc.text
    claims = harness.extract_checked(extractor(), doc)
    assert {c.victims.count for c in claims} == {12}


MALFORMED: dict[str, bytes] = {
    "unclosed.json": b'{"id": "x", "text": "Gunmen abducted 5 children."',
    "bad-escape.json": b'{"text": "Gunmen \\x abducted"}',
    "array.json": b'[{"text": "Gunmen abducted 5 children."}]',
    "number-text.json": b'{"text": 1e999}',
    "two-objects.json": b'{"text": "a children"}\n{"text": "b children"}',
    "nested.json": b'{"text": "x", "deep": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
    "bad-lines.jsonl": b'{"text": "Gunmen abducted 5 children."}\n{"text": \n[1, 2]\n{"text": "\xff"}\n',
    "utf16.jsonl": '{"text": "Gunmen abducted 5 children."}\n'.encode("utf-16"),
    "cut.jsonl.gz": gzip.compress(b'{"text": "Gunmen abducted 5 children."}\n' * 50)[:-20],
    "not-gzip.jsonl.gz": b'{"text": "Gunmen abducted 5 children."}\n',
    "garbage.warc": b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 99999\r\n\r\nHTTP/1.1 200 OK\r\n",
    "headers-only.warc": b"WARC/1.1\r\n\r\n\r\n",
    "not-a.warc": b"GET / HTTP/1.1\r\n\r\n",
    "cut.warc.gz": gzip.compress(b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: 10\r\n\r\n0123456789")[:-6],
    "unclosed.rss": b"<rss><channel><item><title>Gunmen abducted 5 children</title><description>abc",
    "entities.rss": b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
                    b"<rss><channel><item><title>&b;</title></item></channel></rss>",
    "external.rss": b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "http://example.org/x.dtd">'
                    b"<rss><channel><item><title>&ext;</title></item></channel></rss>",
    "bad-char-ref.rss": b"<rss><channel><item><title>a &#0; b</title></item></channel></rss>",
    "wrong-encoding.rss": b'<?xml version="1.0" encoding="utf-16"?><rss><channel></channel></rss>',
    "no-items.rss": b"<rss><channel><title>Empty</title></channel></rss>",
    "unknown-encoding.rss": b'<?xml version="1.0" encoding="UTF-9"?><rss><channel></channel></rss>',
    "shift-jis.rss": b'<?xml version="1.0" encoding="Shift_JIS"?><rss><channel><item><title>\x83e</title>'
    b"</item></channel></rss>",
    "html-root.xml": b"<html><body><p>Gunmen abducted 5 children.</p></body></html>",
    "binary.pdf": b"%PDF-1.7\n" + bytes(range(256)) * 8,
    "not-a.pdf": b"Gunmen abducted 5 children.",
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(MALFORMED))
def test_malformed_inputs_give_an_error_naming_the_input(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(MALFORMED[name])
    started = time.monotonic()
    check_file(path)
    assert time.monotonic() - started < 30
    errors = errors_of(path)
    assert errors, f"{name} was read without a complaint"
    assert all(e.where.startswith(str(path)) for e in errors)


MARKS = {
    "zero-width space": "\u200b",
    "zero-width joiner": "\u200d",
    "zero-width non-joiner": "\u200c",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "right-to-left override": "\u202e",
    "byte-order mark": "\ufeff",
}


@pytest.mark.parametrize("mark", sorted(MARKS))
def test_zero_width_and_direction_marks_keep_offsets(tmp_path: Path, mark: str) -> None:
    char = MARKS[mark]
    # The mark between sentences, inside the sentence, and glued to words.
    text = f"{char}{SENTENCES[0]}{char} {SENTENCES[1].replace(' ', ' ' + char)} {SENTENCES[2].replace('e', 'e' + char)}"
    path = tmp_path / "marks.txt"
    path.write_text(text, encoding="utf-8")
    (doc,) = check_file(path)
    assert len(doc.text) == len(text.removeprefix("\ufeff"))  # a leading BOM is the encoding's mark
    claims = harness.extract_checked(extractor(), doc)
    # The clean first sentence is still read, whatever marks stand around it.
    assert any(c.victims.count == 12 and c.violation == "abduction" for c in claims)


def test_mixed_scripts_around_a_violation_sentence(tmp_path: Path) -> None:
    text = (
        "تقرير: اختطف مسلحون ١٢ طفلا من مدرسة يوم الاثنين. "
        "Отчёт: вооружённые люди похитили детей из школы в понедельник. "
        f"报告：武装分子绑架了儿童。 {SENTENCES[0]} "
        "Ἀθῆναι İstanbul ſ \u212a ı ß ﬁ. 👧🏽👦🏿 ১২ ১২"
    )
    path = tmp_path / "mixed.txt"
    path.write_text(text, encoding="utf-8")
    (doc,) = check_file(path)
    claims = harness.extract_checked(extractor(), doc)
    ours = [c for c in claims if c.violation == "abduction" and c.victims.count == 12]
    assert ours and all(SENTENCES[0] in c.evidence.text for c in ours)


def test_case_folding_look_alikes_do_not_break_extraction() -> None:
    """re.IGNORECASE matches "ſ" as s, "İ"/"ı" as i, "K" as k: words found that way once failed
    table look-ups (KeyError), and a date past year 1 or 9999 failed the calendar."""
    texts = [
        "Gunmen abducted seven children in Syria last ſummer, ſyrian officials said on Sunday.",
        "In the ſpring of 2015 ſix boys were killed, \u212aenyan police said on Wednesday.",
        "Militants abducted 12 children in Idlib 999 decades ago, the past 999 years, thİs weeK.",
    ]
    for text in texts:
        for published in (None, "2015-06-01", "0001-01-01", "9999-12-31"):
            doc = harness.input_document(b"\x00" + text.encode())
            doc.published = published
            harness.extract_checked(extractor(), doc)


def test_files_whose_names_are_not_utf8_are_read_and_named(tmp_path: Path) -> None:
    name = os.fsdecode(b"rapport-\xe9l\xe8ves.txt")
    try:
        (tmp_path / name).write_text(SENTENCES[0])
    except OSError as exc:  # macOS file systems refuse names that are not UTF-8
        pytest.skip(f"this file system refuses names that are not UTF-8 ({exc})")
    (tmp_path / os.fsdecode(b"vide-\xff.txt")).write_bytes(b"")
    docs, errors = [], []
    for item in read_path(tmp_path):
        (docs if isinstance(item, Document) else errors).append(item)
    (doc,) = docs
    (error,) = errors
    harness.check_document(doc, max_chars=MAX_CHARS)
    assert doc.id == "rapport-\\udce9l\\udce8ves"  # the bytes that are not UTF-8, as escapes
    assert error.where.endswith("vide-\\udcff.txt") and "empty" in error.problem
    str(error).encode("utf-8")


# --- the pipeline ---------------------------------------------------------------------------


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    return database_url(request, request.param, tmp_path)


def test_a_batch_of_bad_files_stores_the_good_ones_and_names_each_bad_one(tmp_path: Path, db_url: str) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    (batch / "good.json").write_text(json.dumps({"id": "good", "text": SENTENCES[0]}))
    bad = {
        "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 20,
        "invalid-utf8.json": b'{"text": "\xe9l\xe8ves enlev\xe9s"}',
        "huge-int.json": b'{"text": "Gunmen abducted 5 children.", "n": ' + b"9" * 5000 + b"}",
        "truncated.jsonl.gz": gzip.compress(b'{"text": "Gunmen abducted 5 children."}\n' * 40)[:-30],
        "broken.rss": MALFORMED["unclosed.rss"],
        "fake.warc": b"this is not an archive\n" * 5,
        "odd-length-utf16.txt": TEXT.encode("utf-16")[:-1],
        "empty.html": b"   ",
        "notes.docx": b"PK\x03\x04",
    }
    for name, content in bad.items():
        (batch / name).write_bytes(content)
    # Readable, but each once failed the whole batch's write: NUL characters (UTF-16), NaN
    # in metadata, unpaired surrogates in the id and text, a file name that is not UTF-8.
    (batch / "nul-utf16.txt").write_bytes("\ufeffGunmen\x00 abducted 5 children in Kaduna.".encode("utf-16-le"))
    (batch / "nan.json").write_text('{"id": "nan", "text": "Gunmen abducted 5 children in Kaduna.", "x": NaN}')
    (batch / "surrogates.json").write_text('{"id": "sur\\ud800", "text": "Gunmen \\udc80abducted 5 children."}')
    (batch / os.fsdecode(b"caf\xe9.txt")).write_text(SENTENCES[1])
    with open_store(db_url) as store:
        summary = run_pipeline([batch], store)
        stored = store.document_hashes(["good", "nul-utf16", "nan", "sur\\ud800", "caf\\udce9"])
    assert set(stored) == {"good", "nul-utf16", "nan", "sur\\ud800", "caf\\udce9"}
    assert summary.counts.docs_new == 5
    for name in bad:
        assert any(str(batch / name) in message for message in summary.errors), name
    assert summary.counts.docs_failed == len(bad) == len(summary.errors)


# --- the atheris targets --------------------------------------------------------------------


@pytest.mark.parametrize(("target", "runs"), [("ingest", 600), ("extract", 1000)])
def test_atheris_target_runs_clean(tmp_path: Path, target: str, runs: int) -> None:
    try:
        import atheris  # noqa: F401
    except ImportError as exc:
        pytest.skip(f"atheris cannot be imported ({exc}); pip install -e '.[dev]'")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    command = [sys.executable, str(ROOT / "fuzz" / f"fuzz_{target}.py"), f"-runs={runs}", "-seed=1",
               "-timeout=30", "-max_total_time=120", f"-artifact_prefix={tmp_path}/", str(corpus),
               str(ROOT / "fuzz" / "seeds" / target)]  # fmt: skip
    if target == "extract":
        command.insert(2, f"-dict={ROOT / 'fuzz' / 'extract.dict'}")
    # TMPDIR: the target's scratch folder goes under tmp_path, removed with it.
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    result = subprocess.run(command, capture_output=True, text=True, timeout=300, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "DONE" in result.stderr
