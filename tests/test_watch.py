"""Watching feeds and pages against a real HTTP server on 127.0.0.1 (tests/monitor_server.py):
new items appear once, failures are reported and retried, restarts duplicate nothing,
the same report under another URL is not taken in twice."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from childwatch.errors import InputError
from childwatch.ingest.fetch import FetchSettings
from childwatch.read.watched import sources_health
from childwatch.run.watch import (
    SourceSpec,
    WatchSettings,
    WatchSummary,
    parse_interval,
    read_sources_file,
    watch,
)
from childwatch.store import Store, open_store
from childwatch.store import watched as db
from monitor_server import MonitorServer, atom, page, rss

CHILDWATCH = Path(sys.executable).with_name("childwatch")
FAST = FetchSettings(connect_timeout=2, read_timeout=0.5, backoff=0.05, retries=1)
SETTINGS = WatchSettings(fetch=FAST)


@pytest.fixture
def server() -> Iterator[MonitorServer]:
    with MonitorServer() as running:
        running.route("/news/abduction", page("article-abduction.html"))
        running.route("/news/recruitment", page("article-recruitment.html"))
        running.route("/news/hospital", page("article-hospital.html"))
        yield running


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "watch.sqlite") as opened:
        yield opened


def item(server: MonitorServer, slug: str, guid: str | None = None) -> dict[str, str]:
    entry = {"title": slug, "link": server.url(f"/news/{slug}"), "pubDate": "Tue, 12 Mar 2024 08:00:00 +0000"}
    if guid:
        entry["guid"] = guid
    return entry


def set_feed(server: MonitorServer, version: str, items: list[dict[str, str]]) -> None:
    server.route("/feed.xml", rss("Sahel Monitor", items), "application/rss+xml", etag=f'"{version}"')


def poll(store: Store, *urls: str, settings: WatchSettings = SETTINGS) -> tuple[list[str], WatchSummary]:
    lines: list[str] = []
    summary = watch(store, [SourceSpec(u) for u in urls], settings, once=True, log=lines.append)
    return lines, summary


def doc_ids(store: Store) -> list[str]:
    with store.reading() as conn:
        return sorted(r[0] for r in conn.exec_driver_sql("SELECT id FROM documents"))


def test_new_items_appear_once_and_seen_items_are_not_fetched_again(server: MonitorServer, store: Store) -> None:
    set_feed(server, "v1", [item(server, "abduction"), item(server, "recruitment")])
    lines, _ = poll(store, server.url("/feed.xml"))
    assert len(lines) == 1 and "200, 2 listed; 2 new" in lines[0], lines
    assert len(doc_ids(store)) == 2
    claims = [c.claim for c in store.iter_claims()]
    assert claims and all(c.incident_id for c in claims)  # attached to incidents
    # Unchanged feed: a conditional GET answered 304, nothing fetched again.
    lines, _ = poll(store, server.url("/feed.xml"))
    assert "304 not modified" in lines[0] and "0 new" in lines[0]
    assert server.requests[-1][1].get("If-None-Match") == '"v1"'
    # A new item: only it is fetched.
    set_feed(server, "v2", [item(server, "hospital"), item(server, "abduction"), item(server, "recruitment")])
    lines, _ = poll(store, server.url("/feed.xml"))
    assert "3 listed; 1 new" in lines[0] and "2 seen" in lines[0]
    assert server.hits["/news/abduction"] == server.hits["/news/recruitment"] == server.hits["/news/hospital"] == 1
    assert len(doc_ids(store)) == 3


def test_the_same_report_under_another_url_is_not_taken_in_again(server: MonitorServer, store: Store) -> None:
    set_feed(server, "v1", [item(server, "abduction")])
    poll(store, server.url("/feed.xml"))
    # The same bytes under a new URL and guid, and the same text in another page template.
    server.route("/news/abduction-copy", page("article-abduction.html"))
    retemplated = page("article-abduction.html").replace(b"Sign in", b"Log in here").replace(b"Most read", b"Popular")
    server.route("/amp/abduction", retemplated)
    set_feed(
        server,
        "v2",
        [item(server, "abduction"), item(server, "abduction-copy", "copy-1"), item(server, "hospital")],
    )
    server.route("/feed2.xml", atom("Wire", [{"id": "w1", "title": "amp", "link": server.url("/amp/abduction")}]))
    server.routes["/feed2.xml"].content_type = "application/atom+xml"
    lines, _ = poll(store, server.url("/feed.xml"), server.url("/feed2.xml"))
    assert "1 new" in lines[0] and "1 duplicate" in lines[0], lines
    assert "0 new" in lines[1] and "1 duplicate" in lines[1], lines
    assert len(doc_ids(store)) == 2
    rows = {r["url"]: r for r in sources_health(store)}
    assert rows[server.url("/feed2.xml")]["items_duplicate"] == 1


def test_failures_are_reported_and_retried(server: MonitorServer, store: Store) -> None:
    server.route("/news/flaky", page("article-hospital.html"), fail_times=99)
    set_feed(server, "v1", [item(server, "abduction"), item(server, "flaky")])
    lines, summary = poll(store, server.url("/feed.xml"))
    assert "1 new" in lines[0] and "1 failed" in lines[0]
    assert any("server answered 500" in p for p in summary.problems)
    (row,) = sources_health(store)
    assert row["items_failed"] == 1 and row["healthy"]
    # The article recovers; the feed is unchanged (304) but the failed item is tried again.
    server.routes["/news/flaky"].fail_times = 0
    lines, _ = poll(store, server.url("/feed.xml"))
    assert "304 not modified" in lines[0] and "1 new" in lines[0]
    (row,) = sources_health(store)
    assert row["items_failed"] == 0 and row["items_ingested"] == 2


def test_an_item_failing_too_often_is_given_up(server: MonitorServer, store: Store) -> None:
    server.route("/news/gone", b"gone", status=404)
    set_feed(server, "v1", [item(server, "gone")])
    settings = WatchSettings(fetch=FAST, max_item_attempts=2)
    for _ in range(3):
        poll(store, server.url("/feed.xml"), settings=settings)
    assert server.hits["/news/gone"] == 2
    (row,) = sources_health(store)
    assert row["items_failed"] == 1


def test_a_failing_source_is_recorded_and_recovers(server: MonitorServer, store: Store) -> None:
    set_feed(server, "v1", [item(server, "abduction")])
    server.routes["/feed.xml"].fail_times = 99
    lines, summary = poll(store, server.url("/feed.xml"))
    assert "FAILED server answered 500" in lines[0]
    assert summary.failed_polls == 1
    (row,) = sources_health(store)
    assert row["errors"] == 1 and row["consecutive_errors"] == 1 and not row["healthy"]
    assert "500" in row["last_error"]
    server.routes["/feed.xml"].fail_times = 0
    lines, _ = poll(store, server.url("/feed.xml"))
    assert "1 new" in lines[0]
    (row,) = sources_health(store)
    assert row["errors"] == 1 and row["consecutive_errors"] == 0 and row["healthy"] and row["last_error"] is None


def test_slow_huge_and_forbidden_items_are_reported(server: MonitorServer, store: Store) -> None:
    server.route("/robots.txt", "User-agent: *\nDisallow: /private/\n", content_type="text/plain")
    server.route("/news/slow", page("article-hospital.html"), delay=1.5)
    server.route("/news/huge", b"", huge=300 * 1024 * 1024)
    server.route("/private/leak", page("article-recruitment.html"))
    set_feed(
        server,
        "v1",
        [
            item(server, "slow"),
            item(server, "huge"),
            {"title": "leak", "link": server.url("/private/leak")},
            item(server, "abduction"),
        ],
    )
    settings = WatchSettings(fetch=FetchSettings(read_timeout=0.5, backoff=0.05, retries=1, max_bytes=2_000_000))
    lines, summary = poll(store, server.url("/feed.xml"), settings=settings)
    assert "1 new" in lines[0] and "3 failed" in lines[0], lines
    problems = " ".join(summary.problems)
    assert "timed out" in problems and "over the limit" in problems and "robots.txt" in problems
    assert "/private/leak" not in server.hits


def test_a_pdf_item_is_read_with_its_pages(server: MonitorServer, store: Store) -> None:
    pytest.importorskip("fpdf")
    from pdf_maker import Page, wrap, write_pdf

    text = "On 3 May 2023, CODECO fighters abducted 12 girls from a school in Djugu territory, the UN said."
    data = write_pdf([Page(columns=[wrap("Introduction to the report.")]), Page(columns=[wrap(text)])])
    server.route("/reports/annual.pdf", data, content_type="application/pdf")
    set_feed(server, "v1", [{"title": "Annual report", "link": server.url("/reports/annual.pdf")}])
    poll(store, server.url("/feed.xml"))
    (doc_id,) = doc_ids(store)
    doc = store.document(doc_id)
    assert doc is not None and doc.raw == data and doc.title == "Annual report"
    assert db.page_starts(store) == {doc_id: doc.metadata["pages"]}


def test_a_watched_page_is_taken_in_again_only_when_its_text_changes(server: MonitorServer, store: Store) -> None:
    server.route("/situation", page("article-hospital.html"))
    lines, _ = poll(store, server.url("/situation"))
    assert "1 new" in lines[0]
    lines, _ = poll(store, server.url("/situation"))  # no validators: fetched, but known
    assert "0 new" in lines[0] and "1 seen" in lines[0]
    updated = page("article-hospital.html").replace(b"five others", b"seven others")
    server.route("/situation", updated)
    lines, _ = poll(store, server.url("/situation"))
    assert "1 new" in lines[0]
    assert len(doc_ids(store)) == 2
    (row,) = sources_health(store)
    assert row["kind"] == "page" and row["items_ingested"] == 2


def test_a_crash_between_storing_and_marking_duplicates_nothing(server: MonitorServer, store: Store) -> None:
    set_feed(server, "v1", [item(server, "abduction")])
    poll(store, server.url("/feed.xml"))
    # As if the watcher had died after the document was stored but before the item was
    # marked: the item is pending and the feed's validators were never saved.
    with store.writing() as conn:
        conn.exec_driver_sql("UPDATE source_items SET status = 'pending'")
        conn.exec_driver_sql("UPDATE sources SET etag = NULL, next_poll_at = NULL")
    lines, _ = poll(store, server.url("/feed.xml"))
    assert "0 new" in lines[0] and "0 duplicate" in lines[0]
    assert len(doc_ids(store)) == 1
    (row,) = sources_health(store)
    assert row["items_ingested"] == 1 and row["items_pending"] == 0


def test_each_source_is_polled_on_its_own_interval(server: MonitorServer, store: Store) -> None:
    set_feed(server, "v1", [item(server, "abduction")])
    server.route("/page", page("article-recruitment.html"))
    stop = threading.Event()
    lines: list[str] = []
    specs = [SourceSpec(server.url("/feed.xml"), 1), SourceSpec(server.url("/page"), 3600)]
    timer = threading.Timer(2.6, stop.set)
    timer.start()
    watch(store, specs, SETTINGS, stop=stop, log=lines.append)
    timer.cancel()
    feed_polls = [line for line in lines if "/feed.xml" in line]
    page_polls = [line for line in lines if "/page" in line]
    assert len(feed_polls) >= 2 and len(page_polls) == 1, lines


def test_sources_files_plain_and_opml(tmp_path: Path) -> None:
    plain = tmp_path / "sources.txt"
    plain.write_text(
        "# feeds\nhttps://a.example/feed.xml 15m\n\nhttps://b.example/page.html  1h30m  # slow\nhttps://c.example/x\n",
        encoding="utf-8",
    )
    assert read_sources_file(plain) == [
        SourceSpec("https://a.example/feed.xml", 900),
        SourceSpec("https://b.example/page.html", 5400),
        SourceSpec("https://c.example/x", None),
    ]
    opml = tmp_path / "feeds.opml"
    opml.write_text(
        '<?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>'
        '<outline text="UN"><outline type="rss" text="a" xmlUrl="https://a.example/rss"/></outline>'
        '<outline type="rss" text="b" xmlUrl="https://b.example/atom"/></body></opml>',
        encoding="utf-8",
    )
    assert [s.url for s in read_sources_file(opml)] == ["https://a.example/rss", "https://b.example/atom"]
    bad = tmp_path / "bad.txt"
    bad.write_text("ftp://x.example/feed\nhttps://ok.example/feed 10 minutes\nhttps://ok.example/b fast\n")
    with pytest.raises(InputError) as caught:
        read_sources_file(bad)
    assert caught.value.where == str(bad)
    assert all(f"line {n}" in caught.value.problem for n in (1, 2, 3))


def test_intervals() -> None:
    assert [parse_interval(t) for t in ("90", "90s", "15m", "1h", "1h30m", "2d")] == [90, 90, 900, 3600, 5400, 172800]
    for wrong in ("", "0", "fast", "15 minutes", "m"):
        with pytest.raises(ValueError):
            parse_interval(wrong)


def _cli(*args: str | Path, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CHILDWATCH), *map(str, args)], capture_output=True, text=True, timeout=timeout)


def test_watch_once_twice_and_after_a_kill_stores_nothing_twice(server: MonitorServer, tmp_path: Path) -> None:
    for slug in ("abduction", "recruitment", "hospital"):
        server.routes[f"/news/{slug}"].delay = 0.6  # slow articles: the kill lands mid-poll
    set_feed(server, "v1", [item(server, "abduction"), item(server, "recruitment"), item(server, "hospital")])
    sources = tmp_path / "sources.txt"
    sources.write_text(f"{server.url('/feed.xml')} 1s\n", encoding="utf-8")
    db_path = tmp_path / "cw.sqlite"
    watcher = subprocess.Popen(
        [str(CHILDWATCH), "watch", str(sources), "--db", str(db_path)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 60
        while server.hits.get("/news/recruitment", 0) == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert server.hits.get("/news/recruitment"), "the watcher never got to the second article"
    finally:
        watcher.send_signal(signal.SIGKILL)
        watcher.wait(timeout=30)
    with open_store(db_path) as store:  # killed mid-poll: an item begun, nothing stored yet
        assert doc_ids(store) == []
        assert sources_health(store)[0]["items_pending"] >= 1
    first = _cli("watch", sources, "--db", db_path, "--once")
    assert first.returncode == 0, first.stderr
    second = _cli("watch", sources, "--db", db_path, "--once")
    assert "0 new" in second.stdout and second.returncode == 0, second.stdout + second.stderr
    with open_store(db_path) as store:
        assert len(doc_ids(store)) == 3
        (row,) = sources_health(store)
        assert row["items_ingested"] == 3 and row["items_pending"] == 0
    listing = _cli("sources", "--db", db_path)
    assert server.url("/feed.xml") in listing.stdout and "3 taken in" in listing.stdout and " ok" in listing.stdout
    as_json = [json.loads(line) for line in _cli("sources", "--db", db_path, "--json").stdout.splitlines()]
    assert as_json[0]["items_ingested"] == 3 and as_json[0]["interval"] == 1


def test_watch_stops_cleanly_on_sigterm(server: MonitorServer, tmp_path: Path) -> None:
    set_feed(server, "v1", [item(server, "abduction")])
    sources = tmp_path / "sources.txt"
    sources.write_text(server.url("/feed.xml") + "\n", encoding="utf-8")
    watcher = subprocess.Popen(
        [str(CHILDWATCH), "watch", str(sources), "--db", str(tmp_path / "cw.sqlite"), "--interval", "1s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    deadline = time.monotonic() + 60
    while server.hits.get("/news/abduction", 0) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)
    watcher.send_signal(signal.SIGTERM)
    out, err = watcher.communicate(timeout=30)
    assert watcher.returncode == 0, err
    assert "poll " + server.url("/feed.xml") in err and "1 new" in err
    assert "polls (0 failed): 1 new documents" in out
