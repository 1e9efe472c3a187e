"""Load benchmark (run on demand, not by `make test`): many clients at once against the real
`childwatch serve` on loopback, while `childwatch run` writes to the same store.

    .venv/bin/python bench/load_bench.py [--db FILE|URL] [--clients 20 100] [--requests 400]
                                         [--workers 1 2] [--writer run|resolve|none]

Without --db, the store is the corpus's: ../shared/corpus/articles run into a temporary
SQLite file (a file given is copied; a PostgreSQL URL is served as it is, and written to
by the writer). For each number of worker processes and each number of clients, each
route below gets `--requests` requests in all, taken from one queue by `clients` threads
at once, each with its own connection and its own viewer session. A writer writes to
the same store from before the first request to after the last, over and over:
`run` (the default) is `childwatch run` over 20 corpus reports under new ids (batches of
5 documents, then resolution), `resolve` is `childwatch resolve --full` (one write
transaction per block). Loopback only: the server listens on 127.0.0.1 and nothing else
is contacted.

Prints req/s, p50/p95/p99 in ms and errors (non-2xx or failed connections) per route, and
writes bench/results/load.json with the machine's load average before each run.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from childwatch.read.search import index_pending
from childwatch.store import open_store

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
CLI = [sys.executable, "-m", "childwatch.cli"]
ROUTES = {
    "list": "/api/incidents?per_page=50",
    "filter": "/api/incidents?country=NG&violation=abduction",
    "dashboard": "/api/dashboard",
    "search": "/api/incidents?q=school",
}
USER, PASSWORD = "load-viewer", "load bench passphrase 7"


class Writer:
    """Writes to the store over and over until stopped (see the module doc)."""

    def __init__(self, db: str, kind: str, shared: Path, out: Path) -> None:
        self.db, self.kind, self.out = db, kind, out
        self.articles = sorted((shared / "corpus" / "articles").glob("*.json"))
        if kind == "run" and not self.articles:
            raise SystemExit(f"no reports in {shared / 'corpus' / 'articles'} for the writer: give --shared")
        self.rounds = 0
        self.failed = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _command(self) -> list[str]:
        if self.kind == "resolve":
            return [*CLI, "resolve", "--full", "--db", self.db]
        # 20 reports a round, under ids no round used before, so that each is stored anew.
        batch = self.out / "writer.jsonl"
        with batch.open("w", encoding="utf-8") as f:
            for k in range(20):
                path = self.articles[(self.rounds * 20 + k) % len(self.articles)]
                report = json.loads(path.read_text(encoding="utf-8"))
                report["id"] = f"load-{os.getpid()}-{self.rounds}-{report.get('id') or path.stem}"
                f.write(json.dumps(report) + "\n")
        return [*CLI, "run", str(batch), "--db", self.db, "--batch-size", "5"]

    def _loop(self) -> None:
        while not self._stop.is_set():
            done = subprocess.run(self._command(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            self.rounds += 1
            self.failed += done.returncode not in (0, 1)

    def stop(self) -> dict[str, Any]:
        self._stop.set()
        self._thread.join()
        return {"writer": self.kind, "writer_rounds": self.rounds, "writer_failed": self.failed}


def index_for_search(db: Path | str) -> None:
    """Index the store's reports for search first, as `serve` does in the background (a
    store from before migration 0014 has all of them waiting): measured is a server whose
    index has caught up, with the writer's new reports coming in."""
    started, done = time.monotonic(), 0
    with open_store(db) as store:
        while added := index_pending(store, limit=1000):
            done += added
            if done % 20_000 < 1000:
                print(f"  indexed {done:,} reports for search ({time.monotonic() - started:.0f} s)", file=sys.stderr)


def corpus_store(shared: Path, out: Path) -> Path:
    db = out / "corpus.sqlite"
    done = subprocess.run([*CLI, "run", str(shared / "corpus" / "articles"), "--db", str(db)],
                          stdout=subprocess.DEVNULL)  # fmt: skip
    if done.returncode not in (0, 1):  # 1: finished, with inputs skipped (and named)
        raise SystemExit(f"childwatch run failed ({done.returncode})")
    return db


def add_viewer(db: Path | str) -> None:
    subprocess.run([*CLI, "users", "add", USER, "--role", "viewer", "--password-stdin", "--db", str(db)],
                   input=PASSWORD + "\n", text=True, check=False, capture_output=True)  # fmt: skip


