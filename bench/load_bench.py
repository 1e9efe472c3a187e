"""Load benchmark (run on demand, not by `make test`): many clients at once against the real
`childwatch serve` on loopback, while `childwatch run` writes to the same store.

    .venv/bin/python bench/load_bench.py [--db FILE] [--clients 20 100] [--requests 200]
                                         [--workers 1 2] [--no-writer]

Without --db, the store is the corpus's: ../shared/corpus/articles run into a temporary
SQLite file. For each number of worker processes and each number of clients, each route
below gets `--requests` requests in all, taken from one queue by `clients` threads at
once, each with its own connection and its own viewer session. With the writer on,
`childwatch resolve --full` rewrites the store's incidents meanwhile (one write
transaction per block), so reads and writes meet. Loopback only: the server listens on
127.0.0.1 and nothing else is contacted.

Prints req/s, p50/p95/p99 in ms and errors (non-2xx or failed connections) per route, and
writes bench/results/load.json with the machine's load average at the start.
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


def corpus_store(shared: Path, out: Path) -> Path:
    db = out / "corpus.sqlite"
    done = subprocess.run([*CLI, "run", str(shared / "corpus" / "articles"), "--db", str(db)],
                          stdout=subprocess.DEVNULL)  # fmt: skip
    if done.returncode not in (0, 1):  # 1: finished, with inputs skipped (and named)
        raise SystemExit(f"childwatch run failed ({done.returncode})")
    return db


def add_viewer(db: Path) -> None:
    subprocess.run([*CLI, "users", "add", USER, "--role", "viewer", "--password-stdin", "--db", str(db)],
                   input=PASSWORD + "\n", text=True, check=False, capture_output=True)  # fmt: skip


class Server:
    def __init__(self, db: Path, workers: int) -> None:
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
    parser.add_argument("--db", type=Path, help="a store to copy and serve (default: the corpus run into one)")
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    parser.add_argument("--clients", type=int, nargs="+", default=[20, 100])
    parser.add_argument("--requests", type=int, default=400, help="requests per route and run (default: 400)")
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--no-writer", action="store_true", help="no `childwatch run` writing meanwhile")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        if args.db:
            db = out / "served.sqlite"
            shutil.copyfile(args.db, db)
        else:
            print("building the corpus store ...", file=sys.stderr)
            db = corpus_store(args.shared, out)
        add_viewer(db)
        results: dict[str, Any] = {"load_average": os.getloadavg(), "cpus": os.cpu_count(), "runs": []}
        head = ("workers", "clients", "route", "req/s", "p50", "p95", "p99", "errors")
        print("{:>7} {:>7} {:<10} {:>7} {:>7} {:>7} {:>7} {:>6}".format(*head))
        for workers in args.workers:
            server = Server(db, workers)
            try:
                for clients in args.clients:
                    writer = None
                    if not args.no_writer:
                        writer = subprocess.Popen([*CLI, "resolve", "--full", "--db", str(db)],
                                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
                    for route, path in ROUTES.items():
                        row = load(server.url, path, clients, args.requests)
                        row.update(workers=workers, clients=clients, route=route, writer=writer is not None)
                        results["runs"].append(row)
                        print(f"{workers:>7} {clients:>7} {route:<10} {row['req_s']:>7} {row['p50']:>7} "
                              f"{row['p95']:>7} {row['p99']:>7} {row['errors']:>6}", flush=True)  # fmt: skip
                    if writer is not None:
                        row_writer = writer.poll()
                        writer.wait()
                        results["runs"][-1]["writer_done_before_end"] = row_writer is not None
            finally:
                server.stop()
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "load.json").write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
