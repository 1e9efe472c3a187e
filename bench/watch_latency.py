"""Watch latency (run on demand, not by `make test`): the time from an item appearing in a
feed to its claims being queryable in the database, with `childwatch watch` polling every
minute, as a monitor would run it.

    .venv/bin/python bench/watch_latency.py [--trials 5] [--interval 60] [--seed 7]

A feed is served on 127.0.0.1 (stdlib http.server, with ETag support) and the real
command runs in a subprocess: `childwatch watch SOURCES --db FILE --interval 60s`. After
its first poll has taken in the feed's first item, each trial waits a random part of a
poll interval, publishes a new item (an article page and its feed entry) and then asks the
database, every 50 ms, for claims of a document with that URL (the query `childwatch
export` or the web API would make). Reported per trial:

    total s      item published -> its claims queryable
    wait s       item published -> the next poll fetched the feed (the poll interval's part)
    pipeline s   that poll -> claims queryable (fetch the article, extract, store, resolve)

With a 60 s interval the total is the wait (uniform over 0-60 s, mean 30 s) plus the
pipeline time. Results also go to bench/results/watch_latency.json.
"""

from __future__ import annotations

import argparse
import json
import random
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
CHILDWATCH = Path(sys.executable).with_name("childwatch")

# Article templates written for this benchmark (fictional specifics).
ARTICLE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title} - Bench Monitor</title><meta property="og:site_name" content="Bench Monitor"></head>
<body><nav><a href="/">Home</a> | <a href="/world">World</a> | <a href="/africa">Africa</a></nav>
<article><h1>{title}</h1>
<p>Gunmen abducted {n} children from a primary school in {place} on Monday, the United Nations said in a
statement on Tuesday.</p>
<p>The children, aged between 8 and 14, were taken from their classrooms shortly after morning assembly,
according to the statement. Local officials said security forces had been deployed to search the area.</p>
<p>Parents gathered outside the school on Tuesday waiting for news; the school has been closed.</p>
</article><footer>Sign up for our newsletter | Contact</footer></body></html>
"""
PLACES = ["Gwoza", "Maiduguri", "Bama", "Konduga", "Damboa", "Dikwa", "Monguno", "Biu"]


class Site:
    """The feed and its articles; records when each version of the feed was served."""

    def __init__(self) -> None:
        self.items: list[tuple[str, str]] = []  # (slug, title)
        self.pages: dict[str, bytes] = {}
        self.version = 0
        self.served: list[tuple[float, int]] = []  # (time, number of items in the feed served)
        self.lock = threading.Lock()

    def publish(self, slug: str, title: str, n: int, place: str) -> None:
        with self.lock:
            self.pages[f"/news/{slug}"] = ARTICLE.format(title=title, n=n, place=place).encode()
            self.items.insert(0, (slug, title))
            self.version += 1

    def feed(self, base: str) -> tuple[bytes, str]:
        with self.lock:
            entries = "".join(
                f"<item><title>{escape(t)}</title><link>{base}/news/{s}</link><guid>{s}</guid></item>"
                for s, t in self.items
            )
            body = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Bench</title>{entries}</channel></rss>'
            return body.encode(), f'"v{self.version}"'


def serve(site: Site) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def do_GET(self) -> None:
            base = f"http://{self.headers['Host']}"
            if self.path == "/feed.xml":
                body, etag = site.feed(base)
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", {"ETag": etag})
                    return
                with site.lock:
                    site.served.append((time.time(), len(site.items)))
                self._send(200, body, {"ETag": etag, "Content-Type": "application/rss+xml"})
            elif self.path in site.pages:
                self._send(200, site.pages[self.path], {"Content-Type": "text/html; charset=utf-8"})
            else:
                self._send(404, b"not found", {"Content-Type": "text/plain"})

        def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if status != 304:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if status != 304:
                self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def claims_of(db: Path, url: str) -> int:
    try:
        with sqlite3.connect(db, timeout=5) as conn:
            row = conn.execute(
                "SELECT count(*) FROM claims JOIN documents ON documents.id = claims.doc_id WHERE documents.url = ?",
                (url,),
            ).fetchone()
    except sqlite3.OperationalError:  # not created yet
        return 0
    return int(row[0])


def has_claims(db: Path, url: str) -> bool:
    return claims_of(db, url) > 0


def wait_for(check: Callable[[], bool], timeout: float) -> float | None:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if check():
            return time.time()
        time.sleep(0.05)
    return None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trials", type=int, default=5)
    ap.add_argument("--interval", type=int, default=60, help="poll interval in seconds (default: 60)")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    site = Site()
    server = serve(site)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    results = []
    with tempfile.TemporaryDirectory(prefix="watch-latency-") as scratch:
        db = Path(scratch) / "watch.sqlite"
        sources = Path(scratch) / "sources.txt"
        sources.write_text(f"{base}/feed.xml\n", encoding="utf-8")
        site.publish("item-0", "Gunmen abduct pupils in Borno", 11, "Gwoza")
        log = (Path(scratch) / "watch.log").open("w")
        watcher = subprocess.Popen(
            [str(CHILDWATCH), "watch", str(sources), "--db", str(db), "--interval", f"{args.interval}s"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            if wait_for(partial(has_claims, db, f"{base}/news/item-0"), 120) is None:
                print("the first poll never stored its item; see the watcher's log", file=sys.stderr)
                return 1
            for trial in range(1, args.trials + 1):
                time.sleep(rng.uniform(0, args.interval))
                slug = f"item-{trial}"
                published = time.time()
                site.publish(slug, f"Pupils abducted near {PLACES[trial % len(PLACES)]}", 10 + trial, PLACES[trial % 8])
                url = f"{base}/news/{slug}"
                done = wait_for(partial(has_claims, db, url), args.interval * 2 + 60)
                if done is None:
                    print(f"trial {trial}: no claims after {args.interval * 2 + 60}s", file=sys.stderr)
                    return 1
                with site.lock:
                    fetched = min(t for t, n in site.served if t >= published and n >= trial + 1)
                result = {"total": done - published, "wait": fetched - published, "pipeline": done - fetched}
                results.append(result)
                print(f"trial {trial}: total {result['total']:.1f}s = wait {result['wait']:.1f}s "
                      f"+ pipeline {result['pipeline']:.2f}s")  # fmt: skip
        finally:
            watcher.terminate()
            watcher.wait(timeout=60)
            server.shutdown()
    totals = [r["total"] for r in results]
    pipeline = [r["pipeline"] for r in results]
    summary = {
        "interval_s": args.interval,
        "trials": len(results),
        "total_mean_s": statistics.mean(totals),
        "total_median_s": statistics.median(totals),
        "total_max_s": max(totals),
        "pipeline_mean_s": statistics.mean(pipeline),
        "pipeline_max_s": max(pipeline),
        "runs": results,
    }
    s = summary
    print(
        f"interval {args.interval}s, {len(results)} trials: item -> claims queryable "
        f"mean {s['total_mean_s']:.1f}s, median {s['total_median_s']:.1f}s, max {s['total_max_s']:.1f}s; "
        f"of which the pipeline after the poll: mean {s['pipeline_mean_s']:.2f}s, max {s['pipeline_max_s']:.2f}s"
    )
    out = ROOT / "bench" / "results" / "watch_latency.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    print(f"results: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