class Server:
    def __init__(self, db: Path | str, workers: int) -> None:
        self.proc = subprocess.Popen(
            [*CLI, "serve", "--db", str(db), "--port", "0", "--host", "127.0.0.1", "--workers", str(workers)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if " at http://" not in line:
            raise SystemExit(f"serve printed {line!r}")
        self.url = line.split(" at ", 1)[1].split(" ", 1)[0].rstrip("/")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # workers start after the address is printed
            try:
                if httpx.get(f"{self.url}/login", timeout=5).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        time.sleep(1.0 if workers > 1 else 0)

    def warm_up(self) -> None:
        """A few requests of each route first, so that what is measured is a server that
        has served before (modules imported, statements compiled), not its first minute."""
        c = client(self.url)
        try:
            for path in ROUTES.values():
                for _ in range(4):
                    c.get(path, headers={"Connection": "close"})  # a new connection: another worker
        finally:
            c.close()

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def client(url: str) -> httpx.Client:
    c = httpx.Client(base_url=url, timeout=60)
    r = c.post("/api/session", json={"name": USER, "password": PASSWORD})
    if r.status_code != 200:
        raise SystemExit(f"login failed: {r.status_code} {r.text}")
    return c


def load(url: str, path: str, clients: int, requests: int) -> dict[str, Any]:
    todo: queue.Queue[int] = queue.Queue()
    for n in range(requests):
        todo.put(n)
    times: list[float] = []
    errors = 0
    lock = threading.Lock()
    sessions = [client(url) for _ in range(clients)]
    # Each login is recorded (a commit), so the answer kept before it is computed anew:
    # once here, so that what is timed is serving, not the logins of the bench itself.
    sessions[0].get(path)

    def work(c: httpx.Client) -> None:
        nonlocal errors
        while True:
            try:
                todo.get_nowait()
            except queue.Empty:
                return
            started = time.perf_counter()
            try:
                ok = c.get(path).status_code < 300
            except httpx.HTTPError:
                ok = False
            took = time.perf_counter() - started
            with lock:
                times.append(took)
                errors += 0 if ok else 1

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(c,)) for c in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    for c in sessions:
        c.close()
    ms = sorted(t * 1000 for t in times)

    def pct(p: float) -> float:
        return round(ms[min(len(ms) - 1, int(p * len(ms)))], 1)

    return {"requests": len(ms), "req_s": round(len(ms) / seconds, 1), "p50": round(statistics.median(ms), 1),
            "p95": pct(0.95), "p99": pct(0.99), "errors": errors}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--db",
        help="a SQLite store to copy and serve, or a PostgreSQL URL to serve "
        "(default: the corpus run into a new SQLite store)",
    )
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--requests", type=int, default=400, help="requests per route and run (default: 400)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument(
        "--writer",
        choices=("run", "resolve", "none"),
        default="run",
        help="what writes to the store meanwhile (default: childwatch run)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        db: Path | str
        if args.db and "://" in args.db:
            db = args.db
        elif args.db:
            db = out / "served.sqlite"
            shutil.copyfile(args.db, db)
        else:
            print("building the corpus store ...", file=sys.stderr)
            db = corpus_store(args.shared, out)
        add_viewer(db)
        index_for_search(db)
        results: dict[str, Any] = {
            "load_average": os.getloadavg(),
            "cpus": os.cpu_count(),
            "runs": [],
            "store": "corpus" if not args.db else "given",
        }
        head = ("workers", "clients", "route", "req/s", "p50", "p95", "p99", "errors")
        print("{:>7} {:>7} {:<10} {:>7} {:>7} {:>7} {:>7} {:>6}".format(*head))
        for workers in args.workers:
            server = Server(db, workers)
            try:
                server.warm_up()
                for clients in args.clients:
                    load_average = os.getloadavg()
                    writer = Writer(str(db), args.writer, args.shared, out) if args.writer != "none" else None
                    time.sleep(2 if writer else 0)  # the writer under way before the first request
                    rows = []
                    for route, path in ROUTES.items():
                        row = load(server.url, path, clients, args.requests)
                        row.update(workers=workers, clients=clients, route=route, load_average=load_average)
                        rows.append(row)
                        print(f"{workers:>7} {clients:>7} {route:<10} {row['req_s']:>7} {row['p50']:>7} "
                              f"{row['p95']:>7} {row['p99']:>7} {row['errors']:>6}", flush=True)  # fmt: skip
                    wrote = writer.stop() if writer is not None else {"writer": "none"}
                    for row in rows:
                        row.update(wrote)
                    results["runs"] += rows
                    print(f"  (load average before: {load_average[0]:.2f}; writer: {wrote})", flush=True)
            finally:
                server.stop()
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "load.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
