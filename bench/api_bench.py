"""REST API latency benchmark (run on demand, not by `make test`): p50/p95 of list and
filter calls over ~100k synthetic claims in SQLite.

    .venv/bin/python bench/api_bench.py [--claims 100000] [--db FILE] [--repeat 40]

The store is made from `synthetic_reports.py` (fixed seed) with `Store.write_batch` and
resolved with `resolve` (about two minutes for 100k claims), unless `--db` names one that
exists already (e.g. kept by `resolve_bench.py --keep`). Calls go through the real app
in-process (FastAPI's TestClient, logged in as an analyst), so each time includes
routing, the session check (one user lookup), the queries and JSON encoding, but no
network. Each call is made `--repeat` times after two warm-up calls; the table gives
the median and the 95th percentile in milliseconds. Results go to bench/results/api.json.
(`pg_api_bench.py` measures the same kind of calls on PostgreSQL.)
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from synthetic_reports import SyntheticReports

from childwatch.review.users import add_user, get_user_by_name
from childwatch.run.resolution import resolve
from childwatch.store import open_store

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
USER, PASSWORD = "bench-analyst", "bench passphrase"


def build(db: Path, claims: int) -> dict[str, Any]:
    started = time.perf_counter()
    reports = SyntheticReports(claims)
    with open_store(db) as store:
        for batch in reports.batches(1000):
            store.write_batch(batch)
        loaded = time.perf_counter()
        resolve(store)
    return {"load_s": round(loaded - started, 1), "resolve_s": round(time.perf_counter() - loaded, 1)}


def calls(client: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """The calls to time, with filter values taken from the data (busiest first)."""
    facets = client.get("/api/facets").json()
    country = facets["countries"][0]["key"] if facets["countries"] else "SY"
    busiest = max(facets["countries"], key=lambda c: c["incidents"])["key"] if facets["countries"] else country
    perpetrator = facets["perpetrators"][0]["key"] if facets["perpetrators"] else None
    first = client.get("/api/incidents", params={"country": busiest}).json()["items"][0]
    word = (first.get("location_name") or first.get("location_admin1") or "school").split()[0]
    return [
        ("list, page 1", "/api/incidents", {}),
        ("list, page 200", "/api/incidents", {"page": 200}),
        ("list, most reported first", "/api/incidents", {"sort": "reports"}),
        ("filter country", "/api/incidents", {"country": busiest}),
        ("filter violation + country", "/api/incidents", {"violation": "killing_maiming", "country": busiest}),
        ("filter date range", "/api/incidents", {"date_from": "2019-01", "date_to": "2019-06"}),
        ("filter status", "/api/incidents", {"status": "corroborated"}),
        ("filter kind", "/api/incidents", {"kind": "aggregate"}),
        ("filter perpetrator", "/api/incidents", {"perpetrator": perpetrator} if perpetrator else {}),
        ("filter 4 at once", "/api/incidents",
         {"violation": "abduction", "country": busiest, "date_from": "2018", "status": "reported"}),
        ("full-text search (q)", "/api/incidents", {"q": word}),
        ("full-text + country", "/api/incidents", {"q": word, "country": busiest}),
        ("incident detail", f"/api/incidents/{first['id']}", {}),
        ("dashboard", "/api/dashboard", {}),
        ("dashboard, country", "/api/dashboard", {"country": busiest}),
    ]  # fmt: skip


def timed(client: Any, path: str, params: dict[str, Any], repeat: int) -> dict[str, Any]:
    for _ in range(2):
        client.get(path, params=params).raise_for_status()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(path, params=params)
        times.append((time.perf_counter() - started) * 1000)
        response.raise_for_status()
    body = response.json()
    cuts = statistics.quantiles(times, n=20, method="inclusive")
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(cuts[18], 1),
            "max_ms": round(max(times), 1), "total": body.get("total")}  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--claims", type=int, default=100_000, help="synthetic claims when building (default 100000)")
    ap.add_argument("--db", type=Path, help="use (or build and keep) this SQLite file")
    ap.add_argument("--repeat", type=int, default=40, help="timed calls per row (default 40)")
    args = ap.parse_args(argv)

    from fastapi.testclient import TestClient

    from childwatch.serve import create_app

    with tempfile.TemporaryDirectory(prefix="api-bench-") as scratch:
        db = args.db or Path(scratch) / "api.sqlite"
        about: dict[str, Any] = {"when": datetime.now(UTC).isoformat(), "repeat": args.repeat}
        if not db.exists():
            print(f"building {db} with {args.claims:,} synthetic claims (about 2 min per 100k)...", file=sys.stderr)
            about["build"] = build(db, args.claims)
        with open_store(db) as store:
            counts = store.counts()
            about["claims"], about["documents"] = counts.claims, counts.documents
            if get_user_by_name(store, USER) is None:
                add_user(store, USER, PASSWORD, "analyst")
            with TestClient(create_app(store)) as client:
                client.post("/api/session", json={"name": USER, "password": PASSWORD}).raise_for_status()
                rows = [(name, timed(client, path, params, args.repeat), params)
                        for name, path, params in calls(client)]  # fmt: skip
    print(f"{about['claims']:,} claims, {about['documents']:,} documents (SQLite); {args.repeat} calls each\n")
    print(f"{'call':<30} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'matches':>8}")
    for name, r, _ in rows:
        total = "" if r["total"] is None else f"{r['total']:,}"
        print(f"{name:<30} {r['p50_ms']:>8} {r['p95_ms']:>8} {r['max_ms']:>8} {total:>8}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "api.json"
    out.write_text(json.dumps({**about, "calls": [{"call": n, "params": p, **r} for n, r, p in rows]}, indent=1) + "\n")
    print(f"\nwritten to {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
