"""Fetching URLs against a real HTTP server on 127.0.0.1 (tests/monitor_server.py):
chain of custody, redirects, retries, timeouts, the size limit, robots.txt, content types."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from childwatch.errors import InputError
from childwatch.ingest import read_path
from childwatch.ingest.fetch import DEFAULT_USER_AGENT, Fetcher, FetchSettings
from childwatch.ingest.remote import document_from_capture, fetch_document
from childwatch.records import Document
from monitor_server import MonitorServer, page, rss

CHILDWATCH = Path(sys.executable).with_name("childwatch")
FAST = FetchSettings(connect_timeout=2, read_timeout=0.5, backoff=0.05, retries=2)


@pytest.fixture
def server() -> Iterator[MonitorServer]:
    with MonitorServer() as running:
        yield running


@pytest.fixture
def fetcher() -> Iterator[Fetcher]:
    with Fetcher(FAST) as f:
        yield f


def test_a_page_is_kept_with_its_chain_of_custody(server: MonitorServer, fetcher: Fetcher) -> None:
    body = page("article-abduction.html")
    server.route("/news/abduction", body, headers={"X-Served-By": "test"})
    before = time.time()
    doc = fetch_document(server.url("/news/abduction"), fetcher, max_chars=1_000_000)
    assert isinstance(doc, Document), doc
    assert doc.raw == body and doc.sha256 == hashlib.sha256(body).hexdigest()
    assert doc.url == doc.origin == server.url("/news/abduction")
    assert doc.id.startswith("127.0.0.1:") and doc.id.endswith("/news/abduction@" + doc.sha256[:12])
    assert "Gunmen abducted 14 children from a primary school in Gwoza" in doc.text
    assert "Sign in" not in doc.text and "newsletter" not in doc.text  # boilerplate removed
    custody = doc.metadata["capture"]
    assert isinstance(custody, dict)
    assert custody["status"] == 200 and custody["sha256"] == doc.sha256 and custody["redirects"] == []
    assert ["X-Served-By", "test"] in custody["headers"] or ["x-served-by", "test"] in custody["headers"]
    assert before - 1 <= _epoch(str(custody["captured_at"])) <= time.time() + 1
    assert custody["user_agent"] == DEFAULT_USER_AGENT
    assert server.requests[-1][1]["User-Agent"] == DEFAULT_USER_AGENT


def _epoch(iso: str) -> float:
    from datetime import datetime

    return datetime.fromisoformat(iso).timestamp()


def test_redirects_are_followed_and_recorded(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/old", b"", status=301, headers={"Location": "/moved"})
    server.route("/moved", b"", status=302, headers={"Location": server.url("/news/abduction")})
    server.route("/news/abduction", page("article-abduction.html"))
    capture = fetcher.get(server.url("/old"))
    assert capture.status == 200 and capture.final_url == server.url("/news/abduction")
    assert capture.redirects == [server.url("/old"), server.url("/moved")]
    doc = document_from_capture(capture, max_chars=1_000_000)
    assert isinstance(doc, Document) and doc.url == capture.final_url and doc.origin == server.url("/old")


def test_a_redirect_loop_is_reported(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/a", b"", status=302, headers={"Location": "/b"})
    server.route("/b", b"", status=302, headers={"Location": "/a"})
    with pytest.raises(InputError, match="more than 10 redirects"):
        fetcher.get(server.url("/a"))


def test_a_server_error_is_retried_with_backoff(server: MonitorServer) -> None:
    server.route("/flaky", page("article-hospital.html"), fail_times=2)
    waits: list[float] = []
    with Fetcher(FAST, sleep=waits.append) as fetcher:
        capture = fetcher.get(server.url("/flaky"))
    assert capture.status == 200 and capture.attempts == 3
    assert server.hits["/flaky"] == 3
    assert waits == [0.05, 0.1]  # exponential


def test_a_server_that_keeps_failing_is_reported_by_url(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/down", b"", fail_times=99)
    with pytest.raises(InputError) as caught:
        fetcher.get(server.url("/down"))
    assert caught.value.where == server.url("/down")
    assert "server answered 500" in caught.value.problem and "3 attempts" in caught.value.problem
    assert server.hits["/down"] == 3


def test_a_client_error_is_not_retried(server: MonitorServer, fetcher: Fetcher) -> None:
    with pytest.raises(InputError, match="404"):
        fetcher.get(server.url("/missing"))
    assert server.hits["/missing"] == 1


def test_a_slow_response_times_out_and_is_retried(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/slow", page("article-hospital.html"), delay=1.5)
    started = time.monotonic()
    with pytest.raises(InputError, match="timed out"):
        fetcher.get(server.url("/slow"))
    assert server.hits["/slow"] == 3
    assert time.monotonic() - started < 4  # three 0.5 s read timeouts and short backoffs


def test_a_huge_response_is_cut_at_the_size_limit(server: MonitorServer) -> None:
    server.route("/huge", b"", huge=500 * 1024 * 1024)  # no Content-Length: must be counted
    started = time.monotonic()
    with (
        Fetcher(FetchSettings(max_bytes=1024 * 1024, backoff=0.05)) as fetcher,
        pytest.raises(InputError, match="over the limit of 1,048,576"),
    ):
        fetcher.get(server.url("/huge"))
    assert time.monotonic() - started < 5
    server.route("/declared", b"x" * 2_000_000, content_type="text/plain")
    with (
        Fetcher(FetchSettings(max_bytes=1024 * 1024)) as fetcher,
        pytest.raises(InputError, match="declares 2,000,000 bytes"),
    ):
        fetcher.get(server.url("/declared"))


def test_robots_txt_is_respected(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/private/report", page("article-abduction.html"))
    server.route("/sneaky", b"", status=301, headers={"Location": "/private/report"})
    with pytest.raises(InputError, match=r"robots\.txt .* does not allow") as caught:
        fetcher.get(server.url("/private/report"))
    assert caught.value.where == server.url("/private/report")
    with pytest.raises(InputError, match="redirected to"):
        fetcher.get(server.url("/sneaky"))
    assert "/private/report" not in server.hits
    assert server.hits["/robots.txt"] == 1  # read once per site, then cached


def test_robots_txt_rules_for_our_agent_only(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/robots.txt", "User-agent: childwatch\nDisallow: /\n\nUser-agent: *\nAllow: /\n", "text/plain")
    server.route("/news", page("article-abduction.html"))
    with pytest.raises(InputError, match="robots"):
        fetcher.get(server.url("/news"))


def test_conditional_get_gives_not_modified(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/feed.xml", rss("Feed", []), "application/rss+xml", etag='"v1"', last_modified=1_700_000_000)
    first = fetcher.get(server.url("/feed.xml"))
    assert first.status == 200 and first.header("etag") == '"v1"'
    again = fetcher.get(server.url("/feed.xml"), etag='"v1"')
    assert again.status == 304 and again.body == b""
    by_date = fetcher.get(server.url("/feed.xml"), last_modified=first.header("last-modified"))
    assert by_date.status == 304


def test_other_content_types_are_refused_with_a_message(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/photo.png", b"\x89PNG\r\n\x1a\nrest", content_type="image/png")
    server.route("/feed.xml", rss("Feed", []), content_type="application/rss+xml")
    photo = fetch_document(server.url("/photo.png"), fetcher, max_chars=1000)
    assert isinstance(photo, InputError) and photo.where == server.url("/photo.png")
    assert "content type image/png is not HTML, PDF or plain text" in photo.problem
    feed = fetch_document(server.url("/feed.xml"), fetcher, max_chars=1000)
    assert isinstance(feed, InputError) and "childwatch watch" in feed.hint


def test_untyped_responses_are_sniffed(server: MonitorServer, fetcher: Fetcher) -> None:
    server.route("/download", page("article-hospital.html"), content_type="application/octet-stream")
    doc = fetch_document(server.url("/download"), fetcher, max_chars=1_000_000)
    assert isinstance(doc, Document) and doc.media_type == "text/html"


def test_plain_text_and_pdf_urls_are_read(server: MonitorServer, fetcher: Fetcher) -> None:
    pytest.importorskip("fpdf")
    from pdf_maker import Page, wrap, write_pdf

    server.route("/note.txt", "Field note\nGunmen abducted 3 boys in Gwoza on Monday, residents said.\n", "text/plain")
    data = write_pdf([Page(columns=[wrap("Gunmen abducted 3 boys in Gwoza on Monday, residents said.")])])
    server.route("/report.pdf", data, content_type="application/pdf")
    note = fetch_document(server.url("/note.txt"), fetcher, max_chars=1_000_000)
    assert isinstance(note, Document) and note.media_type == "text/plain" and note.title == "Field note"
    report = fetch_document(server.url("/report.pdf"), fetcher, max_chars=1_000_000)
    assert isinstance(report, Document) and report.media_type == "application/pdf" and report.raw == data
    assert report.metadata["pages"] == [0] and "abducted 3 boys" in report.text


def test_read_path_mixes_files_and_urls_in_order(server: MonitorServer, tmp_path: Path) -> None:
    server.route("/news/abduction", page("article-abduction.html"))
    local = tmp_path / "note.txt"
    local.write_text("Note\nGunmen abducted 3 boys in Gwoza on Monday, residents said.\n", encoding="utf-8")
    items = list(read_path(server.url("/news/abduction"), local, server.url("/nothing-here")))
    assert [type(i).__name__ for i in items] == ["Document", "Document", "InputError"]
    assert isinstance(items[2], InputError) and items[2].where == server.url("/nothing-here")


def test_childwatch_run_fetches_a_url(server: MonitorServer, tmp_path: Path) -> None:
    server.route("/news/abduction", page("article-abduction.html"))
    db = tmp_path / "cw.sqlite"
    url = server.url("/news/abduction")
    done = subprocess.run([str(CHILDWATCH), "run", url, "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "1 documents read, 1 new" in done.stdout
    again = subprocess.run([str(CHILDWATCH), "run", url, "--db", str(db)], capture_output=True, text=True, timeout=300)
    assert "0 new, 1 already stored" in again.stdout
    out = subprocess.run(
        [str(CHILDWATCH), "export", "--db", str(db), "--out", "-"], capture_output=True, text=True, timeout=300
    ).stdout
    claims = [json.loads(line) for line in out.splitlines()]
    assert any(c["violation"] == "abduction" and c["victims"]["count"] == 14 for c in claims)
    missing = subprocess.run(
        [str(CHILDWATCH), "run", server.url("/gone"), "--db", str(db)], capture_output=True, text=True, timeout=300
    )
    assert missing.returncode == 1 and f"{server.url('/gone')}: server answered 404" in missing.stderr
